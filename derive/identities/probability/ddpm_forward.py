r"""The DDPM forward process in closed form.

DDPM corrupts data by $x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t$; because Gaussians
compose, $q(x_t\mid x_0) = \mathcal N(\sqrt{\bar\alpha_t}x_0, (1-\bar\alpha_t)I)$ with $\bar\alpha_t =
\prod_{s\le t}(1-\beta_s)$, so training samples any $x_t$ in one step and the variance stays 1 for
unit-variance data (map 3.2, $\mathcal N(\mu, \Sigma)$ in diffusion). Ho, Jain and Abbeel (2020), Denoising
Diffusion Probabilistic Models, Sec. 2, eq. (4).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, sqrt

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    induction_statements,
    integer,
    named_function,
    notation,
    positive,
    probability,
    prove_by_induction,
    real,
)
from derive.core.facts import INDEPENDENCE, MGF_UNIQUENESS
from derive.maths.gaussian import expectation, integrate
from derive.maths.recurrences import unrolled
from derive.numeric.montecarlo import agrees, estimate

# -- symbols ---------------------------------------------------------------------------------------
RATE = probability()
DATA = real(-3, 3)
beta_t = RATE.symbol("beta_t")
abar_prev = RATE.symbol("alphabar")  # alpha-bar_{t-1}, printed as a barred alpha
x0 = DATA.symbol("x_0")
eps = real().symbol("epsilon")  # the standard normal noise
betas = tuple(RATE.symbol(f"beta{k}") for k in range(1, 5))
MEAN_T = named_function("MeanStep", r"\mathbb E[x_t\mid x_0]", show_args=False)(beta_t, abar_prev, x0)
VAR_T = named_function("VarStep", r"\operatorname{Var}(x_t\mid x_0)", show_args=False)(beta_t, abar_prev)
MEAN_BODY = sqrt(1 - beta_t) * sqrt(abar_prev) * x0 + sqrt(beta_t) * expectation(eps, eps)
VAR_BODY = (1 - beta_t) * (1 - abar_prev) + beta_t * expectation(eps**2, eps)


#: the MGF of the step: lambda, and x_{t-1} | x_0 ~ N(m, v) (the induction hypothesis)
lam = real(-2, 2).symbol("lambda")
m_prev = DATA.symbol("m")
v_prev = positive(2).symbol("v")
MGF_PREV = sp.exp(lam * sqrt(1 - beta_t) * m_prev + (lam * sqrt(1 - beta_t)) ** 2 * v_prev / 2)
MGF_NOISE = expectation(sp.exp(lam * sqrt(beta_t) * eps), eps)
MGF_STEP = notation(r"\mathbb E\bigl[e^{\lambda x_t}\mid x_0\bigr]", MGF_PREV * MGF_NOISE, "E[exp(lambda x_t) | x_0]")
MGF_NEXT = sp.exp(lam * sqrt(1 - beta_t) * m_prev + lam**2 * ((1 - beta_t) * v_prev + beta_t) / 2)

#: log alpha-bar_t by induction on t: log abar_t = log abar_{t-1} + log(1 - beta_t), log abar_0 = 0
STEPS = integer(1, 12)
t = STEPS.symbol("t")
k = sp.Symbol("k", integer=True, positive=True)
beta = sp.IndexedBase("beta", positive=True)
SCHEDULE = real(sp.Rational(1, 100), sp.Rational(1, 2))


def _log_abar(s: sp.Expr) -> sp.Expr:
    r"""$\log\bar\alpha_s = \sum_{k=1}^{s}\log(1-\beta_k)$, i.e. $\bar\alpha_s = \prod_{k\le s}(1-\beta_k)$."""
    return unrolled(sp.S.One, _drive, s, k)


def _drive(s: sp.Expr) -> sp.Expr:
    return sp.log(1 - beta[s])


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "mean step",
    Eq(MEAN_T, sqrt((1 - beta_t) * abar_prev) * x0),
    text=r"if $\mathbb E[x_{t-1}\mid x_0] = \sqrt{\bar\alpha_{t-1}}x_0$ then $\mathbb E[x_t\mid x_0] = "
    r"\sqrt{\bar\alpha_t}x_0$, "
    r"$\bar\alpha_t = (1-\beta_t)\bar\alpha_{t-1}$",
)
VARIANCE_STEP = Statement(
    "variance step",
    Eq(VAR_T, 1 - (1 - beta_t) * abar_prev),
    text=r"if $\operatorname{Var}(x_{t-1}\mid x_0) = 1 - \bar\alpha_{t-1}$ then $\operatorname{Var}(x_t\mid "
    r"x_0) = 1 - \bar\alpha_t$",
)
GAUSSIAN_STEP = Statement(
    "Gaussian step",
    Eq(MGF_STEP, MGF_NEXT),
    text=r"if $x_{t-1}\mid x_0 \sim \mathcal N(m, v)$ then $x_t\mid x_0 \sim \mathcal N(\sqrt{1-\beta_t}\,m,\ "
    r"(1-\beta_t)v + \beta_t)$: the moment generating function of the linear-Gaussian step ($\varepsilon_t$ "
    r"independent of $x_{t-1}$); with the mean and variance steps, $q(x_t\mid x_0)$ is Gaussian for every $t$",
)
ABAR_BASE, ABAR_STEP = induction_statements(
    _log_abar, sp.S.One, _drive, t, name=r"\log\bar\alpha", base="abar_0 = 1", step="abar_t product"
)
ABAR_STEP = Statement(
    ABAR_STEP.label,
    ABAR_STEP.relation,
    text=r"$\log\bar\alpha_t = \sum_{k\le t}\log(1-\beta_k)$ satisfies $\log\bar\alpha_t = "
    r"\log\bar\alpha_{t-1} + \log(1-\beta_t)$, $\log\bar\alpha_0 = 0$: so $\bar\alpha_t = "
    r"\prod_{k\le t}(1-\beta_k)$ for every $t$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 - sp.Mul(*(1 - b for b in betas)),
    prompt=r"With $x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t$, what is "
    r"$\operatorname{Var}(x_4\mid x_0)$?",
    approximations={
        r"this is $\sum_s\beta_s$: the noise already added shrinks by $1-\beta$ at every later step": sum(betas),
        r"this is $\bar\alpha_4$, the signal fraction, not the noise variance": sp.Mul(*(1 - b for b in betas)),
    },
)
REFS = (Ref.cite("ho2020", where="Sec. 2, eq. (4)"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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

    d.begin(
        MGF_STEP,
        r"$\mathbb E[e^{\lambda x_t}] = \mathbb E[e^{\lambda\sqrt{1-\beta_t}x_{t-1}}]\,"
        r"\mathbb E[e^{\lambda\sqrt{\beta_t}\varepsilon}]$, the first the MGF of $\mathcal N(m, v)$",
    )
    d.assume(INDEPENDENCE)
    d.then(integrate, r"the Gaussian integral of $e^{\lambda\sqrt{\beta_t}\varepsilon}$")
    d.then(lambda e: sp.powsimp(sp.expand(e)), r"$\operatorname{erf}$ terms cancel; one exponential")
    d.assume(MGF_UNIQUENESS, MGF_NEXT, r"the MGF of $\mathcal N(\sqrt{1-\beta_t}m, (1-\beta_t)v + \beta_t)$")
    d.note(
        r"By induction on $t$: $x_0\mid x_0 = \mathcal N(x_0, 0)$ is $\mathcal N(\sqrt{\bar\alpha_0}x_0, "
        r"1 - \bar\alpha_0)$ ($\bar\alpha_0 = 1$), and the Gaussian, mean and variance steps carry "
        r"$\mathcal N(\sqrt{\bar\alpha_{t-1}}x_0, 1-\bar\alpha_{t-1})$ to $\mathcal N(\sqrt{\bar\alpha_t}x_0, "
        r"1-\bar\alpha_t)$."
    )
    d.conclude("Gaussian step")

    prove_by_induction(d, _log_abar, sp.S.One, _drive, t, k, base="abar_0 = 1", step="abar_t product")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Run the forward chain x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps_t for T = 12 random
    betas on 200 000 samples; mean and variance of x_T against sqrt(abar_T) x_0 and 1 - abar_T."""
    results = []
    for _ in range(3):
        b = ctx.rng.uniform(0.01, 0.3, 12)
        start = ctx.rng.uniform(-2, 2)
        xt = np.full(200_000, start)
        for bt in b:
            xt = np.sqrt(1 - bt) * xt + np.sqrt(bt) * ctx.rng.normal(size=xt.size)
        abar = float(np.prod(1 - b))
        results.append(agrees(ctx, "E[x_T]", estimate(xt), np.sqrt(abar) * start))
        results.append(agrees(ctx, "Var(x_T)", estimate((xt - np.sqrt(abar) * start) ** 2), 1 - abar))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
DDPM_FORWARD = declare(
    "ddpm-forward",
    aliases=("ddpm", "diffusion-forward", "ddpm-marginal"),
    title="The DDPM forward process in closed form",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ in diffusion: $q(x_t\mid x_0) = \mathcal N(\sqrt{\bar\alpha_t}x_0, "
    r"(1-\bar\alpha_t)I)$",
    variables={
        beta_t: RATE,
        abar_prev: RATE,
        x0: DATA,
        **{b: RATE for b in betas},
        lam: real(-2, 2),
        m_prev: DATA,
        v_prev: positive(2),
        t: STEPS,
        beta: SCHEDULE,
    },
    definitions={MEAN_T: MEAN_BODY, VAR_T: VAR_BODY},
    claim=CLAIM,
    also=(VARIANCE_STEP, GAUSSIAN_STEP, ABAR_BASE, ABAR_STEP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
