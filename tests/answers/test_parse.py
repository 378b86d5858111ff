"""The safe answer parser (:mod:`derive.answers.parse`): what it reads, what it refuses, and that
it never runs the text.

Everything here runs in-process (no worker), so a failure points at the grammar or the builder.
The fuzz tests (hypothesis) assert that no exception other than ``AnswerSyntaxError`` escapes
the parser, that it stays fast on any input, and that no verdict of ``derive.check`` exceeds
its time limit.
"""

from __future__ import annotations

import builtins
import time

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.answers.parse import Limits, Scope, lark_parser, parse
from derive.answers.parse.builder import HANDLERS, PRODUCTS, Builder
from derive.errors import AnswerSyntaxError
from derive.maths.special import Phi, phi, sigmoid

x = sp.Symbol("x", real=True)
s = sp.Symbol("s", positive=True)
mu = sp.Symbol("mu", real=True)
t = sp.Symbol("t", real=True)
T = sp.Symbol("T", positive=True)
sigma = sp.Symbol("sigma", positive=True)
beta1 = sp.Symbol("beta1", positive=True)
eta_min = sp.Symbol("eta_min", positive=True)
Sxy = sp.Symbol("Sxy", real=True)
i, j = sp.symbols("i j", integer=True)
S = sp.IndexedBase("s")

SCOPE = Scope(variables={"x": x, "s": s, "mu": mu, "t": t, "T": T, "beta1": beta1, "eta_min": eta_min, "Sxy": Sxy})
INDEX_SCOPE = Scope(variables={"i": i, "j": j}, indexed={"s": S})
NOISE_SCOPE = Scope(variables={"x": x, "sigma": sigma})  # sigma declared: the noise level, not the sigmoid

GAUSS = x * sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)

READS = [
    # plain math
    ("Phi(x) + x*exp(-x^2/2)/sqrt(2*pi)", False, Phi(x) + GAUSS),
    ("Phi(x) + x*exp(-x**2/2)/sqrt(2*pi)", False, Phi(x) + GAUSS),
    ("2x", False, 2 * x),
    ("x phi(x)", False, x * phi(x)),
    ("2 pi x", False, 2 * sp.pi * x),
    ("x(1 + x)", False, x * (1 + x)),
    ("sigma(x)(1 - sigma(x))", False, sigmoid(x) * (1 - sigmoid(x))),
    ("σ(x)(1−σ(x))", False, sigmoid(x) * (1 - sigmoid(x))),
    ("μ² + s²", False, mu**2 + s**2),
    ("x⁻¹ + x¹⁰", False, 1 / x + x**10),
    ("１ + µ", False, 1 + mu),  # full-width digit, micro sign (NFKC)
    ("x\u200b + 1", False, x + 1),  # an invisible character pasted from a document
    ("e^x", False, sp.exp(x)),
    ("exp(x)^2", False, sp.exp(2 * x)),
    ("ln(s) + log(s)", False, 2 * sp.log(s)),
    ("log2(s)", False, sp.log(s) / sp.log(2)),
    ("log(s, 2)", False, sp.log(s) / sp.log(2)),
    ("0.5*x", False, x / 2),
    ("1e-3 x", False, x / 1000),
    ("|x| + 1", False, sp.Abs(x) + 1),
    ("max(0, x)", False, sp.Max(0, x)),
    ("relu(x)", False, sp.Max(0, x)),
    ("-x^2", False, -(x**2)),
    ("2^-x", False, 2 ** (-x)),
    ("x^2 3", False, 3 * x**2),
    ("beta_1^t", False, beta1**t),
    ("eta_min", False, eta_min),
    ("xs", False, x * s),
    ("Sum(k^2, (k, 1, 3))", False, sp.Sum(sp.Symbol("k", integer=True) ** 2, (sp.Symbol("k", integer=True), 1, 3))),
    # LaTeX
    (r"\Phi(x)+x\frac{e^{-x^2/2}}{\sqrt{2\pi}}", True, Phi(x) + GAUSS),
    (r"\frac{1}{2}(\mu^2+s^2-1-\ln s^2)", True, (mu**2 + s**2 - 1 - sp.log(s**2)) / 2),
    (r"\frac12 x", True, x / 2),
    (r"x^23", True, 3 * x**2),  # TeX reads one token after ^
    (r"\left( x + 1 \right)^{2}", True, (x + 1) ** 2),
    (r"x \cdot \ln x", True, x * sp.log(x)),
    (r"\sin^2 x + \cos x \sin x", True, sp.sin(x) ** 2 + sp.sin(x) * sp.cos(x)),
    (r"-\ln x", True, -sp.log(x)),
    (r"\log_2 s", True, sp.log(s) / sp.log(2)),
    (r"\log_{2}(s)", True, sp.log(s) / sp.log(2)),
    (r"\beta_1^t", True, beta1**t),
    (r"\beta_{1}^{t}", True, beta1**t),
    (r"S_{xy}", True, Sxy),
    (r"\eta_{\min}", True, eta_min),
    (r"\sqrt[3]{x}", True, sp.root(x, 3)),
    (r"\left| x \right|", True, sp.Abs(x)),
    (r"\operatorname{softplus}(x) - \mathrm{e}^{x}", True, sp.log(1 + sp.exp(x)) - sp.exp(x)),
    (r"$x \times 2$", True, 2 * x),
    (r"\dfrac{x}{2}", True, x / 2),
]


