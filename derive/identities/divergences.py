r"""4 KL divergences in use: between Gaussians, in knowledge distillation, and as the RLHF penalty.

The bounds use Gibbs' inequality through the Gibbs gap :math:`g(t) = t - 1 - \log t \ge 0`
(``kl-nonnegative`` in :mod:`derive.identities.information`); Gaussian expectations use the
moves of :mod:`derive.moves.gaussian`. ``log`` is the natural logarithm.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, IndexedBase, Le, Rational, log

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths import discrete as dm
from derive.maths import gaussian as gm
from derive.maths.discrete import Table
from derive.maths.domains import interval, positive, probability, real, simplex
from derive.numeric import montecarlo as mc
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.discrete import distributions

# ============================================================================ KL between Gaussians
m1, m2 = real(-3, 3).symbol("m1"), real(-3, 3).symbol("m2")
SD = interval(Rational(1, 2), 4)  # standard deviations: from 1/2 (e^(m^2/2s^2) stays finite in sympy's form) to 4
s1, s2 = SD.symbol("s1"), SD.symbol("s2")
u = real().symbol("u")  # standardised variable: x = m1 + s1 u with u ~ N(0, 1)
KL_GAUSS = log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - Rational(1, 2)


def _log_ratio(x: sp.Expr) -> sp.Expr:
    """log N(x; m1, s1^2) - log N(x; m2, s2^2)."""
    return gm.log_normal_pdf(x, m1, s1) - gm.log_normal_pdf(x, m2, s2)


# the log density ratio at x = m1 + s1 u, a quadratic in u
LOG_RATIO = log(s2 / s1) + (m1 - m2) ** 2 / (2 * s2**2) + s1 * (m1 - m2) / s2**2 * u + (s1**2 / s2**2 - 1) / 2 * u**2
KL_GAUSS_DEF = gm.expectation(LOG_RATIO, u)  # E_{x ~ N(m1, s1^2)}[log q1(x)/q2(x)], x = m1 + s1 u


# the diagonal 2-D case: coordinates (a, b)
ma1, mb1, ma2, mb2 = (real(-3, 3).symbol(nm) for nm in ("mu1_a", "mu1_b", "mu2_a", "mu2_b"))
sa1, sb1, sa2, sb2 = (positive(4).symbol(nm) for nm in ("sigma1_a", "sigma1_b", "sigma2_a", "sigma2_b"))
MU1, MU2 = sp.Matrix([ma1, mb1]), sp.Matrix([ma2, mb2])
S1, S2 = sp.diag(sa1**2, sb1**2), sp.diag(sa2**2, sb2**2)


def _kl1(a: sp.Expr, sa: sp.Expr, b: sp.Expr, sb: sp.Expr) -> sp.Expr:
    return KL_GAUSS.xreplace({m1: a, s1: sa, m2: b, s2: sb})


KL_DIAG = _kl1(ma1, sa1, ma2, sa2) + _kl1(mb1, sb1, mb2, sb2)
dmu = MU2 - MU1
KL_MATRIX = ((S2.inv() * S1).trace() + (dmu.T * S2.inv() * dmu)[0, 0] - 2 + log(S2.det() / S1.det())) / 2


def _kl_gauss_mv(mu1: np.ndarray, c1: np.ndarray, mu2: np.ndarray, c2: np.ndarray) -> float:
    """The multivariate closed form (the claim's second part) with numpy.linalg."""
    inv2 = np.linalg.inv(c2)
    dm_ = mu2 - mu1
    _, ld1 = np.linalg.slogdet(c1)
    _, ld2 = np.linalg.slogdet(c2)
    return 0.5 * (np.trace(inv2 @ c1) + dm_ @ inv2 @ dm_ - len(mu1) + ld2 - ld1)


def _kl_gaussians_check(ctx: CheckContext) -> CrossCheckResult:
    """QUADPACK of q1 log(q1/q2) over the real line at random parameters; Monte Carlo of
    E_{q1}[log q1 - log q2] in 3-D with full covariances against the multivariate formula."""
    from scipy.integrate import quad

    v = ctx.sample(12)
    f = ctx.numpy(ctx.result, [m1, s1, m2, s2])
    got, want = [], []
    for j in range(12):
        a, sa, b, sb = (float(v[sym][j]) for sym in (m1, s1, m2, s2))

        def integrand(x: float, a: float = a, sa: float = sa, b: float = b, sb: float = sb) -> float:
            l1 = -0.5 * np.log(2 * np.pi * sa**2) - (x - a) ** 2 / (2 * sa**2)
            l2 = -0.5 * np.log(2 * np.pi * sb**2) - (x - b) ** 2 / (2 * sb**2)
            return float(np.exp(l1) * (l1 - l2))

        got.append(quad(integrand, a - 40 * sa, a + 40 * sa, epsabs=1e-13, epsrel=1e-11, limit=400)[0])
        want.append(float(f(a, sa, b, sb)))
    one_d = ctx.compare("1-D KL integral", "numerical integration (QUADPACK)", np.array(got), np.array(want), rtol=1e-8)

    results = []
    for _ in range(3):
        mu1, mu2 = ctx.rng.normal(0, 1, 3), ctx.rng.normal(0, 1, 3)
        a1, a2 = ctx.rng.normal(size=(3, 3)), ctx.rng.normal(size=(3, 3))
        c1, c2 = a1 @ a1.T + 0.5 * np.eye(3), a2 @ a2.T + 0.5 * np.eye(3)
        x = ctx.rng.multivariate_normal(mu1, c1, 100_000)

        def logpdf(x: np.ndarray, mu: np.ndarray, c: np.ndarray) -> np.ndarray:
            r = np.linalg.solve(np.linalg.cholesky(c), (x - mu).T)
            return -0.5 * np.sum(r**2, 0) - 0.5 * np.linalg.slogdet(2 * np.pi * c)[1]

        est = mc.estimate(logpdf(x, mu1, c1) - logpdf(x, mu2, c2))
        results.append(mc.agrees(ctx, "3-D KL, full covariances", est, _kl_gauss_mv(mu1, c1, mu2, c2)))
    return combine(one_d, *results)


@identity(
    "kl-gaussians",
    aliases=("kl-gaussian",),
    title="KL divergence between two Gaussians",
    section="4",
    map_row=r"KL divergence: knowledge distillation, VAE, Gaussian policies",
    variables={
        m1: real(-3, 3),
        s1: SD,
        m2: real(-3, 3),
        s2: SD,
        u: real(),
        **{sym: real(-3, 3) for sym in (ma1, mb1, ma2, mb2)},
        **{sym: positive(4) for sym in (sa1, sb1, sa2, sb2)},
    },
    claim=Statement(
        "1-D",
        Eq(KL_GAUSS_DEF, KL_GAUSS),
        text=r"$\mathrm{KL}(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2))$, the expectation over "
        r"$x = m_1 + s_1 u$, $u \sim \mathcal N(0, 1)$",
    ),
    also=[
        Statement(
            "log ratio",
            Eq(_log_ratio(m1 + s1 * u), LOG_RATIO),
            text=r"$\log q_1(x) - \log q_2(x)$ at $x = m_1 + s_1 u$ is a quadratic in $u$",
        ),
        Statement(
            "diagonal 2-D",
            Eq(KL_DIAG, KL_MATRIX),
            text=r"for diagonal covariances the KL is a sum over coordinates, which is the multivariate form "
            r"$\frac12[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2 - \mu_1)^\top \Sigma_2^{-1}(\mu_2 - \mu_1)"
            r" - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}]$ (full covariances: checked by Monte Carlo in 3-D)",
        ),
    ],
    crosscheck=_kl_gaussians_check,
    question=Question(
        target=KL_GAUSS,
        prompt=r"Compute $\mathrm{KL}\bigl(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2)\bigr)$ in closed form.",
        approximations={
            r"the log term is inverted: $\log(s_1/s_2)$ instead of $\log(s_2/s_1)$": log(s1 / s2)
            + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)
            - Rational(1, 2),
            r"the variance ratio is the wrong way round ($s_2^2/s_1^2$)": log(s2 / s1)
            + (s2**2 + (m1 - m2) ** 2) / (2 * s1**2)
            - Rational(1, 2),
            r"the constant $-\tfrac12$ is missing": log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2),
        },
    ),
    refs=(
        Ref.arxiv("1312.6114", "D. P. Kingma and M. Welling, Auto-Encoding Variational Bayes, 2014", where="App. B"),
        Ref.arxiv(
            "1503.02531", "G. Hinton, O. Vinyals and J. Dean, Distilling the Knowledge in a Neural Network, 2015"
        ),
    ),
    builds_on=("kl-nonnegative",),
)
def kl_gaussians(d: Derivation) -> None:
    r"""The KL divergence between two normal distributions has a closed form, which is why Gaussian
    posteriors and policies are everywhere: the VAE regulariser $\mathrm{KL}(q(z\mid x)\,\|\,\mathcal N(0, I))$,
    trust regions between Gaussian policies, distillation of Gaussian heads. It is an expectation of
    the log density ratio, a quadratic in $x$, so only the first two moments of $x \sim \mathcal N(m_1, s_1^2)$
    enter: $\log\frac{s_2}{s_1} + \frac{s_1^2 + (m_1 - m_2)^2}{2 s_2^2} - \frac12$."""
    d.begin(_log_ratio(m1 + s1 * u), r"$\log q_1(x) - \log q_2(x)$ at $x = m_1 + s_1 u$")
    d.then(lambda e: sp.collect(sp.expand(e), u), r"expand the squares and collect powers of $u$")
    d.then(LOG_RATIO, r"$\log s_2 - \log s_1 = \log(s_2/s_1)$")
    d.conclude("log ratio")

    d.begin(
        KL_GAUSS_DEF, r"$\mathbb{E}_{x\sim q_1}[\log q_1(x) - \log q_2(x)]$ with $x = m_1 + s_1 u$, the log ratio above"
    )
    d.then(lambda e: gm.moments(e, (u,)), r"linearity of the expectation")
    d.then(
        gm.integrate, r"the moments $\mathbb{E}[1] = 1$, $\mathbb{E}[u] = 0$, $\mathbb{E}[u^2] = 1$ (sympy.integrate)"
    )
    d.then(KL_GAUSS, "collect")
    d.conclude("1-D")

    d.begin(KL_DIAG, r"independent coordinates: the log ratio and the KL add", scope="for d = 2, diagonal covariances")
    d.then(KL_MATRIX, r"collect the sums into a trace, a quadratic form and a log-determinant")
    d.conclude("diagonal 2-D")


