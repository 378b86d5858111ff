r"""KL divergence from a Gaussian to the standard normal.

$\mathrm{KL}(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)) = \frac12(\mu^2 + s^2 - 1 - \log s^2)$, summed over the
dimensions of a diagonal Gaussian: the closed-form KL term of the VAE objective, which needs no sampling
and pulls the encoder towards $\mu = 0$, $s = 1$ (map 3.1, the ELBO KL term). The 1-D integral is computed,
and lifted to a diagonal Gaussian of any dimension $d$: the log-ratio splits into a sum over coordinates
(computed for symbolic $d$), and each coordinate's expectation is the 1-D integral. Kingma and Welling (2014),
Auto-Encoding Variational Bayes, App. B.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, log, symbols

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    discrete,
    integer,
    named_function,
    real,
)
from derive.maths.gaussian import (
    coordinatewise,
    expectation,
    integrate,
    log_diagonal_pdf,
    log_normal_pdf,
    normal_pdf,
    split_log_product,
)
from derive.numeric.montecarlo import normal_quad

from ._shared import ENCODER_SD, MEAN, mu, s

# -- symbols ---------------------------------------------------------------------------------------
# mu and s are the chapter's (_shared); this page samples s over ENCODER_SD
x = real().symbol("x")
mus, ss = symbols("mu1 mu2", real=True), symbols("s1 s2", positive=True)
KL_STANDARD = (mu**2 + s**2 - 1 - log(s**2)) / 2
ts2 = symbols("t1 t2", real=True)  # standardised coordinates: x_j = mu_j + s_j t_j
_z2 = [m + v * t for m, v, t in zip(mus, ss, ts2, strict=True)]
# expanded into monomials times the two densities: SymPy's doit (used by the ladder) then takes
# a fraction of a second instead of several seconds
KL_DIAG_2 = sp.Integral(
    sp.expand(
        normal_pdf(ts2[0])
        * normal_pdf(ts2[1])
        * sum(log_normal_pdf(z, m, v) - log_normal_pdf(z) for z, m, v in zip(_z2, mus, ss, strict=True)),
        power_exp=False,
        log=False,
    ),
    (ts2[0], -sp.oo, sp.oo),
    (ts2[1], -sp.oo, sp.oo),
)
KL_NAME = named_function(
    "KLStandard", r"\mathrm{KL}\big(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)\big)", show_args=False
)(mu, s)
KL2_NAME = named_function(
    "KLDiagonal",
    r"\mathrm{KL}\big(\mathcal N(\mu, \operatorname{diag}(s_1^2, s_2^2))\,\|\,\mathcal N(0, I)\big)",
    show_args=False,
)(*mus, *ss)

# -- a diagonal Gaussian of any dimension d: coordinates mu_i, s_i, x_i for i = 1..d --------------
DIMENSION = integer(1, 6)
dim = DIMENSION.symbol("d")
ci = sp.Symbol("i", integer=True, positive=True)
muI, sI, xI = sp.IndexedBase("mu", real=True), sp.IndexedBase("s", positive=True), sp.IndexedBase("x", real=True)
COORD = {mu: muI[ci], s: sI[ci], x: xI[ci]}
LOG_RATIO_D = log_diagonal_pdf(xI, muI[ci], sI[ci], ci, dim) - log_diagonal_pdf(xI, 0, 1, ci, dim)
LOG_RATIO_SUM = coordinatewise(log_normal_pdf(x, mu, s) - log_normal_pdf(x), COORD, ci, dim)
KL_D_SUM = coordinatewise(KL_STANDARD, COORD, ci, dim)
KLD_NAME = named_function(
    "KLDiagonalAnyD",
    r"\mathrm{KL}\big(\mathcal N(\mu, \operatorname{diag}(s_1^2, \dots, s_d^2))\,\|\,\mathcal N(0, I_d)\big)",
    show_args=False,
)(dim)


def _kl_integral(q: sp.Expr, p: sp.Expr, var: sp.Symbol, mu_q: sp.Expr, s_q: sp.Expr) -> sp.Integral:
    """KL(q || p) = E_q[log(q/p)] for a normal q, as the Gaussian move's integral."""
    return expectation(log(q / p), var, mu_q, s_q)