@pytest.mark.parametrize(("text", "latex", "expected"), READS, ids=[r[0] for r in READS])
def test_reads(text: str, latex: bool, expected: sp.Basic) -> None:
    got = parse(text, SCOPE, latex=latex)
    assert sp.simplify(sp.expand(got - expected).rewrite(sp.exp)) == 0, (got, expected)


CASES = [
    ("x - 1 if x > 1 else 0", False, sp.Piecewise((x - 1, x > 1), (0, True))),
    ("x if 0 < x <= 1 else 0", False, sp.Piecewise((x, (x > 0) & (x <= 1)), (0, True))),
    ("x if (x > 1 or x < -1) and t > 0 else 0", False, sp.Piecewise((x, ((x > 1) | (x < -1)) & (t > 0)), (0, True))),
    ("x - 1 if x >= 1 else x + 1 if x <= -1 else 0", False, sp.Piecewise((x - 1, x >= 1), (x + 1, x <= -1), (0, True))),
    ("(1 if x > 0 else 0) + x", False, sp.Piecewise((1, x > 0), (0, True)) + x),
    ("max(x if x != 0 else 1, 2)", False, sp.Max(sp.Piecewise((x, sp.Ne(x, 0)), (1, True)), 2, evaluate=False)),
    ("x if |x| <= 1 else 0", False, sp.Piecewise((x, sp.Abs(x) <= 1), (0, True))),
    ("x if x > 0", False, sp.Piecewise((x, x > 0))),
    (
        r"\begin{cases} x - 1 & \text{if } x > 1, \\ x + 1 & x < -1 \\ 0 & \text{otherwise} \end{cases}",
        True,
        sp.Piecewise((x - 1, x > 1), (x + 1, x < -1), (0, True)),
    ),
    (r"\begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}", True, sp.Piecewise((1, x >= 0), (0, x < 0))),
    (
        r"x \left(\begin{cases} 1 & x \geq 0 \\ 0 & \text{else} \end{cases}\right)",
        True,
        x * sp.Piecewise((1, x >= 0), (0, True)),
    ),
    (r"\mu \text{ if } \mu \leq 1 \text{ otherwise } 1", True, sp.Piecewise((mu, mu <= 1), (1, True))),
]


