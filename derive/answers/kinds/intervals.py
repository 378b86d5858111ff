r"""Inequalities and intervals: ``x > 2``, ``(2, oo)``, ``-1 < x <= 3``, ``x < -1 or x > 1``,
``(-oo, -1) U (1, oo)``, compared as sets of reals on the variable's domain.

Each side is read into a SymPy set: an interval literal (ends read by the safe parser, constants
only), a finite set of points ``{0, 1}``, ``\emptyset``, or a chain of relations (``and``
intersects) solved by ``solveset`` on the variable's domain; unions join the pieces. The two sets
are then compared on a canonical list of intervals with 30-digit ends: a union of intervals is
decided by its membership at every end and at a point inside every gap between ends, so the
comparison is complete, and the first point in one set and not the other is the counterexample
(``x = 2 is in your set but not the expected one: check whether the end is included``).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import sympy as sp

from ..verdict import CORRECT, INCORRECT, UNDECIDED, Verdict
from .base import Ask, domain_set, guess, make, other_kind, own_work, solve
from .infer import UNIONS
from .reading import MAX_ITEMS, StructureError, check_size, enclosed, items, relations, split_top

DIGITS = 30
_EMPTY = ("\\emptyset", "\\varnothing", "∅", "{}", "\\{\\}")
_REALS = ("R", "\\mathbb{R}", "ℝ", "reals")
_OPS = {
    "<": sp.StrictLessThan, ">": sp.StrictGreaterThan, "<=": sp.LessThan, ">=": sp.GreaterThan,
    "\\le": sp.LessThan, "\\leq": sp.LessThan, "≤": sp.LessThan, "\\ge": sp.GreaterThan,
    "\\geq": sp.GreaterThan, "≥": sp.GreaterThan, "=": sp.Eq, "==": sp.Eq, "!=": sp.Ne, "\\neq": sp.Ne, "≠": sp.Ne,
}  # fmt: skip
_AND = (" and ", "\\land", "∧", "&&")
#: the expected answers' sets, by question (read once, like a question's context in the worker)
_EXPECTED: dict[tuple[Any, ...], sp.Set] = {}
_IN = re.compile(r"\s*([A-Za-z]\w*)\s*(?:\\in\b|∈|\bin\b)\s*")


def variable(ask: Ask) -> sp.Symbol:
    """The variable of the question: the only declared one, or the one the expected answer names."""
    syms = ask.symbols()
    if len(syms) == 1:
        return next(iter(syms.values()))
    named = [s for n, s in syms.items() if n in ask.expected]
    if len(named) == 1:
        return named[0]
    raise ValueError(f"an interval question has one variable; {ask.expected!r} has {sorted(syms)}")


def read_set(text: str, ask: Ask, x: sp.Symbol) -> sp.Set:
    """The set of reals ``text`` describes, within the variable's domain."""
    text = check_size(text)
    out: sp.Set = sp.S.EmptySet
    for piece in split_top(text, UNIONS):
        if not piece:
            raise StructureError("an empty piece in a union")
        out = sp.Union(out, _piece(piece, ask, x))
    return sp.Intersection(out, domain_set(ask, str(x)))


def _piece(piece: str, ask: Ask, x: sp.Symbol) -> sp.Set:
    m = _IN.match(piece)
    if m:  # x \in (2, oo): the variable named first
        if m.group(1) != str(x):
            raise StructureError(f"the variable is {x}, not {m.group(1)}")
        piece = piece[m.end() :]
    bare = piece.replace(" ", "")
    if bare in _EMPTY:
        return sp.S.EmptySet
    if piece.strip() in _REALS:
        return sp.S.Reals
    conj = split_top(piece, _AND)
    if len(conj) > 1:
        return sp.Intersection(*[_piece(p, ask, x) for p in conj])
    if relations(piece):
        return _chain(piece, ask, x)
    outer = enclosed(piece)
    if outer is None:
        raise StructureError(f"{piece!r} is neither an interval such as (2, oo) nor an inequality such as x > 2")
    op, inner, cl = outer
    ends = items(inner)
    if op == "{" and cl == "}":
        return sp.FiniteSet(*[_constant(p, ask) for p in ends])
    if len(ends) != 2 or op not in "([" or cl not in ")]":
        raise StructureError(f"an interval has two ends: write (a, b), [a, b), ...; got {piece!r}")
    lo, hi = (_constant(p, ask) for p in ends)
    return sp.Interval(lo, hi, op == "(" or lo.is_infinite, cl == ")" or hi.is_infinite)


