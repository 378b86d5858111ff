r"""3.2 Distributions in active use: the Gaussian (densities, initialisation, diffusion), the
categorical (softmax outputs), the Bernoulli (dropout, binary cross-entropy) and the Dirichlet.

- ``gaussian-normalizer``: :math:`\int e^{-(x-\mu)^2/2s^2}dx = \sqrt{2\pi}s`, and
  :math:`(2\pi)^{d/2}|\Sigma|^{1/2}` in :math:`d` dimensions by diagonalising :math:`\Sigma`;
- ``he-xavier-init``: variance-preserving initialisation,
  :math:`\mathbb E[\operatorname{relu}(z)^2] = \operatorname{Var}(z)/2`;
- ``categorical-softmax``: log-softmax and the temperature limits;
- ``bernoulli-dropout``: inverted dropout is unbiased; BCE and its logit gradient :math:`\sigma(z) - y`;
- ``dirichlet-categorical``: conjugacy, posterior predictive and marginal likelihood;
- ``ddpm-forward``: the closed form of the DDPM forward process.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Integral, Limit, Matrix, Sum, exp, log, oo, pi, sqrt, symbols

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, interval, positive, probability, real
from derive.maths.gaussian import expectation, integrate, normal_pdf
from derive.maths.matrices import cayley_orthogonal
from derive.maths.notation import named_function
from derive.maths.special import sigmoid
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine, finite_difference, quadrature
from derive.numeric.montecarlo import agrees, estimate

# ------------------------------------------------------------------------------------ gaussian-normalizer
x = real().symbol("x")
mu = real(-3, 3).symbol("mu")
s = positive(5, lo=0.05).symbol("s")
u1, u2 = symbols("u1 u2", real=True)
lam1, lam2 = symbols("lambda1 lambda2", positive=True)
t_rot = real(-3, 3).symbol("t")  # Cayley parameter of the rotation: cos = (1-t^2)/(1+t^2), sin = 2t/(1+t^2)
R_ROT = cayley_orthogonal([t_rot], 2)
SIGMA_2 = R_ROT * sp.diag(lam1, lam2) * R_ROT.T
X_ROT = R_ROT * Matrix([u1, u2])
QUAD = named_function("QuadForm", r"x^\top\Sigma^{-1}x", show_args=False)(u1, u2, lam1, lam2, t_rot)
DET = named_function("DetSigma", r"\det\Sigma", show_args=False)(lam1, lam2, t_rot)
NORMALIZER_2D = Integral(exp(-(u1**2 / lam1 + u2**2 / lam2) / 2), (u1, -oo, oo), (u2, -oo, oo))


def _normalizer_mc(ctx: CheckContext) -> CrossCheckResult:
    r"""Monte Carlo in 3-D: :math:`\int e^{-x^\top\Sigma^{-1}x/2}dx = \mathbb E_g[e^{-x^\top\Sigma^{-1}x/2}/g(x)]`
    with the proposal :math:`g = \mathcal N(0, c^2 I)`, :math:`c^2 = 1.5\lambda_{\max}`, for random SPD
    :math:`\Sigma`, against :math:`(2\pi)^{3/2}|\Sigma|^{1/2}` (5 standard errors)."""
    results = []
    for _ in range(4):
        a = ctx.rng.normal(size=(3, 3))
        sigma = a @ a.T + 0.3 * np.eye(3)
        c2 = 1.5 * np.linalg.eigvalsh(sigma).max()
        draws = ctx.rng.normal(size=(200_000, 3)) * np.sqrt(c2)
        quad = np.einsum("ni,ij,nj->n", draws, np.linalg.inv(sigma), draws)
        log_g = -np.sum(draws**2, axis=1) / (2 * c2) - 1.5 * np.log(2 * np.pi * c2)
        weights = np.exp(-quad / 2 - log_g)
        results.append(
            agrees(ctx, "3-D normaliser", estimate(weights), (2 * np.pi) ** 1.5 * np.sqrt(np.linalg.det(sigma)))
        )
    one_d = quadrature(exp(-((x - mu) ** 2) / (2 * s**2)), x, -np.inf, np.inf, sqrt(2 * pi) * s, rtol=1e-8)(ctx)
    return combine(one_d, *results)


@identity(
    "gaussian-normalizer",
    aliases=("gaussian-normaliser", "gaussian-integral", "normal-normalizer"),
    title="The normalising constant of the Gaussian",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ density: normaliser $(2\pi)^{d/2}|\Sigma|^{1/2}$",
    variables={
        x: real(),
        mu: real(-3, 3),
        s: positive(5, lo=0.05),
        t_rot: real(-3, 3),
        lam1: positive(5, lo=0.05),
        lam2: positive(5, lo=0.05),
        u1: real(-3, 3),
        u2: real(-3, 3),
    },
    claim=Statement(
        "2-D",
        Eq(NORMALIZER_2D, 2 * pi * sqrt(lam1 * lam2), evaluate=False),
        text=r"$|\det R| = 1$, so $\int e^{-x^\top\Sigma^{-1}x/2}dx = (2\pi)^{d/2}|\Sigma|^{1/2}$ for $d = 2$",
    ),
    also=[
        Statement(
            "1-D",
            Eq(Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)), sqrt(2 * pi) * s, evaluate=False),
            text=r"the 1-D normaliser $\sqrt{2\pi}\,s$",
        ),
        Statement(
            "quadratic form",
            Eq(QUAD, u1**2 / lam1 + u2**2 / lam2),
            text=r"for $\Sigma = R\operatorname{diag}(\lambda_1, \lambda_2)R^\top$ ($R$ a rotation) and $x = Ru$ "
            r"the quadratic form separates",
        ),
        Statement("det", Eq(DET, lam1 * lam2), text=r"$\det\Sigma = \lambda_1\lambda_2$"),
    ],
    definitions={
        QUAD: sp.expand((X_ROT.T * SIGMA_2.inv() * X_ROT)[0]),
        DET: SIGMA_2.det(),
    },
    crosscheck=_normalizer_mc,
    question=Question(
        target=sqrt(2 * pi) * s,
        prompt=r"Compute $\int_{-\infty}^{\infty} e^{-(x-\mu)^2/(2s^2)}\,dx$.",
        approximations={
            r"$\sqrt{2\pi s}$: the $s$ belongs outside the root": sqrt(2 * pi * s),
            r"$\sqrt{\pi}\,s$: the 2 in $2s^2$ is missing": sqrt(pi) * s,
        },
    ),
    refs=(Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 2.3, eq. (2.43)"),),
)
def gaussian_normalizer(d: Derivation) -> None:
    r"""The Gaussian density is $e^{-(x-\mu)^2/2s^2}$ divided by its integral $\sqrt{2\pi}\,s$; in $d$
    dimensions the integral of $e^{-x^\top\Sigma^{-1}x/2}$ is $(2\pi)^{d/2}|\Sigma|^{1/2}$. Every Gaussian
    log-likelihood (MSE losses, VAEs, diffusion models) carries this constant, and its
    $\tfrac12\log|\Sigma|$ is what a learned variance pays for."""
    d.begin(Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)))
    d.then(integrate, "the Gaussian integral")
    d.conclude("1-D")

    d.begin(QUAD, scope="for d = 2")
    d.then(
        (X_ROT.T * SIGMA_2.inv() * X_ROT)[0],
        r"$\Sigma = R\operatorname{diag}(\lambda_1,\lambda_2)R^\top$, $R$ the rotation with "
        r"$\cos = \frac{1-t^2}{1+t^2}$, $\sin = \frac{2t}{1+t^2}$; $x = Ru$",
    )
    d.then(lambda e: sp.factor(sp.cancel(e)), r"$R^\top R = I$: the rotation cancels")
    d.then(u1**2 / lam1 + u2**2 / lam2, "separate")
    d.conclude("quadratic form")

    d.begin(DET, scope="for d = 2")
    d.then(SIGMA_2.det(), r"the determinant of $R\operatorname{diag}(\lambda_1,\lambda_2)R^\top$")
    d.then(lambda e: sp.factor(e), r"$\det R = 1$")
    d.conclude("det")

    d.begin(NORMALIZER_2D, r"after $x = Ru$ ($|\det R| = 1$)", scope="for d = 2")
    d.then(integrate, r"two 1-D Gaussian integrals, $\sqrt{2\pi\lambda_1}\sqrt{2\pi\lambda_2}$")
    d.then(2 * pi * sqrt(lam1 * lam2), r"$= 2\pi\sqrt{\det\Sigma}$")
    d.conclude("2-D")


# ----------------------------------------------------------------------------------------- he-xavier-init
n = integer(1, 50).symbol("n")
i = sp.Symbol("i", integer=True)
var_w = positive(1).symbol("v")  # Var(w)
m2 = positive(4).symbol("m_2")  # E[x^2]
n_in, n_out = integer(1, 1000).symbol("n_in"), integer(1, 1000).symbol("n_out")
v_xavier, v_he = positive(1).symbol("v_X"), positive(1).symbol("v_He")
# the variance of a sum worked out for n = 2: w_i = sqrt(v) a_i, x_i = mu_x + s_x b_i, a_i, b_i iid N(0, 1)
mu_x, s_x = real(-2, 2).symbol("mu_x"), positive(2, lo=0.05).symbol("s_x")
A2, B2 = symbols("a1 a2", real=True), symbols("b1 b2", real=True)
Y2 = sum(sqrt(var_w) * ak * (mu_x + s_x * bk) for ak, bk in zip(A2, B2, strict=True))


def _e_std(f: sp.Expr) -> sp.Integral:
    """E[f] over independent standard normal a1, a2, b1, b2, the integrand expanded into monomials."""
    dens = sp.Mul(*(normal_pdf(t) for t in (*A2, *B2)))
    return Integral(sp.expand(f) * dens, *((t, -oo, oo) for t in (*A2, *B2)))


VAR_Y2 = named_function("VarY2", r"\operatorname{Var}(w_1x_1 + w_2x_2)", show_args=False)(var_w, mu_x, s_x)
E_Y2 = named_function("EY2", r"\mathbb E[y^2]", show_args=False)(var_w, mu_x, s_x)
E_Y = named_function("EY", r"\mathbb E[y]", show_args=False)(var_w, mu_x, s_x)
T1, T2 = sqrt(var_w) * A2[0] * (mu_x + s_x * B2[0]), sqrt(var_w) * A2[1] * (mu_x + s_x * B2[1])  # w_1x_1, w_2x_2
SQUARE_TERMS = {
    named_function(name, tex, show_args=False)(var_w, mu_x, s_x): f
    for name, tex, f in (
        ("ESq1", r"\mathbb E[(w_1x_1)^2]", T1**2),
        ("ESq2", r"\mathbb E[(w_2x_2)^2]", T2**2),
        ("ECross", r"\mathbb E[w_1x_1w_2x_2]", T1 * T2),
    )
}
E_SQ1, E_SQ2, E_CROSS = SQUARE_TERMS
# the moments E[t^k] of the standard normal variables, printed as such (bodies in ``definitions``)
MOMENTS = {
    (t, k): named_function(f"E_{t}_{k}", rf"\mathbb E[{sp.latex(t**k)}]", show_args=False)()
    for t in (*A2, *B2)
    for k in (1, 2)
}


def _moment_form(f: sp.Expr) -> sp.Expr:
    """E[f] for a polynomial f in a1, a2, b1, b2: linearity, then each monomial's expectation as a product
    of the variables' moments (independence)."""
    poly = sp.Poly(sp.expand(f), *A2, *B2)
    return sp.Add(
        *(c * sp.Mul(*(MOMENTS[t, k] for t, k in zip((*A2, *B2), ks, strict=True) if k)) for ks, c in poly.terms())
    )


