"""The outcome of one comparison of the ladder: proved, verified numerically, refuted or undecided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Verification:
    """The outcome of one comparison.

    ``ok`` is ``True`` (equal), ``False`` (refuted, with a counterexample) or ``None`` (undecided
    within the budget). ``method`` names the rung that decided; ``symbolic`` says whether it is a
    proof or a numeric verification.
    """

    ok: bool | None
    method: str
    symbolic: bool
    detail: str = ""
    counterexample: Mapping[str, str] | None = None
    values: tuple[str, str] | None = None
    seconds: float = 0.0
    points: int = 0
    #: named lemmas the decision rests on (proved in :mod:`derive.verify.lemmas`), e.g. ``("gibbs",)``
    lemmas: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.ok is None:
            return f"undecided ({self.method})"
        if self.ok is False:
            return f"refuted ({self.method})"
        return f"proved: {self.method}" if self.symbolic else f"verified numerically: {self.method}"
