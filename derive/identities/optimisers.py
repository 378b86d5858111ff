r"""5.1 Gradient descent variants: momentum, Adam's bias correction, AdamW, Muon, SOAP/Shampoo.

Momentum and Adam's moments are one linear recurrence, $x_t = a x_{t-1} + b_t$; its unrolled
solution is proved once, by induction, in :mod:`derive.moves.recurrences`. Muon and Shampoo are
matrix identities, derived on explicit $2 \times 2$ matrices whose orthogonal factors are Cayley
rotations (rational in their parameter, so orthogonality reduces to ``cancel``) and checked at
larger random sizes with ``numpy.linalg``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, IndexedBase, Limit, Subs, sqrt

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.recipes import induction_statements, prove_by_induction
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, interval, positive, probability, real
from derive.maths.matrices import cayley_orthogonal, entry_domains, svd_form, symbol_matrix, vec
from derive.maths.notation import notation
from derive.maths.recurrences import unrolled
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.montecarlo import agrees, estimate

k = sp.Symbol("k", integer=True)
t = integer(1, 12).symbol("t")
g = IndexedBase("g", real=True)


def _ema_loop(grads: np.ndarray, a: float, scale: float) -> np.ndarray:
    """x_t = a x_{t-1} + scale * g_t from x_0 = 0, run as an optimiser runs it (all t)."""
    x = np.zeros(grads.shape[1:])
    out = []
    for gt in grads:
        x = a * x + scale * gt
        out.append(x)
    return np.array(out)


# ----------------------------------------------------------------------------- SGD + momentum
beta = probability().symbol("beta")
gbar = real(-5, 5).symbol("gbar")
eta = positive(1).symbol("eta")
MOMENTUM = unrolled(beta, lambda j: g[j], t, k)


def _geometric(s: sp.Expr) -> sp.Expr:
    r"""$g(1 - \beta^s)/(1 - \beta)$: momentum's buffer after $s$ steps of a constant gradient."""
    return gbar * (1 - beta**s) / (1 - beta)


def _momentum_check(ctx: CheckContext) -> CrossCheckResult:
    """The momentum loop on random gradient streams against the unrolled sum (numpy), and on a
    constant gradient for 5000 steps against g/(1 - beta)."""
    errs = []
    for _ in range(20):
        b = float(ctx.rng.uniform(0.0, 0.99))
        steps = int(ctx.rng.integers(1, 60))
        grads = ctx.rng.normal(size=steps)
        loop = _ema_loop(grads, b, 1.0)
        unrolled_sum = np.array([np.sum(b ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, steps + 1)])
        errs.append(np.max(np.abs(loop - unrolled_sum)) / (1 + np.max(np.abs(loop))))
    bs = ctx.rng.uniform(0.0, 0.99, 16)
    gs = ctx.rng.uniform(-5, 5, 16)
    steady = np.array([_ema_loop(np.full(5000, gg), bb, 1.0)[-1] for bb, gg in zip(bs, gs, strict=True)])
    return combine(
        ctx.bound("loop vs unrolled sum", "momentum loop on random gradients", float(max(errs)), 1e-12),
        ctx.compare("constant gradient, 5000 steps", "momentum loop", steady, gs / (1 - bs), rtol=1e-12),
    )


_mom = induction_statements(
    lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, name="v", base="v_0 = 0", step="unrolled"
)
_const = induction_statements(
    _geometric, beta, lambda j: gbar, t, name="v", base="constant: v_0", step="constant gradient"
)


@identity(
    "sgd-momentum",
    aliases=("momentum",),
    title="SGD with momentum: the unrolled buffer and the effective step",
    section="5.1",
    map_row=r"SGD + momentum: $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$",
    variables={beta: probability(), t: integer(1, 12), g: real(-5, 5), gbar: real(-5, 5), eta: positive(1)},
    claim=_mom[1],
    also=[
        _mom[0],
        _const[1],
        _const[0],
        Statement(
            "gap",
            Eq(gbar / (1 - beta) - _geometric(t), beta**t * gbar / (1 - beta)),
            text=r"for a constant gradient the buffer approaches $g/(1-\beta)$ geometrically ($\beta^t \to 0$), "
            r"so the long-run step is $\eta g/(1 - \beta)$: momentum multiplies the learning rate by $1/(1-\beta)$",
        ),
    ],
    crosscheck=_momentum_check,
    question=Question(
        target=eta / (1 - beta),
        prompt=r"SGD with momentum runs $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$ with "
        r"$0 < \beta < 1$. For a constant gradient, what is the effective learning rate in the long run (the step "
        r"per unit gradient)?",
        names={"eta": eta, "beta": beta},
        approximations={
            r"the sign of $\beta$ is wrong: the geometric series is $\sum \beta^k = 1/(1-\beta)$": eta / (1 + beta),
            r"this is the learning rate without momentum": eta,
            r"the current gradient is missing: the series $\sum_k \beta^k$ starts at $k = 0$": eta * beta / (1 - beta),
        },
    ),
    refs=(
        Ref.book("B. T. Polyak, Some methods of speeding up the convergence of iteration methods, 1964"),
        Ref.book(
            "I. Sutskever, J. Martens, G. Dahl and G. Hinton, On the importance of initialization and momentum "
            "in deep learning, ICML 2013",
            "Sec. 2",
        ),
    ),
)
def sgd_momentum(d: Derivation) -> None:
    r"""Momentum keeps a buffer $v_t = \beta v_{t-1} + g_t$ of past gradients and steps along it. Unrolled,
    the buffer is a geometrically weighted sum $\sum_{k\le t}\beta^{t-k}g_k$, which averages out
    oscillating gradient components while consistent ones add up: for a constant gradient the buffer
    tends to $g/(1-\beta)$, so $\beta = 0.9$ acts like a ten times larger learning rate along steady directions."""
    prove_by_induction(d, lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, k, base="v_0 = 0", step="unrolled")
    prove_by_induction(d, _geometric, beta, lambda j: gbar, t, base="constant: v_0", step="constant gradient")
    d.begin(gbar / (1 - beta) - _geometric(t))
    d.then(lambda e: sp.factor(sp.cancel(e)), "common denominator")
    d.conclude("gap")


