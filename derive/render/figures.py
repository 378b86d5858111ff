"""Pictures for sheets: an identity of one variable, plotted, with its numeric error over the domain.

A sheet gets a figure when its identity declares ``plot=Plot(...)`` or, automatically, when its
principal claim has a single free variable on a bounded interval. The left panel shows the
curves (a function and its derived derivative, a schedule over t...); the right panel shows,
on a log scale, the relative error of an *independent* evaluation against the derived form
over the same grid: central differences of ``f`` when the claim is ``d/dx f = ...``, otherwise
the claim's left side evaluated numerically. Data is computed with numpy; pgfplots draws it in
the document's own fonts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..core.identity import Plot
from ..core.proof import Proof
from ..maths.domains import Domain
from ..numeric.compare import numpy_function
from .tex import tex

ERROR_FLOOR = 1e-17  # relative errors below double precision are drawn at this floor


@dataclass(frozen=True)
class Figure:
    """Plot data: a grid, labelled curves, and the error of an independent check on the grid."""

    var: str
    x: np.ndarray
    curves: tuple[tuple[str, np.ndarray], ...]
    error: np.ndarray
    error_label: str
    fixed: str


def _interval(dom: Domain | None, over: tuple[float, float] | None) -> tuple[float, float] | None:
    if over is not None:
        return over
    if dom is None or dom.lo is None or dom.hi is None:
        return None
    lo, hi = sp.sympify(dom.lo), sp.sympify(dom.hi)
    if lo.free_symbols or hi.free_symbols:
        return None
    span = float(hi - lo)
    return float(lo) + (1e-3 * span if dom.open_lo else 0.0), float(hi) - (1e-3 * span if dom.open_hi else 0.0)


def _label(e: sp.Basic, fallback: str) -> str:
    text = tex(e)
    return f"${text}$" if len(text) <= 48 else fallback


def figure(p: Proof, points: int = 161) -> Figure | None:
    """The figure of a proof, or ``None`` when its identity is not a function of one variable."""
    ident = p.identity
    claim = ident.claim
    if not isinstance(claim, sp.Eq) or not p.ok:
        return None
    result = p.result
    if not isinstance(result, sp.Expr) or getattr(result, "is_Matrix", False):
        return None  # a figure plots scalar functions of one variable
    spec = ident.plot
    if spec is None:
        free = [s for s in ident.unfold(claim.rhs).free_symbols if isinstance(s, sp.Symbol)]
        if len(free) != 1:
            return None
        spec = Plot(free[0])
    span = _interval(ident.domains.get(spec.var), spec.over)
    if span is None:
        return None
    fixed = {k: sp.Float(v) for k, v in spec.fixed.items()}
    lhs = ident.unfold(claim.lhs)
    subject = lhs.expr if isinstance(lhs, sp.Derivative) and lhs.variables == (spec.var,) else None
    curves_spec = dict(spec.curves)
    if not curves_spec:
        if subject is not None:
            curves_spec[_label(subject, "$f$")] = subject
        curves_spec[_label(claim.rhs, "derived form")] = result
    x = np.linspace(span[0], span[1], points)
    curves = []
    for label, e in curves_spec.items():
        e = ident.unfold(sp.sympify(e)).xreplace(fixed)
        if e.free_symbols - {spec.var}:
            return None
        curves.append((label, _on_grid(e, spec.var, x)))
    derived = _on_grid(result.xreplace(fixed), spec.var, x)
    if subject is not None:
        f = numpy_function(subject.xreplace(fixed), [spec.var])
        h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
        with np.errstate(all="ignore"):
            independent = (np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * h)
        error_label = "central differences of $f$ vs the derived $f'$"
    else:
        lhs_value = ident.unfold(claim.lhs).doit().xreplace(fixed)
        if not isinstance(lhs_value, sp.Expr) or lhs_value.free_symbols - {spec.var}:
            return None  # the left side depends on more than the plotted variable (a matrix norm, say)
        independent = _on_grid(lhs_value, spec.var, x)
        error_label = "left side evaluated numerically vs the derived right side"
    with np.errstate(all="ignore"):
        scale = np.abs(derived) + np.median(np.abs(derived)) + 1e-300
        error = np.clip(np.abs(independent - derived) / scale, ERROR_FLOOR, None)
    if not (np.all(np.isfinite(error)) and all(np.all(np.isfinite(c)) for _, c in curves)):
        return None
    fixed_text = ", ".join(f"${tex(k)} = {float(v):g}$" for k, v in spec.fixed.items())
    return Figure(tex(spec.var), x, tuple(curves), error, error_label, fixed_text)


def _on_grid(e: sp.Basic, var: sp.Symbol, x: np.ndarray) -> np.ndarray:
    fn = numpy_function(e, [var])
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(fn(x), dtype=float), x.shape).copy()


def coordinates(x: np.ndarray, y: np.ndarray) -> str:
    """pgfplots ``coordinates`` body."""
    return " ".join(f"({a:.6g},{b:.6g})" for a, b in zip(x, y, strict=True))
