r"""The optimal policy under a KL penalty (RLHF, DPO).

The maximiser of $\mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$ is the reference tilted by
the exponentiated reward, $\pi^* = \pi_{\mathrm{ref}}\,e^{r/\beta}/Z$, with value $\beta\log Z$; read backwards,
$r = \beta\log(\pi^*/\pi_{\mathrm{ref}}) + \beta\log Z$ is the reward a policy implies, which is how DPO trains
on preferences without a reward model (map 4, KL divergence: the RLHF KL penalty). Solved by a Lagrangian
over any number $n$ of responses (sums over $k = 1..n$, Kronecker
deltas sifted); the maximum follows from Gibbs' inequality. Rafailov et al. (2023), Direct Preference
Optimization, Sec. 4.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, Function, IndexedBase, Le, Rational, log
from sympy.simplify.simplify import factor_sum

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    indexed,
    integer,
    interval,
    positive,
    probability,
    real,
)
from derive.authoring import discrete as dm
from derive.maths.discrete import Table, at_size
from derive.numeric.discrete import distributions

# -- symbols ---------------------------------------------------------------------------------------
NY = 3  # the homework question's number of responses
MULTIPLIER = real(-20, 20)
REWARD = real(-3, 3)
REFERENCE = probability()
STRENGTH = interval(Rational(1, 10), 5)
WEIGHTS = positive(10)
RESPONSES = integer(2, 8)
n = RESPONSES.symbol("n")  # any number of responses
k = sp.Symbol("k", integer=True, positive=True)
j = integer(1, n).symbol("j")
yv = IndexedBase("y", positive=True)  # the policy's probabilities, unknowns of the Lagrangian
rI, rhoI = IndexedBase("r", real=True), IndexedBase("rho", positive=True)  # rewards r(y), pi_ref(y)
lam = MULTIPLIER.symbol("lambda")
beta = STRENGTH.symbol("beta")
pol_w = IndexedBase("a", positive=True)
POL = Table(Function("pi"), pol_w, n)  # a policy on the simplex, for the maximum
rw = tuple(REWARD.symbol(f"r{c}") for c in (1, 2, 3))  # the question's rewards and reference
rho_ref = tuple(REFERENCE.symbol(f"rho{c}") for c in (1, 2, 3))


def objective(prob: dm.Prob) -> sp.Expr:
    """E_pi[r] - beta KL(pi || pi_ref) over the n responses."""
    return dm.expectation(prob, lambda c: rI[c], n) - beta * dm.kl(prob, lambda c: rhoI[c], n)


#: the Lagrangian, its KL written sum_k y_k log y_k - sum_k y_k log rho_k (the form the ladder differentiates
#: under the sum and proves for symbolic n)
LAGRANGIAN = dm.over(lambda c: yv[c] * rI[c] - beta * yv[c] * log(yv[c]) + beta * yv[c] * log(rhoI[c]), n) - lam * (
    dm.over(lambda c: yv[c], n) - 1
)
Z = dm.over(lambda c: rhoI[c] * sp.exp(rI[c] / beta), n)


def pi_star(c: sp.Expr) -> sp.Expr:
    r"""$\pi^*(c) = \rho_c e^{r_c/\beta}/Z$."""
    return rhoI[c] * sp.exp(rI[c] / beta) / Z


def y_of_lam(c: sp.Expr) -> sp.Expr:
    r"""The stationary $y_c = \rho_c e^{(r_c - \beta - \lambda)/\beta}$."""
    return rhoI[c] * sp.exp((rI[c] - beta - lam) / beta)


GRADIENT = rI[j] - beta * log(yv[j]) + beta * log(rhoI[j]) - beta - lam  # dL/dy_j, derived below
y_j = REFERENCE.symbol("y_j")  # the unknown y_j of the stationarity equation, as a symbol to solve for
LAM_STAR = beta * (log(Z) - 1)
Y_AT_LAM_STAR = y_of_lam(j).xreplace({lam: LAM_STAR})

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "optimum",
    Eq(Y_AT_LAM_STAR, pi_star(j)),
    text=r"the stationary point at the multiplier $\lambda^*$ is "
    r"$\pi^*(y) = \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}/Z$, "
    r"$Z = \sum_y \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}$, for any number $n$ of responses",
)
GRADIENT_ANY_N = Statement(
    "gradient",
    Eq(sp.Derivative(LAGRANGIAN, yv[j]), GRADIENT),
    text=r"$\partial \mathcal L/\partial y_j = r_j - \beta\log(y_j/\rho_j) - \beta - \lambda$, for any $n$ (the KL "
    r"written $\sum_k y_k\log y_k - \sum_k y_k \log\rho_k$)",
)
STATIONARITY = Statement(
    "stationarity",
    Eq(y_j, y_of_lam(j)),
    text=r"$\partial \mathcal L/\partial y_j = 0$ exactly when $y_j = \rho_j e^{(r_j - \beta - \lambda)/\beta}$",
)
MULTIPLIER_VALUE = Statement(
    "multiplier", Eq(lam, LAM_STAR), text=r"$\sum_k y_k = 1$ fixes $\lambda^* = \beta(\log Z - 1)$"
)
MAXIMUM = Statement(
    "maximum",
    Le(objective(POL), beta * log(Z)),
    text=r"every policy $\pi$ on the simplex does at most $\beta \log Z$",
)
VALUE = Statement("value", Eq(objective(pi_star), beta * log(Z)), text=r"attained at $\pi^*$")
DPO_REWARD = Statement(
    "DPO reward",
    Eq(beta * log(pi_star(j) / rhoI[j]) + beta * log(Z), rI[j]),
    text=r"$r(y) = \beta \log\frac{\pi^*(y)}{\pi_{\mathrm{ref}}(y)} + \beta \log Z$: the reward implied by a policy",
)
_Z3 = sp.Add(*(rho_ref[c] * sp.exp(rw[c] / beta) for c in range(NY)))
PI_STAR_3 = [rho_ref[c] * sp.exp(rw[c] / beta) / _Z3 for c in range(NY)]

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=PI_STAR_3[0],
    prompt=r"Three responses have rewards $r_1, r_2, r_3$ and reference probabilities $\rho_1, \rho_2, \rho_3$. "
    r"Which probability $\pi^*(1)$ does the maximiser of $\mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\rho)$ "
    r"give the first response?",
    names={"beta": beta},
    approximations={
        r"the normaliser $Z$ is missing: $\pi^*$ must sum to one": rho_ref[0] * sp.exp(rw[0] / beta),
        r"$e^{\beta r}$ instead of $e^{r/\beta}$": rho_ref[0]
        * sp.exp(beta * rw[0])
        / sp.Add(*(rho_ref[c] * sp.exp(beta * rw[c]) for c in range(NY))),
    },
)
REFS = (
    Ref.cite("ouyang2022", where="Sec. 3.5"),
    Ref.cite("rafailov2023", where="Sec. 4, Eq. 4-5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""RLHF fine-tunes a language model to maximise reward while a KL penalty keeps it near the
    reference model: $\max_\pi \mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$. The maximiser
    is the reference tilted by the exponentiated reward, $\pi^* \propto \pi_{\mathrm{ref}}\,e^{r/\beta}$, with
    value $\beta\log Z$. Read backwards, $r = \beta\log(\pi^*/\pi_{\mathrm{ref}}) + \beta\log Z$: the reward
    a policy implies, which is how DPO trains on preferences without a reward model. Solved here by a
    Lagrangian over any number $n$ of responses; that the stationary point is the maximum follows from
    Gibbs' inequality."""
    d.begin(
        sp.Derivative(LAGRANGIAN, yv[j]),
        r"the Lagrangian $\mathcal L = \mathbb{E}_y[r] - \beta\,\mathrm{KL}(y\,\|\,\rho) "
        r"- \lambda(\sum_k y_k - 1)$ over $n$ responses, differentiated in $y_j$",
        title="The gradient, any $n$",
    )
    d.then(
        lambda e: indexed.in_range(e.doit().doit()),
        r"differentiate under the sums: $\partial y_k/\partial y_j = \delta_{jk}$, and the Kronecker sums collapse "
        r"to their term $k = j$ ($1 \le j \le n$)",
    )
    d.conclude("gradient")

    d.begin(Eq(GRADIENT.xreplace({yv[j]: y_j}), 0), r"stationary in $y_j$: the gradient above vanishes")
    d.solve(y_j, r"solve for $y_j$ (SymPy, over the real line)", over=real())
    d.conclude("stationarity")

    d.begin(Eq(dm.over(y_of_lam, n), 1), r"the constraint $\sum_k y_k = 1$ at the stationary point")
    d.then(
        lambda e: Eq(sp.expand(e.lhs).replace(lambda a: isinstance(a, sp.Sum), factor_sum), e.rhs),
        r"$e^{-(\beta + \lambda)/\beta}$ does not depend on $k$: out of the sum, leaving $Z$",
    )
    d.solve(lam, r"solve for the multiplier (SymPy, over the real line)", over=real())
    d.conclude("multiplier")

    d.begin(Y_AT_LAM_STAR, r"$y_j = \rho_j e^{(r_j - \beta - \lambda)/\beta}$ at $\lambda = \lambda^*$")
    d.then(lambda e: sp.powsimp(sp.expand(e), combine="exp"), r"$e^{-\log Z} = 1/Z$")
    d.then(pi_star(j), r"$\pi^*(j) = \rho_j e^{r_j/\beta}/Z$")
    d.conclude("optimum")
    _optimality(d)