# ============================================================================ distillation gradient
NCLS = 3
zs = sp.symbols("s1:4", real=True)  # student logits
zt = sp.symbols("t1:4", real=True)  # teacher logits
TEMP = interval(Rational(1, 2), 10).symbol("T")  # distillation temperature


def softmax_t(z: tuple[sp.Symbol, ...]) -> list[sp.Expr]:
    """softmax(z / T), written out."""
    den = sp.Add(*(sp.exp(zi / TEMP) for zi in z))
    return [sp.exp(zi / TEMP) / den for zi in z]


PS, PT = softmax_t(zs), softmax_t(zt)
L_DISTILL = TEMP**2 * sp.Add(*(a * log(a / b) for a, b in zip(PT, PS, strict=True)))  # T^2 KL(p_t || p_s)
CE_TS = -sp.Add(*(a * log(b) for a, b in zip(PT, PS, strict=True)))  # cross-entropy H(p_t, p_s)
GRAD = sp.Matrix([TEMP * (a - b) for a, b in zip(PS, PT, strict=True)])
ZERO_MEAN = {zs[2]: -zs[0] - zs[1], zt[2]: -zt[0] - zt[1]}


def _distillation_check(ctx: CheckContext) -> CrossCheckResult:
    """Random logits and temperatures: central differences of T^2 KL (numpy, stable log-softmax) against
    the derived gradient, also at n = 10 classes; at T = 1e4 with zero-mean logits the gradient is
    (s - t)/n to O(1/T) (checked at T = 1e5)."""

    def log_softmax(z: np.ndarray) -> np.ndarray:
        m = z.max(axis=-1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))

    def loss(s: np.ndarray, t: np.ndarray, temp: float) -> float:
        lt, ls = log_softmax(t / temp), log_softmax(s / temp)
        return float(temp**2 * np.sum(np.exp(lt) * (lt - ls)))

    grad = ctx.numpy(ctx.result, [*zs, *zt, TEMP])
    fd, exact, fd10, ex10 = [], [], [], []
    h = 1e-5
    for _ in range(40):
        s, t, temp = ctx.rng.normal(0, 3, NCLS), ctx.rng.normal(0, 3, NCLS), float(ctx.rng.uniform(0.5, 10))
        fd.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(NCLS)])
        exact.append(np.asarray(grad(*s, *t, temp), dtype=float).ravel())
        s, t = ctx.rng.normal(0, 3, 10), ctx.rng.normal(0, 3, 10)
        fd10.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(10)])
        ex10.append(temp * (np.exp(log_softmax(s / temp)) - np.exp(log_softmax(t / temp))))
    a = ctx.compare("gradient, n = 3", "central differences", np.array(fd), np.array(exact), rtol=1e-6)
    b = ctx.compare(
        "T (softmax(s/T) - softmax(t/T)), n = 10", "central differences", np.array(fd10), np.array(ex10), rtol=1e-6
    )
    big = []
    for _ in range(20):
        s, t = ctx.rng.normal(0, 3, 10), ctx.rng.normal(0, 3, 10)
        s, t = s - s.mean(), t - t.mean()
        temp = 1e5
        g = temp * (np.exp(log_softmax(s / temp)) - np.exp(log_softmax(t / temp)))
        big.append(np.max(np.abs(g - (s - t) / 10)) / np.max(np.abs((s - t) / 10)))
    c = ctx.bound(
        "large T: |grad - (s - t)/n| / |(s - t)/n| at T = 1e5", "numpy", float(max(big)), 1e-3, samples=len(big)
    )
    return combine(a, b, c)


