r"""The reparameterisation gradient.

Writing $z = \mu + s\varepsilon$ with $\varepsilon\sim\mathcal N(0, 1)$ moves the parameters inside the
expectation: $\partial_\mu \mathbb E[f(z)] = \mathbb E[f'(z)]$ and $\partial_s \mathbb E[f(z)] = \mathbb
E[\varepsilon f'(z)]$, estimated with the same samples. This is how a VAE backpropagates through its
sampled latent (map 3.1, VAE training). Kingma and Welling (2014), Auto-Encoding Variational Bayes,
Sec. 2.4; Rezende, Mohamed and Wierstra (2014), Sec. 3.

Proved for a general smooth $f$ (an undefined SymPy function) whose derivative grows at most
polynomially: $\mathbb E[f(z)]$ is an integral against the standard normal density, the derivative
moves under it by the cited rule of differentiation under the integral sign (Billingsley, Thm. 16.8),
and SymPy's chain rule gives the integrands $f'(z)$ and $\varepsilon f'(z)$. Each statement is written
as a difference that vanishes, so that its check evaluates the whole left side independently: for
seeded smooth instances of $f$, finite differences of a quadrature against a quadrature.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sympy as sp
from sympy import Derivative, Eq
from sympy.core.function import AppliedUndef

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
from derive.core.facts import DIFFERENTIATION_UNDER_INTEGRAL
from derive.numeric.montecarlo import agrees, estimate, normal_expectation

from ._shared import ENCODER_SD, MEAN, mu, s

# -- symbols ---------------------------------------------------------------------------------------
# mu and s are the chapter's (_shared); this page samples s over ENCODER_SD
eps = real().symbol("epsilon")  # the standard normal noise
f = sp.Function("f", real=True)  # any smooth f with f' of at most polynomial growth
_zv = sp.Dummy("z", real=True)
Z_REPARAM = mu + s * eps


class _At(sp.Subs):
    """``f'(z)`` at ``z = p``, ``Subs(Derivative(f(z), z), z, p)``: held for an undefined ``f``; for a
    concrete one (the seeded instances of the statement checks) differentiated by SymPy and substituted
    when built, so that it compiles under a quadrature instead of a difference at every node."""

    def __new__(
        cls, expr: sp.Expr, variables: Iterable[sp.Basic], point: Iterable[sp.Basic], **kwargs: object
    ) -> sp.Expr:
        if not expr.has(AppliedUndef):
            return expr.doit().xreplace(dict(zip(sp.Tuple(*variables), sp.Tuple(*point), strict=True)))
        return super().__new__(cls, expr, variables, point, **kwargs)


F_PRIME_AT_Z = _At(Derivative(f(_zv), _zv), (_zv,), (Z_REPARAM,))  # f'(mu + s eps)


class GaussianAverage(sp.Integral):
    r"""$\int g(\varepsilon)\,e^{-\varepsilon^2/2}\,d\varepsilon$ for a general $g$: an ``Integral`` whose
    ``doit`` evaluates inside (derivatives, the chain rule) but never tries a closed form, which cannot
    exist for an arbitrary $f$ and costs SymPy a second or more per attempt. Links between such
    integrals are still proved by the ladder (equal integrands after ``doit``); quadrature (the
    statement checks) and the printers read it as the integral it is."""

    def doit(self, **hints: object) -> sp.Expr:
        inner = self.function.doit(**hints) if hints.get("deep", True) else self.function
        return self.func(inner, *self.limits)


def _e_eps(g: sp.Expr) -> sp.Expr:
    r"""E over eps ~ N(0, 1) of g, $\frac{1}{\sqrt{2\pi}}\int g\,e^{-\varepsilon^2/2}\,d\varepsilon$ (the
    density's constant outside the integral: a third less work at each node of a quadrature)."""
    return GaussianAverage(g * sp.exp(-(eps**2) / 2), (eps, -sp.oo, sp.oo)) / sp.sqrt(2 * sp.pi)


E_F = named_function("Ef", r"\mathbb E[f(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_FPRIME = named_function("Efprime", r"\mathbb E[f'(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_EPS_FPRIME = named_function("Eepsfprime", r"\mathbb E[\varepsilon f'(\mu + s\varepsilon)]", show_args=False)(mu, s)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "d/dmu",
    Eq(Derivative(E_F, mu) - E_FPRIME, 0),
    text=r"$\partial_\mu \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[f'(\mu + s\varepsilon)]$ "
    r"for every smooth $f$ with $f'$ of at most polynomial growth",
)
D_DS = Statement(
    "d/ds",
    Eq(Derivative(E_F, s) - E_EPS_FPRIME, 0),
    text=r"$\partial_s \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[\varepsilon f'(\mu + s\varepsilon)]$ "
    r"for the same $f$",
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
def _under_integral(e: sp.Expr) -> sp.Expr:
    """Each ``d/dt (c int g de)`` in ``e`` (``c`` free of ``t``) written as ``c int dg/dt de``, the
    derivative held inside."""

    def inside(dv: sp.Derivative) -> sp.Expr:
        c, integral = dv.expr.as_independent(sp.Integral, as_Add=False)
        return c * integral.func(Derivative(integral.function, *dv.variables), *integral.limits)

    def movable(x: sp.Basic) -> bool:
        if not isinstance(x, Derivative):
            return False
        c, integral = x.expr.as_independent(sp.Integral, as_Add=False)
        return isinstance(integral, sp.Integral) and not c.has(*x.variables)

    return e.replace(movable, inside)


def _differentiate_integrands(e: sp.Expr) -> sp.Expr:
    """The derivatives inside the integrals taken by SymPy (the chain rule), the integrals kept; SymPy's
    ``f'(p)``, a ``Subs``, written as this page's :class:`_At` (equal, and now the same node)."""

    def inside(x: sp.Integral) -> sp.Integral:
        g = x.function.doit()
        return x.func(g.xreplace({y: _At(*y.args) for y in g.atoms(sp.Subs)}), *x.limits)

    return e.replace(lambda x: isinstance(x, sp.Integral) and x.function.has(Derivative), inside)


def derivation(d: Derivation) -> None:
    r"""A VAE needs the gradient of $\mathbb E_{z\sim\mathcal N(\mu, s^2)}[f(z)]$ in $\mu$ and $s$. Writing
    $z = \mu + s\varepsilon$ with $\varepsilon\sim\mathcal N(0,1)$ moves the parameters inside the
    expectation, $\mathbb E[f(z)] = \int f(\mu + s\varepsilon)\,\varphi(\varepsilon)\,d\varepsilon$ with a
    density $\varphi$ free of $\mu$ and $s$; so the gradient is the expectation of ordinary derivatives,
    $\mathbb E[f'(z)]$ and $\mathbb E[\varepsilon f'(z)]$, estimated with the same samples: backprop
    through the sample. Here $f$ is any smooth function whose derivative grows at most polynomially."""
    rights = ((mu, E_FPRIME, "d/dmu", r"\partial_\mu z = 1"), (s, E_EPS_FPRIME, "d/ds", r"\partial_s z = \varepsilon"))
    for wrt, right, label, chain in rights:
        d.begin(Derivative(E_F, wrt) - right)
        d.then(
            d.unfold,
            r"$\mathbb E[g] = \int g(\varepsilon)\,\varphi(\varepsilon)\,d\varepsilon$, $\varphi$ the standard normal "
            r"density",
        )
        d.assume(
            DIFFERENTIATION_UNDER_INTEGRAL,
            _under_integral,
            rf"the derivative in ${sp.latex(wrt)}$ moved under the integral: "
            r"$\lvert f'(\mu + s\varepsilon)\rvert\,\varphi(\varepsilon)$ (times $\lvert\varepsilon\rvert$ for $s$) "
            r"is dominated by an integrable function, uniformly for $\mu$, $s$ in a bounded set",
        )
        d.then(
            _differentiate_integrands,
            rf"the chain rule, computed: ${chain}$ and $\varphi$ does not depend on ${sp.latex(wrt)}$; "
            r"the two integrals are the same",
        )
        d.conclude(label)


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """For f = sin and f = exp: Monte Carlo estimates of E[f'(z)] and E[eps f'(z)] (z = mu + s eps,
    seeded draws) against central differences in mu and s of E[f(z)] computed by Gauss-Hermite
    quadrature. Tolerance: 5 standard errors of the Monte Carlo mean."""
    results = []
    h = 1e-5
    for name, g, g_prime in (("sin", np.sin, np.cos), ("exp", np.exp, np.exp)):
        for _ in range(3):
            m, sd = ctx.rng.uniform(-1.5, 1.5), ctx.rng.uniform(0.2, 1.5)
            e = ctx.rng.normal(size=200_000)
            z = m + sd * e
            d_mu = (normal_expectation(g, m + h, sd) - normal_expectation(g, m - h, sd)) / (2 * h)
            d_s = (normal_expectation(g, m, sd + h) - normal_expectation(g, m, sd - h)) / (2 * h)
            results.append(agrees(ctx, f"d/dmu E[{name}(z)]", estimate(g_prime(z)), d_mu))
            results.append(agrees(ctx, f"d/ds E[{name}(z)]", estimate(e * g_prime(z)), d_s))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
REPARAMETERIZATION = declare(
    "reparameterization",
    aliases=("reparameterisation", "reparameterization-trick", "reparam"),
    title="The reparameterisation gradient",
    section="3.1",
    map_row=r"VAE training: $z = \mu + s\varepsilon$, $\varepsilon\sim\mathcal N(0,1)$, gradients through the sample",
    variables={mu: MEAN, s: ENCODER_SD},
    numeric_samples=128,
    definitions={
        E_F: _e_eps(f(Z_REPARAM)),
        E_FPRIME: _e_eps(F_PRIME_AT_Z),
        E_EPS_FPRIME: _e_eps(eps * F_PRIME_AT_Z),
    },
    claim=CLAIM,
    also=(D_DS,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-gaussian-standard",),
)
