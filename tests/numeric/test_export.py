"""Code export: every catalog result becomes a numpy and a torch function that agrees with SymPy's
own evaluation (``evalf`` at 30 digits, special functions by their elementary closed forms) at seeded
points of the identity's domains; each function mapping, Piecewise, keyword arguments and every
refusal are tested on their own."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pytest
import sympy as sp

import derive
from derive.core.proof import derive_chains
from derive.core.registry import REGISTRY
from derive.maths.domains import Domain, real
from derive.maths.notation import Notation, named, named_function
from derive.maths.special import Phi, elementary, gibbs, phi, sigmoid, softplus
from derive.numeric.compare import compare
from derive.numeric.export import ExportError, arguments, to_function, to_source
from derive.numeric.export.prepare import Evaluate, prepare, python_name
from derive.numeric.sampling import generator, sample_scalars
from derive.verify.budget import attempt

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax") if importlib.util.find_spec("jax") else None
#: the libraries tested here: numpy and torch, and JAX when it is installed
LIBRARIES = ("numpy", "torch", "jax") if jax is not None else ("numpy", "torch")

POINTS = 4
#: agreement to 1e-9 relative to max(|value|, FLOOR): a value that cancels (1 - sigmoid(25)) keeps
#: an absolute rounding error of ~1e-16 whatever the printer, so it is judged on the scale 1e-3
RTOL, FLOOR = 1e-9, 1e-3
#: identities whose derivation ends in a form other than the claim's right side (measured on the
#: catalog of 2026-12-07): their derived result is exported too, from the symbolic part of the proof
DERIVED_FORMS = (
    "attention-backprop",
    "rnn-spectral-radius",
    "laplacian-spectrum",
    "pseudoinverse-least-squares",
    "map-lasso",
    "wsd-schedule",
    "conv-backprop",
)


# ----------------------------------------------------------------------------------- evaluation
def _points(expr: sp.Basic, domains: Mapping[sp.Basic, Domain], seed: str) -> list[dict[sp.Basic, Any]]:
    """``POINTS`` seeded points: every free symbol (integers kept small), and an array for every
    indexed variable, long enough for every index and range the point uses."""
    rng = generator(salt=seed)
    symbols = {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    bases = {i.base for i in expr.atoms(sp.Indexed)}
    labels = {b.label for b in bases}
    doms = {s: _small(domains.get(s) or _fallback(s)) for s in symbols - labels}
    for d in list(doms.values()):  # bounds naming other variables need those variables' domains
        for s in d.depends_on() - set(doms):
            doms[s] = _small(domains.get(s) or _fallback(s))
    values = sample_scalars(doms, rng, POINTS)
    out = []
    for k in range(POINTS):
        point: dict[sp.Basic, Any] = {
            s: int(v[k]) if doms[s].integer else float(v[k]) for s, v in values.items() if s in symbols
        }
        # long enough for any index the integers can form: w[L + 1], sigma[k + t] with t <= q
        size = 2 + sum([abs(v) for v in point.values() if isinstance(v, int)] + [4])
        for b in bases:
            rank = next(len(i.indices) for i in expr.atoms(sp.Indexed) if i.base == b)
            dom = domains.get(b) or real(0.5, 2)
            point[b] = dom.sample(rng, size**rank, {}).reshape((size,) * rank)
        out.append(point)
    return out


def _small(d: Domain) -> Domain:
    """Integers (sizes, indices) between their lower bound and a few more, so sums stay short."""
    return dataclasses.replace(d, spread=3.0) if d.integer else d


def _fallback(s: sp.Symbol) -> Domain:
    if s.is_integer:
        return Domain(lo=1, integer=True)
    return real(0.25, 3) if s.is_positive or s.is_nonnegative else real(-3, 3)


def _expected(expr: sp.Basic, point: Mapping[sp.Basic, Any]) -> np.ndarray:
    """SymPy's value at ``point`` (30 digits), independent of the printers: sums expanded, entries
    read from the arrays, special functions by their elementary closed forms."""
    scalars = {s: sp.Integer(v) if isinstance(v, int) else sp.Float(v, 30) for s, v in point.items() if s.is_Symbol}
    e = sp.sympify(expr).xreplace(scalars).doit()
    e = e.replace(
        lambda t: isinstance(t, sp.Indexed),
        lambda t: sp.Float(point[t.base][tuple(int(i) for i in t.indices)], 30),
    )
    e = elementary(e)
    entries = list(e) if isinstance(e, sp.MatrixBase) else [e]
    return np.array([complex(x.evalf(30)) for x in entries]).real


def _got(
    fn: Callable[..., Any], expr: sp.Basic, point: Mapping[sp.Basic, Any], given: Mapping[str, Any] | None = None
) -> np.ndarray:
    """The exported function called by keyword, each argument under its Python name (the
    callables ``given``)."""
    kwargs = {a.name: point[a.symbol] for a in prepare(expr).arguments if a.kind != "callable"}
    kwargs.update(given or {})
    out = fn(**kwargs)
    out = out.numpy() if hasattr(out, "numpy") else out
    return np.asarray(out, dtype=float).reshape(-1)


def _integrate(i: sp.Integral) -> sp.Basic | None:
    """SymPy's own evaluation of an integral, under a budget (the hook export takes)."""
    return attempt(i.doit, 20.0)