RELU2 = named_function("ReluSecondMoment", r"\mathbb E[\operatorname{relu}(z)^2]", show_args=False)(s)


def _depth_check(ctx: CheckContext) -> CrossCheckResult:
    """Random ReLU networks of depth 30 and width 256: the activation variance after 30 layers over
    the input variance is O(1) with He init (2/n), about 2^-30 with 1/n and 2^30 with 4/n."""
    width, depth = 256, 30
    x0 = ctx.rng.normal(size=(width, 200))

    def ratio(scale: float) -> float:
        h = x0
        for _ in range(depth):
            w = ctx.rng.normal(size=(width, width)) * np.sqrt(scale / width)
            h = np.maximum(w @ h, 0.0)
        return float(np.mean(h**2) / np.mean(x0**2))

    he, small, big = ratio(2.0), ratio(1.0), ratio(4.0)
    return combine(
        ctx.bound("He: |log10 E[h_30^2]/E[x^2]|", "depth-30 ReLU network", abs(np.log10(he)), 1.0),
        ctx.bound("Var(w) = 1/n: E[h_30^2]/E[x^2] collapses", "depth-30 ReLU network", small, 1e-5),
        ctx.bound("Var(w) = 4/n: E[x^2]/E[h_30^2] (explodes)", "depth-30 ReLU network", 1.0 / big, 1e-5),
    )


