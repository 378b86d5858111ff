r"""Named undefined functions: a quantity printed in textbook notation in a statement.

:func:`named_function` makes an undefined SymPy function class whose applications print as given
(:math:`\sigma'(z)`, :math:`a_4(a_0)`, or just :math:`r_1` with the arguments implied). Either the
identity gives its body in ``definitions=`` (the ladder unfolds it before comparing, so every link
is still checked on the explicit body), or it stays an arbitrary differentiable function (a residual
:math:`r_i(\theta)`, a block :math:`F_l`), and SymPy's calculus treats it symbolically.
"""

from __future__ import annotations

import sympy as sp


def named_function(name: str, tex: str, *, show_args: bool = True, real: bool = False) -> type[sp.Function]:
    r"""An undefined function class called ``name`` whose applications print as ``tex(args)`` (or as
    ``tex`` alone when ``show_args`` is false); ``real`` declares real values."""

    def _latex(self: sp.Function, printer: sp.printing.latex.LatexPrinter, exp: object = None) -> str:
        head = tex if exp is None else rf"{tex}^{{{exp}}}"
        if not show_args:
            return head
        return rf"{head}\left({', '.join(printer._print(arg) for arg in self.args)}\right)"

    attrs: dict[str, object] = {"_latex": _latex}
    if real:
        attrs["_eval_is_real"] = lambda self: True
    return type(name, (sp.Function,), attrs)