def _agrees(
    expr: sp.Basic, domains: Mapping[sp.Basic, Domain], seed: str, library: str, evaluate: Evaluate | None = None
) -> None:
    fn = to_function(expr, library, name=seed, evaluate=evaluate)
    callables = {a.name: a.symbol for a in prepare(expr).arguments if a.kind == "callable"}
    concrete = _concrete(callables.values(), seed)
    if isinstance(expr, sp.Basic) and expr.has(Notation):  # a notation stands for its value
        expr = expr.replace(lambda e: isinstance(e, Notation), lambda e: e.args[1])
    expr = _substitute(expr, concrete)
    if isinstance(expr, sp.Basic) and expr.has(sp.Derivative):  # SymPy omits the i of d/dz[i] from free_symbols
        expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    given = {
        name: _compiled(_substitute(symbol, concrete).doit(), symbol, library) for name, symbol in callables.items()
    }
    for point in _points(expr, domains, seed):
        with _precision(library):
            got = _got(fn, expr, point, given)
        expected = _expected(expr, point)
        c = compare(got, expected, rtol=RTOL, floor=FLOOR)
        assert c.ok, f"{seed} ({library}) at {point}: got {got}, SymPy gives {expected}\n{inspect.getsource(fn)}"


@contextlib.contextmanager
def _precision(library: str) -> Iterator[None]:
    """JAX computes in float32 unless 64-bit mode is on (its default, kept by the exported
    function): the comparisons at 1e-9 and beyond are made in 64-bit mode."""
    if library == "jax" and jax is not None:
        with jax.enable_x64(True):
            yield
    else:
        yield


def _function_of(symbol: sp.Basic) -> Any:
    """The undefined function a callable argument stands for (``L`` for ``Derivative(L(a, b), a)``)."""
    return (symbol.expr if isinstance(symbol, sp.Derivative) else symbol).func


def _concrete(symbols: Any, seed: str) -> dict[Any, sp.Lambda]:
    """A seeded smooth formula for each undefined function: sin(c0 + c.u) + c' u1 u2 ... uk."""
    rng = generator(salt="functions " + seed)
    out: dict[Any, sp.Lambda] = {}
    for s in symbols:
        f = _function_of(s)
        arity = len((s.expr if isinstance(s, sp.Derivative) else s).args)
        u = sp.symbols(f"u1:{arity + 1}", real=True)
        c = [sp.Rational(int(v), 8) for v in rng.integers(-12, 13, size=arity + 2)]
        body = sp.sin(c[0] + sum(ci * ui for ci, ui in zip(c[1:], u, strict=False))) + c[-1] * sp.Mul(*u)
        out.setdefault(f, sp.Lambda(u, body))
    return out


def _substitute(expr: sp.Basic, concrete: Mapping[Any, sp.Lambda]) -> sp.Basic:
    if not concrete:
        return expr
    return expr.replace(
        lambda e: isinstance(e, sp.Function) and e.func in concrete, lambda e: concrete[e.func](*e.args)
    )


def _compiled(formula: sp.Basic, symbol: sp.Basic, library: str) -> Callable[..., Any]:
    """SymPy's own ``lambdify`` of a concrete function (not derive's printers), for ``library``."""
    args = (symbol.expr if isinstance(symbol, sp.Derivative) else symbol).args
    return sp.lambdify(args, formula, modules=library)


def _claim_side(name: str) -> sp.Basic:
    ident = REGISTRY.get(name)
    claim = ident.claim
    return ident.unfold(claim.rhs if isinstance(claim, sp.core.relational.Relational) else claim)