def _coordinate_kls() -> sp.Sum:
    r""":math:`\sum_{i=1}^d \mathbb E_{t \sim \mathcal N(0, 1)}[\log \mathcal N(x_i; \mu_i, s_i^2) -
    \log \mathcal N(x_i; 0, 1)]` at :math:`x_i = \mu_i + s_i t`: the expectation of the split log-ratio
    under the product density, one 1-D integral per coordinate (the other coordinates' densities
    integrate to one); the log-ratio there is a quadratic in :math:`t`, collected (a fast ``doit``, and
    a short integrand for the numeric check)."""
    ratio = LOG_RATIO_SUM.function.xreplace({xI[ci]: muI[ci] + sI[ci] * ts2[0]})
    return sp.Sum(expectation(sp.collect(sp.expand(ratio), ts2[0]), ts2[0]), (ci, 1, dim))


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "KL",
    Eq(KL_NAME, KL_STANDARD),
    text=r"$\mathrm{KL}(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)) = \frac12(\mu^2 + s^2 - 1 - \log s^2)$",
)
LOG_RATIO_ANY_D = Statement(
    "log ratio (any d)",
    Eq(LOG_RATIO_D, LOG_RATIO_SUM),
    text=r"$\log q(x) - \log p(x)$ for $q = \mathcal N(\mu, \operatorname{diag}(s^2))$ and $p = \mathcal N(0, I_d)$ "
    r"is the sum over the $d$ coordinates of the 1-D log-ratios, for every $d$",
)
DIAGONAL_ANY_D = Statement(
    "diagonal (any d)",
    Eq(KLD_NAME, KL_D_SUM),
    text=r"for a diagonal Gaussian in any dimension $d$ the KL is $\sum_{i=1}^d \frac12(\mu_i^2 + s_i^2 - 1 - "
    r"\log s_i^2)$: the expectation of the log-ratio above, one 1-D integral per coordinate (linearity and "
    r"Fubini, the other coordinates' densities integrating to one; that reduction is computed by a 2-D "
    r"integral for $d = 2$, and each 1-D integral is computed for symbolic $d$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=KL_STANDARD,
    prompt=r"Compute $\mathrm{KL}\big(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)\big)$.",
    approximations={
        r"the $-1$ is missing": (mu**2 + s**2 - log(s**2)) / 2,
        r"$\log s$ instead of $\log s^2$": (mu**2 + s**2 - 1 - log(s)) / 2,
        r"this is the reverse divergence $\mathrm{KL}(\mathcal N(0,1)\,\|\,\mathcal N(\mu, s^2))$": (1 + mu**2)
        / (2 * s**2)
        - sp.Rational(1, 2)
        + log(s),
    },
)
REFS = (Ref.cite("kingma2014", where="App. B"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The VAE objective penalises the encoder's Gaussian $q(z\mid x) = \mathcal N(\mu, s^2)$ by its KL
    divergence from the prior $\mathcal N(0, 1)$. In closed form it is $\frac12(\mu^2 + s^2 - 1 - \log s^2)$
    per latent dimension: no sampling is needed for this term, and its gradient pulls $\mu \to 0$
    and $s \to 1$."""
    d.begin(KL_NAME)
    d.then(_kl_integral(normal_pdf(x, mu, s), normal_pdf(x), x, mu, s), r"$\mathrm{KL}(q\|p) = \mathbb E_q[\log q/p]$")
    d.then(
        lambda e: expectation(sp.expand(sp.expand_log(e.function / normal_pdf(x, mu, s), force=True)), x, mu, s),
        r"$\log\frac{q}{p} = -\log s - \frac{(x-\mu)^2}{2s^2} + \frac{x^2}{2}$",
    )
    d.then(
        integrate,
        r"Gaussian moments $\mathbb E[x] = \mu$, $\mathbb E[(x-\mu)^2] = s^2$, $\mathbb E[x^2] = \mu^2 + s^2$",
    )
    d.then(KL_STANDARD, r"$\log s = \frac12\log s^2$")
    d.conclude("KL")

    d.begin(LOG_RATIO_D, title="The log-ratio of diagonal Gaussians, any $d$")
    d.then(
        split_log_product,
        r"the log of a product of densities is the sum of their logs, $\log\prod_i = \sum_i \log$ "
        r"(computed for symbolic $d$)",
    )
    d.then(LOG_RATIO_SUM, r"each term is the 1-D log-ratio of coordinate $i$")
    d.conclude("log ratio (any d)")

    d.begin(KLD_NAME, title="A diagonal Gaussian in any dimension $d$")
    d.then(
        _coordinate_kls(),
        r"$\mathbb E_q$ of the log-ratio above: by linearity one expectation per coordinate, in which only "
        r"$x_i = \mu_i + s_i t \sim \mathcal N(\mu_i, s_i^2)$ enters (Fubini: the other densities integrate to one)",
    )
    d.then(integrate, r"each coordinate's 1-D Gaussian integral, computed at $(\mu_i, s_i)$ inside the sum")
    d.then(KL_D_SUM, r"$\log s_i = \frac12\log s_i^2$: one 1-D KL per coordinate")
    d.conclude("diagonal (any d)")
    d.keep("KL any d", KL_D_SUM)

    d.begin(KL2_NAME, scope="for d = 2", title="Worked example: the 2-D integral itself")
    d.then(
        KL_DIAG_2,
        r"$\mathbb E_{t\sim\mathcal N(0, I)}[\log q(\mu + s\odot t) - \log p(\mu + s\odot t)]$: "
        r"$\log q - \log p$ of diagonal Gaussians is a sum over dimensions",
    )
    d.then(lambda e: integrate(e, expand=True), "Gaussian moments of $t_1, t_2$ (each density integrates to 1)")
    d.then(
        sum((m**2 + v**2 - 1 - log(v**2)) / 2 for m, v in zip(mus, ss, strict=True)),
        "one KL per dimension: the reduction to 1-D integrals, computed in two dimensions",
    )
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def _log_ratio(m: float, sd: float) -> Callable[[float], float]:
    """t -> log N(t; m, sd^2) - log N(t; 0, 1), from the two log-densities (no underflow in the tails)."""

    def f(t: float) -> float:
        return float((-((t - m) ** 2) / (2 * sd**2) - np.log(sd)) - (-(t**2) / 2))

    return f


def _kl_matrix_form(m: np.ndarray, c: np.ndarray) -> float:
    """KL(N(m, C) || N(0, I)) = (tr C + m^T m - d - log det C)/2 with numpy.linalg (any covariance)."""
    return 0.5 * float(np.trace(c) + m @ m - len(m) - np.linalg.slogdet(c)[1])


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """QUADPACK integration of q log(q/p), with the log-ratio from the two log-densities (no
    underflow in the tails), against the derived closed form; the sum derived for symbolic d, written
    out at d = 1, 3, 8, 40, against the matrix form (trace and log-determinant by numpy.linalg)."""
    closed = ctx.numpy(ctx.result, [mu, s])
    values = ctx.sample(16)
    got = [
        normal_quad(_log_ratio(float(m), float(sd)), float(m), float(sd))
        for m, sd in zip(values[mu], values[s], strict=True)
    ]
    one_d = ctx.compare(
        "KL by quadrature", "numerical integration (QUADPACK)", np.array(got), closed(values[mu], values[s]), rtol=1e-8
    )
    derived, want = [], []
    for size in (1, 3, 8, 40):
        m, sd = ctx.rng.uniform(-3, 3, size), ctx.rng.uniform(0.05, 4, size)
        derived.append(float(discrete.at_size(ctx.values["KL any d"], dim, {muI: m, sI: sd})))
        want.append(_kl_matrix_form(m, np.diag(sd**2)))
    any_d = ctx.compare(
        "KL for d = 1, 3, 8, 40", "matrix form (numpy.linalg)", np.array(derived), np.array(want), rtol=1e-10
    )
    return combine(one_d, any_d)


# -- the declaration -------------------------------------------------------------------------------
KL_GAUSSIAN_STANDARD = declare(
    "kl-gaussian-standard",
    aliases=("kl-vae", "vae-kl", "kl-standard-normal"),
    title="KL divergence from a Gaussian to the standard normal",
    section="3.1",
    map_row=r"ELBO KL term $\mathrm{KL}(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0,1))$; VAE",
    variables={
        mu: MEAN,
        s: ENCODER_SD,
        **{m: MEAN for m in mus},
        **{v: ENCODER_SD for v in ss},
        dim: DIMENSION,
        ci: integer(1, dim),
        muI: MEAN,
        sI: ENCODER_SD,
        xI: real(),
    },
    definitions={
        KL_NAME: _kl_integral(normal_pdf(x, mu, s), normal_pdf(x), x, mu, s),
        KL2_NAME: KL_DIAG_2,
        KLD_NAME: _coordinate_kls(),
    },
    claim=CLAIM,
    also=(LOG_RATIO_ANY_D, DIAGONAL_ANY_D),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