@identity(
    "he-xavier-init",
    aliases=("he-init", "xavier-init", "glorot-init", "kaiming-init"),
    title="Variance-preserving initialisation: Xavier and He",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ weight init (He / Xavier)",
    variables={
        n: integer(1, 50),
        var_w: positive(1),
        m2: positive(4),
        s: positive(5, lo=0.05),
        n_in: integer(1, 1000),
        n_out: integer(1, 1000),
        v_xavier: positive(1),
        v_he: positive(1),
        mu_x: real(-2, 2),
        s_x: positive(2, lo=0.05),
    },
    claim=Statement(
        "Var(y)",
        Eq(Sum(var_w * m2, (i, 1, n)), n * var_w * m2),
        text=r"$\operatorname{Var}(\sum_{i\le n} w_i x_i) = \sum_i \operatorname{Var}(w_i x_i)$ (the terms are "
        r"uncorrelated: $\mathbb E[w_ix_iw_jx_j] = \mathbb E[w_i]\mathbb E[w_j]\mathbb E[x_ix_j] = 0$) and "
        r"$\operatorname{Var}(w x) = \mathbb E[w^2]\mathbb E[x^2] - (\mathbb E[w]\mathbb E[x])^2 = v\,m_2$",
    ),
    also=[
        Statement(
            "Xavier",
            Eq(v_xavier, 2 / (n_in + n_out)),
            text=r"forward ($n_{in}v = 1$) and backward ($n_{out}v = 1$) compromise: $v = 2/(n_{in} + n_{out})$",
        ),
        Statement(
            "relu",
            Eq(RELU2, s**2 / 2, evaluate=False),
            text=r"$\mathbb E[\operatorname{relu}(z)^2] = \operatorname{Var}(z)/2$ for $z\sim\mathcal N(0, s^2)$",
        ),
        Statement("He", Eq(v_he, 2 / n_in), text=r"with ReLU, keeping the variance needs $n_{in}v\cdot\frac12 = 1$"),
    ],
    definitions={
        RELU2: expectation(x**2, x, 0, s, lo=0),
        VAR_Y2: _e_std(Y2**2) - _e_std(Y2) ** 2,
        E_Y2: _e_std(Y2**2),
        E_Y: _e_std(Y2),
        **{name: _e_std(f) for name, f in SQUARE_TERMS.items()},
        **{m: expectation(t**k, t) for (t, k), m in MOMENTS.items()},
    },
    crosscheck=_depth_check,
    question=Question(
        target=2 / n_in,
        prompt=r"For a ReLU layer with $n_{in}$ inputs and weights $w \sim \mathcal N(0, v)$, which $v$ keeps the "
        r"second moment of the activations constant from layer to layer?",
        approximations={
            r"$1/n_{in}$ is the LeCun/Xavier choice for linear units: ReLU halves the second moment": 1 / n_in,
            r"$2/(n_{in} + n_{out})$ is Xavier (Glorot) initialisation, for linear or tanh units; ReLU needs "
            r"$2/n_{in}$": 2 / (n_in + n_out),
        },
    ),
    refs=(
        Ref.arxiv(
            "1502.01852", "K. He, X. Zhang, S. Ren and J. Sun, Delving Deep into Rectifiers, 2015", where="Sec. 2.2"
        ),
        Ref.book(
            "X. Glorot and Y. Bengio (2010), Understanding the difficulty of training deep feedforward neural "
            "networks, AISTATS",
            where="Sec. 4.2",
        ),
    ),
)
def he_xavier_init(d: Derivation) -> None:
    r"""A unit $y = \sum_{i\le n} w_i x_i$ with independent zero-mean weights has
    $\operatorname{Var}(y) = n\operatorname{Var}(w)\mathbb E[x^2]$. Keeping this equal to the input's
    variance layer after layer is what lets a deep network train at all: Xavier (Glorot) initialisation
    for linear/tanh units, He initialisation $\operatorname{Var}(w) = 2/n_{in}$ for ReLU, which zeroes
    half of a symmetric input and so halves its second moment."""
    d.begin(
        Sum(var_w * m2, (i, 1, n)),
        r"$\operatorname{Var}(y) = \sum_{i=1}^n \operatorname{Var}(w_ix_i)$, each "
        r"$\mathbb E[w_i^2]\,\mathbb E[x_i^2] = v\,m_2$ (independent, $\mathbb E[w_i] = 0$)",
    )
    d.then(lambda e: e.doit(), "$n$ equal terms")
    d.conclude("Var(y)")

    moment_values = {m: integrate(expectation(t**k, t)) for (t, k), m in MOMENTS.items()}
    for k, (name, f) in enumerate(((E_Y, Y2), (E_SQ1, T1**2), (E_CROSS, T1 * T2))):
        d.begin(
            name,
            r"$w_i = \sqrt v\,a_i$, $x_i = \mu_x + s_x b_i$ with $a_1, a_2, b_1, b_2$ independent $\mathcal N(0, 1)$"
            if k == 0
            else "",
            title="The variance of the sum, worked out" if k == 0 else "",
            scope="for n = 2, Gaussian weights and inputs",
        )
        d.then(_moment_form(f), r"expand; linearity, then independence: a product of moments per monomial")
        d.then(
            lambda e: sp.factor(e.xreplace(moment_values)),
            r"the moments $\mathbb E[a] = 0$, $\mathbb E[a^2] = 1$ (Gaussian integrals)"
            + (r": the cross term vanishes" if name == E_CROSS else ""),
        )
        d.finish()
    d.begin(VAR_Y2, scope="for n = 2, Gaussian weights and inputs")
    d.then(E_Y2 - E_Y**2, r"$\operatorname{Var}(y) = \mathbb E[y^2] - \mathbb E[y]^2$")
    d.then(E_SQ1 + E_SQ2 + 2 * E_CROSS - E_Y**2, r"expand the square $y^2 = (w_1x_1 + w_2x_2)^2$")
    d.then(
        2 * var_w * (mu_x**2 + s_x**2),
        r"the expectations above ($\mathbb E[(w_2x_2)^2]$ like $\mathbb E[(w_1x_1)^2]$): $n\,v\,m_2$ with $n = 2$, "
        r"$m_2 = \mathbb E[x^2] = \mu_x^2 + s_x^2$",
    )
    d.finish()

    d.begin(
        Eq((n_in * v_xavier + n_out * v_xavier) / 2, 1),
        r"average of the forward ($n_{in}v = 1$) and backward ($n_{out}v = 1$) conditions",
    )
    d.solve(v_xavier)
    d.conclude("Xavier")

    d.begin(RELU2)
    d.then(expectation(x**2, x, 0, s, lo=0), r"$\operatorname{relu}(z)^2 = z^2$ on $z > 0$ and $0$ otherwise")
    d.then(integrate, "the half-line Gaussian integral")
    d.conclude("relu")

    d.begin(
        Eq(n_in * v_he * (s**2 / 2), s**2),
        r"$\operatorname{Var}(y_l) = n_{in}v\,\mathbb E[\operatorname{relu}(y_{l-1})^2] = n_{in}v\,s^2/2$ "
        r"must equal $\operatorname{Var}(y_{l-1}) = s^2$",
    )
    d.solve(v_he)
    d.conclude("He")