# ----------------------------------------------------------------------------------- the catalog
@pytest.mark.parametrize("name", derive.names())
def test_every_catalog_result_exports_to_numpy_and_torch(name: str) -> None:
    """The claim's right side (the form the proof concludes) of every identity: its numpy and
    torch functions agree with SymPy at seeded points. An undefined function (a residual, a loss)
    is a callable argument, given a seeded concrete formula; an integral is numeric quadrature in
    numpy and SymPy's evaluation (the ``evaluate`` hook) in torch."""
    expr = _claim_side(name)
    domains = REGISTRY.get(name).domains
    _agrees(expr, domains, name, "numpy")
    for library in LIBRARIES[1:]:
        _agrees(expr, domains, name, library, evaluate=_integrate if expr.has(sp.Integral) else None)


@pytest.mark.parametrize("name", DERIVED_FORMS)
def test_derived_forms_export_too(name: str) -> None:
    """Where the derivation ends in another form than the claim's, that derived result (what
    ``Proof.result`` returns) is exported and checked the same way."""
    ident = REGISTRY.get(name)
    d, failure = derive_chains(ident)
    assert failure is None, failure
    result = next(c.steps[-1].expr for c in d.chains if c.statement == ident.statements[0].label)
    result = ident.unfold(result.rhs if isinstance(result, sp.Eq) else result)
    for library in LIBRARIES:
        _agrees(result, ident.domains, name, library)


def test_a_proof_exports_its_result_and_has_a_short_repr() -> None:
    p = derive.prove("gelu'")
    x = next(iter(p.result.free_symbols))
    expected = float(elementary(p.result).subs(x, 1).evalf())
    assert p.lambdify()(x=1.0) == pytest.approx(expected, rel=1e-12)
    assert float(p.to_function("torch")(torch.tensor(1.0, dtype=torch.float64))) == pytest.approx(expected, rel=1e-12)
    assert "torch.special.erfc(" in p.to_source("torch") and "scipy.special.ndtr(x)" in p.to_source()
    assert repr(p) == f"<Proof gelu' ok general {p.seconds:.1f}s>"
    assert p.text().startswith(p.name) or "gelu" in p.text()  # the rich display is untouched


# ----------------------------------------------------------------------------------- mappings
x, y = sp.symbols("x y", real=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
X = sp.IndexedBase("X")


@pytest.mark.parametrize(
    ("expr", "numpy_call", "torch_call", "jax_call"),
    [
        (Phi(x), "scipy.special.ndtr(x)", "0.5*torch.special.erfc(-(x)/", "jax.scipy.special.ndtr(x)"),
        (sigmoid(x), "scipy.special.expit(x)", "torch.sigmoid(x)", "jax.scipy.special.expit(x)"),
        (softplus(x), "numpy.logaddexp(0, x)", "torch.nn.functional.softplus(x)", "jax.numpy.logaddexp(0.0, x)"),
        (sp.erf(x), "scipy.special.erf(x)", "torch.special.erf(x)", "jax.scipy.special.erf(x)"),
        (phi(x), "numpy.exp(", "torch.exp(", "jax.numpy.exp("),
        (gibbs(y**2 + 1), "numpy.log(", "torch.log(", "jax.numpy.log("),
        (sp.Max(x, 0), "numpy.maximum(", "torch.clamp(x, min=0)", "jax.numpy.maximum("),
        (sp.Min(x, y), "numpy.minimum(", "torch.minimum(", "jax.numpy.minimum("),
        (sp.Abs(x), "abs(x)", "torch.abs(x)", "abs(x)"),
    ],
)
def test_each_function_maps_to_the_library_routine(
    expr: sp.Basic, numpy_call: str, torch_call: str, jax_call: str
) -> None:
    """The routine is named in the source, and numpy and torch agree with SymPy on both sides of 0
    (including where a naive formula overflows: softplus(800), sigmoid(-800))."""
    for library, call in (("numpy", numpy_call), ("torch", torch_call), ("jax", jax_call)):
        assert call in to_source(expr, library)
    grid = np.array([-800.0, -7.5, -1.0, -0.2, 0.0, 0.3, 2.0, 9.0, 800.0])
    args = {a: grid if a == "x" else grid[::-1].copy() for a in arguments(expr)}
    for library in LIBRARIES:
        with _precision(library):
            got = np.asarray(to_function(expr, library)(**args), dtype=float)
        for i in range(grid.size):
            point = {s: sp.Float(args[str(s)][i], 30) for s in expr.free_symbols}
            want = float(elementary(expr.rewrite(sp.erfc)).xreplace(point).evalf(50))  # erfc: no cancellation
            assert got[i] == pytest.approx(want, rel=1e-12, abs=1e-300), (library, expr, grid[i])


def test_piecewise_gives_nan_outside_every_case_and_vectorises() -> None:
    expr = sp.Piecewise((x**2, x < 0), (sp.sqrt(2) * x, x < 1))  # no case for x >= 1
    grid = np.array([-2.0, 0.5, 3.0])
    for library in LIBRARIES:
        with _precision(library):
            got = np.asarray(to_function(expr, library)(grid), dtype=float)
        np.testing.assert_allclose(got[:2], [4.0, np.sqrt(2) * 0.5], rtol=1e-15)
        assert np.isnan(got[2]), library
    heaviside = to_function(sp.Heaviside(x), "torch")(torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64))
    assert heaviside.tolist() == [0.0, 0.5, 1.0]