@identity(
    "distillation-gradient",
    aliases=("kd-gradient",),
    title="The gradient of the distillation loss, and logit matching at high temperature",
    section="4",
    map_row=r"KL divergence: knowledge distillation, "
    r"$T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$",
    variables={**{z: real(-5, 5) for z in (*zs, *zt)}, TEMP: interval(Rational(1, 2), 10)},
    claim=Statement(
        "gradient",
        Eq(sp.Matrix([Derivative(L_DISTILL, z) for z in zs]), GRAD),
        text=r"$\partial L/\partial s = T\,(\mathrm{softmax}(s/T) - \mathrm{softmax}(t/T))$ for $L = T^2\,"
        r"\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$, $n = 3$ classes",
    ),
    also=[
        Statement(
            "logit matching",
            Eq(sp.Limit(GRAD[0].xreplace(ZERO_MEAN), TEMP, sp.oo), (zs[0] - zt[0]) / NCLS),
            text=r"for zero-mean logits the gradient tends to $(s - t)/n$ as $T \to \infty$: matching logits "
            r"with a squared error (first component shown)",
        )
    ],
    crosscheck=_distillation_check,
    question=Question(
        target=GRAD[0],
        prompt=r"For the distillation loss $L = T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$ "
        r"with three classes, compute $\partial L/\partial s_1$.",
        names={"T": TEMP},
        approximations={
            r"the factor $T$ is missing (it comes from $T^2$ times the $1/T$ of the chain rule)": GRAD[0] / TEMP,
            r"the sign is wrong: the gradient is student minus teacher": -GRAD[0],
        },
    ),
    refs=(
        Ref.arxiv(
            "1503.02531",
            "G. Hinton, O. Vinyals and J. Dean, Distilling the Knowledge in a Neural Network, 2015",
            where="Sec. 2.1",
        ),
    ),
    builds_on=("softmax-cross-entropy-grad", "cross-entropy-kl"),
)
def distillation_gradient(d: Derivation) -> None:
    r"""Knowledge distillation trains a student with logits $s$ on the teacher's distribution
    $p_t = \mathrm{softmax}(t/T)$ softened by a temperature $T$: the loss is $L = T^2\,\mathrm{KL}(p_t\,\|\,p_s)$
    with $p_s = \mathrm{softmax}(s/T)$. The entropy of the teacher does not depend on the student, so the
    gradient is that of a cross-entropy, $T^2 \cdot \frac1T(p_s - p_t)$; the factor $T^2$ keeps its size
    independent of $T$. At high temperature and zero-mean logits it becomes $(s - t)/n$: distillation
    turns into matching logits (Hinton et al.)."""
    d.begin(sp.Matrix([Derivative(L_DISTILL, z) for z in zs]), scope="for n = 3 classes")
    d.then(
        TEMP**2 * sp.Matrix([Derivative(CE_TS, z) for z in zs]),
        r"$\mathrm{KL}(p_t\|p_s) = H(p_t, p_s) - H(p_t)$ and $H(p_t)$ does not depend on $s$ (cross-entropy-kl)",
    )
    d.then(
        GRAD,
        r"softmax-cross-entropy-grad at $z = s/T$: $\nabla_z H = \mathrm{softmax}(z) - p_t$, "
        r"times $\partial z/\partial s = 1/T$",
    )
    d.conclude("gradient")

    d.begin(sp.Limit(GRAD[0].xreplace(ZERO_MEAN), TEMP, sp.oo), r"$s_3 = -s_1 - s_2$, $t_3 = -t_1 - t_2$")
    d.then(lambda e: e.doit(), r"the limit (SymPy): $e^{z/T} = 1 + z/T + O(T^{-2})$")
    d.conclude("logit matching")


