"""The :class:`Verdict` on one answer: plain frozen data; its displays (``str``, notebook) come from
:class:`~derive.core.display.Displayable`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from ..core.display import Displayable

CORRECT = "correct"
INCORRECT = "incorrect"
INVALID = "invalid"
UNDECIDED = "undecided"
STATUSES = (CORRECT, INCORRECT, INVALID, UNDECIDED)


@dataclass(frozen=True)
class Verdict(Displayable):
    """What was decided about an answer, and why.

    Attributes:
        correct: ``True``/``False``, or ``None`` when no verdict was reached (see ``status``).
        status: ``"correct"``, ``"incorrect"``, ``"invalid"`` (could not be read) or
            ``"undecided"`` (time limit, or the answer could not be evaluated on the domain).
        message: one or two sentences a student can act on.
        parsed: what the answer was read as (a SymPy expression or matrix), ``None`` if unread.
        counterexample: for a wrong answer, a point of the domain where it differs, with both
            values: ``{"point": {"x": "3"}, "answer": "...", "expected": "..."}``.
        diagnosis: a recognised mistake ("sign error", "off by a constant factor 2", "missing
            term x*phi(x)", "correct only for x > 0", a known approximation), or ``None``.
        method: what decided (``"proved: expand"``, ``"numeric (60 digits, 40 points)"``,
            ``"parser"``, ``"time limit"``).
        seconds: wall time of the check, including the worker round trip.

    :attr:`read_as` is how the answer was read, as plain text (``to_dict`` includes it).
    """

    display_kind: ClassVar[str] = "verdict"

    correct: bool | None
    status: str
    message: str
    parsed: Any = None
    counterexample: Mapping[str, Any] | None = None
    diagnosis: str | None = None
    method: str = ""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        expected = {CORRECT: True, INCORRECT: False}.get(self.status)
        if self.correct is not expected:
            raise ValueError(f"status {self.status!r} needs correct={expected!r}")

    @property
    def read_as(self) -> str:
        """How the answer was read, as plain text: ``"sin(5*n)"`` for ``sin 5n``, ``"n/m"`` for
        ``nm^(-1)`` (a matrix as its list of rows), so that a student sees the reading that was
        judged; ``""`` if the answer could not be read. Computed when asked (printing costs ms)."""
        if self.parsed is None:
            return ""
        import sympy as sp  # the verdict module stays light to import; parsed is already SymPy

        if isinstance(self.parsed, sp.MatrixBase):
            return sp.sstr(self.parsed.tolist())
        return sp.sstr(self.parsed)

    def __repr__(self) -> str:
        """One line: ``<Verdict incorrect: 'Incorrect: sign error in the term ...' (numeric)>``."""
        message = self.message if len(self.message) <= 60 else self.message[:57] + "..."
        return f"<Verdict {self.status}: {message!r} ({self.method or 'no method'})>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly fields (``parsed`` as text), and ``read_as``."""
        d = asdict(self)
        d["parsed"] = None if self.parsed is None else str(self.parsed)
        d["read_as"] = self.read_as
        return d