def test_arguments_are_sorted_by_name_and_keywords_work() -> None:
    lam, b = sp.Symbol("lambda", positive=True), sp.Symbol("b", real=True)
    expr = lam * x - b
    assert arguments(expr) == ("b", "lambda_", "x")
    for library in ("numpy", "torch"):
        f = to_function(expr, library)
        assert list(inspect.signature(f).parameters) == ["b", "lambda_", "x"]
        assert float(f(1.0, 2.0, 3.0)) == 5.0 == float(f(x=3.0, lambda_=2.0, b=1.0))
    assert python_name("gelu'") == "gelu_prime" and python_name("x", {"x"}) == "x_2"
    assert "def f(b, lambda_, x):" in inspect.getsource(to_function(expr))


def test_sums_indexed_variables_kronecker_and_matrices() -> None:
    i, j = sp.symbols("i j", integer=True)
    softmax_ish = sp.exp(X[i]) / sp.Sum(sp.exp(X[k]), (k, 1, n)) - sp.KroneckerDelta(i, j)
    values = np.array([np.nan, 0.3, -1.2, 2.0])  # entry 0 unused: the formula's indices start at 1
    want = np.exp(values[2]) / np.exp(values[1:]).sum() - 1.0
    prod = sp.log(sp.Product(X[k], (k, 1, n))) + sp.Sum(X[k] ** 2, (k, 2, n))
    positive = np.array([np.nan, 0.5, 2.0, 3.0])
    m = sp.Matrix([[x, 0], [sp.sqrt(2), x * y]])
    for library in LIBRARIES:
        with _precision(library):
            f = to_function(softmax_ish, library)
            assert float(f(X=values, i=2, j=2, n=3)) == pytest.approx(want, rel=1e-14)
            assert float(to_function(prod, library)(X=positive, n=3)) == pytest.approx(np.log(3.0) + 13.0, rel=1e-15)
            got = np.asarray(to_function(m, library)(x=np.array([1.0, 2.0]), y=3.0))
        assert got.shape == (2, 2, 2)
        np.testing.assert_allclose(got[1], [[2.0, 0.0], [np.sqrt(2), 6.0]], rtol=1e-15)


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        (named("s", [x], x**2)[0], "arbitrary function"),
        (sp.Integral(sp.exp(-(x**2) * y), (x, 0, 1), (y, 0, 1)), "several variables"),
        (sp.Sum(X[k], (k, 1, sp.oo)), "finite ranges"),
        (sp.MatrixSymbol("A", n, n) * sp.MatrixSymbol("v", n, 1), "symbolic size"),
        (sp.Eq(x, y), "relation"),
        (sp.zoo * x, "undefined"),
        (sp.Limit(sp.sin(x * y) / x, x, 0), "unevaluated Limit"),
    ],
)
def test_what_cannot_be_exported_is_refused_by_name(expr: sp.Basic, words: str) -> None:
    for library in ("numpy", "torch", "jax"):
        with pytest.raises(ExportError, match=words):
            to_source(expr, library)


def test_an_unknown_library_is_refused() -> None:
    with pytest.raises(ExportError, match="numpy, torch, jax"):
        to_source(x, "tensorflow")


def test_jax_exports_when_installed() -> None:
    """JAX's own precision is kept: float32 by default (agreement to float32's 1e-6), float64 in
    its 64-bit mode; the function is traceable (``jax.jit``, ``jax.grad``)."""
    jnp = pytest.importorskip("jax.numpy")
    expr = Phi(x) * sigmoid(y) + softplus(x)
    f = to_function(expr, "jax")
    want = float(elementary(expr).subs({x: 0.5, y: -1}).evalf(30))
    slope = float(elementary(sp.diff(expr, x)).subs({x: 0.5, y: -1}).evalf(30))
    single = f(x=jnp.asarray(0.5), y=-1.0)
    assert single.dtype == jnp.float32 and float(single) == pytest.approx(want, rel=1e-6)
    with _precision("jax"):
        double = f(x=0.5, y=-1.0)
        assert double.dtype == jnp.float64 and float(double) == pytest.approx(want, rel=1e-14)
        assert float(jax.jit(f)(0.5, -1.0)) == pytest.approx(want, rel=1e-14)
        assert float(jax.grad(f)(0.5, -1.0)) == pytest.approx(slope, rel=1e-12)