# ============================================================================ RLHF: the KL-regularised optimum
NY = 3
yv = sp.symbols("y1:4", positive=True)  # the policy's probabilities, unknowns of the Lagrangian
lam = real(-20, 20).symbol("lambda")
rw = tuple(real(-3, 3).symbol(f"r{k}") for k in (1, 2, 3))  # rewards r(y)
rho_ref = tuple(probability().symbol(f"rho{k}") for k in (1, 2, 3))  # pi_ref(y)
beta = interval(Rational(1, 10), 5).symbol("beta")
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


def _rlhf_check(ctx: CheckContext) -> CrossCheckResult:
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

        def neg(theta: np.ndarray, f: object = f) -> float:
            p = np.exp(theta - theta.max())
            return -float(f(p / p.sum()))  # type: ignore[operator]

        best = minimize(neg, np.zeros(NY), method="BFGS", options={"gtol": 1e-10})
        p = np.exp(best.x - best.x.max())
        diffs.append(np.max(np.abs(p / p.sum() - ps)))
    v = np.array(vals)
    return combine(
        ctx.bound("random policies beating pi*", "2000 random policies per case", worst_gap, 0.0, samples=20000),
        ctx.compare("value = beta log Z", "numpy", v[:, 0], v[:, 1], rtol=1e-12),
        ctx.bound("|argmax (BFGS) - pi*|", "scipy.optimize BFGS", float(max(diffs)), 1e-5, samples=10),
    )


