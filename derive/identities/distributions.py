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
from sympy import Eq, Integral, Limit, Matrix, Sum, exp, log, oo, pi, sqrt, symbols

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.functions import named_function
from ..moves.gaussian import expectation, integrate
from ..moves.matrices import cayley_orthogonal
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine, quadrature
from ..numeric.domains import integer, positive, real
from ..numeric.montecarlo import agrees, estimate

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
        Eq(NORMALIZER_2D, 2 * pi * sqrt(lam1 * lam2)),
        text=r"$|\det R| = 1$, so $\int e^{-x^\top\Sigma^{-1}x/2}dx = (2\pi)^{d/2}|\Sigma|^{1/2}$ for $d = 2$",
    ),
    also=[
        Statement(
            "1-D",
            Eq(Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)), sqrt(2 * pi) * s),
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
            Eq(RELU2, s**2 / 2),
            text=r"$\mathbb E[\operatorname{relu}(z)^2] = \operatorname{Var}(z)/2$ for $z\sim\mathcal N(0, s^2)$",
        ),
        Statement("He", Eq(v_he, 2 / n_in), text=r"with ReLU, keeping the variance needs $n_{in}v\cdot\frac12 = 1$"),
    ],
    definitions={RELU2: expectation(x**2, x, 0, s, lo=0)},
    crosscheck=_depth_check,
    question=Question(
        target=2 / n_in,
        prompt=r"For a ReLU layer with $n_{in}$ inputs and weights $w \sim \mathcal N(0, v)$, which $v$ keeps the "
        r"second moment of the activations constant from layer to layer?",
        approximations={
            r"$1/n_{in}$ is the LeCun/Xavier choice for linear units: ReLU halves the second moment": 1 / n_in
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