def test_names_become_identifiers_and_text_stays_in_the_docstring() -> None:
    """A symbol's name is never code: a hostile name becomes an identifier, a hostile title stays text."""
    evil = sp.Symbol("x); import os; os.system('echo owned') #", real=True)
    source = to_source(2 * evil + sp.Symbol("lambda"), "numpy", name="f(): pass\nimport os", doc='"""\\ import os')
    code = source.split('"""')[-1]  # after the docstring
    assert "import os" not in code and "os.system" not in code
    f = to_function(2 * evil, "numpy", doc='end quote "')
    assert float(f(1.5)) == 3.0 and '"' in (f.__doc__ or "")


# ----------------------------------------------------------------------------------- callables
def test_an_undefined_function_and_its_derivatives_are_callable_arguments() -> None:
    """L(a, b) and dL/da become arguments called with the arrays; a symbol named like a function
    gets a suffix; a derivative through the chain rule (Subs) is called at the inner value."""
    a, b = sp.symbols("a b", real=True)
    L, r = sp.Function("L"), named_function("r", "r")
    expr = sp.diff(L(a, b), a) * L(a, b) + r(a * b) ** 2 + sp.diff(r(a * b), a) + sp.Symbol("L", real=True)
    assert arguments(expr) == ("L", "L_2", "a", "b", "dL_da", "dr_d_xi_1", "r")
    source = to_source(expr, "numpy")
    assert "dL_da (a callable computing Derivative(L(a, b), a)" in source and "r(a*b)" in source
    given = {"L": lambda u, v: u * np.exp(v), "dL_da": lambda u, v: np.exp(v), "r": np.sin, "dr_d_xi_1": np.cos}
    at = {"a": np.array([0.5, -1.25]), "b": np.array([2.0, 0.75]), "L_2": 3.0}
    u, v = at["a"], at["b"]
    want = np.exp(v) * u * np.exp(v) + np.sin(u * v) ** 2 + v * np.cos(u * v) + 3.0
    for library in ("numpy", "torch"):
        lib = given if library == "numpy" else {k: _on_tensors(g) for k, g in given.items()}
        values = at if library == "numpy" else {k: torch.as_tensor(w) for k, w in at.items()}
        got = np.asarray(to_function(expr, library)(**lib, **values), dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-14)


def _on_tensors(g: Callable[..., Any]) -> Callable[..., Any]:
    """A numpy function made a function of tensors (what a torch user would pass)."""
    return lambda *z: torch.as_tensor(g(*[t.numpy() for t in z]))


# ----------------------------------------------------------------------------------- integrals
def test_an_integral_is_numpy_quadrature_said_in_the_source_or_evaluated_by_the_hook() -> None:
    """int_0^1 exp(-t^2 y) dt (SymPy: an erf): scipy.integrate.quad, entry by entry, agrees with
    SymPy's 30-digit value; torch and jax refuse it unless the hook evaluates it first."""
    t = sp.Symbol("t", real=True)
    integral = sp.Integral(sp.exp(-(t**2) * y) * x, (t, 0, x))
    source = to_source(integral, "numpy")
    assert "scipy.integrate.quad" in source and "Numeric quadrature, not a closed form" in source
    xs, ys = np.array([0.5, 1.0, 2.0]), np.array([0.3, 1.0, 4.0])
    got = to_function(integral, "numpy")(x=xs, y=ys)
    want = [float(integral.subs({x: xv, y: yv}).evalf(30)) for xv, yv in zip(xs, ys, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-11)
    for library in ("torch", "jax"):
        with pytest.raises(ExportError, match="no quadrature routine"):
            to_source(integral, library)
    evaluated = to_source(integral, "torch", evaluate=_integrate)
    assert "quad" not in evaluated and "torch.special.erf" in evaluated
    got_t = to_function(integral, "torch", evaluate=_integrate)(x=torch.as_tensor(xs), y=torch.as_tensor(ys))
    np.testing.assert_allclose(got_t.numpy(), want, rtol=1e-12)
    assert "quad" in to_source(integral, "numpy", evaluate=lambda i: None)  # the hook declined


def test_quadrature_gives_nan_where_its_error_estimate_is_too_large() -> None:
    """A divergent integral (1/t on (0, 1]) is NaN, never quad's last unreliable number."""
    t = sp.Symbol("t", positive=True)
    with pytest.warns(Warning):
        got = to_function(sp.Integral(x / t, (t, 0, 1)), "numpy")(x=1.0)
    assert np.isnan(got)