def _constant(text: str, ask: Ask) -> sp.Expr:
    e = ask.read(text)
    if not isinstance(e, sp.Expr) or e.free_symbols or not (e.is_extended_real is not False):
        raise StructureError(f"the end {text!r} of an interval must be a real number")
    return e


def _chain(piece: str, ask: Ask, x: sp.Symbol) -> sp.Set:
    """``a < x <= b`` (any chain of relations) as the set of ``x`` where every link holds."""
    rels = relations(piece)
    if len(rels) > MAX_ITEMS:
        raise StructureError("too many relations", limit=True)
    cuts = [0, *[p for p, _ in rels], len(piece)]
    operands = [piece[cuts[0] : cuts[1]]] + [piece[p + len(s) : q] for (p, s), q in zip(rels, cuts[2:], strict=True)]
    exprs = [ask.read(o) for o in operands]
    dom = domain_set(ask, str(x))
    out: sp.Set = dom
    for (_, sym), lhs, rhs in zip(rels, exprs, exprs[1:], strict=False):
        rel = _OPS[sym](lhs, rhs)
        if rel in (sp.true, sp.false):
            out = out if rel is sp.true else sp.S.EmptySet
            continue
        out = sp.Intersection(out, solve(rel, x, dom))
    return out


# ------------------------------------------------------------------------------------ comparing
def _ends(s: sp.Set) -> list[sp.Expr] | None:
    """Every end point of a union of intervals and points (``None`` if it is not one)."""
    parts = s.args if isinstance(s, sp.Union) else (s,)
    out: list[sp.Expr] = []
    for p in parts:
        if isinstance(p, sp.Interval):
            out += [b for b in (p.start, p.end) if b.is_finite]
        elif isinstance(p, sp.FiniteSet):
            out += list(p.args)
        elif p is not sp.S.EmptySet and p is not sp.S.Reals:
            return None
    return out


def _probes(ends: list[sp.Expr]) -> list[sp.Expr]:
    """Every end, a point in every gap between ends and one beyond each side."""
    uniq: list[tuple[Any, sp.Expr]] = []
    for e in sorted(((sp.N(e, DIGITS), e) for e in ends), key=lambda t: t[0]):
        if not uniq or abs(e[0] - uniq[-1][0]) > sp.Float(10.0) ** (-DIGITS + 5) * (1 + abs(e[0])):
            uniq.append(e)
    if not uniq:
        return [sp.Integer(0)]
    probes = [uniq[0][1] - 1]
    for (_, a), (_, b) in itertools.pairwise(uniq):
        probes += [a, (a + b) / 2]
    return [*probes, uniq[-1][1], uniq[-1][1] + 1]


def _member(s: sp.Set, v: sp.Expr) -> bool | None:
    """Whether ``v`` lies in ``s`` (a union of intervals and points): compared with the ends at 30
    digits, and exactly (SymPy's ``contains``) only when ``v`` is within 1e-20 of an end."""
    exact = _member_rational(s, v)
    if exact is not None:
        return exact
    fast = _member_numeric(s, v)
    if fast is not None:
        return fast
    c = s.contains(v)
    return True if c is sp.true else False if c is sp.false else None


def _member_rational(s: sp.Set, v: sp.Expr) -> bool | None:
    """Whether a rational ``v`` lies in ``s`` when every end and point of ``s`` is rational (or
    infinite): decided by exact comparisons of rationals (what ``contains`` decides, without its
    general machinery); ``None`` when anything is not rational."""
    if not v.is_Rational:
        return None
    parts = s.args if isinstance(s, sp.Union) else (s,)
    inside = False
    for part in parts:
        if part is sp.S.EmptySet:
            continue
        if part is sp.S.Reals:
            inside = True
        elif isinstance(part, sp.FiniteSet) and all(p.is_Rational for p in part.args):
            inside = inside or any(p == v for p in part.args)
        elif isinstance(part, sp.Interval) and all(e.is_Rational or e.is_infinite for e in (part.start, part.end)):
            lo, hi = part.start, part.end
            above = lo < v or (lo == v and not part.left_open)
            below = v < hi or (v == hi and not part.right_open)
            inside = inside or bool(above and below)
        else:
            return None
    return inside


