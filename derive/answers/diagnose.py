"""Diagnoses: the recognisable mistake of a wrong answer, named from its values.

:func:`diagnose` runs after the checker has found a counterexample; it compares the answer's and
the target's values at the question's sample points (computed once per question) and names, in
this order: a declared approximation of the question, a sign error, a constant factor, a missing,
extra, doubled or sign-flipped term, an additive constant, an answer that is right only on part
of the domain (``correct only for x >= 0``), or a near miss. For a matrix answer,
:func:`matrix_approximation` and :func:`transposed` name a declared near miss or a transpose.
A diagnosis is a courtesy: the verdict never depends on it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ..numeric.precise import DIGITS, differ
from .question import Context, value_floor, values_equal


def diagnose(ctx: Context, parsed: sp.Basic, target: sp.Basic, av: list[Any], tv: list[Any]) -> str | None:
    """The recognisable mistake of a wrong answer, or ``None``."""
    with mpmath.workdps(DIGITS):
        return _diagnose(ctx, parsed, target, av, tv)


def _diagnose(ctx: Context, parsed: sp.Basic, target: sp.Basic, av: list[Any], tv: list[Any]) -> str | None:
    n = len(ctx.points)
    for i in range(n):
        if av[i] is None:
            av[i] = ctx.value(parsed, i)
    for text, approx in ctx.approximations.items():
        if values_equal(av, ctx.values(approx, cache=True)):
            return text
    nonzero = [v for v in tv if v is not None and abs(v) > mpmath.mpf(10) ** -30]
    if nonzero and values_equal(av, [None if v is None else -v for v in tv]):
        return "sign error: the answer is the negative of the expected one"
    ratio = _constant(
        [(x / y) if (x is not None and y is not None and abs(y) > 1e-30) else None for x, y in zip(av, tv, strict=True)]
    )
    if ratio is not None and abs(ratio - 1) > 1e-12 and abs(ratio) > 1e-12:
        return f"off by a constant factor {_describe(ratio)}"
    term = _term_mistake(ctx, parsed, target, av, tv)
    if term:
        return term
    shift = _constant(
        [(x - y) if (x is not None and y is not None) else None for x, y in zip(av, tv, strict=True)], absolute=tv
    )
    if shift is not None and abs(shift) > 1e-12:
        return f"off by an additive constant {_describe(shift)}"
    return _partial_domain(ctx, av, tv) or _close(av, tv)


def _constant(vals: list[Any], absolute: list[Any] | None = None) -> Any:
    known = [v for v in vals if v is not None]
    if len(known) < 3:
        return None
    ref = known[0]
    if isinstance(ref, mpmath.mpc) and abs(ref.imag) > 1e-20:
        return None
    scale = max(abs(ref), max((abs(v) for v in absolute or [] if v is not None), default=0), mpmath.mpf(1e-30))
    if all(abs(v - ref) <= mpmath.mpf(10) ** -20 * scale for v in known):
        return ref.real if isinstance(ref, mpmath.mpc) else ref
    return None


def _describe(c: Any) -> str:
    """A readable constant: a fraction, or a fraction times pi, sqrt(2), sqrt(pi), sqrt(2 pi)."""
    x = float(c)
    for label, unit in (
        ("", 1.0),
        ("pi", float(mpmath.pi)),
        ("sqrt(2)", 2**0.5),
        ("sqrt(pi)", float(mpmath.sqrt(mpmath.pi))),
        ("sqrt(2*pi)", float(mpmath.sqrt(2 * mpmath.pi))),
        ("pi^2", float(mpmath.pi) ** 2),
        ("e", float(mpmath.e)),
    ):
        for inv in (False, True):
            y = x * unit if inv else x / unit
            f = Fraction(y).limit_denominator(64)
            if f != 0 and abs(float(f) - y) <= 1e-12 * max(1.0, abs(y)):
                num = str(f)
                if not label:
                    return num
                return f"{num}/{label}" if inv else (label if num == "1" else f"{num}*{label}")
    return mpmath.nstr(c, 8)


def _term_mistake(ctx: Context, parsed: sp.Basic, target: sp.Basic, av: list[Any], tv: list[Any]) -> str | None:
    terms = list(sp.Add.make_args(target))
    if len(terms) < 2 and isinstance(target, sp.Mul):
        terms = list(sp.Add.make_args(sp.expand(target)))
    if 2 <= len(terms) <= 12:
        for term in terms:
            vals = ctx.values(term, cache=True)
            if any(v is None for v in vals):
                continue
            for factor, text in (
                (1, "missing term {}"),
                (2, "sign error in the term {}"),
                (-1, "the term {} is counted twice"),
            ):
                want = [None if x is None else x - factor * y for x, y in zip(tv, vals, strict=True)]
                if values_equal(av, want):
                    return text.format(sp.sstr(term))
    own = list(sp.Add.make_args(parsed)) if isinstance(parsed, sp.Expr) else []
    if 2 <= len(own) <= 12:
        for term in own:
            vals = ctx.values(term)
            got = [None if x is None or y is None else x - y for x, y in zip(av, vals, strict=True)]
            if values_equal(got, tv):
                return f"extra term {sp.sstr(term)}"
    return None


def _partial_domain(ctx: Context, av: list[Any], tv: list[Any]) -> str | None:
    floor = value_floor(tv)
    bad: list[int] = []
    good: list[int] = []
    for i, (x, y) in enumerate(zip(av, tv, strict=True)):
        if x is None or y is None:
            continue
        with mpmath.workdps(DIGITS):
            (bad if differ(x, y, floor) else good).append(i)
    if not bad or len(good) < 3:
        return None
    symbols = sorted({s for p in ctx.points for s in p if isinstance(s, sp.Symbol)}, key=str)
    for s in symbols:
        for side, test in (("> 0", lambda v: v > 0), ("< 0", lambda v: v < 0), (">= 0", lambda v: v >= 0)):
            holds = [bool(test(ctx.points[i][s])) for i in good]
            if not any(bool(test(ctx.points[i][s])) for i in bad) and sum(holds) >= 3 and all(holds):
                return f"correct only for {s} {side}"
    return None


def _close(av: list[Any], tv: list[Any]) -> str | None:
    """A near miss that no rule names: the largest relative difference, if it is small."""
    worst = mpmath.mpf(0)
    mags = sorted(abs(v) for v in tv if v is not None)
    typical = mags[len(mags) // 2] if mags else mpmath.mpf(0)
    for x, y in zip(av, tv, strict=True):
        if x is None or y is None:
            continue
        scale = max(abs(x), abs(y)) + typical
        if scale > 0:
            worst = max(worst, abs(x - y) / scale)
    if 0 < worst < 1e-2:
        return (
            f"close to the expected answer (largest relative difference {mpmath.nstr(worst, 2)}) but not equal to it: "
            "an approximation is not the exact answer"
        )
    return None


# ------------------------------------------------------------------------------------ matrices
def matrix_approximation(ctx: Context, m: sp.MatrixBase) -> str | None:
    """The question's declared near miss that the matrix answer equals, entry by entry."""
    with mpmath.workdps(DIGITS):
        for text, approx in ctx.approximations.items():
            if not (isinstance(approx, sp.MatrixBase) and approx.shape == m.shape):
                continue
            if all(
                values_equal(ctx.values(x), ctx.values(y, cache=True)) is not False
                for x, y in zip(m, approx, strict=True)
            ):
                return text
    return None


def transposed(m: sp.MatrixBase, t: sp.MatrixBase) -> bool:
    if not m.is_square:
        return False
    try:
        return all(sp.expand(x) == 0 for x in (m.T - t))
    except Exception:
        return False