@pytest.mark.parametrize(("text", "latex", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads_cases(text: str, latex: bool, expected: sp.Basic) -> None:
    got = parse(text, SCOPE, latex=latex)
    assert got == expected, (got, expected)


@pytest.mark.parametrize(
    "text",
    [
        "x if x else 1",  # a condition must compare
        "x if x > 0 else",
        "if x > 0",
        "x if [x, 1] > 0 else 0",
        "x if x > 0 if x < 1",
        "x if x > 0 and else 0",
        r"\begin{cases} x & x > 0 \\ 1 & \text{sometimes} \end{cases}",
    ],
)
def test_malformed_cases(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        parse(text, SCOPE, latex="\\" in text)


def test_keywords_do_not_eat_names() -> None:
    """``or``, ``and``, ``if`` are words only on their own: ``orbit`` and ``iffy`` are names."""
    scope = Scope(variables={"orbit": x, "iffy": s, "andante": t})
    assert parse("orbit + iffy*andante", scope) == x + s * t


def test_softplus_and_special_functions_keep_their_class() -> None:
    assert parse("Phi(x) + phi(x)", SCOPE) == Phi(x) + phi(x)
    assert parse(r"\varphi(x)", SCOPE, latex=True) == phi(x)


def test_index_form_and_kronecker_delta() -> None:
    want = S[i] * (sp.KroneckerDelta(i, j) - S[j])
    assert parse("s_i*(delta_ij - s_j)", INDEX_SCOPE) == want
    assert parse(r"s_i (\delta_{ij} - s_j)", INDEX_SCOPE, latex=True) == want
    assert parse(r"s_{i}\left(\delta_{i,j} - s_{j}\right)", INDEX_SCOPE, latex=True) == want


def test_matrix_form() -> None:
    vec = sp.Matrix([S[1], S[2], S[3]])
    scope = Scope(variables={}, vectors={"s": vec}, matrix_size=3)
    m = parse("diag(s) - s s^T", scope)
    diag = sp.Matrix(3, 3, lambda r, c: vec[r] if r == c else 0)
    assert m == diag - vec * vec.T
    with pytest.raises(AnswerSyntaxError, match="shapes"):
        parse("diag(s) - s^T s", scope)


def test_matrix_literals_and_bracket_indexing() -> None:
    a, b, c, d = sp.symbols("a b c d", real=True)
    z = sp.IndexedBase("z")
    k = sp.Symbol("k", integer=True)
    scope = Scope(variables={"a": a, "b": b, "c": c, "d": d, "k": k}, indexed={"z": z})
    m = sp.Matrix([[a, b], [c, d]])
    assert parse("[[a, b], [c, d]]", scope) == m
    assert parse(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", scope, latex=True) == m
    assert parse(r"\begin{bmatrix} a \\ b \end{bmatrix}^T", scope, latex=True) == sp.Matrix([[a, b]])
    assert parse("[a, b]", scope) == sp.Matrix([a, b])
    assert parse("2[a + 1]", scope) == 2 * a + 2
    assert parse("z[k] + z[1]", scope) == z[k] + z[1]
    with pytest.raises(AnswerSyntaxError, match="same length"):
        parse("[[a, b], [c]]", scope)


def test_declared_variable_shadows_function() -> None:
    assert parse("sigma^2 + sigma(x)", NOISE_SCOPE) == sigma**2 + sigma * x
    assert parse("sigma(x)", SCOPE) == sigmoid(x)


def test_prime_is_a_derivative() -> None:
    f = sp.Function("F")
    got = parse("1 + F'(x)", Scope(variables={"x": x}, names={"F": f}))
    assert got == 1 + sp.Derivative(f(x), x)


def test_exact_decimals() -> None:
    assert parse("0.5000001*x", SCOPE) == sp.Rational(5000001, 10000000) * x


@pytest.mark.parametrize(
    "text",
    ["x*(", "", "   ", "x +", "((x)", "x))", "phi(", "2**", "@x", "Phi(x,x)", "log()", "sin cos", "1/0", "x_", "y"],
)
def test_malformed(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        parse(text, SCOPE)


@pytest.mark.parametrize("text", [r"\frac{1}{2", r"\Phi(x", r"\left( x \right", r"\input{/etc/passwd}", r"\def\x{1}"])
def test_malformed_latex(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        parse(text, SCOPE, latex=True)


HOSTILE = [
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "(lambda x: x)(1)",
    "exec('1')",
    "eval('2+2')",
    "x.__class__",
    "open('/etc/passwd').read()",
    "import os",
    "getattr(x, 'evalf')",
    "sympify('x')",
    "Symbol('x')",
    "x; import os",
    "[x for x in range(9)]",
    "{x: 1}",
    "'x'",
    "x if x else x",
    "Function('f')(x)",
    "__import__('os') if x > 0 else 0",
    "x if x.__class__ > 0 else 0",
    "x if (lambda: 0) > 0 else 1",
    "x if x > 0 else exec('1')",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_reaches_eval(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parse("x", SCOPE)  # the grammar is built (lark itself needs no eval afterwards)

    def trap(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec was called")

    monkeypatch.setattr(builtins, "eval", trap)
    monkeypatch.setattr(builtins, "exec", trap)
    monkeypatch.setattr(builtins, "__import__", _guarded_import(builtins.__import__))
    with pytest.raises(AnswerSyntaxError):
        parse(text, SCOPE)
    with pytest.raises(AnswerSyntaxError):
        parse(text, SCOPE, latex=True)


def _guarded_import(real_import):  # type: ignore[no-untyped-def]
    def guarded(name: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if name in ("os", "subprocess", "shutil", "socket"):
            raise AssertionError(f"import of {name} while parsing")
        return real_import(name, *args, **kwargs)

    return guarded


RESOURCE = [
    "9**9**9**9",
    "x**(10**10**10)",
    "x^(10^10)",
    "2^(2^(2^(2^(2^9))))",
    "10**10**10",
    "1" * 100,
    "(" * 300 + "x" + ")" * 300,
    "x" + "+x" * 50_000,
    "Sum(x**k, (k, 1, 10**9))",
    "1e999999*x",
    "x^1001",
    "x if x > 10**10**10 else 0",
    "-" * 1500 + "x",
]


@pytest.mark.parametrize("text", RESOURCE, ids=[r[:30] for r in RESOURCE])
def test_resource_limits_refuse_before_building(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(AnswerSyntaxError) as info:
        parse(text, SCOPE)
    assert time.perf_counter() - start < 0.5
    assert info.value.limit or "factorial" in str(info.value)


def test_limits_are_configurable() -> None:
    with pytest.raises(AnswerSyntaxError, match="too long"):
        parse("x + x", SCOPE, limits=Limits(max_length=3))
    assert parse("x^1001", SCOPE, limits=Limits(max_exponent=2000)) == x**1001


def test_factorial_is_refused_by_name() -> None:
    with pytest.raises(AnswerSyntaxError, match="factorial"):
        parse("factorial(10**8)", SCOPE)


def test_unknown_name_lists_known_names() -> None:
    with pytest.raises(AnswerSyntaxError, match=r"unknown name 'y'.*x"):
        parse("y + 1", SCOPE)


# ----------------------------------------------------------------------------------- fuzzing
ALPHABET = st.sampled_from(
    [
        *"xsmu0123456789+-*/^()[]{}|_.,' =!<>;:@#$%&~?",
        *("**", r"\frac", r"\sqrt", r"\sum", r"\left(", r"\right)", r"\cdot", r"\ln", r"\Phi", "phi", "Phi", "exp"),
        *(
            "log",
            "sigma",
            "erf",
            "e",
            "pi",
            "__",
            "lambda",
            "import",
            "σ",
            "²",
            "√",
            "−",
            "\\",
            "\n",
            "\t",
            "é",
            "\x00",
            " if ",
            " else ",
            " and ",
            " or ",
            "<=",
            r"\le",
            r"\begin{cases}",
            r"\end{cases}",
            "&",
            r"\\",
        ),
    ]
)
TEXT = st.lists(ALPHABET, max_size=40).map("".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, latex=st.booleans())
def test_fuzz_parser_raises_only_answer_syntax_error(text: str, latex: bool) -> None:
    start = time.perf_counter()
    try:
        out = parse(text, SCOPE, latex=latex)
    except AnswerSyntaxError:
        pass
    else:
        assert isinstance(out, sp.Expr | sp.MatrixBase)
    assert time.perf_counter() - start < 1.0


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_fuzz_verdicts_within_the_time_limit(text: str) -> None:
    import derive

    v = derive.check("gelu'", text, timeout=1.0)
    assert v.status in ("correct", "incorrect", "invalid", "undecided")
    assert v.seconds <= 1.0 + 1.0  # the hard limit, plus scheduling slack on a (heavily) loaded machine


def test_numbered_entry_of_an_indexed_variable() -> None:
    """``s1`` is ``s[1]`` for an indexed ``s``; a declared scalar ``s1`` wins; ``p_i`` is never pi."""
    s, p = sp.IndexedBase("s"), sp.IndexedBase("p")
    i = sp.Symbol("i", integer=True)
    assert parse("s1 + s_2", Scope(indexed={"s": s})) == s[1] + s[2]
    s1 = sp.Symbol("s1", real=True)
    assert parse("s1", Scope(variables={"s1": s1}, indexed={"s": s})) == s1
    assert parse("p_i", Scope(variables={"i": i}, indexed={"p": p})) == p[i]
    with pytest.raises(AnswerSyntaxError):
        parse("p_i", Scope(variables={"i": i}))


def test_bound_summation_index_stays_bound() -> None:
    """A LaTeX sum's index is bound (a dummy of the sum), never the question's variable of the same name."""
    z = sp.IndexedBase("z")
    n = sp.Symbol("n", integer=True, positive=True)
    k = sp.Symbol("k", real=True)
    out = parse(r"\sum_{k=1}^{n} z_k", Scope(variables={"n": n, "k": k}, indexed={"z": z}), latex=True)
    assert isinstance(out, sp.Sum) and k not in out.free_symbols
    assert out.limits[0][0] != k and out.limits[0][0].is_integer and out.limits[0][1:] == (1, n)


def test_leibniz_derivative_and_norm_and_inverse() -> None:
    x = sp.Symbol("x", real=True)
    F = sp.Function("F")
    scope = Scope(variables={"x": x}, names={"F": F})
    assert parse("dF/dx", scope) == sp.Derivative(F(x), x)
    assert parse(r"\frac{d}{dx} F(x)", scope, latex=True) == sp.Derivative(F(x), x)
    assert parse("diff(F(x), x, 2)", scope) == sp.Derivative(F(x), (x, 2))
    with pytest.raises(AnswerSyntaxError):
        parse("diff(F(x), x, 9)", scope)
    H = sp.Matrix([[2, 1], [1, 3]])
    assert parse("H^-1", Scope(names={"H": H})) == H.inv()
    with pytest.raises(AnswerSyntaxError):
        parse("H^-1", Scope(names={"H": sp.Matrix([[1, 1], [1, 1]])}))
    g = sp.IndexedBase("g")
    n = sp.Symbol("n", integer=True)
    v = parse("norm(g)", Scope(variables={"n": n}, indexed={"g": g}, sizes={"g": n}))
    assert isinstance(v, sp.Pow) and v.base.has(sp.Sum)


# ----------------------------------------------------------------------------------- the builder
#: rules whose nodes are read by their parent's handler, never on their own
READ_BY_PARENT = {"arglist", "script", "scriptbody", "relop"}


def test_every_grammar_rule_has_one_handler() -> None:
    """The handler table and grammar.lark name the same rules: no node without a handler, no stale handler."""
    nodes = {
        rule.alias or rule.origin.name
        for rule in lark_parser().rules
        if rule.alias or not (rule.options.expand1 or rule.origin.name.startswith("_"))
    }
    assert nodes - READ_BY_PARENT == set(HANDLERS) | PRODUCTS
    assert not set(HANDLERS) & PRODUCTS


def test_an_unknown_grammar_rule_is_refused_by_name() -> None:
    from lark import Tree

    builder = Builder(SCOPE, Limits())
    with pytest.raises(AnswerSyntaxError, match="unsupported construct frobnicate"):
        builder.value(Tree("frobnicate", [Tree("number", ["1"])]))
    for rule in sorted(READ_BY_PARENT):  # not on their own either
        with pytest.raises(AnswerSyntaxError, match=f"unsupported construct {rule}"):
            builder.value(Tree(rule, []))
    assert builder.value(Tree("number", ["2"])) == 2  # the table itself works
