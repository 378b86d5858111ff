r"""The reparameterisation gradient.

Writing $z = \mu + s\varepsilon$ with $\varepsilon\sim\mathcal N(0, 1)$ moves the parameters inside the
expectation: $\partial_\mu \mathbb E[f(z)] = \mathbb E[f'(z)]$ and $\partial_s \mathbb E[f(z)] = \mathbb
E[\varepsilon f'(z)]$, estimated with the same samples. This is how a VAE backpropagates through its
sampled latent (map 3.1, VAE training). Kingma and Welling (2014), Auto-Encoding Variational Bayes,
Sec. 2.4; Rezende, Mohamed and Wierstra (2014), Sec. 3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    named_function,
    real,
)
from derive.maths.gaussian import expectation, integrate
from derive.numeric.montecarlo import agrees, estimate, normal_expectation

from ._shared import ENCODER_SD, MEAN, mu, s

# -- symbols ---------------------------------------------------------------------------------------
# mu and s are the chapter's (_shared); this page samples s over ENCODER_SD
COEFFICIENT = real(-2, 2)
eps = real().symbol("epsilon")  # the standard normal noise
a_coef = tuple(COEFFICIENT.symbol(f"a{k}") for k in range(5))  # f(z) = a0 + a1 z + ... + a4 z^4
_zv = sp.Dummy("z", real=True)
F_POLY = sp.Lambda(_zv, sum(a * _zv**k for k, a in enumerate(a_coef)))
F_PRIME = sp.Lambda(_zv, sp.diff(F_POLY(_zv), _zv))
Z_REPARAM = mu + s * eps


def _e_eps(f: sp.Expr) -> sp.Integral:
    """E over eps ~ N(0, 1) of a polynomial in eps, expanded so that SymPy integrates it monomial by
    monomial (unexpanded, it takes a detour through erfc that only cancels numerically)."""
    return expectation(f, eps, expand=True)


E_F = named_function("Ef", r"\mathbb E[f(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_FPRIME = named_function("Efprime", r"\mathbb E[f'(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_EPS_FPRIME = named_function("Eepsfprime", r"\mathbb E[\varepsilon f'(\mu + s\varepsilon)]", show_args=False)(mu, s)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "d/dmu",
    Eq(Derivative(E_F, mu), E_FPRIME),
    text=r"$\partial_\mu \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[f'(z)]$ (for a polynomial $f$ of degree 4)",
)
D_DS = Statement(
    "d/ds",
    Eq(Derivative(E_F, s), E_EPS_FPRIME),
    text=r"$\partial_s \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[\varepsilon f'(z)]$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=12 * mu**2 * s + 12 * s**3,
    prompt=r"Let $z = \mu + s\varepsilon$, $\varepsilon\sim\mathcal N(0, 1)$. Compute "
    r"$\frac{\partial}{\partial s}\mathbb E[z^4]$.",
    approximations={
        r"this is $\mathbb E[f'(z)] = \mathbb E[4z^3]$, the $\mu$-derivative: "
        r"the factor $\varepsilon$ is missing": 4 * mu**3 + 12 * mu * s**2,
        r"$\mathbb E[\varepsilon^4] = 3$ was taken as 1": 12 * mu**2 * s + 4 * s**3,
    },
)
REFS = (
    Ref.cite("kingma2014", where="Sec. 2.4"),
    Ref.cite("rezende2014", where="Sec. 3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A VAE needs the gradient of $\mathbb E_{z\sim\mathcal N(\mu, s^2)}[f(z)]$ in $\mu$ and $s$. Writing
    $z = \mu + s\varepsilon$ with $\varepsilon\sim\mathcal N(0,1)$ moves the parameters inside the
    expectation, so the gradient is an expectation of ordinary derivatives,
    $\mathbb E[f'(z)]$ and $\mathbb E[\varepsilon f'(z)]$, estimated with the same samples: backprop
    through the sample. Here both sides are computed in closed form for a polynomial of degree 4."""
    for wrt, label in ((mu, "d/dmu"), (s, "d/ds")):
        d.begin(Derivative(E_F, wrt), scope="for f a polynomial of degree 4")
        d.then(
            lambda e: integrate(d.unfold(e), expand=True),
            r"$f(z) = a_0 + a_1 z + \dots + a_4 z^4$ expanded in $\varepsilon\sim\mathcal N(0, 1)$, integrated "
            r"with the Gaussian moments $\mathbb E[\varepsilon^k] = 0, 1, 0, 3$ for $k = 1..4$",
        )
        d.then(lambda e: sp.expand(e.doit()), rf"differentiate in ${sp.latex(wrt)}$")
        d.note(
            r"the right side, computed separately: "
            + (
                r"$\mathbb E[f'(\mu + s\varepsilon)]$"
                if wrt == mu
                else r"$\mathbb E[\varepsilon f'(\mu + s\varepsilon)]$"
            )
            + " by the same Gaussian moments; the conclusion checks they agree"
        )
        d.conclude(label)


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """For f = sin and f = exp: Monte Carlo estimates of E[f'(z)] and E[eps f'(z)] (z = mu + s eps,
    seeded draws) against central differences in mu and s of E[f(z)] computed by Gauss-Hermite
    quadrature. Tolerance: 5 standard errors of the Monte Carlo mean."""
    results = []
    h = 1e-5
    for name, f, fprime in (("sin", np.sin, np.cos), ("exp", np.exp, np.exp)):
        for _ in range(3):
            m, sd = ctx.rng.uniform(-1.5, 1.5), ctx.rng.uniform(0.2, 1.5)
            e = ctx.rng.normal(size=200_000)
            z = m + sd * e
            d_mu = (normal_expectation(f, m + h, sd) - normal_expectation(f, m - h, sd)) / (2 * h)
            d_s = (normal_expectation(f, m, sd + h) - normal_expectation(f, m, sd - h)) / (2 * h)
            results.append(agrees(ctx, f"d/dmu E[{name}(z)]", estimate(fprime(z)), d_mu))
            results.append(agrees(ctx, f"d/ds E[{name}(z)]", estimate(e * fprime(z)), d_s))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
REPARAMETERIZATION = declare(
    "reparameterization",
    aliases=("reparameterisation", "reparameterization-trick", "reparam"),
    title="The reparameterisation gradient",
    section="3.1",
    map_row=r"VAE training: $z = \mu + s\varepsilon$, $\varepsilon\sim\mathcal N(0,1)$, gradients through the sample",
    variables={mu: MEAN, s: ENCODER_SD, **{a: COEFFICIENT for a in a_coef}},
    numeric_samples=128,
    definitions={
        E_F: _e_eps(F_POLY(Z_REPARAM)),
        E_FPRIME: _e_eps(F_PRIME(Z_REPARAM)),
        E_EPS_FPRIME: _e_eps(eps * F_PRIME(Z_REPARAM)),
    },
    claim=CLAIM,
    also=(D_DS,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-gaussian-standard",),
)
