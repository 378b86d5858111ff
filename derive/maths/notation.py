r"""Textbook notation for SymPy objects: named functions, named nodes, named operations.

A sheet reads like a page when a quantity is printed as the textbook prints it (:math:`\sigma'(z)`,
:math:`a^{[2]}_1`, :math:`s_3`, :math:`\partial L/\partial W`) while the verification still sees its
value. Every helper here makes such a name; the ladder unfolds it (``definitions=``) or evaluates it
(``doit``) before comparing, so no link is checked on the name alone.

- :func:`named_function`: an undefined function class whose applications print as ``tex(args)``
  (or just ``tex``); left undefined it is an arbitrary differentiable function (a residual
  :math:`r_i(\theta)`, a block :math:`F_l`);
- :func:`named`: one applied node with its body, ``(node, {node: body})`` for ``definitions=``;
- :func:`named_entries`: the nodes :math:`s_1, \dots, s_m` of a vector function, with their bodies;
- :func:`fold_nodes`: the inverse of unfolding: bodies replaced by their nodes, innermost first;
- :func:`notation`: an unevaluated operation shown in its notation (``args[0]``) whose value
  (``args[1]``) the ladder evaluates as it evaluates a ``Derivative``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter


def named_function(name: str, tex: str, *, show_args: bool = True, real: bool = False) -> type[sp.Function]:
    r"""An undefined function class called ``name`` whose applications print as ``tex(args)`` (or as
    ``tex`` alone when ``show_args`` is false); ``real`` declares real values."""

    def _latex(self: sp.Function, printer: LatexPrinter, exp: object = None) -> str:
        head = tex if exp is None else rf"{tex}^{{{exp}}}"
        if not show_args:
            return head
        return rf"{head}\left({', '.join(printer._print(arg) for arg in self.args)}\right)"

    attrs: dict[str, object] = {
        "_latex": _latex,
        REMAKE: ("named_function", (name, tex), {"show_args": show_args, "real": real}),
    }
    if real:
        attrs["_eval_is_real"] = lambda self: True
    return type(name, (sp.Function,), attrs)


def _node(label: str, tex: str, *, bracket_powers: bool) -> type[sp.Function]:
    """A function class printed as ``tex`` with its arguments implied (``label`` in plain text);
    ``bracket_powers`` prints a power as ``(tex)^k`` (for a ``tex`` that carries scripts itself)."""

    def _latex(self: sp.Function, printer: LatexPrinter, exp: object = None) -> str:
        if exp is None:
            return tex
        return rf"\left({tex}\right)^{{{exp}}}" if bracket_powers else f"{tex}^{{{exp}}}"

    remake = ("_node", (label, tex), {"bracket_powers": bracket_powers})
    return type(label, (sp.Function,), {"_latex": _latex, "_sympystr": lambda self, printer: label, REMAKE: remake})


#: the class attribute naming how a class made here is made again: (factory, args, keywords)
REMAKE = "_derive_remake"


def remake(factory: str, args: tuple[object, ...], keywords: dict[str, object]) -> type[sp.Function]:
    """A class made again as :func:`named_function` or ``_node`` made it: it prints and behaves the
    same, but is a class of its own (two pages may make same-named classes of different arity)."""
    make: Callable[..., type[sp.Function]] = named_function if factory == "named_function" else _node
    return make(*args, **keywords)


def named(latex: str, args: Sequence[sp.Basic], body: sp.Expr, name: str | None = None) -> tuple[sp.Expr, dict]:
    r"""A node printed as ``latex`` (arguments implied), applied to ``args``, and ``{node: body}``."""
    label = name or "".join(ch for ch in latex if ch.isalnum()) or "node"
    head = _node(label, latex, bracket_powers=True)(*args)
    return head, {head: body}


def named_entries(name: str, args: Sequence[sp.Symbol], bodies: Sequence[sp.Expr]) -> tuple[sp.Matrix, dict]:
    r"""Compact names for the entries of a vector function, with their definitions.

    Returns the column :math:`(s_1(z), \dots, s_m(z))` of applied undefined functions that print
    as :math:`s_1, \dots, s_m` (the arguments are implied), and ``{s_a(z): body_a}`` for the
    identity's ``definitions=`` (the ladder unfolds them before comparing, so every link is still
    checked on the explicit bodies). Sheets stay readable where the bodies would fill a line.
    """
    heads = []
    definitions = {}
    for a, body in enumerate(bodies, start=1):
        head = _node(f"{name}{a}", f"{name}_{{{a}}}", bracket_powers=False)(*args)
        heads.append(head)
        definitions[head] = body
    return sp.Matrix(heads), definitions


def fold_nodes(expr: sp.Basic, nodes: Mapping[sp.Expr, sp.Expr]) -> sp.Basic:
    """Replace each node's body (in terms of earlier nodes) by the node, in the mapping's order
    (innermost nodes first), so that outer bodies match after inner ones are folded."""
    for node, body in nodes.items():
        expr = expr.xreplace({body: node})
    return expr


class Notation(sp.Function):
    r"""An unevaluated operation shown in its textbook notation: prints as ``args[0]`` (LaTeX) and
    evaluates (``doit``) to ``args[1]``; ``args[2]`` is the plain-text name. Made by :func:`notation`."""

    nargs = 3

    def doit(self, **hints: object) -> sp.Basic:
        value = self.args[1]
        return value.doit(**hints) if hints.get("deep", True) else value

    def _latex(self, printer: object, exp: object = None) -> str:
        return self.args[0].name if exp is None else rf"\left({self.args[0].name}\right)^{{{exp}}}"

    def _sympystr(self, printer: object) -> str:
        return self.args[2].name

    def has(self, *patterns: object) -> bool:
        # an unevaluated operation, like a Derivative: the ladder must evaluate it before comparing
        return sp.Derivative in patterns or super().has(*patterns)


def notation(tex: str, value: sp.Basic, text: str = "") -> Notation:
    r"""``value`` (an explicit matrix of unevaluated ``Derivative`` objects, say) written as ``tex``
    (``\frac{\partial L}{\partial W}``) in a statement, so a sheet states the claim compactly while
    the verification evaluates the entries (the ladder evaluates it as it evaluates a ``Derivative``).
    Statements built from it need ``Eq(..., evaluate=False)``; the automatic near misses of
    :mod:`derive.core.near_misses` only perturb an explicit right side, so keep the right side explicit
    when it fits. ``text`` is the name in plain text (terminal output)."""
    value = sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value
    return Notation(sp.core.symbol.Str(tex), value, sp.core.symbol.Str(text or tex))