# ------------------------------------------------------------------------------------ categorical-softmax
z1, z2, z3 = (real(-10, 10).symbol(f"z{k}") for k in (1, 2, 3))
c_shift = real(-10, 10).symbol("c")
a_gap, b_gap = positive(5, lo=0.01).symbol("a"), positive(5, lo=0.01).symbol("b")
T = positive(10, lo=0.01).symbol("T")
LSE = log(exp(z1) + exp(z2) + exp(z3))
TOP = 1 / (1 + exp(-a_gap / T) + exp(-b_gap / T))  # softmax(z/T)_1 for logits (0, -a, -b)
OTHER = exp(-a_gap / T) / (1 + exp(-a_gap / T) + exp(-b_gap / T))


def _softmax_check(ctx: CheckContext) -> CrossCheckResult:
    """Random logits with a clear maximum: a max-subtracted numpy softmax at T = 1e-3 is one-hot of the
    argmax (to 1e-12) and at T = 1e3 uniform (to 1e-2); log-softmax against scipy.special.log_softmax."""
    from scipy.special import log_softmax

    z = ctx.rng.normal(size=(64, 3)) * 3
    top = np.sort(z, axis=1)
    z = z[(top[:, -1] - top[:, -2]) > 0.05]  # gaps below 0.05 need a smaller T to resolve

    def softmax(v: np.ndarray) -> np.ndarray:
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    onehot = np.eye(3)[np.argmax(z, axis=1)]
    cold = np.max(np.abs(softmax(z / 1e-3) - onehot))
    hot = np.max(np.abs(softmax(z / 1e3) - 1 / 3))
    lsm = ctx.numpy(z1 - LSE, [z1, z2, z3])(z[:, 0], z[:, 1], z[:, 2])
    return combine(
        ctx.bound("T = 1e-3: distance to one-hot(argmax)", "numpy softmax", cold, 1e-12),
        ctx.bound("T = 1e3: distance to uniform", "numpy softmax", hot, 1e-2),
        ctx.compare("log-softmax", "scipy.special.log_softmax", lsm, log_softmax(z, axis=1)[:, 0], rtol=1e-12),
    )