def _member_numeric(s: sp.Set, v: sp.Expr) -> bool | None:
    x = sp.N(v, DIGITS)
    near = sp.Float(10.0) ** -20 * (1 + abs(x))
    for part in s.args if isinstance(s, sp.Union) else (s,):
        if isinstance(part, sp.FiniteSet):
            if any(abs(x - sp.N(p, DIGITS)) <= near for p in part.args):
                return None
            continue
        if part is sp.S.Reals:
            return True
        if not isinstance(part, sp.Interval):
            return None
        lo, hi = sp.N(part.start, DIGITS), sp.N(part.end, DIGITS)
        if (lo.is_finite and abs(x - lo) <= near) or (hi.is_finite and abs(x - hi) <= near):
            return None
        if lo < x < hi:
            return True
    return False


def judge_interval(answer: str, ask: Ask) -> Verdict:
    """The two sets of reals compared (see the module docstring)."""
    if not ask.variables:  # an interval literal names no variable: the answer's one (x by default)
        names = [n for n in _guess_answer(answer, ask) if n not in ("x",)]
        ask.variables["x" if len(names) != 1 else names[0]] = "real"
        ask._symbols.clear()
    x = variable(ask)
    key = (ask.expected, tuple(sorted(ask.variables.items())), ask.latex, str(x))
    want = _EXPECTED.get(key)
    if want is None:
        want = _EXPECTED[key] = own_work(lambda: read_set(ask.expected, ask, x))
        if len(_EXPECTED) > 256:
            _EXPECTED.pop(next(iter(_EXPECTED)))
    got = own_work(lambda: read_set(answer, ask, x)) if _structured(answer) else None
    if got is None:
        return other_kind(answer, ask, "an interval or inequality", "(2, oo) or x > 2")
    ends_a, ends_e = _ends(got), _ends(want)
    if ends_a is None or ends_e is None:
        return make(
            UNDECIDED,
            "No verdict: the set could not be written as a union of intervals.",
            parsed=got,
            method="interval",
        )
    found = own_work(lambda: _first_difference(got, want, ends_a + ends_e, ask.implies))
    if found is not None:
        p, ia = found
        if ia is None:
            return make(
                UNDECIDED,
                f"No verdict: could not decide whether {x} = {p} belongs to the set.",
                parsed=got,
                method="interval",
            )
        return _differs(got, x, p, ia, p in ends_a + ends_e)
    return make(
        CORRECT,
        f"Correct: the same set of {x} as the expected answer.",
        parsed=got,
        method="interval: ends and gaps compared",
    )


def _guess_answer(answer: str, ask: Ask) -> list[str]:
    try:
        pieces = [p for u in split_top(check_size(answer), UNIONS) for p in split_top(u, _AND)]
    except StructureError:
        return []
    words = guess([re.sub(r"<=|>=|<|>|\\leq?|\\geq?|≤|≥", ",", _IN.sub("", p)) for p in pieces], ask.latex)
    return sorted(words)


def _first_difference(
    got: sp.Set, want: sp.Set, ends: list[sp.Expr], implies: bool
) -> tuple[sp.Expr, bool | None] | None:
    """The first probe in one set and not the other, with its membership in ``got`` (``None``:
    undecidable there); ``None`` when the sets agree at every probe. With ``implies`` a point only
    in ``got`` is allowed."""
    for p in _probes(ends):
        ia, ie = _member(got, p), _member(want, p)
        if ia is None or ie is None:
            return p, None
        if ia != ie and not (implies and ia):
            return p, ia
    return None


def _structured(text: str) -> bool:
    t = check_size(text)
    return (
        bool(relations(t))
        or enclosed(t) is not None
        or t.replace(" ", "") in _EMPTY
        or t in _REALS
        or len(split_top(t, UNIONS)) > 1
        or _IN.match(t) is not None
    )


def _differs(got: sp.Set, x: sp.Symbol, p: sp.Expr, in_answer: bool, is_end: bool) -> Verdict:
    side = "is in your set but not in the expected one" if in_answer else "is in the expected set but not in yours"
    hint = ": check whether the end is included" if is_end else ""
    return make(
        INCORRECT,
        f"Incorrect: {x} = {sp.sstr(p)} {side}{hint}.",
        parsed=got,
        counterexample={"point": {str(x): sp.sstr(p)}, "in_answer": in_answer, "in_expected": not in_answer},
        diagnosis="an end included or excluded wrongly" if is_end else "a different set",
        method="interval: ends and gaps compared",
    )