def _optimality(d: Derivation) -> None:
    """The stationary point is the maximum (Gibbs gaps), its value, and the reward it implies (DPO)."""
    d.begin(objective(POL), r"any policy $\pi(k) = a_k/\sum_i a_i$")
    d.then(
        beta * log(Z) - beta * dm.kl(POL, pi_star, n),
        r"$\log\frac{\pi}{\rho} = \log\frac{\pi}{\pi^*} + \frac{r}{\beta} - \log Z$ and $\sum_k \pi(k) = 1$",
    )
    d.then(
        beta * log(Z) - beta * dm.kl_gibbs_terms(POL, pi_star, n),
        r"termwise $\pi \log\frac{\pi}{\pi^*} = \pi\,g(\pi^*/\pi) + \pi - \pi^*$ with the Gibbs gap "
        r"$g(t) = t - 1 - \log t$ (kl-nonnegative)",
    )
    d.then(beta * log(Z) - beta * dm.kl_gibbs(POL, pi_star, n), r"$\sum_k \pi(k) = \sum_k \pi^*(k) = 1$")
    d.bound(beta * log(Z), r"$\beta > 0$ and every Gibbs gap is $\ge 0$, zero only at $\pi = \pi^*$")
    d.conclude("maximum")

    d.begin(objective(pi_star))
    d.then(
        dm.expectation(pi_star, lambda c: beta * log(Z), n),
        r"$r_k - \beta\log\frac{\pi^*(k)}{\rho_k} = \beta \log Z$ for every $k$",
    )
    d.then(beta * log(Z), r"$\sum_k \pi^*(k) = 1$")
    d.conclude("value")

    d.begin(beta * log(pi_star(j) / rhoI[j]) + beta * log(Z), "the optimum solved for the reward")
    d.then(lambda e: sp.expand(sp.expand_log(e, force=True)), r"$\log e^{r/\beta} = r/\beta$")
    d.conclude("DPO reward")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random rewards, reference policies (on the simplex) and beta: the closed form (the derived
    optimum) is at least as good as 2000 random policies, its value is beta log Z, and a BFGS
    maximisation over softmax-parametrised policies (scipy) finds the same distribution."""
    from scipy.optimize import minimize

    assert ctx.result is not None
    worst_gap, diffs, vals = -np.inf, [], []
    for case in range(10):
        size = (3, 5, 12)[case % 3]
        r, ref, b = ctx.rng.uniform(-3, 3, size), distributions(ctx.rng, size, 1)[0], float(ctx.rng.uniform(0.1, 5))

        def f(p: np.ndarray, r: np.ndarray = r, ref: np.ndarray = ref, b: float = b) -> np.ndarray:
            return np.sum(p * r, axis=-1) - b * np.sum(p * np.log(p / ref), axis=-1)

        at_b = ctx.result.xreplace({beta: sp.Float(b, 17)})
        ps = np.array([float(at_size(at_b.xreplace({j: c}), n, {rI: r, rhoI: ref})) for c in range(1, size + 1)])
        rand = distributions(ctx.rng, size, 2000)
        worst_gap = max(worst_gap, float(np.max(f(rand) - f(ps))))
        vals.append((f(ps), b * np.log(np.sum(ref * np.exp(r / b)))))

        def neg(theta: np.ndarray, f: Callable[[np.ndarray], np.ndarray] = f) -> float:
            p = np.exp(theta - theta.max())
            return -float(f(p / p.sum()))

        best = minimize(neg, np.zeros(size), method="BFGS", options={"gtol": 1e-10})
        p = np.exp(best.x - best.x.max())
        diffs.append(np.max(np.abs(p / p.sum() - ps)))
    v = np.array(vals)
    return combine(
        ctx.bound("random policies beating pi*", "2000 random policies per case", worst_gap, 0.0, samples=20000),
        ctx.compare("value = beta log Z", "numpy", v[:, 0], v[:, 1], rtol=1e-12),
        ctx.bound("|argmax (BFGS) - pi*|", "scipy.optimize BFGS", float(max(diffs)), 1e-5, samples=10),
    )


# -- the declaration -------------------------------------------------------------------------------
RLHF_KL_OPTIMUM = declare(
    "rlhf-kl-optimum",
    aliases=("kl-regularised-optimum", "dpo-reward"),
    title="The optimal policy under a KL penalty (RLHF, DPO)",
    section="4",
    map_row=r"KL divergence: the RLHF KL penalty "
    r"$\max_\pi \mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$",
    variables={
        n: RESPONSES,
        j: integer(1, n),
        yv: REFERENCE,
        y_j: REFERENCE,
        rI: REWARD,
        rhoI: REFERENCE,
        lam: MULTIPLIER,
        **{x_: REWARD for x_ in rw},
        **{x_: REFERENCE for x_ in rho_ref},
        beta: STRENGTH,
        pol_w: WEIGHTS,
    },
    definitions=POL.definition(),
    claim=CLAIM,
    also=(GRADIENT_ANY_N, STATIONARITY, MULTIPLIER_VALUE, MAXIMUM, VALUE, DPO_REWARD),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
