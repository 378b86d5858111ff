r"""Numeric answers with a tolerance: absolute, relative, or a number of significant figures.

An answer :math:`a` to an expected value :math:`e` is accepted when

.. math:: |a - e| \le \max(\text{abs},\ \text{rel}\,|e|,\ \tfrac12 10^{\lfloor\log_{10}|e|\rfloor - \text{sf} + 1})

for the parts of the tolerance that are given (``sf`` digits: the answer agrees with the
expected value rounded to ``sf`` significant figures, within half a unit of the last digit).
Both sides are read by the safe parser and evaluated with 30 significant digits; an answer that
is not a real number (a variable, ``oo``, a complex value) is wrong, with the reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..verdict import CORRECT, INCORRECT, Verdict
from .base import Ask, make, own_work, wrong_kind
from .reading import StructureError

DIGITS = 30
_TWO_POINTS = re.compile(r"\d\.\d*\.")


@dataclass(frozen=True)
class Tolerance:
    """How far a numeric answer may be from the expected value (any of the three may be set)."""

    abs: float | None = None
    rel: float | None = None
    sf: int | None = None

    def __post_init__(self) -> None:
        for name in ("abs", "rel"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise ValueError(f"tolerance {name}={v!r} must be a finite number >= 0")
        if self.sf is not None and not (isinstance(self.sf, int) and 1 <= self.sf <= 20):
            raise ValueError(f"significant figures sf={self.sf!r} must be an integer from 1 to 20")
        if self.abs is None and self.rel is None and self.sf is None:
            raise ValueError("a tolerance needs abs=, rel= or sf=")

    def width(self, expected: Any) -> Any:
        """The largest accepted :math:`|a - e|` for the expected value ``e`` (an mpf)."""
        out = mpmath.mpf(0)
        if self.abs is not None:
            out = max(out, mpmath.mpf(self.abs))
        if self.rel is not None:
            out = max(out, mpmath.mpf(self.rel) * abs(expected))
        if self.sf is not None:
            if expected == 0:
                raise ValueError("significant figures of an expected value 0 mean nothing: give abs=")
            exponent = int(mpmath.floor(mpmath.log10(abs(expected))))
            out = max(out, mpmath.mpf(10) ** (exponent - self.sf + 1) / 2)
        return out

    def __str__(self) -> str:
        parts = [f"abs={self.abs:g}"] if self.abs is not None else []
        parts += [f"rel={self.rel:g}"] if self.rel is not None else []
        parts += [f"{self.sf} significant figures"] if self.sf is not None else []
        return ", ".join(parts)


_SF = re.compile(r"(\d+)\s*(?:sf|s\.f\.|sig(?:nificant)?\s*(?:figs?|figures|digits)?)", re.I)


def tolerance(tol: Any) -> Tolerance:
    """A :class:`Tolerance` from a number (absolute), ``"1e-3"``, ``"2%"`` (relative), ``"3sf"``,
    ``"abs=0.01, rel=1e-3, sf=3"``, or a mapping with those keys."""
    if isinstance(tol, Tolerance):
        return tol
    if isinstance(tol, bool):
        raise ValueError(f"tolerance {tol!r} is not a number")
    if isinstance(tol, int | float):
        return Tolerance(abs=float(tol))
    if isinstance(tol, Mapping):
        unknown = set(tol) - {"abs", "rel", "sf"}
        if unknown:
            raise ValueError(f"unknown tolerance key(s) {sorted(unknown)}: use abs, rel, sf")
        return Tolerance(
            abs=_number(tol.get("abs")),
            rel=_number(tol.get("rel")),
            sf=None if tol.get("sf") is None else _int(tol["sf"]),
        )
    if not isinstance(tol, str) or len(tol) > 100:
        raise ValueError(f"tolerance {tol!r} must be a number or text such as 1e-3, 2%, 3sf, rel=1e-6")
    fields: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", tol))):
        key, sep, value = part.partition("=")
        m = _SF.fullmatch(part)
        if m:
            fields["sf"] = int(m.group(1))
        elif sep:
            fields[key.strip().lower()] = value.strip()
        elif part.endswith("%"):
            fields["rel"] = str(_number(part[:-1]) / 100)  # type: ignore[operator]
        else:
            fields["abs"] = part
    return tolerance(fields)


def _number(v: Any) -> float | None:
    if v is None:
        return None
    try:
        out = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"tolerance {v!r} is not a number") from None
    if isinstance(v, str) and len(v) > 40:
        raise ValueError("tolerance text too long")
    return out


def _int(v: Any) -> int:
    try:
        return int(str(v).strip())
    except ValueError:
        raise ValueError(f"significant figures {v!r} must be an integer") from None


def value(e: sp.Basic) -> Any:
    """The real value of a constant expression with :data:`DIGITS` digits, or ``None``."""
    if not isinstance(e, sp.Expr) or e.free_symbols:
        return None
    v = own_work(lambda: sp.N(e, DIGITS))
    if not (v.is_real and v.is_finite) or not v.is_Number:
        return None
    return mpmath.mpf(sp.Float(v, DIGITS)._mpf_)


def judge_numeric(answer: str, ask: Ask) -> Verdict:
    """The answer's value within the tolerance of the expected value (see the module docstring)."""
    tol = tolerance(ask.tol)
    e = value(ask.read(ask.expected))
    if e is None:
        raise ValueError(f"the expected answer {ask.expected!r} is not a real number")
    if _TWO_POINTS.search(answer):  # 3.14.15 or 3..14: not a product of decimals
        raise StructureError("a number has two decimal points")
    parsed = ask.read(answer)
    if isinstance(parsed, sp.Expr) and parsed.free_symbols:
        return wrong_kind("a number", "3.14")
    a = value(parsed)
    if a is None:
        return make(
            INCORRECT,
            "Incorrect: your answer is not a finite real number.",
            parsed=parsed,
            diagnosis="not a real number",
            method="numeric",
        )
    with mpmath.workdps(DIGITS):
        width = tol.width(e)
        diff = abs(a - e)
        shown = {"answer": mpmath.nstr(a, 12), "expected": mpmath.nstr(e, 12)}
        if diff <= width:
            return make(
                CORRECT,
                f"Correct: {shown['answer']} is within {mpmath.nstr(width, 3)} of {shown['expected']} ({tol}).",
                parsed=parsed,
                method=f"numeric tolerance ({tol})",
            )
        return make(
            INCORRECT,
            f"Incorrect: your answer {shown['answer']} differs from the expected value {shown['expected']} by "
            f"{mpmath.nstr(diff, 3)}, more than the tolerance {mpmath.nstr(width, 3)} ({tol}).",
            parsed=parsed,
            counterexample={**shown, "difference": mpmath.nstr(diff, 6)},
            diagnosis=_power_of_ten(a, e, width),
            method=f"numeric tolerance ({tol})",
        )


def _power_of_ten(a: Any, e: Any, width: Any) -> str | None:
    """``off by a factor 10^k`` when the answer, its decimal point moved, is within the tolerance."""
    if a == 0 or e == 0:
        return None
    n = int(mpmath.nint(mpmath.log10(abs(a / e))))
    if n != 0 and abs(a * mpmath.mpf(10) ** -n - e) <= width:
        return f"off by a factor 10^{n} (the decimal point or the units?)"
    return None
