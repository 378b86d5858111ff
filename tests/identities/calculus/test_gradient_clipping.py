"""Targeted falsehoods for gradient clipping (map 2.3): the norm kept above the threshold, rescaled
to c below it, the direction reversed."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.calculus import gradient_clipping as gc


def test_clipping_does_not_keep_the_norm(rejected: Callable[..., None]) -> None:
    clipped = gc.clipped_norm(gc.C_TIGHT)
    rejected(gc.GRADIENT_CLIPPING, "clipped norm", Eq(clipped, gc.NORM_G))


def test_clipping_below_the_threshold_does_not_rescale_to_c(rejected: Callable[..., None]) -> None:
    """||g'|| = c holds only above the threshold: for c = (1 + u)||g||, any dimension, g' = g."""
    rejected(gc.GRADIENT_CLIPPING, "unclipped norm", Eq(gc.clipped_norm(gc.C_LOOSE), gc.C_LOOSE))


def test_clipping_direction_is_not_reversed(rejected: Callable[..., None]) -> None:
    rel = gc.GRADIENT_CLIPPING.statements[3].relation
    rejected(gc.GRADIENT_CLIPPING, "direction", Eq(rel.lhs, -1))