@identity(
    "categorical-softmax",
    aliases=("softmax-temperature", "log-softmax", "categorical"),
    title="The categorical distribution of a softmax, and its temperature",
    section="3.2",
    map_row=r"Categorical / softmax, LLM output token distribution",
    variables={
        z1: real(-10, 10),
        z2: real(-10, 10),
        z3: real(-10, 10),
        c_shift: real(-10, 10),
        a_gap: positive(5, lo=0.01),
        b_gap: positive(5, lo=0.01),
        T: positive(10, lo=0.01),
    },
    claim=Statement(
        "log-softmax",
        Eq(log(exp(z1) / (exp(z1) + exp(z2) + exp(z3))), z1 - LSE),
        text=r"$\log\operatorname{softmax}(z)_y = z_y - \operatorname{LSE}(z)$ ($n = 3$)",
    ),
    also=[
        Statement(
            "shift",
            Eq(
                exp(z1 + c_shift) / (exp(z1 + c_shift) + exp(z2 + c_shift) + exp(z3 + c_shift)),
                exp(z1) / (exp(z1) + exp(z2) + exp(z3)),
            ),
            text="softmax is unchanged by adding a constant to every logit (so the largest logit may be taken as 0)",
        ),
        Statement(
            "T -> 0+ (top)",
            Eq(Limit(TOP, T, 0, "+"), 1),
            text=r"logits $(0, -a, -b)/T$, $a, b > 0$: the top class gets probability 1 as $T\to0^+$",
        ),
        Statement("T -> 0+ (other)", Eq(Limit(OTHER, T, 0, "+"), 0), text="and every other class 0"),
        Statement(
            "T -> oo", Eq(Limit(TOP, T, oo), sp.Rational(1, 3)), text=r"as $T\to\infty$ every class tends to $1/3$"
        ),
    ],
    crosscheck=_softmax_check,
    question=Question(
        target=z1 - LSE,
        prompt=r"Write $\log\operatorname{softmax}(z)_1$ for logits $z = (z_1, z_2, z_3)$.",
        approximations={r"the log-sum-exp is missing: this is the logit, not its log-probability": z1},
    ),
    refs=(
        Ref.arxiv(
            "1503.02531",
            "G. Hinton, O. Vinyals and J. Dean, Distilling the Knowledge in a Neural Network, 2015",
            where="Sec. 2",
        ),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", where="Sec. 6.2.2.3"),
    ),
)
def categorical_softmax(d: Derivation) -> None:
    r"""A classifier or a language model outputs a categorical distribution $\operatorname{softmax}(z/T)$
    over classes or tokens. Its log-probability is $z_y - \operatorname{LSE}(z)$ (what cross-entropy
    losses compute, stably), and the temperature $T$ interpolates between greedy decoding
    ($T\to0^+$: one-hot of the argmax) and the uniform distribution ($T\to\infty$)."""
    d.begin(log(exp(z1) / (exp(z1) + exp(z2) + exp(z3))), scope="for n = 3")
    d.then(lambda e: sp.expand_log(e, force=True), "log of a quotient")
    d.conclude("log-softmax")

    d.begin(exp(z1 + c_shift) / (exp(z1 + c_shift) + exp(z2 + c_shift) + exp(z3 + c_shift)), scope="for n = 3")
    d.then(lambda e: sp.expand(e, power_exp=True, mul=False, multinomial=False), r"$e^{z_k + c} = e^{c}e^{z_k}$")
    d.then(lambda e: sp.cancel(e), r"cancel $e^{c}$")
    d.conclude("shift")

    for label, expr, point, why in (
        ("T -> 0+ (top)", TOP, 0, r"$e^{-a/T}, e^{-b/T}\to0$"),
        ("T -> 0+ (other)", OTHER, 0, r"$e^{-a/T}\to0$ while the denominator tends to 1"),
        ("T -> oo", TOP, oo, r"every $e^{-a/T}\to1$"),
    ):
        d.begin(Limit(expr, T, point, "+" if point == 0 else "-"), scope="for n = 3")
        d.then(lambda e: e.doit(), why)
        d.conclude(label)


# -------------------------------------------------------------------------------------- bernoulli-dropout
p_keep = probability().symbol("p")
xv = real(-5, 5).symbol("x")
m = sp.Symbol("m", integer=True, nonnegative=True)  # the mask, summed over {0, 1}
y_lbl = interval(0, 1).symbol("y")
z_logit = real(-10, 10).symbol("z")
BERNOULLI = p_keep**m * (1 - p_keep) ** (1 - m)  # P(m) for m in {0, 1}
BCE = -(y_lbl * log(sigmoid(z_logit)) + (1 - y_lbl) * log(1 - sigmoid(z_logit)))


