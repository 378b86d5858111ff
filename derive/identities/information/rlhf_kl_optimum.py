r"""The optimal policy under a KL penalty (RLHF, DPO).

The maximiser of $\mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$ is the reference tilted by
the exponentiated reward, $\pi^* = \pi_{\mathrm{ref}}\,e^{r/\beta}/Z$, with value $\beta\log Z$; read backwards,
$r = \beta\log(\pi^*/\pi_{\mathrm{ref}}) + \beta\log Z$ is the reward a policy implies, which is how DPO trains
on preferences without a reward model (map 4, KL divergence: the RLHF KL penalty). Solved by a Lagrangian
over three responses; the maximum follows from Gibbs' inequality. Rafailov et al. (2023), Direct Preference
Optimization, Sec. 4.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, Function, IndexedBase, Le, Rational, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    interval,
    positive,
    probability,
    real,
    simplex,
)
from derive.authoring import discrete as dm
from derive.maths.discrete import Table
from derive.numeric.discrete import distributions

# -- symbols ---------------------------------------------------------------------------------------
NY = 3
MULTIPLIER = real(-20, 20)
REWARD = real(-3, 3)
REFERENCE = probability()
STRENGTH = interval(Rational(1, 10), 5)
WEIGHTS = positive(10)
yv = sp.symbols("y1:4", positive=True)  # the policy's probabilities, unknowns of the Lagrangian
lam = MULTIPLIER.symbol("lambda")
rw = tuple(REWARD.symbol(f"r{k}") for k in (1, 2, 3))  # rewards r(y)
rho_ref = tuple(REFERENCE.symbol(f"rho{k}") for k in (1, 2, 3))  # pi_ref(y)
beta = STRENGTH.symbol("beta")
pol_w = IndexedBase("a", positive=True)
POL = Table(Function("pi"), pol_w, NY)  # a policy on the simplex, for the maximum


def objective(prob: dm.Prob) -> sp.Expr:
    """E_pi[r] - beta KL(pi || pi_ref)."""
    return dm.expectation(prob, lambda k: rw[k - 1], NY) - beta * dm.kl(prob, lambda k: rho_ref[k - 1], NY)


LAGRANGIAN = objective(lambda k: yv[k - 1]) - lam * (sp.Add(*yv) - 1)
Z = sp.Add(*(rho_ref[k] * sp.exp(rw[k] / beta) for k in range(NY)))
PI_STAR = [rho_ref[k] * sp.exp(rw[k] / beta) / Z for k in range(NY)]
Y_OF_LAM = [rho_ref[k] * sp.exp((rw[k] - beta - lam) / beta) for k in range(NY)]
LAM_STAR = beta * (log(Z) - 1)
Y_AT_LAM_STAR = sp.Matrix([e.xreplace({lam: LAM_STAR}) for e in Y_OF_LAM])

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "optimum",
    Eq(Y_AT_LAM_STAR, sp.Matrix(PI_STAR)),
    text=r"the stationary point at the multiplier $\lambda^*$ is "
    r"$\pi^*(y) = \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}/Z$, "
    r"$Z = \sum_y \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}$",
)
STATIONARITY = Statement(
    "stationarity", Eq(sp.Matrix(yv), sp.Matrix(Y_OF_LAM)), text=r"$\partial \mathcal L/\partial y_k = 0$"
)
MULTIPLIER_VALUE = Statement(
    "multiplier", Eq(lam, LAM_STAR), text=r"$\sum_k y_k = 1$ fixes $\lambda^* = \beta(\log Z - 1)$"
)
MAXIMUM = Statement(
    "maximum",
    Le(objective(POL), beta * log(Z)),
    text=r"every policy $\pi$ on the simplex does at most $\beta \log Z$",
)
VALUE = Statement("value", Eq(objective(lambda k: PI_STAR[k - 1]), beta * log(Z)), text=r"attained at $\pi^*$")
DPO_REWARD = Statement(
    "DPO reward",
    Eq(beta * log(PI_STAR[0] / rho_ref[0]) + beta * log(Z), rw[0]),
    text=r"$r(y) = \beta \log\frac{\pi^*(y)}{\pi_{\mathrm{ref}}(y)} + \beta \log Z$: "
    r"the reward implied by a policy (shown for $y = 1$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=PI_STAR[0],
    prompt=r"Three responses have rewards $r_1, r_2, r_3$ and reference probabilities $\rho_1, \rho_2, \rho_3$. "
    r"Which probability $\pi^*(1)$ does the maximiser of $\mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\rho)$ "
    r"give the first response?",
    names={"beta": beta},
    approximations={
        r"the normaliser $Z$ is missing: $\pi^*$ must sum to one": rho_ref[0] * sp.exp(rw[0] / beta),
        r"$e^{\beta r}$ instead of $e^{r/\beta}$": rho_ref[0]
        * sp.exp(beta * rw[0])
        / sp.Add(*(rho_ref[k] * sp.exp(beta * rw[k]) for k in range(NY))),
    },
)
REFS = (
    Ref.arxiv(
        "2203.02155",
        "L. Ouyang et al., Training language models to follow instructions with human feedback (InstructGPT), 2022",
        where="Sec. 3.5",
    ),
    Ref.arxiv("2305.18290", "R. Rafailov et al., Direct Preference Optimization, 2023", where="Sec. 4, Eq. 4-5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""RLHF fine-tunes a language model to maximise reward while a KL penalty keeps it near the
    reference model: $\max_\pi \mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$. The maximiser
    is the reference tilted by the exponentiated reward, $\pi^* \propto \pi_{\mathrm{ref}}\,e^{r/\beta}$, with
    value $\beta\log Z$. Read backwards, $r = \beta\log(\pi^*/\pi_{\mathrm{ref}}) + \beta\log Z$: the reward
    a policy implies, which is how DPO trains on preferences without a reward model. Solved here by a
    Lagrangian over $n = 3$ responses; that the stationary point is the maximum follows from
    Gibbs' inequality."""
    scope = "for n = 3 responses"
    grad = sp.Matrix([sp.diff(LAGRANGIAN, yk) for yk in yv])
    d.begin(
        Eq(grad, sp.zeros(NY, 1)),
        r"the Lagrangian $\mathcal L = \mathbb{E}_y[r] - \beta\,\mathrm{KL}(y\,\|\,\rho) "
        r"- \lambda(\sum_k y_k - 1)$, stationary in each $y_k$",
        scope=scope,
    )
    d.solve(list(yv), r"solve each equation for $y_k$ (SymPy)")
    d.conclude("stationarity")

    d.begin(Eq(sp.Add(*Y_OF_LAM), 1), r"the constraint $\sum_k y_k = 1$ at the stationary point", scope=scope)
    d.solve(lam, r"solve for the multiplier (SymPy)")
    d.conclude("multiplier")

    d.begin(Y_AT_LAM_STAR, r"$y_k = \rho_k e^{(r_k - \beta - \lambda)/\beta}$ at $\lambda = \lambda^*$", scope=scope)
    d.then(lambda e: e.applyfunc(lambda c: sp.powsimp(sp.expand(c), combine="exp")), r"$e^{-\log Z} = 1/Z$")
    d.then(sp.Matrix(PI_STAR), r"$\pi^*(k) = \rho_k e^{r_k/\beta}/Z$")
    d.conclude("optimum")

    d.begin(objective(POL), r"any policy $\pi(k) = a_k/\sum_j a_j$", scope=scope)
    d.then(
        beta * log(Z) - beta * dm.kl(POL, lambda k: PI_STAR[k - 1], NY),
        r"$\log\frac{\pi}{\rho} = \log\frac{\pi}{\pi^*} + \frac{r}{\beta} - \log Z$ and $\sum_k \pi(k) = 1$",
    )
    d.then(
        beta * log(Z) - beta * dm.kl_gibbs_written(POL, lambda k: PI_STAR[k - 1], NY),
        r"with $t_k = \pi^*(k)/\pi(k)$: $\sum_k \pi(k)(t_k - 1) = \sum_k \pi^*(k) - \sum_k \pi(k) = 0$",
    )
    d.then(
        beta * log(Z) - beta * dm.kl_gibbs(POL, lambda k: PI_STAR[k - 1], NY),
        r"name the gap: $g(t) = t - 1 - \log t$",
    )
    d.bound(beta * log(Z), r"$\beta > 0$ and every Gibbs gap is $\ge 0$, zero only at $\pi = \pi^*$")
    d.conclude("maximum")

    d.begin(objective(lambda k: PI_STAR[k - 1]), scope=scope)
    d.then(
        dm.expectation(lambda k: PI_STAR[k - 1], lambda k: beta * log(Z), NY),
        r"$r_k - \beta\log\frac{\pi^*(k)}{\rho_k} = \beta \log Z$ for every $k$",
    )
    d.then(beta * log(Z), r"$\sum_k \pi^*(k) = 1$")
    d.conclude("value")

    d.begin(beta * log(PI_STAR[0] / rho_ref[0]) + beta * log(Z), "the optimum solved for the reward", scope=scope)
    d.then(lambda e: sp.expand(sp.expand_log(e, force=True)), r"$\log e^{r/\beta} = r/\beta$")
    d.conclude("DPO reward")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random rewards, reference policies (on the simplex) and beta: the closed form (the derived
    optimum) is at least as good as 2000 random policies, its value is beta log Z, and a BFGS
    maximisation over softmax-parametrised policies (scipy) finds the same distribution."""
    from scipy.optimize import minimize

    star = ctx.numpy(ctx.result, [*rw, *rho_ref, beta])
    worst_gap, diffs, vals = -np.inf, [], []
    for _ in range(10):
        r, ref, b = ctx.rng.uniform(-3, 3, NY), distributions(ctx.rng, NY, 1)[0], float(ctx.rng.uniform(0.1, 5))

        def f(p: np.ndarray, r: np.ndarray = r, ref: np.ndarray = ref, b: float = b) -> np.ndarray:
            return np.sum(p * r, axis=-1) - b * np.sum(p * np.log(p / ref), axis=-1)

        ps = np.asarray(star(*r, *ref, b), dtype=float).ravel()
        rand = distributions(ctx.rng, NY, 2000)
        worst_gap = max(worst_gap, float(np.max(f(rand) - f(ps))))
        vals.append((f(ps), b * np.log(np.sum(ref * np.exp(r / b)))))

        def neg(theta: np.ndarray, f: Callable[[np.ndarray], np.ndarray] = f) -> float:
            p = np.exp(theta - theta.max())
            return -float(f(p / p.sum()))

        best = minimize(neg, np.zeros(NY), method="BFGS", options={"gtol": 1e-10})
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
        (*yv,): simplex(NY),
        lam: MULTIPLIER,
        **{x_: REWARD for x_ in rw},
        **{x_: REFERENCE for x_ in rho_ref},
        beta: STRENGTH,
        pol_w: WEIGHTS,
    },
    definitions=POL.definition(),
    claim=CLAIM,
    also=(STATIONARITY, MULTIPLIER_VALUE, MAXIMUM, VALUE, DPO_REWARD),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
