r"""What a chain actually proves: the evidence that it is about a *fixed size*.

A statement is ``general`` only if its chain works for every size it speaks of. A chain that
writes out an explicit :math:`2\times 2` matrix, sums over :math:`k = 1..3`, or the entries
:math:`z_1, z_2, z_3` of a vector proves one size, whatever its statement's text says. This module
finds that evidence in the forms of a chain and in the statement itself; :mod:`.proof` turns it
into the statement's level (and fails a chain that shows it without a declared ``scope``).

The kinds of evidence are the table :data:`KINDS`; each finder looks at one node of a form:

- ``matrix``: an explicit matrix (or a ``MatrixSymbol``) of concrete shape bigger than
  :math:`1\times 1`;
- ``range``: a ``Sum`` or ``Product`` over a concrete range of two or more entries ``z[k]`` or
  outcomes ``p(k)`` (a sum over the two values of a Bernoulli variable is not a size);
- ``entries``: entries :math:`a_1, a_2` of one ``IndexedBase`` at two or more concrete indices, or
  one concrete entry of a vector whose size is a symbol elsewhere (an entry "shown" for all);
- ``outcomes``: one undefined function at two or more concrete integers (a table
  :math:`p(1), p(2), p(3)` of outcomes);
- ``family``: a sum written out over entries, :math:`e^{z_1} + e^{z_2} + e^{z_3}` or
  :math:`x_1y_1 + x_2y_2`: the terms of an ``Add`` each carry the symbols of one index of a family
  (``z1, z2, z3``), and swapping two indices leaves it unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from .derivation import Chain


@dataclass(frozen=True)
class Evidence:
    """One sign of a fixed size: its ``kind`` (a key of :data:`KINDS`), what was seen, and where."""

    kind: str
    what: str
    where: str

    def __str__(self) -> str:
        return f"{self.what} in {self.where}"


#: a family of indexed scalar symbols: (stem, index) of every member, e.g. z1 -> ("z", 1)
Families = dict[sp.Symbol, tuple[str, int]]
_MEMBER = re.compile(r"^([A-Za-z]+?)_?(\d{1,2})$")


@dataclass(frozen=True)
class Context:
    """What a finder knows beyond one node: the symbol families and the ``IndexedBase`` objects
    used with a symbolic index somewhere in the identity."""

    families: Families
    symbolic_bases: frozenset[sp.Basic]


# ------------------------------------------------------------------------------ the finders
def _matrix(e: sp.Basic, _ctx: Context) -> str | None:
    if isinstance(e, sp.MatrixBase | sp.MatrixSymbol):
        rows, cols = (sp.sympify(n) for n in e.shape)
        if rows.is_Integer and cols.is_Integer and int(rows) * int(cols) > 1:
            return f"explicit {rows}x{cols} matrix"
    return None


def _range(e: sp.Basic, _ctx: Context) -> str | None:
    if isinstance(e, sp.Sum | sp.Product):
        for var, lo, hi in e.limits:
            if lo.is_Integer and hi.is_Integer and int(hi) > int(lo) and _indexes(e.function, var):
                kind = "sum" if isinstance(e, sp.Sum) else "product"
                return f"{kind} over the entries {var} = {lo}..{hi}"
    return None


def _indexes(body: sp.Basic, var: sp.Symbol) -> bool:
    """Whether ``body`` picks entries by ``var`` (``z[k]``, ``p(k)``): a sum over the outcomes of a
    Bernoulli variable, ``m = 0..1``, is not a size."""
    picks = (*body.atoms(sp.Indexed), *body.atoms(AppliedUndef))
    return any(var in (p.indices if isinstance(p, sp.Indexed) else p.args) for p in picks)


def _concrete(args: Iterable[sp.Basic]) -> bool:
    return all(getattr(a, "is_Integer", False) for a in args)


def _entries(nodes: list[sp.Basic], ctx: Context) -> str | None:
    by_base: dict[sp.Basic, set[tuple[sp.Basic, ...]]] = defaultdict(set)
    for ix in nodes:
        if isinstance(ix, sp.Indexed) and _concrete(ix.indices):
            by_base[ix.base].add(ix.indices)
    for base, seen in sorted(by_base.items(), key=lambda kv: str(kv[0])):
        shown = ", ".join(sp.sstr(base[i]) for i in sorted(seen, key=str))
        if len(seen) >= 2:
            return f"entries {shown} at concrete indices"
        if base in ctx.symbolic_bases:
            return f"one entry {shown} of a vector whose size is a symbol elsewhere"
    return None


def _outcomes(nodes: list[sp.Basic], _ctx: Context) -> str | None:
    by_head: dict[str, set[tuple[sp.Basic, ...]]] = defaultdict(set)
    for f in nodes:
        if isinstance(f, AppliedUndef) and f.args and _concrete(f.args):
            by_head[f.func.__name__].add(f.args)
    for head, seen in sorted(by_head.items()):
        if len(seen) >= 2:
            return f"the outcomes {', '.join(f'{head}{sp.sstr(a)}' for a in sorted(seen, key=str))}".replace(",)", ")")
    return None


def _family(e: sp.Basic, ctx: Context) -> str | None:
    if not isinstance(e, sp.Add) or not ctx.families:
        return None
    carried: list[int] = []
    for term in e.args:
        indices = {ctx.families[s][1] for s in term.free_symbols if s in ctx.families}
        if len(indices) > 1:
            return None  # a cross term z1*z2: not a sum over entries
        carried += indices
    distinct = sorted(set(carried))
    if len(distinct) < 2 or len(carried) < 2:
        return None
    i, j = distinct[0], distinct[1]
    swap = {s: _member(ctx.families, s, j if k == i else i) for s, (_, k) in ctx.families.items() if k in (i, j)}
    swap = {s: t for s, t in swap.items() if t is not None and s in e.free_symbols}
    if not swap or e.xreplace(swap) != e:
        return None
    names = sorted({ctx.families[s][0] for s in swap})
    written = ", ".join(f"{n}{k}" for n in names for k in distinct)
    return f"a sum written out over the entries {written}"


def _member(families: Families, s: sp.Symbol, index: int) -> sp.Symbol | None:
    stem = families[s][0]
    return next((t for t, (n, k) in families.items() if n == stem and k == index), None)


def _each(finder: Callable[[sp.Basic, Context], str | None]) -> Callable[[list[sp.Basic], Context], str | None]:
    """A finder of one node made a finder over every node of a form (the first hit)."""

    def over(nodes: list[sp.Basic], ctx: Context) -> str | None:
        return next((w for w in (finder(n, ctx) for n in nodes) if w is not None), None)

    return over


#: the kinds of evidence, in the order they are reported: (kind, finder over the nodes of a form)
KINDS: tuple[tuple[str, Callable[[list[sp.Basic], Context], str | None]], ...] = (
    ("matrix", _each(_matrix)),
    ("range", _each(_range)),
    ("entries", _entries),
    ("outcomes", _outcomes),
    ("family", _each(_family)),
)


# ------------------------------------------------------------------------------ the search
def _nodes(e: sp.Basic) -> Iterator[sp.Basic]:
    """Every node of a form, matrices entered entry by entry, each distinct node once."""
    seen: set[sp.Basic] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        if isinstance(node, sp.MatrixBase):
            stack.extend(node)
        elif isinstance(node, sp.Basic):
            stack.extend(node.args)


def in_form(e: sp.Basic, where: str, ctx: Context) -> list[Evidence]:
    """The evidence in one form, at most one item of each kind."""
    nodes = list(_nodes(e))
    found = ((kind, finder(nodes, ctx)) for kind, finder in KINDS)
    return [Evidence(kind, what, where) for kind, what in found if what is not None]


def context(forms: Iterable[sp.Basic]) -> Context:
    """The families (``z1, z2``: a stem with two or more indices) and the ``IndexedBase`` objects
    used with a symbolic index, over every form of an identity."""
    members: dict[str, dict[int, sp.Symbol]] = defaultdict(dict)
    symbolic: set[sp.Basic] = set()
    for e in forms:
        for node in _nodes(e):
            if isinstance(node, sp.Symbol) and not isinstance(node, sp.Dummy):
                m = _MEMBER.match(node.name)
                if m:
                    members[m.group(1)][int(m.group(2))] = node
            elif isinstance(node, sp.Indexed) and not _concrete(node.indices):
                symbolic.add(node.base)
    families = {s: (stem, k) for stem, byk in members.items() if len(byk) >= 2 for k, s in byk.items()}
    return Context(families, frozenset(symbolic))


def step_name(k: int) -> str:
    """How a form of a chain is named in messages: the opening form, then step 1, 2... (as
    :class:`~derive.core.derivation.Derivation` numbers its links)."""
    return "the opening form" if k == 0 else f"step {k}"


def fixed_size_evidence(chain: Chain, relation: sp.Basic | None, ctx: Context) -> list[Evidence]:
    """Every kind of fixed-size evidence in ``chain`` and the statement ``relation`` it concludes
    (the first place each kind shows)."""
    found: dict[str, Evidence] = {}
    forms = [(step_name(k), s.expr) for k, s in enumerate(chain.steps)]
    if relation is not None:
        forms.insert(0, ("the statement", relation))
    for where, form in forms:
        for ev in in_form(form, where, ctx):
            found.setdefault(ev.kind, ev)
    return [found[k] for k, _ in KINDS if k in found]
