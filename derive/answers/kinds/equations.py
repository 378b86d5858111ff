r"""Equations: the same solution set, ``y = 2x + 1`` vs ``2x - y = -1``.

With :math:`A = \text{lhs} - \text{rhs}` of the answer and :math:`E` of the expected equation:

1. :math:`A = \pm E` (the single-expression checker): the same equation rearranged;
2. :math:`A = cE` for a constant :math:`c \ne 0`: :math:`A \not\equiv 0` and
   :math:`A\,\partial_v E = E\,\partial_v A` for every variable :math:`v` (the ratio's derivatives
   vanish), each judged by the single-expression checker;
3. otherwise the solution sets are compared directly: in one variable, the real solutions of
   both (``solveset`` on the variable's domain, compared at 30 digits: ``x^3 = 8`` is ``x = 2``,
   ``x^2 = 4`` is not); in several, a witness is searched: the other variables fixed at
   rational points of their domains, the roots of one equation in a pivot variable are put into
   the other at 30 digits. A root of one that is not a root of the other is a counterexample;
   without one, :math:`A = E\,g` with a factor :math:`g` that SymPy's assumptions prove nonzero
   on the domains is the same equation (``(y - 2x - 1)(x^2 + 1) = 0``); else the verdict is
   ``undecided``, never a guess.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import sympy as sp

from ..verdict import CORRECT, INCORRECT, INVALID, UNDECIDED, Verdict
from .base import Ask, domain_set, make, other_kind, own_work, solve, summary
from .reading import StructureError, check_size, relations

TRIALS = (sp.Rational(1, 3), sp.Rational(5, 4), sp.Rational(-3, 5), sp.Rational(7, 2), sp.Rational(2, 7))
MAX_ROOTS = 12
DIGITS = 30


def sides(text: str) -> tuple[str, str] | None:
    """The two sides of ``lhs = rhs``; ``None`` if there is no top-level ``=``."""
    text = check_size(text)
    rels = relations(text)
    if not rels:
        return None
    if len(rels) > 1 or rels[0][1] != "=":
        raise StructureError("an equation has exactly one '=' and no other relation")
    pos = rels[0][0]
    lhs, rhs = text[:pos].strip(), text[pos + 1 :].strip()
    if not lhs or not rhs:
        raise StructureError("a side of the equation is empty")
    return lhs, rhs


def judge_equation(answer: str, ask: Ask) -> Verdict:
    """Same solution set (see the module docstring)."""
    exp = sides(ask.expected)
    if exp is None:
        raise ValueError(f"the expected answer {ask.expected!r} is not an equation")
    given = sides(answer)
    if given is None:
        return other_kind(answer, ask, "an equation", "y = 2x + 1")
    a_sides = [ask.read(s) for s in given]  # each side alone: unreadable text is invalid, never spliced
    e_sides = [ask.read(s) for s in exp]
    parsed = sp.Eq(a_sides[0], a_sides[1], evaluate=False)
    a_expr, e_expr = a_sides[0] - a_sides[1], e_sides[0] - e_sides[1]
    ratio = own_work(lambda: _ratio(a_expr, e_expr, ask), 0.3)
    if ratio is False:  # no constant multiple: straight to the solution sets
        return _solutions(a_expr, e_expr, ask, parsed)
    da, de = f"({given[0]}) - ({given[1]})", f"({exp[0]}) - ({exp[1]})"
    signs: tuple[str, ...] = (f"-({de})", de) if ratio is not None and ratio < 0 else (de, f"-({de})")
    if ratio is not None and abs(abs(ratio) - 1) > sp.Float(10.0) ** -10:
        signs = ()  # a multiple other than +-1: not the same equation rearranged
    for other in signs:
        how = "the expected equation rearranged"
        v = ask.same(da, other)
        if v.status == CORRECT:
            return make(CORRECT, f"Correct: {how}.", parsed=parsed, method=f"equation: {v.method}")
        if v.status == INVALID:
            return make(INVALID, f"Could not read the equation: {summary(v)}.", method=v.method)
    if ask.same(da, "0").status == CORRECT:
        return make(
            INCORRECT,
            "Incorrect: your equation holds for every value (both sides are equal), so it says nothing.",
            parsed=parsed,
            diagnosis="an identity, not an equation",
            method="equation",
        )
    if _proportional(a_expr, e_expr, ask):
        # a ratio with zero derivative can still vanish on a region (a factor 1 if x > 0 else 0):
        # the independent witness search must find no point on one solution set off the other
        free = sorted((a_expr.free_symbols | e_expr.free_symbols) & set(ask.symbols().values()), key=str)
        witness = own_work(lambda: _witness(a_expr, e_expr, free, ask))
        if witness is not None:
            return _verdict(witness, parsed, ask)
        return make(
            CORRECT,
            "Correct: a nonzero constant multiple of the expected equation.",
            parsed=parsed,
            method="equation: proportional",
        )
    return _solutions(a_expr, e_expr, ask, parsed)


def _ratio(a: sp.Expr, e: sp.Expr, ask: Ask) -> Any:
    """A quick screen of :math:`A/E` at three rational points of the domain (30 digits): ``False``
    when it takes two clearly different values (no constant multiple: steps 1-2 can be skipped),
    else its value at a point (``None`` if there is none)."""
    free = sorted((a.free_symbols | e.free_symbols) & set(ask.symbols().values()), key=str)
    ratios = []
    for shift in range(3):
        point = _point(free, shift, ask)
        if point is None:
            return None
        va, ve = _num(a.xreplace(point)), _num(e.xreplace(point))
        if not (va.is_real and ve.is_real) or ve == 0 or not (va.is_finite and ve.is_finite):
            continue
        ratios.append(va / ve)
    tol = sp.Float(10.0) ** -10
    if any(abs(r - ratios[0]) > tol * (abs(r) + abs(ratios[0])) for r in ratios[1:]):
        return False
    return ratios[0] if ratios else None


def _proportional(a: sp.Expr, e: sp.Expr, ask: Ask) -> bool:
    r""":math:`A\,\partial_v E = E\,\partial_v A` for every variable (derivatives taken here, each
    pair judged by the single-expression checker)."""
    free = sorted((a.free_symbols | e.free_symbols) & set(ask.symbols().values()), key=str)
    if not free:
        return False
    for v in free:
        lhs, rhs = own_work(partial(_cross, a, e, v))
        tl, tr = ask.printed(lhs), ask.printed(rhs)
        if tl is None or tr is None or ask.same(tl, tr, plain=True).status != CORRECT:
            return False
    return True


def _cross(a: sp.Expr, e: sp.Expr, v: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    return a * sp.diff(e, v), e * sp.diff(a, v)


def _solutions(a: sp.Expr, e: sp.Expr, ask: Ask, parsed: Any) -> Verdict:
    free = sorted((a.free_symbols | e.free_symbols) & set(ask.symbols().values()), key=str)
    if len(free) == 1:
        decided = own_work(lambda: _univariate(a, e, free[0], ask))
        if decided is not None:
            return _verdict(decided, parsed, ask)
    witness = own_work(lambda: _witness(a, e, free, ask))
    if witness is not None:
        return _verdict(witness, parsed, ask)
    factor = own_work(lambda: _nonvanishing_factor(a, e, ask), 0.3)
    if factor is not None:
        return make(
            CORRECT,
            f"Correct: the expected equation times {_show(factor)}, which is never zero on the variables' domains.",
            parsed=parsed,
            method="equation: a factor that never vanishes (SymPy's assumptions)",
        )
    return make(
        UNDECIDED,
        "No verdict: the equations are not multiples of each other, and no solution of one was found "
        "that is not a solution of the other.",
        parsed=parsed,
        method="equation: witness search",
    )


def _nonvanishing_factor(a: sp.Expr, e: sp.Expr, ask: Ask) -> sp.Expr | None:
    r"""A factor :math:`g` with :math:`A = E\,g` exactly (``cancel``: rational-function algebra)
    that SymPy's assumptions prove positive or negative, hence finite and nonzero, for every value
    of the variables' domains (``(y - 2x - 1)(x^2 + 1) = 0`` is ``y = 2x + 1`` on the reals):
    then :math:`A = 0 \iff E = 0`. With ``implies`` only :math:`E = 0 \Rightarrow A = 0` is needed,
    which :math:`A = E\,g` with :math:`g` finite gives."""
    g = sp.cancel(a / e)
    if g.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not g.free_symbols <= set(ask.symbols().values()):
        return None
    if g.is_positive or g.is_negative or (ask.implies and g.is_finite):
        return sp.factor(g)
    return None


def _verdict(found: tuple[str, dict[str, str]], parsed: Any, ask: Ask) -> Verdict:
    which, point = found
    where = ", ".join(f"{k} = {v}" for k, v in point.items())
    if which == "same":
        how = "every solution of the expected equation solves it" if ask.implies else "the same real solutions"
        return make(
            CORRECT,
            f"Correct: {how} ({where or 'none'}).",
            parsed=parsed,
            method="equation: solution sets (solveset)",
        )
    msg = {
        "expected": f"Incorrect: {where} solves the expected equation but not yours (a solution is lost).",
        "answer": f"Incorrect: {where} solves your equation but not the expected one (an extra solution).",
    }[which]
    return make(
        INCORRECT,
        msg,
        parsed=parsed,
        counterexample={"point": point, "solves": which},
        diagnosis="a different solution set",
        method="equation: solution sets",
    )


def _num(v: sp.Expr) -> sp.Expr:
    return sp.N(v, DIGITS)


def _univariate(a: sp.Expr, e: sp.Expr, x: sp.Symbol, ask: Ask) -> tuple[str, dict[str, str]] | None:
    dom = domain_set(ask, str(x))
    sa, se = solve(a, x, dom), solve(e, x, dom)
    if not (isinstance(sa, sp.FiniteSet) and isinstance(se, sp.FiniteSet)) or len(sa) + len(se) > 2 * MAX_ROOTS:
        return None
    va, ve = [_num(r) for r in sa], [_num(r) for r in se]
    for r, nr in zip(se, ve, strict=True):
        if not any(_close(nr, q) for q in va):
            return "expected", {str(x): _show(r)}
    for r, nr in zip(sa, va, strict=True):
        if not ask.implies and not any(_close(nr, q) for q in ve):
            return "answer", {str(x): _show(r)}
    return "same", {str(x): ", ".join(_show(r) for r in se)} if len(se) else {}


def _close(p: sp.Expr, q: sp.Expr) -> bool:
    return bool(abs(p - q) <= sp.Float(10.0) ** (-DIGITS + 5) * (1 + abs(q)))


def _show(v: sp.Expr) -> str:
    return str(v) if len(str(v)) <= 30 else str(sp.N(v, 10))


def _witness(a: sp.Expr, e: sp.Expr, free: list[sp.Symbol], ask: Ask) -> tuple[str, dict[str, str]] | None:
    """A point on one solution set off the other, by pivoting on each variable."""
    for pivot in free:
        others = [s for s in free if s != pivot]
        for shift in range(3):
            point = _point(others, shift, ask)
            if point is None:
                continue
            for which, f, g in (("expected", e, a), ("answer", a, e))[: 1 if ask.implies else 2]:
                found = _root_off(f.xreplace(point), g.xreplace(point), pivot, ask)
                if found is not None:
                    shown = {str(k): str(v) for k, v in point.items()}
                    return which, {**shown, str(pivot): _show(found)}
    return None


def _point(others: list[sp.Symbol], shift: int, ask: Ask) -> dict[sp.Symbol, sp.Expr] | None:
    out = {}
    for k, s in enumerate(others):
        dom = domain_set(ask, str(s))
        vals = [t for t in TRIALS[(shift + k) % len(TRIALS) :] + TRIALS if dom.contains(t) is sp.true]
        if not vals:
            return None
        out[s] = vals[0]
    return out


def _root_off(f: sp.Expr, g: sp.Expr, x: sp.Symbol, ask: Ask) -> sp.Expr | None:
    """A solution of ``f = 0`` in ``x`` (the others fixed) where ``g`` is clearly not zero: among
    finitely many roots, or inside a whole interval of them (``f`` vanishing on a region)."""
    roots = solve(f, x, domain_set(ask, str(x)))
    if isinstance(roots, sp.FiniteSet):
        if len(roots) > MAX_ROOTS:
            return None
        candidates = list(roots.args)
    else:
        candidates = _inside(roots)
    for r in candidates:
        gv = _num(g.xreplace({x: r}))
        scale = 1 + max(abs(_num(t.xreplace({x: r}))) for t in sp.Add.make_args(g))
        if gv.is_real and abs(gv) > sp.Float(10.0) ** (-DIGITS + 8) * scale:
            return r
    return None


def _inside(s: sp.Set) -> list[sp.Expr]:
    """A few rational points inside the intervals of ``s`` (none if it has no interval)."""
    out: list[sp.Expr] = []
    for part in s.args if isinstance(s, sp.Union) else (s,):
        if part is sp.S.Reals:
            out += [sp.Integer(0), sp.Rational(7, 3)]
        elif isinstance(part, sp.Interval) and part.measure > 0:
            lo, hi = part.start, part.end
            if lo.is_finite and hi.is_finite:
                out.append((lo + hi) / 2)
            else:
                out.append(lo + 1 if lo.is_finite else hi - 1 if hi.is_finite else sp.Integer(0))
    return out[:MAX_ROOTS]