# ----------------------------------------------------------------------------- Adam
beta1 = probability().symbol("beta1")
beta2 = probability().symbol("beta2")
mu = real(-5, 5).symbol("mu")
s2 = positive(25).symbol("s2")
g1 = positive(5).symbol("g1")
eps = positive(1).symbol("epsilon")
M_UNROLLED = unrolled(beta1, lambda j: (1 - beta1) * g[j], t, k)


def _mean_m(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[m_s] = (1 - \beta_1^s)\mu$ for stationary gradients with mean $\mu$."""
    return (1 - beta1**s) * mu


def _mean_v(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[v_s] = (1 - \beta_2^s)\,\mathbb E[g^2]$, with $s_2 = \mathbb E[g^2]$."""
    return (1 - beta2**s) * s2


def _corrected(moment: sp.Expr, b: sp.Expr) -> sp.Expr:
    r"""``moment`` divided by Adam's correction $1 - b^t$, kept unevaluated (SymPy would cancel it at once)."""
    return sp.Mul(moment, sp.Pow(1 - b**t, -1), evaluate=False)


def _adam_check(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo: 20000 runs of Adam's moment recursions on i.i.d. gradients N(mu, sd^2); the means of
    m_hat and v_hat at every t <= 12 must be mu and E[g^2] (within 5 standard errors). A numpy Adam loop
    against the unrolled sum on random streams."""
    results = []
    for _ in range(3):
        b1, b2 = float(ctx.rng.uniform(0.5, 0.99)), float(ctx.rng.uniform(0.9, 0.9999))
        m_, sd = float(ctx.rng.uniform(-2, 2)), float(ctx.rng.uniform(0.1, 2))
        grads = ctx.rng.normal(m_, sd, size=(12, 20000))
        m = _ema_loop(grads, b1, 1 - b1)
        v = _ema_loop(grads**2, b2, 1 - b2)
        steps = np.arange(1, 13)[:, None]
        mhat, vhat = m / (1 - b1**steps), v / (1 - b2**steps)
        results.append(agrees(ctx, "E[m_hat] = E[g]", estimate(mhat, axis=1), m_))
        results.append(agrees(ctx, "E[v_hat] = E[g^2]", estimate(vhat, axis=1), m_**2 + sd**2))
    b1 = float(ctx.rng.uniform(0.5, 0.99))
    grads = ctx.rng.normal(size=30)
    loop = _ema_loop(grads, b1, 1 - b1)
    ref = np.array([(1 - b1) * np.sum(b1 ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, 31)])
    results.append(ctx.compare("Adam loop vs unrolled m_t", "numpy loop", loop, ref, rtol=1e-12))
    return combine(*results)


_m = induction_statements(
    lambda s: M_UNROLLED.subs(t, s), beta1, lambda j: (1 - beta1) * g[j], t, name="m", base="m_0 = 0", step="m unrolled"
)
_em = induction_statements(
    _mean_m, beta1, lambda j: (1 - beta1) * mu, t, name=r"\mathbb E m", base="E[m_0]", step="E[m_t]"
)
_ev = induction_statements(
    _mean_v, beta2, lambda j: (1 - beta2) * s2, t, name=r"\mathbb E v", base="E[v_0]", step="E[v_t]"
)
M1, V1 = (1 - beta1) * g1, (1 - beta2) * g1**2
FIRST_STEP = eta * (M1 / (1 - beta1)) / (sqrt(V1 / (1 - beta2)) + eps)


@identity(
    "adam-bias-correction",
    aliases=("adam",),
    title="Bias correction of the Adam moments",
    section="5.1",
    map_row=r"Adam: bias-corrected moments $\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$ "
    r"(Kingma \& Ba, 2015)",
    variables={
        beta1: probability(),
        beta2: probability(),
        t: integer(1, 12),
        g: real(-5, 5),
        mu: real(-5, 5),
        s2: positive(25),
        g1: positive(5),
        eta: positive(1),
        eps: positive(1),
    },
    claim=_m[1],
    also=[
        _m[0],
        _em[1],
        _em[0],
        Statement(
            "m_hat unbiased",
            Eq(_corrected(_mean_m(t), beta1), mu, evaluate=False),
            text=r"dividing by $1 - \beta_1^t$ removes the bias towards the initial $m_0 = 0$",
        ),
        _ev[1],
        _ev[0],
        Statement(
            "v_hat unbiased",
            Eq(_corrected(_mean_v(t), beta2), s2, evaluate=False),
            text=r"likewise $\hat v_t$ for $\mathbb E[g^2]$",
        ),
        Statement(
            "first step",
            Eq(Limit(FIRST_STEP, eps, 0, "+"), eta),
            text=r"the first update has size exactly $\eta$ whatever the gradient's scale (here $g_1 > 0$; "
            r"$-\eta$ for $g_1 < 0$)",
        ),
    ],
    crosscheck=_adam_check,
    question=Question(
        target=1 - beta1**t,
        prompt=r"Adam's first moment runs $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ from $m_0 = 0$. For stationary "
        r"gradients, $\mathbb E[m_t] = c\,\mathbb E[g]$. What is $c$ (the factor Adam divides by)?",
        names={"beta1": beta1},
        approximations={
            r"one power too many: after $t$ steps the weight of $m_0$ is $\beta_1^t$": 1 - beta1 ** (t + 1),
            r"this is only the weight of the newest gradient": 1 - beta1,
            r"one power too few: after $t$ steps the weight of $m_0$ is $\beta_1^t$": 1 - beta1 ** (t - 1),
        },
    ),
    refs=(
        Ref.arxiv("1412.6980", "D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, 2015", "Sec. 3"),
    ),
    builds_on=("sgd-momentum",),
)
def adam_bias_correction(d: Derivation) -> None:
    r"""Adam keeps exponential moving averages $m_t$ and $v_t$ of the gradient and its square, both
    started at zero. Unrolled, $m_t = (1-\beta_1)\sum_k \beta_1^{t-k} g_k$ has weights summing to
    $1 - \beta_1^t$, so early on it underestimates the gradient (by a factor 10 at $t = 1$ with
    $\beta_1 = 0.9$, and $v_t$ by 1000 with $\beta_2 = 0.999$). Dividing by $1 - \beta^t$ makes both
    unbiased; the first step then has size $\eta$ regardless of the gradient's scale. Taking expectations
    term by term with $\mathbb E[g_k] = \mu$ turns the recurrence for $m_t$ into the same recurrence for
    $\mathbb E[m_t]$ with $\mu$ in place of $g_t$, whose solution is again proved by induction."""
    prove_by_induction(
        d, lambda s: M_UNROLLED.subs(t, s), beta1, lambda j: (1 - beta1) * g[j], t, k, base="m_0 = 0", step="m unrolled"
    )
    prove_by_induction(d, _mean_m, beta1, lambda j: (1 - beta1) * mu, t, base="E[m_0]", step="E[m_t]")
    d.begin(_corrected(_mean_m(t), beta1))
    d.then(lambda e: sp.cancel(e), r"the factor $1 - \beta_1^t$ cancels")
    d.conclude("m_hat unbiased")
    prove_by_induction(d, _mean_v, beta2, lambda j: (1 - beta2) * s2, t, base="E[v_0]", step="E[v_t]")
    d.begin(_corrected(_mean_v(t), beta2))
    d.then(lambda e: sp.cancel(e), r"the factor $1 - \beta_2^t$ cancels")
    d.conclude("v_hat unbiased")
    d.begin(Limit(FIRST_STEP, eps, 0, "+"), r"$m_1 = (1-\beta_1)g_1$, $v_1 = (1-\beta_2)g_1^2$, bias-corrected")
    d.then(Limit(eta * g1 / (sqrt(g1**2) + eps), eps, 0, "+"), r"$\hat m_1 = g_1$, $\hat v_1 = g_1^2$")
    d.then(lambda e: e.doit(), r"$\epsilon \to 0$: $\eta g_1/|g_1|$")
    d.conclude("first step")


# ----------------------------------------------------------------------------- AdamW
lam = positive(1).symbol("lambda")
th1, th2 = (real(-5, 5).symbol(n) for n in ("theta1", "theta2"))
v1, v2 = (positive(100).symbol(n) for n in ("v1", "v2"))
THETA = sp.Matrix([th1, th2])
LOSS = Function("L")(th1, th2)
PENALTY = lam * (th1**2 + th2**2) / 2


def _grad(f: sp.Expr) -> sp.Matrix:
    """The gradient in (theta1, theta2), unevaluated."""
    return sp.Matrix([Derivative(f, th1), Derivative(f, th2)])


#: Adam's per-coordinate preconditioner 1/(sqrt(v_hat_i) + eps)
PRECOND = sp.diag(1 / (sqrt(v1) + eps), 1 / (sqrt(v2) + eps))
SGD_L2 = THETA - eta * _grad(LOSS + PENALTY)
ADAM_L2 = THETA - eta * PRECOND * _grad(LOSS + PENALTY)
ADAMW = THETA - eta * PRECOND * _grad(LOSS) - eta * lam * THETA
GAP = sp.Matrix([eta * lam * th * (1 - 1 / (sqrt(v) + eps)) for th, v in ((th1, v1), (th2, v2))])


def _adam_run(theta: np.ndarray, a: np.ndarray, lr: float, wd: float, decoupled: bool, steps: int = 50) -> np.ndarray:
    """Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8) on L = 1/2 theta^T A theta, with L2 or decoupled decay."""
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for s in range(1, steps + 1):
        grad = a @ theta + (0.0 if decoupled else wd * theta)
        m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad**2
        step = lr * (m / (1 - 0.9**s)) / (np.sqrt(v / (1 - 0.999**s)) + 1e-8)
        theta = theta - step - (lr * wd * theta if decoupled else 0.0)
    return theta


def _adamw_check(ctx: CheckContext) -> CrossCheckResult:
    """Numpy runs on random quadratic losses: SGD with L2 and with weight decay coincide over 50 steps;
    Adam with L2 and AdamW end at different points; one step with a given v_hat against the derived gap."""
    sgd_err, adam_gap = [], []
    for _ in range(10):
        q = ctx.rng.normal(size=(2, 2))
        a = q @ q.T + 0.1 * np.eye(2)
        th0 = ctx.rng.normal(size=2)
        lr, wd = float(ctx.rng.uniform(0.01, 0.1)), float(ctx.rng.uniform(0.01, 0.5))
        x, y = th0.copy(), th0.copy()
        for _s in range(50):
            x = x - lr * (a @ x + wd * x)
            y = y - lr * wd * y - lr * (a @ y)
        sgd_err.append(float(np.max(np.abs(x - y)) / np.max(np.abs(x))))
        w, l2 = _adam_run(th0, a, lr, wd, True), _adam_run(th0, a, lr, wd, False)
        adam_gap.append(float(np.max(np.abs(w - l2)) / np.max(np.abs(w))))
    s = ctx.sample(64)
    grads = ctx.rng.normal(size=(2, 64))
    thetas = np.array([s[th1], s[th2]])
    vs = np.array([s[v1], s[v2]])
    pre = 1 / (np.sqrt(vs) + s[eps])
    l2_step = thetas - s[eta] * pre * (grads + s[lam] * thetas)
    w_step = thetas - s[eta] * pre * grads - s[eta] * s[lam] * thetas
    derived = np.stack([ctx.evaluate(ctx.values["gap"][i], s, 64) for i in range(2)])
    return combine(
        ctx.bound("SGD: L2 = weight decay", "50 numpy steps", max(sgd_err), 1e-12),
        ctx.bound("Adam: L2 != decoupled (inverse relative gap)", "50 numpy Adam steps", 1e-3 / min(adam_gap), 1.0),
        ctx.compare("one step, gap", "numpy step with given v_hat", l2_step - w_step, derived, rtol=1e-12),
    )


@identity(
    "adamw-decoupled",
    aliases=("adamw",),
    title="Decoupled weight decay (AdamW)",
    section="5.1",
    map_row=r"AdamW (Loshchilov \& Hutter, 2019): decoupled weight decay "
    r"$\theta \leftarrow \theta - \eta\lambda\theta$",
    variables={
        th1: real(-5, 5),
        th2: real(-5, 5),
        v1: positive(100),
        v2: positive(100),
        lam: positive(1),
        eta: positive(1),
        eps: positive(1),
    },
    claim=Statement(
        "SGD",
        Eq(SGD_L2, (1 - eta * lam) * THETA - eta * _grad(LOSS), evaluate=False),
        text=r"for SGD, an $L_2$ penalty $\frac\lambda2\lVert\theta\rVert^2$ is weight decay with rate $\eta\lambda$",
    ),
    also=[
        Statement(
            "Adam: L2 vs decoupled",
            Eq(ADAM_L2 - ADAMW, GAP, evaluate=False),
            text=r"for Adam (preconditioner $1/(\sqrt{\hat v_i} + \epsilon)$, a two-parameter step) they differ: "
            r"the $L_2$ decay of coordinate $i$ is divided by $\sqrt{\hat v_i} + \epsilon$, so weights with large "
            r"gradients are hardly decayed, while AdamW decays every weight by $\eta\lambda\theta_i$",
        ),
    ],
    crosscheck=_adamw_check,
    question=Question(
        target=(1 - eta * lam) * th1,
        prompt=r"One SGD step with learning rate $\eta$ on the loss $\frac\lambda2\theta_1^2$ alone (no data loss). "
        r"Where does $\theta_1$ go?",
        names={"lambda": lam, "eta": eta},
        approximations={r"the decay is $\eta\lambda\theta$, not $\lambda\theta$": (1 - lam) * th1},
    ),
    refs=(
        Ref.arxiv("1711.05101", "I. Loshchilov and F. Hutter, Decoupled Weight Decay Regularization, 2019", "Sec. 2"),
    ),
    builds_on=("adam-bias-correction",),
)
def adamw_decoupled(d: Derivation) -> None:
    r"""Weight decay and $L_2$ regularisation are the same thing for SGD, which is why libraries long
    implemented one as the other. For adaptive methods they are not: Adam divides the $L_2$ gradient
    $\lambda\theta$ by $\sqrt{\hat v} + \epsilon$ like any gradient, so the decay is weakest exactly on the
    weights with large gradients. AdamW applies the decay outside the preconditioner; it is the
    optimiser of essentially every transformer trained today."""
    d.begin(SGD_L2, r"an SGD step on $L + \frac\lambda2\lVert\theta\rVert^2$")
    d.then(lambda e: e.doit(), r"the penalty's gradient is $\lambda\theta$")
    d.then(
        (1 - eta * lam) * THETA - eta * _grad(LOSS), r"collect $\theta$: a decay by $\eta\lambda$, then the plain step"
    )
    d.conclude("SGD")

    d.begin(ADAM_L2 - ADAMW, r"Adam on $L + \frac\lambda2\lVert\theta\rVert^2$ minus AdamW on $L$")
    d.then(lambda e: e.doit(), "differentiate the penalty")
    d.then(lambda e: e.applyfunc(lambda x: sp.factor(sp.expand(x))), r"the data gradients cancel")
    d.keep("gap")
    d.conclude("Adam: L2 vs decoupled")


# ----------------------------------------------------------------------------- Muon
sv1, sv2 = (positive(2).symbol(n) for n in ("sigma1", "sigma2"))
u_rot, w_rot = (real(-2, 2).symbol(n) for n in ("u", "w"))
na, nb, nc = (real(-5, 5).symbol(n) for n in ("a", "b", "c"))
sigma = positive(2).symbol("sigma")
X_SVD, U_SVD, S_SVD, V_SVD = svd_form([sv1, sv2], 2, 2, [u_rot], [w_rot])
_GRAM = (X_SVD * X_SVD.T).applyfunc(sp.cancel)
_GX = (_GRAM * X_SVD).applyfunc(sp.cancel)
NS_STEP = notation(
    r"aX + b\,(XX^\top)X + c\,(XX^\top)^2X",
    na * X_SVD + nb * _GX + nc * (_GRAM * _GX).applyfunc(sp.cancel),
    "aX + b(XX^T)X + c(XX^T)^2X",
)


def _p(x: sp.Expr, a: sp.Expr = na, b: sp.Expr = nb, c: sp.Expr = nc) -> sp.Expr:
    r"""The odd polynomial $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$ applied to each singular value."""
    return a * x + b * x**3 + c * x**5


P_SIGMA = sp.diag(_p(sv1), _p(sv2))
CUBIC = _p(sigma, sp.Rational(3, 2), -sp.Rational(1, 2), 0)
MUON = (3.4445, -4.7750, 2.0315)
BAND = (0.68, 1.14)


def _ns(x: np.ndarray, coeffs: tuple[float, float, float], steps: int) -> np.ndarray:
    """The Newton-Schulz iteration on a matrix, as Muon runs it."""
    a, b, c = coeffs
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + b * gram @ x + c * gram @ gram @ x
    return x


def _muon_check(ctx: CheckContext) -> CrossCheckResult:
    """Random 6x4 matrices scaled to unit Frobenius norm: 30 cubic steps against U V^T from numpy's SVD;
    one step with random (a, b, c) against U p(Sigma) V^T built from numpy's SVD."""
    polar, poly = [], []
    for _ in range(10):
        x = ctx.rng.normal(size=(6, 4))
        x /= np.linalg.norm(x)
        uu, ss, vt = np.linalg.svd(x, full_matrices=False)
        polar.append(float(np.max(np.abs(_ns(x, (1.5, -0.5, 0.0), 30) - uu @ vt))))
        co = tuple(ctx.rng.uniform(-5, 5, 3))
        ref = uu @ np.diag(co[0] * ss + co[1] * ss**3 + co[2] * ss**5) @ vt
        poly.append(float(np.max(np.abs(_ns(x, co, 1) - ref)) / np.max(np.abs(ref))))
    return combine(
        ctx.bound("cubic Newton-Schulz -> U V^T", "30 steps vs numpy.linalg.svd", max(polar), 1e-10),
        ctx.bound("one step = U p(Sigma) V^T", "numpy, random (a, b, c)", max(poly), 1e-12),
    )


def _cubic_converges(ctx: CheckContext) -> CrossCheckResult:
    """60 steps of the cubic map on a grid of sigma in [0.001, sqrt(3) - 0.001] and at random points."""
    pts = np.concatenate([np.linspace(1e-3, np.sqrt(3) - 1e-3, 20001), ctx.rng.uniform(1e-3, np.sqrt(3) - 1e-3, 1000)])
    out = pts.copy()
    for _ in range(60):
        out = 1.5 * out - 0.5 * out**3
    return ctx.bound("cubic map -> 1", "60 iterations on a grid of (0, sqrt 3)", float(np.max(np.abs(out - 1))), 1e-12)


def _band_check(ctx: CheckContext) -> CrossCheckResult:
    """Five steps of Muon's quintic on a fine grid of sigma in [0.01, 1] and on the singular values of
    random matrices normalised to unit Frobenius norm (so sigma <= 1): the distance outside the band."""
    grid = np.linspace(0.01, 1.0, 100001)
    sv = np.concatenate(
        [np.linalg.svd(m / np.linalg.norm(m), compute_uv=False) for m in ctx.rng.normal(size=(50, 8, 8))]
    )
    pts = np.concatenate([grid, sv[sv >= 0.01]])
    out = pts.copy()
    for _ in range(5):
        out = _p(out, *MUON)
    outside = float(np.max(np.maximum(BAND[0] - out, out - BAND[1])))
    return ctx.bound(
        f"5 quintic steps land in [{BAND[0]}, {BAND[1]}]",
        "grid of 100001 sigmas and random singular values",
        outside,
        0.0,
        samples=pts.size,
        detail=f"measured range [{out.min():.4f}, {out.max():.4f}]",
    )


@identity(
    "muon-newton-schulz",
    aliases=("muon",),
    title="Muon: Newton-Schulz orthogonalisation",
    section="5.1",
    map_row=r"Muon (2024): orthogonalised Nesterov momentum via Newton--Schulz iterations",
    variables={
        sv1: positive(2),
        sv2: positive(2),
        u_rot: real(-2, 2),
        w_rot: real(-2, 2),
        na: real(-5, 5),
        nb: real(-5, 5),
        nc: real(-5, 5),
        sigma: positive(2),
    },
    claim=Statement(
        "singular values",
        Eq(NS_STEP, notation(r"U\,p(\Sigma)\,V^\top", U_SVD * P_SIGMA * V_SVD.T, "U p(S) V^T"), evaluate=False),
        text=r"for $X = U\Sigma V^\top$ ($2\times2$, $U$ and $V$ rotations) one step is $U\,p(\Sigma)\,V^\top$: "
        r"the singular vectors stay, each singular value goes to $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$",
    ),
    also=[
        Statement(
            "diagonal",
            Eq(notation(r"U^\top f(X)\,V", U_SVD.T * NS_STEP.args[1] * V_SVD, "U^T f(X) V"), P_SIGMA, evaluate=False),
            text="in the singular bases the step is diagonal",
        ),
        Statement(
            "fixed points",
            Eq(CUBIC - sigma, -sigma * (sigma - 1) * (sigma + 1) / 2),
            text=r"the cubic map $p(\sigma) = \frac32\sigma - \frac12\sigma^3$ fixes $0$ and $\pm1$",
        ),
        Statement(
            "p'(1) = 0",
            Eq(Subs(Derivative(CUBIC, sigma), sigma, 1), 0),
            text=r"with zero slope at $\sigma = 1$: convergence to 1 is quadratic",
        ),
        Statement(
            "positive",
            Eq(CUBIC, sigma * (3 - sigma**2) / 2),
            text=r"so $p(\sigma) > 0$ exactly for $0 < \sigma < \sqrt3$",
        ),
        numerically(
            "converges",
            r"iterating the cubic map from any $\sigma \in (0, \sqrt3)$ converges to 1 (so $X \to UV^\top$)",
            _cubic_converges,
        ),
        numerically(
            "quintic band",
            rf"Muon's coefficients $(a, b, c) = {MUON}$ map every $\sigma \in [0.01, 1]$ into "
            rf"$[{BAND[0]}, {BAND[1]}]$ in 5 steps (measured; not to 1: speed bought with accuracy)",
            _band_check,
        ),
    ],
    crosscheck=_muon_check,
    question=Question(
        target=CUBIC,
        prompt=r"One Newton--Schulz step $X \leftarrow \frac32 X - \frac12 (XX^\top)X$ acts on $X = U\Sigma V^\top$. "
        r"What does it do to a singular value $\sigma$?",
        names={"sigma": sigma},
        approximations={
            r"the coefficient of $\sigma^3$ has the wrong sign": _p(sigma, sp.Rational(3, 2), sp.Rational(1, 2), 0)
        },
    ),
    refs=(
        Ref.book("K. Jordan et al., Muon: An optimizer for hidden layers in neural networks (blog post), 2024"),
        Ref.arxiv("2502.16982", "J. Liu et al., Muon is Scalable for LLM Training, 2025", "Sec. 2"),
        Ref.book("N. J. Higham, Functions of Matrices (SIAM, 2008)", "Ch. 8, the Newton-Schulz iteration"),
    ),
)
def muon_newton_schulz(d: Derivation) -> None:
    r"""Muon replaces the momentum matrix $M = U\Sigma V^\top$ of a weight matrix by its orthogonal polar
    factor $UV^\top$ (every singular value set to 1), so all directions of the update move at the same
    rate. An SVD per step is too slow on accelerators; an odd matrix polynomial
    $aX + b(XX^\top)X + c(XX^\top)^2X$ is just matrix products, and it acts on the singular values alone."""
    size = r"for $2\times2$ $X$, $U$ and $V$ Cayley rotations"
    d.begin(NS_STEP, scope=size)
    d.then(
        lambda e: e.doit(), r"$X = U\Sigma V^\top$, multiplied out ($XX^\top = U\Sigma^2U^\top$ since $V^\top V = I$)"
    )
    d.then(lambda e: U_SVD * (U_SVD.T * e * V_SVD).applyfunc(sp.cancel) * V_SVD.T, r"read it in the singular bases")
    d.conclude("singular values")

    d.begin(notation(r"U^\top f(X)\,V", U_SVD.T * NS_STEP.args[1] * V_SVD, "U^T f(X) V"), scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U^\top U = V^\top V = I$ (Cayley rotations: \texttt{cancel})")
    d.conclude("diagonal")

    d.begin(CUBIC - sigma)
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("fixed points")

    d.begin(Subs(Derivative(CUBIC, sigma), sigma, 1))
    d.then(lambda e: e.doit(), r"$p'(\sigma) = \frac32 - \frac32\sigma^2$ at $\sigma = 1$")
    d.conclude("p'(1) = 0")

    d.begin(CUBIC)
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("positive")


# ----------------------------------------------------------------------------- Shampoo / SOAP
ENTRY = real(-3, 3)
GM = symbol_matrix("G", 2, 2, ENTRY)
AM, BM = symbol_matrix("A", 2, 2, ENTRY), symbol_matrix("B", 2, 2, ENTRY)
p_rot, q_rot = (real(-2, 2).symbol(n) for n in ("p", "q"))
ROOT = interval(sp.Rational(1, 2), 2)
m1, m2, n1, n2 = (ROOT.symbol(n) for n in ("m1", "m2", "n1", "n2"))
Q_L, Q_R = cayley_orthogonal([p_rot], 2), cayley_orthogonal([q_rot], 2)
QUARTER = -sp.Rational(1, 4)


def _spd_power(q: sp.Matrix, roots: tuple[sp.Expr, ...], power: sp.Expr) -> sp.Matrix:
    r"""$Q\,\mathrm{diag}(\lambda_i^{\,p})\,Q^\top$ for eigenvalues $\lambda_i = m_i^4$: a matrix power through
    the eigendecomposition (fourth powers keep $\lambda^{-1/4} = 1/m$ rational, so ``cancel`` decides).
    Entries are left as the multiplied-out products (no ``cancel``), so regrouping them is ``expand``."""
    return q * sp.diag(*((m**4) ** power for m in roots)) * q.T


L_MAT, R_MAT = _spd_power(Q_L, (m1, m2), 1), _spd_power(Q_R, (n1, n2), 1)
L_Q, R_Q = _spd_power(Q_L, (m1, m2), QUARTER), _spd_power(Q_R, (n1, n2), QUARTER)
SCALE = sp.Matrix(2, 2, lambda i, j: 1 / ((m1, m2)[i] * (n1, n2)[j]))
#: SOAP's form: rotate G' = Q_L^T G Q_R, scale entry (i, j) by S_ij = 1/(m_i n_j), rotate back
SOAP_FORM = Q_L * (Q_L.T * GM * Q_R).multiply_elementwise(SCALE) * Q_R.T
SHAMPOO = notation(r"L^{-1/4} G R^{-1/4}", L_Q * GM * R_Q, "L^(-1/4) G R^(-1/4)")


def _eig_power(m: np.ndarray, power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m^power, eigenvalues, eigenvectors) of a symmetric positive definite m by numpy.linalg.eigh."""
    w, q = np.linalg.eigh(m)
    return (q * w**power) @ q.T, w, q


def _soap_check(ctx: CheckContext) -> CrossCheckResult:
    """Random G (5x3) with L = G G^T + I, R = G^T G + I: Shampoo's L^-1/4 G R^-1/4 against the 15x15
    Kronecker preconditioner applied to vec G (numpy.kron, column-major vec), and against Adam run in
    the rotated basis (G' = Q_L^T G Q_R divided by sqrt(v') with v'_ij = sqrt(l_i r_j)), rotated back."""
    kron_err, adam_err = [], []
    for _ in range(10):
        g_ = ctx.rng.normal(size=(5, 3))
        lm, rm = g_ @ g_.T + np.eye(5), g_.T @ g_ + np.eye(3)
        lq, lw, lv = _eig_power(lm, -0.25)
        rq, rw, rv = _eig_power(rm, -0.25)
        shampoo = lq @ g_ @ rq
        kron = (np.kron(rq.T, lq) @ g_.reshape(-1, order="F")).reshape(5, 3, order="F")
        kron_err.append(float(np.max(np.abs(kron - shampoo)) / np.max(np.abs(shampoo))))
        rotated = lv.T @ g_ @ rv
        v_rot = np.sqrt(np.outer(lw, rw))
        adam = lv @ (rotated / np.sqrt(v_rot)) @ rv.T
        adam_err.append(float(np.max(np.abs(adam - shampoo)) / np.max(np.abs(shampoo))))
    return combine(
        ctx.bound("Shampoo = Kronecker preconditioner", "numpy.kron on 5x3", max(kron_err), 1e-12),
        ctx.bound("Shampoo = Adam in the eigenbasis", "numpy.linalg.eigh", max(adam_err), 1e-12),
    )


@identity(
    "soap-shampoo",
    aliases=("shampoo", "soap"),
    title="Shampoo as a Kronecker preconditioner; SOAP as Adam in its eigenbasis",
    section="5.1",
    map_row=r"SOAP (2024): Shampoo + Adam preconditioner",
    variables={
        **entry_domains(GM, ENTRY),
        **entry_domains(AM, ENTRY),
        **entry_domains(BM, ENTRY),
        p_rot: real(-2, 2),
        q_rot: real(-2, 2),
        m1: ROOT,
        m2: ROOT,
        n1: ROOT,
        n2: ROOT,
    },
    claim=Statement(
        "Kronecker form",
        Eq(
            notation(r"\operatorname{vec}(L^{-1/4} G R^{-1/4})", vec(L_Q * GM * R_Q), "vec(L^-1/4 G R^-1/4)"),
            notation(
                r"(R^{-1/4} \otimes L^{-1/4}) \operatorname{vec} G",
                sp.kronecker_product(R_Q, L_Q) * vec(GM),
                "(R^-1/4 kron L^-1/4) vec G",
            ),
            evaluate=False,
        ),
        text=r"Shampoo's two-sided update is one Kronecker-factored preconditioner acting on $\operatorname{vec} G$",
    ),
    also=[
        Statement(
            "vec-Kronecker",
            Eq(
                notation(r"\operatorname{vec}(AGB)", vec(AM * GM * BM), "vec(AGB)"),
                notation(
                    r"(B^\top \otimes A)\operatorname{vec} G",
                    sp.kronecker_product(BM.T, AM) * vec(GM),
                    "(B^T kron A) vec G",
                ),
                evaluate=False,
            ),
            text=r"$\operatorname{vec}(AGB) = (B^\top \otimes A)\operatorname{vec} G$ "
            r"(column-stacking $\operatorname{vec}$)",
        ),
        Statement(
            "inverse fourth root",
            Eq(notation(r"(L^{-1/4})^4 L", L_Q**4 * L_MAT, "(L^-1/4)^4 L"), sp.eye(2), evaluate=False),
            text=r"$L^{-1/4} = Q_L \Lambda^{-1/4} Q_L^\top$ from the eigendecomposition is the inverse fourth root",
        ),
        Statement(
            "eigenbasis",
            Eq(
                SHAMPOO,
                notation(r"Q_L \bigl(G' \circ S\bigr) Q_R^\top", SOAP_FORM, "Q_L (G' o S) Q_R^T"),
                evaluate=False,
            ),
            text=r"in the eigenbases both factors are diagonal: Shampoo rotates $G' = Q_L^\top G Q_R$, scales entry "
            r"$(i, j)$ by $\lambda_i^{-1/4}\rho_j^{-1/4} = 1/(m_i n_j)$ and rotates back. "
            r"SOAP replaces that fixed scaling by Adam's "
            r"running $1/\sqrt{\hat v'_{ij}}$ on $G'$",
        ),
    ],
    crosscheck=_soap_check,
    question=Question(
        target=1 / (m1 * n2),
        prompt=r"Shampoo updates with $L^{-1/4} G R^{-1/4}$, $L = Q_L\,\mathrm{diag}(m_1^4, m_2^4)\,Q_L^\top$, "
        r"$R = Q_R\,\mathrm{diag}(n_1^4, n_2^4)\,Q_R^\top$. "
        r"In the rotated basis $G' = Q_L^\top G Q_R$, by what factor is "
        r"the entry $G'_{12}$ scaled?",
        names={"m1": m1, "n2": n2},
        approximations={"inverse square roots, not fourth roots (one-sided full-matrix Adagrad)": 1 / (m1 * n2) ** 2},
    ),
    refs=(
        Ref.arxiv(
            "1802.09568",
            "V. Gupta, T. Koren and Y. Singer, Shampoo: Preconditioned Stochastic Tensor Optimization, 2018",
            "Lemma 1",
        ),
        Ref.arxiv("2409.11321", "N. Vyas et al., SOAP: Improving and Stabilizing Shampoo using Adam, 2024", "Sec. 3"),
    ),
    builds_on=("kfac-kronecker", "adam-bias-correction"),
)
def soap_shampoo(d: Derivation) -> None:
    r"""Shampoo preconditions a weight matrix's gradient from both sides, $L^{-1/4} G R^{-1/4}$ with
    $L = \sum G G^\top$ and $R = \sum G^\top G$: a cheap Kronecker-factored stand-in for full-matrix
    Adagrad on $\operatorname{vec} G$. Written in the eigenbases of $L$ and $R$ the preconditioner is diagonal,
    which is SOAP's observation: run Adam (with its running second moments) on the rotated gradient and
    rotate back, refreshing the eigenbases only now and then."""
    size = r"for $2\times2$ matrices"
    d.begin(notation(r"\operatorname{vec}(AGB)", vec(AM * GM * BM), "vec(AGB)"), scope=size)
    d.then(lambda e: e.doit(), "entry by entry")
    d.then(
        lambda e: sp.kronecker_product(BM.T, AM) * vec(GM),
        r"read each entry $\sum_{kl} A_{ik} G_{kl} B_{lj}$ as a row of $B^\top \otimes A$",
    )
    d.conclude("vec-Kronecker")

    d.begin(notation(r"(L^{-1/4})^4 L", L_Q**4 * L_MAT, "(L^-1/4)^4 L"), scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$Q_L^\top Q_L = I$ and $(1/m)^4 m^4 = 1$")
    d.conclude("inverse fourth root")

    d.begin(
        notation(r"\operatorname{vec}(L^{-1/4} G R^{-1/4})", vec(L_Q * GM * R_Q), "vec(L^-1/4 G R^-1/4)"), scope=size
    )
    d.then(lambda e: e.doit(), "the update, column-stacked")
    d.then(
        lambda e: sp.kronecker_product(R_Q.T, L_Q) * vec(GM),
        r"the vec-Kronecker identity with $A = L^{-1/4}$, $B = R^{-1/4}$",
    )
    d.then(lambda e: sp.kronecker_product(R_Q, L_Q) * vec(GM), r"$R^{-1/4}$ is symmetric")
    d.conclude("Kronecker form")

    d.begin(SHAMPOO, scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(
        lambda e: Q_L * (sp.diag(1 / m1, 1 / m2) * (Q_L.T * GM * Q_R) * sp.diag(1 / n1, 1 / n2)) * Q_R.T,
        r"$L^{-1/4} = Q_L\Lambda^{-1/4}Q_L^\top$ and $R^{-1/4} = Q_R P^{-1/4} Q_R^\top$, regrouped",
    )
    d.then(
        lambda e: SOAP_FORM,
        "diagonal scalings from both sides act entrywise",
    )
    d.conclude("eigenbasis")