def _dropout_check(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo masks (numpy Bernoulli draws) for the mean and the variance of m x / p, and
    central differences of the binary cross-entropy in the logit."""
    results = []
    for _ in range(4):
        p, xx = ctx.rng.uniform(0.2, 0.95), ctx.rng.uniform(-3, 3)
        out = (ctx.rng.random(400_000) < p) * xx / p
        results.append(agrees(ctx, "E[m x/p]", estimate(out), xx))
        results.append(agrees(ctx, "Var(m x/p)", estimate((out - xx) ** 2), xx**2 * (1 - p) / p))
    fd = finite_difference(BCE, z_logit, derivative=sigmoid(z_logit) - y_lbl)(ctx)
    return combine(fd, *results)


@identity(
    "bernoulli-dropout",
    aliases=("dropout", "inverted-dropout", "bce-gradient"),
    title="Bernoulli: inverted dropout and the binary cross-entropy",
    section="3.2",
    map_row=r"Bernoulli: dropout mask, binary classification",
    variables={p_keep: probability(), xv: real(-5, 5), y_lbl: interval(0, 1), z_logit: real(-10, 10)},
    claim=Statement(
        "gradient",
        Eq(Derivative(BCE, z_logit), sigmoid(z_logit) - y_lbl),
        text=r"the gradient of the binary cross-entropy in the logit is the residual $\sigma(z) - y$",
    ),
    also=[
        Statement(
            "mean",
            Eq(Sum(BERNOULLI * m * xv / p_keep, (m, 0, 1)), xv),
            text=r"inverted dropout with keep probability $p$ is unbiased: $\mathbb E[m x/p] = x$",
        ),
        Statement(
            "variance",
            Eq(Sum(BERNOULLI * (m * xv / p_keep - xv) ** 2, (m, 0, 1)), xv**2 * (1 - p_keep) / p_keep),
            text=r"$\operatorname{Var}(m x/p) = x^2(1-p)/p$",
        ),
        Statement(
            "BCE",
            Eq(-log(sigmoid(z_logit) ** y_lbl * (1 - sigmoid(z_logit)) ** (1 - y_lbl)), BCE),
            text=r"binary cross-entropy is the negative log of the Bernoulli likelihood with $P(y=1) = \sigma(z)$",
        ),
    ],
    crosscheck=_dropout_check,
    question=Question(
        target=sigmoid(z_logit) - y_lbl,
        prompt=r"Differentiate the binary cross-entropy $-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))$ with respect to "
        r"the logit $z$.",
        names={"sigma": sigmoid, "sigmoid": sigmoid},
        approximations={
            r"the sign is reversed: the gradient is $\sigma(z) - y$": y_lbl - sigmoid(z_logit),
            r"an extra factor $\sigma'(z)$: that is the squared-error gradient's shape": (sigmoid(z_logit) - y_lbl)
            * sigmoid(z_logit)
            * (1 - sigmoid(z_logit)),
        },
    ),
    refs=(
        Ref.book(
            "N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and R. Salakhutdinov (2014), Dropout: a simple way "
            "to prevent neural networks from overfitting, JMLR 15",
            where="Sec. 4",
        ),
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 4.3.2"),
    ),
)
def bernoulli_dropout(d: Derivation) -> None:
    r"""Dropout multiplies each activation by a Bernoulli mask $m$ with keep probability $p$; dividing
    by $p$ at training time (inverted dropout) keeps the expected activation equal to $x$, so nothing
    changes at test time. Binary classifiers model $y \sim \mathrm{Bernoulli}(\sigma(z))$: the loss is
    its negative log-likelihood and the logit gradient is the residual $\sigma(z) - y$."""
    d.begin(Sum(BERNOULLI * m * xv / p_keep, (m, 0, 1)), r"$\mathbb E[m x/p] = \sum_{m\in\{0,1\}} P(m)\,m x/p$")
    d.then(lambda e: e.doit(), r"the terms $m = 0$ and $m = 1$")
    d.conclude("mean")

    d.begin(Sum(BERNOULLI * (m * xv / p_keep - xv) ** 2, (m, 0, 1)), r"$\mathbb E[(m x/p - x)^2]$")
    d.then(lambda e: e.doit(), r"the terms $m = 0$ and $m = 1$")
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("variance")

    d.begin(-log(sigmoid(z_logit) ** y_lbl * (1 - sigmoid(z_logit)) ** (1 - y_lbl)))
    d.then(lambda e: sp.expand_log(e, force=True), "log of the Bernoulli likelihood")
    d.conclude("BCE")

    d.begin(Derivative(BCE, z_logit))
    d.then(lambda e: e.doit(), r"chain rule, $\sigma' = \sigma(1-\sigma)$")
    d.then(lambda e: sp.expand(sp.cancel(e)), r"cancel $\sigma(1-\sigma)$")
    d.conclude("gradient")


# ---------------------------------------------------------------------------------- dirichlet-categorical
alphas = tuple(positive(5, lo=0.1).symbol(f"alpha{k}") for k in (1, 2, 3))
counts = tuple(positive(20).symbol(f"n{k}") for k in (1, 2, 3))
thetas = tuple(probability().symbol(f"theta{k}") for k in (1, 2, 3))
theta = probability().symbol("theta")
N_ALL = sum(counts)


def multivariate_beta(v: tuple[sp.Expr, ...]) -> sp.Expr:
    r""":math:`B(v) = \prod_k \Gamma(v_k) / \Gamma(\sum_k v_k)`, the normaliser of :math:`\mathrm{Dir}(v)`."""
    return sp.Mul(*(sp.gamma(a) for a in v)) / sp.gamma(sum(v))


POST = tuple(a + c for a, c in zip(alphas, counts, strict=True))
PRED = named_function("PosteriorPredictive", r"p(y = 1\mid n)", show_args=False)(*alphas, *counts)
# the worked Beta case (K = 2) with numbers: prior Beta(2, 3), counts (4, 1)
BETA_A, BETA_B, BETA_N1, BETA_N2 = 2, 3, 4, 1


def _beta_density(t: sp.Expr, a: int, b: int) -> sp.Expr:
    return t ** (a - 1) * (1 - t) ** (b - 1) / multivariate_beta((sp.Integer(a), sp.Integer(b)))


def _dirichlet_mc(ctx: CheckContext) -> CrossCheckResult:
    """numpy's Dirichlet sampler: the posterior mean of theta_1 under Dir(alpha + n) against the
    derived predictive, for random alpha and counts (5 standard errors)."""
    predictive = ctx.numpy(ctx.result, [*alphas, *counts])
    results = []
    for _ in range(6):
        a, c = ctx.rng.uniform(0.3, 4.0, 3), ctx.rng.integers(0, 15, 3).astype(float)
        draws = ctx.rng.dirichlet(a + c, size=200_000)
        results.append(agrees(ctx, "E[theta_1 | n]", estimate(draws[:, 0]), predictive(*a, *c)))
    return combine(*results)


def _marginal_mc(ctx: CheckContext) -> CrossCheckResult:
    r"""Monte Carlo of the marginal likelihood:
    :math:`\mathbb E_{\theta\sim\mathrm{Dir}(\alpha)}[\prod_k\theta_k^{n_k}]` from numpy's sampler
    against :math:`B(\alpha + n)/B(\alpha)` (log-gamma), 5 standard errors."""
    from scipy.special import gammaln

    def log_b(v: np.ndarray) -> float:
        return float(np.sum(gammaln(v)) - gammaln(np.sum(v)))

    results = []
    for _ in range(6):
        a, c = ctx.rng.uniform(0.5, 4.0, 3), ctx.rng.integers(0, 5, 3).astype(float)
        draws = ctx.rng.dirichlet(a, size=400_000)
        values = np.prod(draws**c, axis=1)
        results.append(agrees(ctx, "p(n | alpha)", estimate(values), np.exp(log_b(a + c) - log_b(a))))
    return combine(*results)


@identity(
    "dirichlet-categorical",
    aliases=("dirichlet-conjugate", "dirichlet-multinomial", "beta-bernoulli"),
    title="The Dirichlet prior is conjugate to the categorical",
    section="3.2",
    map_row=r"Dirichlet: conjugate to Categorical (topic models, LDA)",
    variables={
        **{a: positive(5, lo=0.1) for a in alphas},
        **{c: positive(20) for c in counts},
        **{t: probability() for t in thetas},
    },
    claim=Statement(
        "predictive",
        Eq(PRED, POST[0] / sum(POST)),
        text=r"the posterior predictive $p(y = k\mid n) = \mathbb E[\theta_k\mid n] = (\alpha_k + "
        r"n_k)/(\sum_j\alpha_j + N)$ "
        r"($K = 3$, shown for $k = 1$)",
    ),
    also=[
        Statement(
            "posterior",
            Eq(
                sp.Mul(*(t ** (a - 1) for t, a in zip(thetas, alphas, strict=True)))
                * sp.Mul(*(t**c for t, c in zip(thetas, counts, strict=True))),
                sp.Mul(*(t ** (a + c - 1) for t, a, c in zip(thetas, alphas, counts, strict=True))),
            ),
            text=r"prior kernel times likelihood is the kernel of $\mathrm{Dir}(\alpha + n)$: the posterior",
        ),
        Statement(
            "Beta predictive",
            Eq(
                Integral(theta * _beta_density(theta, BETA_A + BETA_N1, BETA_B + BETA_N2), (theta, 0, 1)),
                sp.Rational(BETA_A + BETA_N1, BETA_A + BETA_B + BETA_N1 + BETA_N2),
                evaluate=False,  # SymPy would integrate numerically at import to decide it
            ),
            text=r"the Beta case ($K = 2$) by integration, for the prior $\mathrm{Beta}(2, 3)$ and counts $(4, 1)$",
        ),
        Statement(
            "Beta marginal",
            Eq(
                Integral(theta**BETA_N1 * (1 - theta) ** BETA_N2 * _beta_density(theta, BETA_A, BETA_B), (theta, 0, 1)),
                multivariate_beta((sp.Integer(BETA_A + BETA_N1), sp.Integer(BETA_B + BETA_N2)))
                / multivariate_beta((sp.Integer(BETA_A), sp.Integer(BETA_B))),
                evaluate=False,
            ),
            text=r"and the marginal likelihood $B(\alpha + n)/B(\alpha)$ in the same example",
        ),
        numerically(
            "marginal",
            r"$p(n\mid\alpha) = \int\prod_k\theta_k^{n_k}\,\mathrm{Dir}(\theta;\alpha)\,d\theta = B(\alpha + "
            r"n)/B(\alpha)$ "
            r"for $K = 3$",
            _marginal_mc,
        ),
    ],
    definitions={PRED: multivariate_beta((POST[0] + 1, *POST[1:])) / multivariate_beta(POST)},
    crosscheck=_dirichlet_mc,
    question=Question(
        target=POST[0] / sum(POST),
        prompt=r"With a $\mathrm{Dir}(\alpha_1, \alpha_2, \alpha_3)$ prior and observed counts $n_1, n_2, n_3$, what "
        r"is "
        r"the posterior predictive probability that the next draw is category 1?",
        approximations={
            "the prior is missing: this is the maximum-likelihood frequency": counts[0] / N_ALL,
            r"this is the posterior mode, $(\alpha_1 + n_1 - 1)/(\sum\alpha + N - K)$, not the mean": (POST[0] - 1)
            / (sum(POST) - 3),
        },
    ),
    refs=(
        Ref.book("D. M. Blei, A. Y. Ng and M. I. Jordan (2003), Latent Dirichlet Allocation, JMLR 3", where="Sec. 5"),
        Ref.book("K. P. Murphy (2012), Machine Learning: A Probabilistic Perspective", where="Sec. 3.4"),
    ),
)
def dirichlet_categorical(d: Derivation) -> None:
    r"""With a $\mathrm{Dir}(\alpha)$ prior on category probabilities and counts $n_k$, the posterior is
    $\mathrm{Dir}(\alpha + n)$: the prior acts as $\alpha_k$ pseudo-counts. This conjugacy is what makes
    LDA's collapsed Gibbs sampler and add-$\alpha$ smoothing of language models closed-form."""
    d.begin(
        sp.Mul(*(t ** (a - 1) for t, a in zip(thetas, alphas, strict=True)))
        * sp.Mul(*(t**c for t, c in zip(thetas, counts, strict=True))),
        r"$\mathrm{Dir}(\theta;\alpha) \propto \prod_k\theta_k^{\alpha_k-1}$ times the likelihood "
        r"$\prod_k\theta_k^{n_k}$",
        scope="for K = 3",
    )
    d.then(lambda e: sp.powsimp(e), "add the exponents")
    d.conclude("posterior")

    d.begin(PRED, scope="for K = 3")
    d.then(
        multivariate_beta((POST[0] + 1, *POST[1:])) / multivariate_beta(POST),
        r"$\int\theta_1\prod_k\theta_k^{\beta_k-1}d\theta = B(\beta + e_1)$ (the kernel of $\mathrm{Dir}(\beta + "
        r"e_1)$), "
        r"$\beta = \alpha + n$",
    )
    d.then(lambda e: sp.gammasimp(e), r"$\Gamma(b + 1) = b\,\Gamma(b)$")
    d.conclude("predictive")

    d.begin(Integral(theta * _beta_density(theta, BETA_A + BETA_N1, BETA_B + BETA_N2), (theta, 0, 1)))
    d.then(lambda e: e.doit(), "integrate the polynomial")
    d.conclude("Beta predictive")

    d.begin(Integral(theta**BETA_N1 * (1 - theta) ** BETA_N2 * _beta_density(theta, BETA_A, BETA_B), (theta, 0, 1)))
    d.then(lambda e: e.doit(), "integrate the polynomial")
    d.conclude("Beta marginal")


# ------------------------------------------------------------------------------------------- ddpm-forward
beta_t = probability().symbol("beta_t")
abar_prev = probability().symbol("alphabar")  # alpha-bar_{t-1}, printed as a barred alpha
x0 = real(-3, 3).symbol("x_0")
eps = real().symbol("epsilon")
betas = tuple(probability().symbol(f"beta{k}") for k in range(1, 5))
MEAN_T = named_function("MeanStep", r"\mathbb E[x_t\mid x_0]", show_args=False)(beta_t, abar_prev, x0)
VAR_T = named_function("VarStep", r"\operatorname{Var}(x_t\mid x_0)", show_args=False)(beta_t, abar_prev)
MEAN_BODY = sqrt(1 - beta_t) * sqrt(abar_prev) * x0 + sqrt(beta_t) * expectation(eps, eps)
VAR_BODY = (1 - beta_t) * (1 - abar_prev) + beta_t * expectation(eps**2, eps)


def _unrolled_variances() -> list[sp.Expr]:
    """Var(x_t | x_0) for t = 1..4 by running the recursion v_t = (1 - beta_t) v_{t-1} + beta_t, v_0 = 0."""
    v, out = sp.S.Zero, []
    for b in betas:
        v = (1 - b) * v + b
        out.append(v)
    return out


VARS_1_4 = Matrix(
    [
        named_function(f"VarUnrolled{t}", rf"\operatorname{{Var}}(x_{t}\mid x_0)", show_args=False)(*betas)
        for t in range(1, 5)
    ]
)
ABAR = [sp.Mul(*(1 - b for b in betas[:t])) for t in range(1, 5)]


def _ddpm_mc(ctx: CheckContext) -> CrossCheckResult:
    """Run the forward chain x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps_t for T = 12 random
    betas on 200 000 samples; mean and variance of x_T against sqrt(abar_T) x_0 and 1 - abar_T."""
    results = []
    for _ in range(3):
        b = ctx.rng.uniform(0.01, 0.3, 12)
        start = ctx.rng.uniform(-2, 2)
        xt = np.full(200_000, start)
        for bt in b:
            xt = np.sqrt(1 - bt) * xt + np.sqrt(bt) * ctx.rng.normal(size=xt.size)
        abar = np.prod(1 - b)
        results.append(agrees(ctx, "E[x_T]", estimate(xt), np.sqrt(abar) * start))
        results.append(agrees(ctx, "Var(x_T)", estimate((xt - np.sqrt(abar) * start) ** 2), 1 - abar))
    return combine(*results)


@identity(
    "ddpm-forward",
    aliases=("ddpm", "diffusion-forward", "ddpm-marginal"),
    title="The DDPM forward process in closed form",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ in diffusion: $q(x_t\mid x_0) = \mathcal N(\sqrt{\bar\alpha_t}x_0, "
    r"(1-\bar\alpha_t)I)$",
    variables={beta_t: probability(), abar_prev: probability(), x0: real(-3, 3), **{b: probability() for b in betas}},
    claim=Statement(
        "mean step",
        Eq(MEAN_T, sqrt((1 - beta_t) * abar_prev) * x0),
        text=r"if $\mathbb E[x_{t-1}\mid x_0] = \sqrt{\bar\alpha_{t-1}}x_0$ then $\mathbb E[x_t\mid x_0] = "
        r"\sqrt{\bar\alpha_t}x_0$, "
        r"$\bar\alpha_t = (1-\beta_t)\bar\alpha_{t-1}$",
    ),
    also=[
        Statement(
            "variance step",
            Eq(VAR_T, 1 - (1 - beta_t) * abar_prev),
            text=r"if $\operatorname{Var}(x_{t-1}\mid x_0) = 1 - \bar\alpha_{t-1}$ then $\operatorname{Var}(x_t\mid "
            r"x_0) = 1 - \bar\alpha_t$",
        ),
        Statement(
            "t = 1..4",
            Eq(VARS_1_4, Matrix([1 - a for a in ABAR])),
            text=r"unrolled from $x_0$: $\operatorname{Var}(x_t\mid x_0) = 1 - \prod_{s\le t}(1-\beta_s)$ for $t = "
            r"1, \dots, 4$",
        ),
    ],
    definitions={MEAN_T: MEAN_BODY, VAR_T: VAR_BODY, **dict(zip(VARS_1_4, _unrolled_variances(), strict=True))},
    crosscheck=_ddpm_mc,
    question=Question(
        target=1 - sp.Mul(*(1 - b for b in betas)),
        prompt=r"With $x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t$, what is "
        r"$\operatorname{Var}(x_4\mid x_0)$?",
        approximations={
            r"this is $\sum_s\beta_s$: the noise already added shrinks by $1-\beta$ at every later step": sum(betas),
            r"this is $\bar\alpha_4$, the signal fraction, not the noise variance": sp.Mul(*(1 - b for b in betas)),
        },
    ),
    refs=(
        Ref.arxiv(
            "2006.11239",
            "J. Ho, A. Jain and P. Abbeel, Denoising Diffusion Probabilistic Models, 2020",
            where="Sec. 2, eq. (4)",
        ),
    ),
)
def ddpm_forward(d: Derivation) -> None:
    r"""DDPM corrupts data by $x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t$. Because Gaussians
    compose, $x_t$ given $x_0$ is Gaussian with mean $\sqrt{\bar\alpha_t}x_0$ and variance $1 - \bar\alpha_t$,
    $\bar\alpha_t = \prod_{s\le t}(1-\beta_s)$: training samples any $x_t$ in one step instead of $t$,
    and the variance stays 1 for unit-variance data (variance preserving)."""
    d.begin(MEAN_T, r"induction step: $\mathbb E[x_{t-1}\mid x_0] = \sqrt{\bar\alpha_{t-1}}x_0$, written $\bar\alpha$")
    d.then(MEAN_BODY, r"$x_t = \sqrt{1-\beta_t}x_{t-1} + \sqrt{\beta_t}\varepsilon$, linearity of $\mathbb E$")
    d.then(
        integrate,
        r"$\mathbb E[\varepsilon] = 0$; this is $\sqrt{(1-\beta_t)\bar\alpha_{t-1}}\,x_0 = \sqrt{\bar\alpha_t}\,x_0$",
    )
    d.conclude("mean step")

    d.begin(
        VAR_T, r"$\operatorname{Var}(x_{t-1}\mid x_0) = 1 - \bar\alpha_{t-1}$, $\varepsilon$ independent of $x_{t-1}$"
    )
    d.then(
        VAR_BODY,
        r"variances of independent terms add: $(1-\beta_t)\operatorname{Var}(x_{t-1}) + \beta_t\mathbb "
        r"E[\varepsilon^2]$",
    )
    d.then(integrate, r"$\mathbb E[\varepsilon^2] = 1$")
    d.then(lambda e: sp.expand(e), "expand")
    d.then(1 - (1 - beta_t) * abar_prev, r"$= 1 - \bar\alpha_t$")
    d.conclude("variance step")

    d.begin(VARS_1_4, scope="for t = 1, 2, 3, 4")
    d.then(Matrix(_unrolled_variances()), r"the recursion $v_t = (1-\beta_t)v_{t-1} + \beta_t$ from $v_0 = 0$")
    d.then(lambda e: e.applyfunc(sp.factor), r"factor: $1 - \prod_{s\le t}(1-\beta_s)$")
    d.conclude("t = 1..4")
