r"""``derive.gradient``: the gradient of a scalar matrix expression at symbolic sizes, every step verified.

.. code-block:: python

    g = derive.gradient("norm(A*x - b)^2", "x", shapes={"A": ("m", "n"), "x": ("n",), "b": ("m",)})
    g.result    # 2*A.T*(A*x - b)   (denominator layout: the shape of x)
    g.proof     # the chain: index form, entrywise derivative, Kronecker collapses, matrix form

How: the expression is read by the safe parser (:mod:`.parse`) and written in index notation at
symbolic sizes (:mod:`.index`); the chain opens at :math:`\partial f/\partial x_k` (or
:math:`\partial f/\partial X_{kl}`), SymPy differentiates entrywise (giving Kronecker deltas),
each round of :math:`\sum_t \delta_{tk} g(t) = g(k)` is its own step, and the last step is entry
:math:`(k, l)` of the matrix form that the reverse-mode rules of :mod:`.back` propose. The ladder
verifies every link; central differences of the original expression at random sizes check the
matrix form numerically. The matrix form is returned only when both hold; otherwise the result is
the verified index form, and :attr:`Gradient.note` says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ...core.derivation import Derivation
from ...core.identity import Identity, declare
from ...core.proof import GENERAL, NUMERIC, NumericReport, Outcome, Proof, versions
from ...core.statements import Statement
from ...errors import StepFailed
from ...maths.domains import Domain, integer, real
from ...numeric.crosscheck import CrossCheckResult
from ...numeric.sampling import DEFAULT_SEED
from ...render.tex import plain_math
from .back import gradient_node
from .index import DET_FACT, INV_FACT, Indexer, InvEntry, MatDet, collapse, has_kronecker_sum
from .ladder import IndexLadder
from .nodes import MatrixExpressionError, Node, transpose
from .numeric import finite_differences
from .opinion import second_opinion
from .parse import parse, sizes

LAYOUTS = ("denominator", "numerator")
MAX_COLLAPSES = 6
ENTRY = real(-2, 2)
SIZE = integer(1, None)  # every size: no rung may use an upper bound on m or n


@dataclass(frozen=True)
class Gradient:
    """The gradient of ``expression`` in ``variable``: ``result`` (the matrix form when proved and
    checked, else the index form), the ``layout`` it is stated in, the verified ``proof``."""

    expression: str
    variable: str
    layout: str
    result: Node | sp.Expr
    matrix: Node | None
    index_form: sp.Expr
    entry: sp.Expr
    proof: Proof
    note: str = ""
    #: SymPy's ``MatrixExpr.diff`` against the matrix form (``agrees``, ``DISAGREES``, ``none``): never trusted
    second_opinion: str = ""

    @property
    def ok(self) -> bool:
        return self.proof.ok

    @property
    def level(self) -> str:
        return self.proof.level

    @property
    def in_matrix_form(self) -> bool:
        return self.matrix is not None

    @property
    def numeric(self) -> CrossCheckResult | None:
        return self.proof.numeric.crosscheck

    @property
    def layout_words(self) -> str:
        if self.layout == "denominator":
            return f"denominator layout: the gradient has the shape of {self.variable}"
        return f"numerator layout: the transpose of the shape of {self.variable}"

    def text(self) -> str:
        """The result, its layout, each step and how it was verified, and the numeric check."""
        lines = [f"d/d{self.variable} {self.expression} = {self.result}", f"  ({self.layout_words})"]
        if self.note:
            lines.append(f"  note: {self.note}")
        for chain in self.proof.chains:
            for k, step in enumerate(chain.steps):
                how = "" if step.verification is None else f"   [{_how(step.verification)}]"
                lines.append(f"  {k}. {plain_math(step.why)}{how}")
                lines.append(f"       {sp.sstr(step.expr)[:400]}")
        if self.second_opinion:
            lines.append(f"  SymPy's MatrixExpr.diff (a second opinion, not trusted): {self.second_opinion}")
        num = self.numeric
        if num is not None:
            lines.append(
                f"  numeric: {num.method}, {num.detail}: relative error {num.error:.1e} (tolerance {num.tolerance:.0e})"
            )
        lines.append(f"  {self.proof.verdict}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        num = self.numeric
        return {
            "expression": self.expression,
            "variable": self.variable,
            "layout": self.layout,
            "result": str(self.result),
            "latex": self.matrix.latex() if self.matrix is not None else sp.latex(self.index_form),
            "matrix_form": self.in_matrix_form,
            "index_form": sp.sstr(self.index_form),
            "entry": sp.sstr(self.entry),
            "ok": self.ok,
            "verdict": self.proof.verdict,
            "note": self.note,
            "second_opinion": self.second_opinion,
            "steps": [
                {"why": s.why, "expr": sp.sstr(s.expr), "verified": _how(s.verification) if s.verification else ""}
                for c in self.proof.chains
                for s in c.steps
            ],
            "numeric": None
            if num is None
            else {"error": num.error, "tolerance": num.tolerance, "ok": num.ok, "detail": num.detail},
        }


def _how(v: object) -> str:
    ok, method, symbolic = getattr(v, "ok", None), getattr(v, "method", ""), getattr(v, "symbolic", False)
    word = "proved" if ok is True and symbolic else "checked numerically" if ok is True else "FAILED"
    return f"{word}: {method}"


@dataclass(frozen=True)
class _Setup:
    f: Node
    wrt: str
    shapes: dict[str, tuple[sp.Expr, sp.Expr]]
    indexer: Indexer
    entry: sp.Expr
    index: tuple[sp.Expr, sp.Expr]
    variables: dict[sp.Basic, Domain]


def _setup(expression: str, wrt: str, shapes: Mapping[str, Sequence[str | int]]) -> _Setup:
    dims = sizes(shapes)
    if wrt not in dims:
        raise MatrixExpressionError(f"the variable {wrt!r} has no shape: add it to shapes")
    f = parse(expression, shapes)
    if not f.scalar:
        raise MatrixExpressionError(
            f"the gradient needs a scalar expression; {expression!r} is {f.shape[0]} x {f.shape[1]}"
        )
    if not f.depends(wrt):
        raise MatrixExpressionError(f"{expression!r} does not depend on {wrt}")
    bases: dict[str, sp.Basic] = {}
    variables: dict[sp.Basic, Domain] = {}
    for name, (r, c) in dims.items():
        base = sp.Symbol(name, real=True) if (r, c) == (1, 1) else sp.IndexedBase(name, real=True)
        bases[name] = base
        variables[base] = ENTRY
        for s in (r, c):
            if isinstance(s, sp.Symbol):
                variables[s] = SIZE
    rows, cols = dims[wrt]
    k = sp.Symbol("k", integer=True, positive=True)
    ell = sp.Symbol("l", integer=True, positive=True)
    if rows != 1:
        variables[k] = integer(1, rows)
    if cols != 1:
        variables[ell] = integer(1, cols)
    indexer = Indexer(bases)
    var = symbol_entry(bases[wrt], rows, cols, k, ell)
    return _Setup(f, wrt, dims, indexer, var, (k if rows != 1 else sp.S.One, ell if cols != 1 else sp.S.One), variables)


def symbol_entry(base: sp.Basic, rows: sp.Expr, cols: sp.Expr, k: sp.Symbol, ell: sp.Symbol) -> sp.Expr:
    """The entry the chain differentiates by: :math:`X_{kl}`, :math:`x_k` or the scalar itself."""
    if isinstance(base, sp.Symbol):
        return base
    if rows != 1 and cols != 1:
        return base[k, ell]
    return base[k if rows != 1 else ell]


def _entrywise(e: sp.Basic) -> sp.Basic:
    """The derivative carried out by SymPy, entry by entry."""
    return e.doit()


def _facts(e: sp.Basic) -> str:
    said = []
    if e.has(MatDet):
        said.append(DET_FACT)
    if e.has(MatDet) or e.has(InvEntry):
        said.append(INV_FACT)
    return ("; " + "; ".join(said)) if said else ""


def _derivation(s: _Setup, f_index: sp.Expr, matrix_entry: sp.Expr | None, form: str) -> Callable[[Derivation], None]:
    """The derivation function: opening, entrywise derivative, collapses, then (if any) the matrix form."""

    def derivation(d: Derivation) -> None:
        d.begin(
            sp.Derivative(f_index, s.entry),
            f"the expression in index notation, differentiated by ${sp.latex(s.entry)}$",
        )
        rule = r"$\partial X_{ab}/\partial X_{kl} = \delta_{ak}\delta_{bl}$"
        d.then(_entrywise, f"entrywise derivative: sum, product and chain rules; {rule}{_facts(f_index)}")
        for _ in range(MAX_COLLAPSES):
            if not has_kronecker_sum(d.last) or collapse(d.last) == d.last:
                break
            d.then(collapse, r"Kronecker collapse: $\sum_{t=1}^{n} \delta_{tk}\, g(t) = g(k)$ for $1 \le k \le n$")
        if matrix_entry is not None:
            d.then(matrix_entry, f"the matrix form {form}, entry ${sp.latex(s.index[0])}, {sp.latex(s.index[1])}$")
        d.conclude()

    derivation.__doc__ = "The gradient, derived entrywise in index notation at symbolic sizes."
    return derivation


def _identity(
    s: _Setup, expression: str, f_index: sp.Expr, rhs: sp.Expr, derivation: Callable[[Derivation], None]
) -> Identity:
    text = f"d/d{s.wrt} of {expression}"
    return declare(
        "gradient",
        title=f"Gradient of {expression} in {s.wrt}",
        section="2.1",
        map_row=text,
        claim=Statement("claim", sp.Eq(sp.Derivative(f_index, s.entry), rhs, evaluate=False), text=text),
        variables=s.variables,
        derivation=derivation,
    )


def _derive(ident: Identity, seed: int) -> tuple[Derivation, str | None]:
    """Run the derivation on the index ladder; the derivation and its first failure (or ``None``)."""
    ladder = IndexLadder(domains=ident.domains, unfold=ident.unfold, seed=seed, salt=ident.name)
    d = Derivation(ident.name, ident.statements, ladder, ident.unfold)
    failure = None
    try:
        ident.derivation(d)
    except StepFailed as exc:
        failure = exc.message
    finally:
        d.finish()
    return d, failure


def _run(ident: Identity, seed: int, cross: CrossCheckResult, start: float) -> Proof:
    d, failure = _derive(ident, seed)
    symbolic = all(c.symbolic for c in d.chains)
    chain = next((c for c in d.chains if c.statement == "claim"), None)
    st = ident.statements[0]
    ok = failure is None and chain is not None and chain.ok
    how = "proved symbolically, for every size" if symbolic else "verified numerically at some link"
    outcome = Outcome(
        st.label, st.relation, st.text, GENERAL if symbolic else NUMERIC, ok, how if ok else (failure or "not derived")
    )
    report = NumericReport(cross.samples, seed, cross.error, cross.error, (), cross)
    return Proof(ident, tuple(d.chains), (outcome,), report, failure, time.perf_counter() - start, seed, versions())


def gradient(
    expression: str,
    wrt: str,
    *,
    shapes: Mapping[str, Sequence[str | int]],
    layout: str = "denominator",
    seed: int | None = None,
) -> Gradient:
    r"""The gradient :math:`\partial f/\partial X` of the scalar matrix expression ``expression``.

    ``shapes`` gives every name's shape (``()`` a scalar, ``("n",)`` a column vector, ``("m", "n")``
    a matrix; sizes are names or positive integers). ``layout`` is ``denominator`` (the gradient
    has the shape of the variable, the default) or ``numerator`` (its transpose). Raises
    :class:`MatrixExpressionError` for input it cannot read (unknown names, shapes that do not fit,
    input beyond the limits of :mod:`.parse`).
    """
    start = time.perf_counter()
    if layout not in LAYOUTS:
        raise MatrixExpressionError(f"layout must be 'denominator' or 'numerator', not {layout!r}")
    seed = DEFAULT_SEED if seed is None else seed
    s = _setup(expression, wrt, shapes)
    f_index = s.indexer.entry(s.f, sp.S.One, sp.S.One)
    candidate = gradient_node(s.f, wrt)
    cross = finite_differences(s.f, candidate, wrt, s.shapes, seed)
    stated = transpose(candidate) if layout == "numerator" else candidate
    i, j = s.index if layout == "denominator" else (s.index[1], s.index[0])
    matrix_entry = s.indexer.entry(stated, i, j)
    note = ""
    if cross.ok:
        ident = _identity(s, expression, f_index, matrix_entry, _derivation(s, f_index, matrix_entry, str(stated)))
        proof = _run(ident, seed, cross, start)
        if proof.ok:
            index_form = proof.chains[-1].steps[-2].expr
            opinion = second_opinion(s.f, candidate, wrt, s.shapes, seed)
            return Gradient(expression, wrt, layout, stated, stated, index_form, s.entry, proof, "", opinion)
        note = f"the matrix form {stated} was not proved equal to the entrywise derivative ({proof.failed_because}); "
    else:
        note = (
            f"the matrix form {stated} failed the finite-difference check ({cross.detail}, error {cross.error:.1e}); "
        )
    return _index_only(s, expression, f_index, layout, seed, start, note)


def _index_only(
    s: _Setup, expression: str, f_index: sp.Expr, layout: str, seed: int, start: float, note: str
) -> Gradient:
    """The verified index form, when no matrix form was proved: the chain without its last step."""
    collapsed = _entrywise(sp.Derivative(f_index, s.entry))
    for _ in range(MAX_COLLAPSES):
        collapsed = collapse(collapsed)
    cross = CrossCheckResult(
        "finite differences", "not run: no matrix form to evaluate", float("nan"), 0.0, 0, False, note
    )
    ident = _identity(s, expression, f_index, collapsed, _derivation(s, f_index, None, ""))
    proof = _run(ident, seed, cross, start)
    return Gradient(
        expression, s.wrt, layout, collapsed, None, collapsed, s.entry, proof, note + "returned in index form"
    )
