r"""Code export: a SymPy result as readable source of a plain function, and that function compiled.

>>> import sympy as sp
>>> from derive.maths.special import Phi, phi
>>> x = sp.Symbol("x", real=True)
>>> f = to_function(Phi(x) + x * phi(x), "numpy")
>>> round(float(f(x=0.0)), 6)
0.5

- :func:`to_source` prints the function with numpy (``scipy.special`` where needed), PyTorch
  (``torch.special.erfc`` for :math:`\Phi`, ``torch.sigmoid``, ``torch.nn.functional.softplus``...) or
  JAX (``jax.numpy``, ``jax.scipy.special``), through SymPy's printers extended for derive's functions
  (:mod:`.printers`);
- :func:`to_function` compiles that source (code generated here from the SymPy tree, as ``lambdify``
  does; no user text is ever executed);
- :func:`arguments` names the arguments: every free symbol and indexed variable, **sorted by name**.

The function takes its arguments by position in that order or by keyword. Real arguments are converted
to float arrays (``float64`` tensors for torch; in JAX its default float type, ``float32`` unless
64-bit mode is on, as the docstring says), integer ones (indices, counts) are left as given; an
indexed variable ``x`` is an array indexed by the formula's own indices (``x[i]`` is ``x[i]``: for
indices that start at 1, pass an array whose entry 0 is unused). Scalars give scalars and arrays
broadcast; a matrix result has shape ``(..., rows, cols)``. An undefined function (a residual
:math:`r(\theta)`, a loss :math:`L(\theta)`) and each of its derivatives the result uses is a
*callable* argument (``r1``, ``dL_dtheta1``), called with the library's arrays; the docstring says
what each computes. A one-dimensional integral SymPy does not evaluate (through ``evaluate``) is
numeric quadrature in numpy (``scipy.integrate.quad``, said in the source) and refused by torch and
JAX. What cannot be exported (a named node with no value, a multiple integral, a sum over an
infinite range, a matrix at symbolic size) raises :class:`ExportError`, never a silently wrong function.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

import sympy as sp

from .prepare import Argument, Evaluate, ExportError, Prepared, prepare, python_name

__all__ = ["LIBRARIES", "ExportError", "arguments", "python_name", "to_function", "to_source"]

#: the libraries a result can be exported to
LIBRARIES = ("numpy", "torch", "jax")

#: how each library turns a real argument into an array, and a constant into a value
_CONVERT = {
    "numpy": ("{a} = numpy.asarray({a}, dtype=float)", "numpy.asarray({c}, dtype=float)"),
    "torch": ("{a} = torch.as_tensor({a}, dtype=torch.float64)", "torch.tensor({c}, dtype=torch.float64)"),
    "jax": ("{a} = jax.numpy.asarray({a}, dtype=float)", "jax.numpy.asarray({c}, dtype=float)"),
}
#: integer arguments: torch's functions take tensors only (float64 ones: see the torch printer);
#: numpy and JAX take Python integers
_CONVERT_INTEGER = {"torch": "{a} = torch.as_tensor({a}, dtype=torch.float64)"}
#: a matrix result: its entries broadcast together, stacked, shaped (..., rows, cols)
_STACK = {
    "numpy": ("numpy.broadcast_arrays", "numpy.stack({e}, axis=-1)"),
    "torch": ("torch.broadcast_tensors", "torch.stack({e}, dim=-1)"),
    "jax": ("jax.numpy.broadcast_arrays", "jax.numpy.stack({e}, axis=-1)"),
}
_MODULES = {"numpy": "numpy", "torch": "torch", "jax": "jax.numpy"}
_JAX_PRECISION = (
    "Floats are JAX's default float type: float32 unless 64-bit mode is on (with jax.enable_x64(True): ...)."
)
_COUNTER = itertools.count(1)


def arguments(expr: sp.Basic) -> tuple[str, ...]:
    """The Python names of the exported function's arguments, in order (sorted by the symbols' names)."""
    return tuple(a.name for a in prepare(expr).arguments)


def to_source(
    expr: sp.Basic, library: str = "numpy", *, name: str = "f", doc: str = "", evaluate: Evaluate | None = None
) -> str:
    """Python source (imports, helpers and one ``def``) of the function computing ``expr`` with
    ``library`` (``numpy``, ``torch`` or ``jax``); ``doc`` opens its docstring; ``evaluate`` (e.g.
    SymPy's ``doit`` under a time budget) is tried on each integral first. Raises :class:`ExportError`."""
    printer = _printer(library)
    prepared = prepare(expr, evaluate)
    printer.integers = frozenset(a.name for a in prepared.arguments if a.kind == "integer")
    printer.callables = frozenset(a.name for a in prepared.arguments if a.kind == "callable")
    printer.helpers = set()
    body = _body(prepared, library, printer)
    modules = {_MODULES[library], *printer.module_imports}
    imports = [f"import {m}" for m in sorted(modules)]
    helpers = [line for h in sorted(printer.helpers) for line in ("", "", *h.rstrip("\n").split("\n"))]
    params = ", ".join(a.name for a in prepared.arguments)
    head = [*imports, *helpers, "", "", f"def {python_name(name)}({params}):"]
    lines = [*head, *_docstring(doc, prepared, library)]
    return "\n".join([*lines, *(f"    {line}" for line in body)]) + "\n"


def to_function(
    expr: sp.Basic, library: str = "numpy", *, name: str = "f", doc: str = "", evaluate: Evaluate | None = None
) -> Callable[..., Any]:
    """The function of :func:`to_source`, compiled; its source is in ``fn.source`` (and for
    :func:`inspect.getsource`). Raises :class:`ExportError` (also when ``library`` is not installed)."""
    source = to_source(expr, library, name=name, doc=doc, evaluate=evaluate)
    filename = f"<derive-export-{library}-{next(_COUNTER)}>"
    namespace: dict[str, Any] = {}
    try:
        exec(compile(source, filename, "exec"), namespace)  # source generated above from a SymPy tree
    except ImportError as exc:
        raise ExportError(f"{library} is not installed ({exc}); pip install {library}") from exc
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    fn = namespace[python_name(name)]
    fn.source = source
    return fn


def _printer(library: str) -> Any:
    if library not in LIBRARIES:
        raise ExportError(f"unknown library {library!r}: choose one of {', '.join(LIBRARIES)}")
    from .printers import PRINTERS  # SymPy's torch printer imports torch: only when exporting

    return PRINTERS[library]({"strict": True, "fully_qualified_modules": True})


def _print(printer: Any, expr: sp.Basic) -> str:
    try:
        return str(printer.doprint(expr))
    except ExportError:
        raise
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise ExportError(f"cannot print {expr} for {printer.language}: {exc}".split("\nSet the printer")[0]) from exc


def _body(prepared: Prepared, library: str, printer: Any) -> list[str]:
    real, constant = _CONVERT[library]
    lines = [real.format(a=a.name) for a in prepared.arguments if a.kind in ("real", "array")]
    if library in _CONVERT_INTEGER:
        lines += [_CONVERT_INTEGER[library].format(a=a.name) for a in prepared.arguments if a.kind == "integer"]
    expr = prepared.expr
    if isinstance(expr, sp.MatrixBase):
        broadcast, stack = _STACK[library]
        entries = ", ".join(_entry(printer, e, constant) for e in expr)
        lines += [
            f"entries = {broadcast}({entries})",
            f"return {stack.format(e='entries')}.reshape(entries[0].shape + ({expr.rows}, {expr.cols}))",
        ]
        return lines
    return [*lines, f"return {_entry(printer, expr, constant)}"]


def _entry(printer: Any, e: sp.Basic, constant: str) -> str:
    """One printed value; a constant (no variable) made an array of the library's float type."""
    text = _print(printer, e)
    return constant.format(c=text) if not e.free_symbols else text


def _docstring(doc: str, prepared: Prepared, library: str) -> list[str]:
    described = ", ".join(_describe(a) for a in prepared.arguments) or "none"
    text = str(prepared.expr)
    text = text if len(text) <= 300 else text[:297] + "..."
    parts = [doc.strip(), f"Arguments (sorted by name): {described}.", f"Computes {text} with {library}."]
    if library == "jax":
        parts.append(_JAX_PRECISION)
    body = "\n\n".join(p for p in parts if p)
    safe = "".join(ch for ch in body if ch.isprintable() or ch == "\n").replace("\\", "\\\\").replace('"', '\\"')
    lines = safe.split("\n")
    return [f'    """{lines[0]}', *(f"    {line}".rstrip() for line in lines[1:]), '    """']


def _describe(a: Argument) -> str:
    if a.kind == "callable":
        return f"{a.name} (a callable computing {a.symbol}, called with arrays)"
    if a.kind == "array":
        return f"{a.name} (an array, indexed by the formula's indices)"
    return f"{a.name} ({'an integer' if a.kind == 'integer' else 'real'})"