@identity(
    "rlhf-kl-optimum",
    aliases=("kl-regularised-optimum", "dpo-reward"),
    title="The optimal policy under a KL penalty (RLHF, DPO)",
    section="4",
    map_row=r"KL divergence: the RLHF KL penalty "
    r"$\max_\pi \mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{\mathrm{ref}})$",
    variables={
        (*yv,): simplex(NY),
        lam: real(-20, 20),
        **{x_: real(-3, 3) for x_ in rw},
        **{x_: probability() for x_ in rho_ref},
        beta: interval(Rational(1, 10), 5),
        pol_w: positive(10),
    },
    definitions=POL.definition(),
    claim=Statement(
        "optimum",
        Eq(Y_AT_LAM_STAR, sp.Matrix(PI_STAR)),
        text=r"the stationary point at the multiplier $\lambda^*$ is "
        r"$\pi^*(y) = \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}/Z$, "
        r"$Z = \sum_y \pi_{\mathrm{ref}}(y)\,e^{r(y)/\beta}$",
    ),
    also=[
        Statement(
            "stationarity", Eq(sp.Matrix(yv), sp.Matrix(Y_OF_LAM)), text=r"$\partial \mathcal L/\partial y_k = 0$"
        ),
        Statement("multiplier", Eq(lam, LAM_STAR), text=r"$\sum_k y_k = 1$ fixes $\lambda^* = \beta(\log Z - 1)$"),
        Statement(
            "maximum",
            Le(objective(POL), beta * log(Z)),
            text=r"every policy $\pi$ on the simplex does at most $\beta \log Z$",
        ),
        Statement("value", Eq(objective(lambda k: PI_STAR[k - 1]), beta * log(Z)), text=r"attained at $\pi^*$"),
        Statement(
            "DPO reward",
            Eq(beta * log(PI_STAR[0] / rho_ref[0]) + beta * log(Z), rw[0]),
            text=r"$r(y) = \beta \log\frac{\pi^*(y)}{\pi_{\mathrm{ref}}(y)} + \beta \log Z$: "
            r"the reward implied by a policy",
        ),
    ],
    crosscheck=_rlhf_check,
    question=Question(
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
    ),
    refs=(
        Ref.arxiv(
            "2203.02155",
            "L. Ouyang et al., Training language models to follow instructions with human feedback (InstructGPT), 2022",
            where="Sec. 3.5",
        ),
        Ref.arxiv("2305.18290", "R. Rafailov et al., Direct Preference Optimization, 2023", where="Sec. 4, Eq. 4-5"),
    ),
    builds_on=("kl-nonnegative",),
)
def rlhf_kl_optimum(d: Derivation) -> None:
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

    d.begin(beta * log(PI_STAR[0] / rho_ref[0]) + beta * log(Z), "the optimum solved for the reward")
    d.then(lambda e: sp.expand(sp.expand_log(e, force=True)), r"$\log e^{r/\beta} = r/\beta$")
    d.conclude("DPO reward")
