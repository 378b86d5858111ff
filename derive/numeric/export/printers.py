r"""SymPy's code printers, taught derive's functions, one per array library.

Each printer extends SymPy's own (:class:`~sympy.printing.numpy.SciPyPrinter`,
:class:`~sympy.printing.pytorch.TorchPrinter`, :class:`~sympy.printing.numpy.JaxPrinter`) with

- derive's special functions (:mod:`derive.maths.special`) mapped to the library's stable routine:
  :math:`\Phi` to ``ndtr`` (to ``erfc`` in torch), :math:`\sigma` to ``expit``/``torch.sigmoid``, softplus to
  ``logaddexp(0, x)``/``torch.nn.functional.softplus``; any other special function (:math:`\varphi`,
  the Gibbs gap...) is printed as its elementary closed form;
- ``Max``/``Min`` as elementwise ``maximum``/``minimum`` (SymPy's torch printer says ``torch.max``,
  which *reduces along a dimension* when its second argument is a number), ``KroneckerDelta`` and
  ``Piecewise`` as a vectorised ``where`` or ``select`` (a point no condition covers is NaN, never 0),
  and a ``Sum`` (``Product``) over a range as Python's ``sum`` (``math.prod``) of a generator;
- an undefined function that is a callable argument (see :mod:`.prepare`) as a call of it;
- a one-dimensional definite ``Integral`` (numpy only) as numeric quadrature: ``scipy.integrate.quad``
  (QUADPACK's adaptive Gauss-Kronrod rule) entry by entry of the broadcast arguments, through the
  helper :data:`QUAD` written into the source, which gives NaN where quad's own error estimate
  exceeds ``1e-10`` relative; torch and JAX refuse an integral (no differentiable quadrature).

Printers run in SymPy's ``strict`` mode: a node they cannot print raises, never prints half a function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.numpy import JaxPrinter, SciPyPrinter
from sympy.printing.pycode import PythonCodePrinter
from sympy.printing.pytorch import TorchPrinter

from ...maths.special import SpecialFunction, elementary
from .prepare import ExportError

#: derive's special functions with a routine of their own: class name -> (routine, call template)
Table = Mapping[str, tuple[str, str]]

NUMPY_FUNCTIONS: Table = {
    "erf": ("scipy.special.erf", "{f}({x})"),
    "erfc": ("scipy.special.erfc", "{f}({x})"),
    "loggamma": ("scipy.special.gammaln", "{f}({x})"),
    "Phi": ("scipy.special.ndtr", "{f}({x})"),
    "sigmoid": ("scipy.special.expit", "{f}({x})"),
    "softplus": ("numpy.logaddexp", "{f}(0, {x})"),
}
TORCH_FUNCTIONS: Table = {
    # not torch.special.ndtr: in torch 2.13 it loses the lower tail (3e-4 relative error at -7.5, 0 at -30)
    "Phi": ("torch.special.erfc", "0.5*{f}(-({x})/1.4142135623730951)"),
    "sigmoid": ("torch.sigmoid", "{f}({x})"),
    "softplus": ("torch.nn.functional.softplus", "{f}({x})"),
    "erf": ("torch.special.erf", "{f}({x})"),
    "erfc": ("torch.special.erfc", "{f}({x})"),
}
JAX_FUNCTIONS: Table = {
    "Phi": ("jax.scipy.special.ndtr", "{f}({x})"),
    "sigmoid": ("jax.scipy.special.expit", "{f}({x})"),
    "softplus": ("jax.numpy.logaddexp", "{f}(0.0, {x})"),
    "erf": ("jax.scipy.special.erf", "{f}({x})"),
    "erfc": ("jax.scipy.special.erfc", "{f}({x})"),
    "loggamma": ("jax.scipy.special.gammaln", "{f}({x})"),
}


#: the helper the numpy source defines when it integrates numerically
QUAD = '''def _quad(integrand, lo, hi):
    """Numeric quadrature, not a closed form: scipy.integrate.quad (QUADPACK, adaptive
    Gauss-Kronrod) of integrand over [lo, hi]; NaN where its error estimate exceeds 1e-10 relative."""
    value, error = scipy.integrate.quad(integrand, lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200)
    return value if error <= 1e-10 * abs(value) + 1e-14 else numpy.nan
'''


class _Derive:
    """What the three printers share; ``_module`` is the array namespace (``numpy``, ``jax.numpy``)."""

    functions: ClassVar[Table] = {}
    _module: str

    #: the names of the callable arguments (undefined functions and their derivatives)
    callables: frozenset[str] = frozenset()
    #: helper definitions the source needs (:data:`QUAD`)
    helpers: set[str]

    # the methods of SymPy's printers this mixin relies on
    _print: Any
    _module_format: Any

    def _print_Function(self, expr: sp.Function) -> str:
        # SymPy's dispatch skips the intermediate classes of a Function (``_print_SpecialFunction``
        # would never be called): derive's functions are caught here, the rest go to SymPy's printer
        if isinstance(expr, AppliedUndef) and str(expr.func) in self.callables:
            return f"{expr.func}({', '.join(self._print(a) for a in expr.args)})"
        if isinstance(expr, SpecialFunction):
            return self._print_SpecialFunction(expr)
        return super()._print_Function(expr)  # type: ignore[misc]

    def _print_SpecialFunction(self, expr: sp.Function) -> str:
        entry = self.functions.get(type(expr).__name__)
        if entry is None:  # no routine of its own: the closed form, printed by this printer
            return f"({self._print(expr.elementary())})"
        routine, template = entry
        return template.format(f=self._module_format(routine), x=self._print(expr.args[0]))

    def _print_erf(self, expr: sp.Function) -> str:
        if type(expr).__name__ in self.functions:
            return self._print_SpecialFunction(expr)
        return super()._print_Function(expr)  # type: ignore[misc]

    _print_erfc = _print_loggamma = _print_erf

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        return f"{self._print(expr.base.label)}[{', '.join(self._print(i) for i in expr.indices)}]"

    def _print_Sum(self, expr: sp.Sum) -> str:
        return f"sum({self._print(expr.function)} {self._loops(expr)})"

    def _print_Product(self, expr: sp.Product) -> str:
        return f"{self._module_format('math.prod')}({self._print(expr.function)} {self._loops(expr)})"

    def _loops(self, expr: sp.Sum | sp.Product) -> str:
        """``for k in range(a, b + 1)`` for each limit, innermost last (the generator's order)."""
        return " ".join(
            f"for {self._print(i)} in range({self._bound(a)}, {self._bound(b + 1)})" for i, a, b in expr.limits[::-1]
        )

    def _bound(self, e: sp.Basic) -> str:
        return str(self._print(e))

    def _where(self, cond: str, a: sp.Expr, b: str) -> str:
        return f"{self._module_format(self._module + '.where')}({cond}, {self._value(a)}, {b})"

    def _value(self, e: sp.Expr) -> str:
        return self._print(e)

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        eq = self._print(sp.Eq(*expr.args, evaluate=False))
        return self._where(eq, sp.S.One, self._value(sp.S.Zero))

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *pieces, (last, last_cond) = expr.args
        out = self._value(last) if last_cond is sp.true else self._where(self._print(last_cond), last, "float('nan')")
        for e, c in reversed(pieces):
            out = self._where(self._print(c), e, out)
        return out

    def _fold(self, routine: str, args: tuple[sp.Basic, ...]) -> str:
        out = self._print(args[0])
        for a in args[1:]:
            out = f"{self._module_format(routine)}({out}, {self._print(a)})"
        return out

    def _print_Max(self, expr: sp.Max) -> str:
        return self._fold(self._module + ".maximum", expr.args)

    def _print_Min(self, expr: sp.Min) -> str:
        return self._fold(self._module + ".minimum", expr.args)

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        return self._print(expr.rewrite(sp.Piecewise))

    def _print_Integral(self, expr: sp.Integral) -> str:
        raise ExportError(
            f"the result keeps an unevaluated Integral: {expr}; {self._module} has no quadrature "
            "routine that derive exports (numpy does, with scipy.integrate.quad): evaluate it first"
        )


class NumpyExportPrinter(_Derive, SciPyPrinter):
    """numpy, with ``scipy.special`` for the special functions."""

    functions = NUMPY_FUNCTIONS
    _module = "numpy"

    def _print_Integral(self, expr: sp.Integral) -> str:
        """``numpy.vectorize(lambda a, b: _quad(lambda t: f(t, a, b), lo, hi))(a, b)``: one
        quadrature per entry of the broadcast arguments (:data:`QUAD`)."""
        ((t, lo, hi),) = expr.limits
        self.helpers.add(QUAD)
        self.module_imports["scipy.integrate"] = set()
        quad = f"_quad(lambda {self._print(t)}: {self._print(expr.function)}, {self._print(lo)}, {self._print(hi)})"
        free = ", ".join(sorted(self._print(s) for s in expr.free_symbols))
        if not free:
            return quad
        vectorize = self._module_format("numpy.vectorize")
        return f"{vectorize}(lambda {free}: {quad}, otypes=[float])({free})"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return self._module_format("numpy.pi")


class JaxExportPrinter(_Derive, JaxPrinter):
    """``jax.numpy``, with ``jax.scipy.special`` for the special functions."""

    functions = JAX_FUNCTIONS
    _module = "jax.numpy"


class TorchExportPrinter(_Derive, TorchPrinter):
    """PyTorch: ``torch`` and ``torch.special``; subexpressions without a variable (``sqrt(2)``, a
    constant branch of a ``where``) are printed with :mod:`math` or as ``float64`` tensors, since
    torch's functions take tensors only."""

    functions = TORCH_FUNCTIONS
    _module = "torch"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._constants = PythonCodePrinter({"strict": True, "fully_qualified_modules": True})

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Expr) and expr.is_number and not expr.is_Atom:
            text = self._constants.doprint(elementary(expr))
            for module, names in self._constants.module_imports.items():
                self.module_imports[module] |= names
            return f"({text})"
        return super()._print(expr, **kwargs)

    #: the names of the integer arguments: float64 tensors in arithmetic (an int64 tensor would
    #: make ``1/n`` and ``torch.sqrt(n)`` float32), made integers where they index or bound a range
    integers: frozenset[str] = frozenset()

    def _as_integer(self, e: sp.Basic) -> str:
        if {str(s) for s in e.free_symbols} & self.integers:
            return f"int({self._print(e)})"
        return self._print(e)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        def index(e: sp.Basic) -> str:
            if {str(s) for s in e.free_symbols} & self.integers:
                return f"({self._print(e)}).long()" if not e.is_Symbol else f"{self._print(e)}.long()"
            return self._print(e)

        return f"{self._print(expr.base.label)}[{', '.join(index(i) for i in expr.indices)}]"

    def _bound(self, e: sp.Basic) -> str:
        return self._as_integer(e)

    def _value(self, e: sp.Expr) -> str:
        if isinstance(e, sp.Expr) and e.is_number:
            return f"{self._module_format('torch.tensor')}({self._print(e)}, dtype={self.dtype})"
        return self._print(e)

    def _print_Max(self, expr: sp.Max) -> str:
        return self._clamp(expr, "torch.maximum", "min")

    def _print_Min(self, expr: sp.Min) -> str:
        return self._clamp(expr, "torch.minimum", "max")

    def _clamp(self, expr: sp.Basic, routine: str, side: str) -> str:
        """``Max(x, y, 0)`` is ``torch.clamp(torch.maximum(x, y), min=0)``: ``torch.maximum`` takes
        tensors only, ``clamp`` a number bound."""
        numbers = [a for a in expr.args if a.is_number]
        out = self._fold(routine, tuple(a for a in expr.args if not a.is_number))
        if numbers:
            out = f"{self._module_format('torch.clamp')}({out}, {side}={self._print(expr.func(*numbers))})"
        return out

    def _print_Pow(self, expr: sp.Pow) -> str:
        if expr.exp == sp.S.Half:
            return f"{self._module_format('torch.sqrt')}({self._print(expr.base)})"
        return f"{self._module_format('torch.pow')}({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"{self._module_format('torch.abs')}({self._print(expr.args[0])})"

    def _print_sign(self, expr: sp.sign) -> str:
        return f"{self._module_format('torch.sign')}({self._print(expr.args[0])})"


PRINTERS: dict[str, type[NumpyExportPrinter | JaxExportPrinter | TorchExportPrinter]] = {
    "numpy": NumpyExportPrinter,
    "torch": TorchExportPrinter,
    "jax": JaxExportPrinter,
}
