r"""6 Curriculum chapters 07 and 10: statistics (the Gaussian MLE) and numerical methods
(condition numbers, central differences).

The MLE is derived for a symbolic sample size $n$ (``IndexedBase`` data, ``Sum``); the bias of the
variance estimate is an expectation of a polynomial in independent normals, computed by
``sympy.stats`` at explicit sizes and checked by Monte Carlo at another. The numerical-methods
identities are about floating point, so their checks measure real float64 errors.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Le, Sum, log, pi
from sympy.stats import Expectation, Normal

from derive.core.derivation import Derivation
from derive.core.identity import Plot, Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, nonnegative, positive, real
from derive.maths.matrices import svd_form
from derive.maths.moments import normal_expectation
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.montecarlo import agrees, estimate

# ----------------------------------------------------------------------------- Gaussian MLE
xs = IndexedBase("x", real=True)
n = integer(2, 6).symbol("n")
i = sp.Symbol("i", integer=True)
mu = real(-5, 5).symbol("mu")
s2 = positive(25).symbol("s2")
sigma = positive(3).symbol("sigma")
MEAN = Sum(xs[i], (i, 1, n)) / n
SQUARES = Sum((xs[i] - mu) ** 2, (i, 1, n))
#: the log-likelihood sum_i log N(x_i; mu, s2), its constant term already summed
LOGLIK = -n * log(2 * pi * s2) / 2 - SQUARES / (2 * s2)
BIAS_SIZES = (2, 3)


def _variance_mle(size: int) -> sp.Expr:
    r"""$\frac1n\sum_i (x_i - \bar x)^2$ for ``size`` independent $\mathcal N(\mu, \sigma^2)$ variables, expanded."""
    draws = [Normal(f"x{k}", mu, sigma) for k in range(1, size + 1)]
    mean = sp.Add(*draws) / size
    return sp.expand(sp.Add(*((d - mean) ** 2 for d in draws)) / size)


def _expected_variance(size: int) -> sp.Basic:
    return notation(
        rf"\mathbb E\big[\hat s^2\big]_{{n = {size}}}", Expectation(_variance_mle(size)), f"E[s2_hat] (n = {size})"
    )


def _mle_check(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo at n = 5 (200000 samples): the mean of the MLE variance against (n-1)/n sigma^2, and of the
    Bessel-corrected one against sigma^2; scipy.optimize maximising the log-likelihood of random data against
    the sample mean and the 1/n variance."""
    from scipy.optimize import minimize

    results = []
    for _ in range(3):
        m_, sd = float(ctx.rng.uniform(-3, 3)), float(ctx.rng.uniform(0.2, 3))
        draws = ctx.rng.normal(m_, sd, size=(200000, 5))
        mle = draws.var(axis=1)
        results.append(agrees(ctx, "E[s2_hat] = (n-1)/n sigma^2, n = 5", estimate(mle), 4 / 5 * sd**2))
        results.append(agrees(ctx, "E[n/(n-1) s2_hat] = sigma^2", estimate(mle * 5 / 4), sd**2))
    errs = []
    for _ in range(5):
        data = ctx.rng.normal(float(ctx.rng.uniform(-3, 3)), float(ctx.rng.uniform(0.5, 2)), size=20)

        def nll(p: np.ndarray, data: np.ndarray = data) -> float:
            return float(np.sum((data - p[0]) ** 2) / (2 * np.exp(p[1])) + len(data) * p[1] / 2)

        opt = minimize(nll, np.array([0.0, 0.0]), method="BFGS", options={"gtol": 1e-10})
        errs.append(max(abs(opt.x[0] - data.mean()), abs(np.exp(opt.x[1]) - data.var()) / data.var()))
    results.append(ctx.bound("argmax of the log-likelihood", "scipy.optimize (BFGS)", max(errs), 1e-5))
    return combine(*results)


@identity(
    "mle-gaussian",
    aliases=("gaussian-mle", "bessel-correction"),
    title="Gaussian maximum likelihood and Bessel's correction",
    section="6",
    map_row=r"chapter 07 Statistics: MLE, MAP",
    variables={xs: real(-5, 5), n: integer(2, 6), mu: real(-5, 5), s2: positive(25), sigma: positive(3)},
    claim=Statement(
        "mu_hat",
        Eq(mu, MEAN),
        text=r"the log-likelihood $\ell(\mu, s^2) = \sum_i \log\mathcal N(x_i; \mu, s^2)$ is stationary in $\mu$ "
        r"at the sample mean",
    ),
    also=[
        Statement(
            "s2_hat",
            Eq(s2, Sum((xs[i] - mu) ** 2, (i, 1, n)) / n),
            text=r"and in $s^2$ at the mean squared deviation (divided by $n$); jointly, with $\mu = \bar x$",
        ),
        *(
            Statement(
                f"bias n = {size}",
                Eq(_expected_variance(size), sp.Rational(size - 1, size) * sigma**2, evaluate=False),
                text=rf"for $n = {size}$ samples of $\mathcal N(\mu, \sigma^2)$, "
                r"$\mathbb E[\hat s^2] = \frac{n-1}{n}\sigma^2$: the MLE underestimates the variance",
            )
            for size in BIAS_SIZES
        ),
    ],
    crosscheck=_mle_check,
    question=Question(
        target=(n - 1) * sigma**2 / n,
        prompt=r"For $n$ i.i.d. samples of $\mathcal N(\mu, \sigma^2)$, what is the expectation of the maximum "
        r"likelihood variance estimate $\hat s^2 = \frac1n\sum_i (x_i - \bar x)^2$?",
        names={"sigma": sigma, "n": n},
        approximations={
            r"that would be an unbiased estimate: dividing by $n$ loses one degree of freedom": sigma**2,
            r"the bias factor is $(n-1)/n$, not $n/(n-1)$": n * sigma**2 / (n - 1),
        },
    ),
    refs=(Ref.book("C. M. Bishop, Pattern Recognition and Machine Learning (2006)", "Sec. 1.2.4"),),
)
def mle_gaussian(d: Derivation) -> None:
    r"""Fitting a Gaussian by maximum likelihood gives the sample mean and the mean squared deviation
    with divisor $n$. The variance estimate is biased low by the factor $(n-1)/n$, because the deviations
    are taken from $\bar x$, which is fitted to the same data; Bessel's $n - 1$ undoes it. The same
    effect is why batch-norm and layer-norm statistics of small groups are noisy and biased."""
    d.begin(LOGLIK, r"the log-likelihood $\sum_{i=1}^n \log\mathcal N(x_i; \mu, s^2)$")
    d.then(
        lambda e: e.subs(SQUARES, Sum(xs[i] ** 2, (i, 1, n)) - 2 * mu * Sum(xs[i], (i, 1, n)) + n * mu**2),
        r"expand the square: $\sum_i (x_i - \mu)^2 = \sum_i x_i^2 - 2\mu\sum_i x_i + n\mu^2$",
    )
    expanded = d.keep("expanded")

    d.begin(Eq(Derivative(expanded, mu), 0), r"stationarity of $\ell$ in $\mu$")
    d.then(lambda e: e.doit(), r"differentiate")
    d.solve(mu)
    d.conclude("mu_hat")

    d.begin(Eq(Derivative(LOGLIK, s2), 0), r"stationarity of $\ell$ in $s^2$")
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(s2)
    d.conclude("s2_hat")

    for size in BIAS_SIZES:
        d.begin(_expected_variance(size), scope=f"n = {size}")
        d.then(
            lambda e: normal_expectation(
                e.args[1].args[0], {x: (mu, sigma) for x in e.args[1].args[0].free_symbols - {mu, sigma}}
            ),
            r"linearity and independence: $\mathbb E[x_k] = \mu$, $\mathbb E[x_k^2] = \mu^2 + \sigma^2$, "
            r"$\mathbb E[x_k x_l] = \mu^2$ ($k \ne l$)",
        )
        d.then(lambda e: sp.factor(e), "collect")
        d.conclude(f"bias n = {size}")


# ----------------------------------------------------------------------------- condition number
sig2 = positive(5).symbol("sigma2")
gap = nonnegative(5).symbol("Delta")
sig1 = sig2 + gap  # sigma1 >= sigma2 > 0, with the order visible to SymPy's assumptions
x1 = positive(5).symbol("x1")  # x != 0; flipping the first basis vector makes x1 > 0
x2, d1, d2 = (real(-5, 5).symbol(name) for name in ("x2", "dx1", "dx2"))
KAPPA = sig1 / sig2
REL_X = (d1**2 + d2**2) / (x1**2 + x2**2)
REL_B = (sig1**2 * d1**2 + sig2**2 * d2**2) / (sig1**2 * x1**2 + sig2**2 * x2**2)
s_a, s_b = (positive(5).symbol(name) for name in ("s1", "s2"))
u_c, w_c = (real(-2, 2).symbol(name) for name in ("u", "w"))
X_C, U_C, S_C, V_C = svd_form([s_a, s_b], 2, 2, [u_c], [w_c])
GRAM = notation(r"X^\top X", X_C.T * X_C, "X^T X")
GRAM_SVD = notation(r"V \Sigma^2 V^\top", V_C * S_C**2 * V_C.T, "V S^2 V^T")


def _condition_check(ctx: CheckContext) -> CrossCheckResult:
    """Random 6x6 systems: the relative error of the solution against kappa times the relative error of b
    (numpy.linalg.solve, cond), equality for the worst directions; cond(X^T X) = cond(X)^2 for random 8x5 X."""
    ratios, worst, squares = [], [], []
    for _ in range(20):
        a = ctx.rng.normal(size=(6, 6))
        x = ctx.rng.normal(size=6)
        db = 1e-8 * ctx.rng.normal(size=6)
        b = a @ x
        dx = np.linalg.solve(a, b + db) - x
        kappa = np.linalg.cond(a)
        ratios.append((np.linalg.norm(dx) / np.linalg.norm(x)) / (kappa * np.linalg.norm(db) / np.linalg.norm(b)))
        u, _, vt = np.linalg.svd(a)
        xw, dbw = vt[0], 1e-8 * u[:, -1]  # x along the top right singular vector, db along the bottom left one
        dxw = np.linalg.solve(a, a @ xw + dbw) - xw
        worst.append(
            (np.linalg.norm(dxw) / np.linalg.norm(xw)) / (kappa * np.linalg.norm(dbw) / np.linalg.norm(a @ xw))
        )
        xm = ctx.rng.normal(size=(8, 5))
        squares.append(np.linalg.cond(xm.T @ xm) / np.linalg.cond(xm) ** 2)
    return combine(
        ctx.bound("error ratio / kappa <= 1", "numpy.linalg.solve, random systems", max(ratios), 1 + 1e-6),
        ctx.compare("bound attained", "worst-case directions", np.array(worst), np.ones(20), rtol=1e-5),
        ctx.compare("cond(X^T X) = cond(X)^2", "numpy.linalg.cond", np.array(squares), np.ones(20), rtol=1e-8),
    )


def _digits_lost(ctx: CheckContext) -> CrossCheckResult:
    """Least squares with cond(X) = 1e6: the normal equations' relative error against lstsq's (QR/SVD); the
    normal equations lose about twice the digits (error ~ kappa^2 eps against ~ kappa eps)."""
    eps = np.finfo(float).eps
    rel_ne, rel_ls = [], []
    for _ in range(10):
        q1, _ = np.linalg.qr(ctx.rng.normal(size=(40, 6)))
        q2, _ = np.linalg.qr(ctx.rng.normal(size=(6, 6)))
        x = q1 @ np.diag(np.logspace(0, -6, 6)) @ q2.T  # cond(X) = 1e6
        w = ctx.rng.normal(size=6)
        y = x @ w  # consistent system: the exact solution is w
        w_ne = np.linalg.solve(x.T @ x, x.T @ y)
        w_ls = np.linalg.lstsq(x, y, rcond=None)[0]
        rel_ne.append(np.linalg.norm(w_ne - w) / np.linalg.norm(w))
        rel_ls.append(np.linalg.norm(w_ls - w) / np.linalg.norm(w))
    lost_ne, lost_ls = -np.log10(np.median(rel_ne)), -np.log10(np.median(rel_ls))
    return combine(
        ctx.bound(
            "normal equations: error <= 100 kappa^2 eps",
            "numpy.linalg.solve",
            float(np.median(rel_ne)),
            100 * 1e12 * eps,
        ),
        ctx.bound(
            "lstsq keeps >= 4 more digits",
            "numpy.linalg.lstsq",
            float(lost_ne + 4 - lost_ls),
            0.0,
            detail=f"digits: normal equations {lost_ne:.1f}, lstsq {lost_ls:.1f}",
        ),
    )


@identity(
    "condition-number",
    aliases=("kappa",),
    title="Condition number: error amplification and the normal equations",
    section="6",
    map_row=r"chapter 10 Numerical methods: condition number, stability",
    variables={
        sig2: positive(5),
        gap: nonnegative(5),
        x1: positive(5),
        x2: real(-5, 5),
        d1: real(-5, 5),
        d2: real(-5, 5),
        s_a: positive(5),
        s_b: positive(5),
        u_c: real(-2, 2),
        w_c: real(-2, 2),
    },
    claim=Statement(
        "bound",
        Le(REL_X, KAPPA**2 * REL_B),
        text=r"for $A x = b$, $A(x + \delta x) = b + \delta b$: $\frac{\lVert\delta x\rVert^2}{\lVert x\rVert^2} \le "
        r"\kappa^2 \frac{\lVert\delta b\rVert^2}{\lVert b\rVert^2}$ with $\kappa = \sigma_1/\sigma_2$. Written in the "
        r"singular bases of $A$ (norms do not change), $A = \mathrm{diag}(\sigma_1, \sigma_2)$, "
        r"$b = (\sigma_1 x_1, \sigma_2 x_2)$, $\delta b = (\sigma_1 \delta x_1, \sigma_2 \delta x_2)$, "
        r"$\sigma_1 = \sigma_2 + \Delta$",
    ),
    also=[
        Statement(
            "Gram spectrum",
            Eq(GRAM, GRAM_SVD, evaluate=False),
            text=r"for $X = U\Sigma V^\top$ the Gram matrix is $X^\top X = V\Sigma^2V^\top$: its singular values are "
            r"$\sigma_i^2$, so $\kappa(X^\top X) = \kappa(X)^2$",
        ),
        numerically(
            "digits lost",
            r"solving least squares through the normal equations $X^\top X w = X^\top y$ loses about twice the digits "
            r"of a QR/SVD solver (measured at $\kappa(X) = 10^6$)",
            _digits_lost,
        ),
    ],
    crosscheck=_condition_check,
    question=Question(
        target=s_a**2 / s_b**2,
        prompt=r"$X$ has singular values $s_1 \ge s_2 > 0$. What is the condition number $\kappa(X^\top X)$?",
        names={"s1": s_a, "s2": s_b},
        approximations={r"that is $\kappa(X)$; the Gram matrix squares it": s_a / s_b},
    ),
    refs=(
        Ref.book("L. N. Trefethen and D. Bau, Numerical Linear Algebra (SIAM, 1997)", "Lectures 12 and 18"),
        Ref.book("G. H. Golub and C. F. Van Loan, Matrix Computations, 4th ed. (2013)", "Sec. 2.6, 5.3"),
    ),
    builds_on=("eckart-young",),
)
def condition_number(d: Derivation) -> None:
    r"""The condition number $\kappa(A) = \sigma_{\max}/\sigma_{\min}$ bounds how much a relative error in the
    data can grow in the solution of $Ax = b$: $\kappa = 10^k$ costs up to $k$ of float64's 16 digits. Forming
    $X^\top X$ squares it, which is why least squares (and second-order optimisers) are solved with QR, SVD or
    Cholesky on well-scaled problems rather than by inverting the Gram matrix."""
    d.begin(REL_X, r"relative change of the solution, squared", scope="for n = 2")
    d.bound(
        (sig1**2 * d1**2 + sig2**2 * d2**2) / (sig2**2 * (x1**2 + x2**2)),
        r"$\lVert\delta x\rVert = \lVert A^{-1}\delta b\rVert \le \lVert\delta b\rVert/\sigma_2$",
    )
    d.bound(
        KAPPA**2 * REL_B,
        r"$\lVert b\rVert = \lVert Ax\rVert \le \sigma_1\lVert x\rVert$",
    )
    d.conclude("bound")

    d.begin(GRAM, scope=r"for $2\times2$ $X = U\Sigma V^\top$, $U$ and $V$ Cayley rotations")
    d.then(lambda e: e.doit(), r"multiply out $V\Sigma U^\top U \Sigma V^\top$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U^\top U = I$")
    d.then(lambda e: GRAM_SVD.doit(), r"an eigendecomposition with eigenvalues $\sigma_i^2$")
    d.conclude("Gram spectrum")


# ----------------------------------------------------------------------------- central differences
hx = positive(1).symbol("h")
fk = [real(-5, 5).symbol(f"f{k}") for k in range(6)]  # f_k stands for f^{(k)}(x)
mach = positive(1).symbol("epsilon")
F_ABS, F3_ABS = (positive(10).symbol(name) for name in ("F", "M"))


def _taylor(step: sp.Expr) -> sp.Expr:
    r"""$f(x + s) = \sum_{k=0}^{5} f^{(k)}(x)\,s^k/k!$ up to $O(s^6)$."""
    return sp.Add(*(fk[k] * step**k / sp.factorial(k) for k in range(6)))


def _taylor_tex(step: sp.Expr) -> str:
    """The expansion of :func:`_taylor` in LaTeX, in ascending powers."""
    terms = [sp.latex(fk[k] * step**k / sp.factorial(k)) for k in range(6)]
    return " + ".join(terms).replace("+ -", "- ")


#: the central quotient with both expansions written out (the cancellation is the derivation's step)
QUOTIENT = notation(
    rf"\frac{{1}}{{2h}}\Bigl[\bigl({_taylor_tex(hx)}\bigr) - \bigl({_taylor_tex(-hx)}\bigr)\Bigr]",
    sp.Mul(sp.Add(_taylor(hx), -_taylor(-hx), evaluate=False), 1 / (2 * hx), evaluate=False),
    "(f(x+h) - f(x-h))/(2h)",
)
ERROR_MODEL = hx**2 * F3_ABS / 6 + mach * F_ABS / hx
H_STAR = (3 * mach * F_ABS / F3_ABS) ** sp.Rational(1, 3)


def _fd_check(ctx: CheckContext) -> CrossCheckResult:
    """(q(h) - f'(x))/h^2 against f'''(x)/6 for exp and sin at h = 1e-2 (float64; the h^4 term and rounding
    are below 1e-3 relative)."""
    xs_ = ctx.rng.uniform(-2, 2, 32)
    h = 1e-2
    got, ref = [], []
    for f, d1_, d3 in ((np.exp, np.exp, np.exp), (np.sin, np.cos, lambda t: -np.cos(t))):
        q = (f(xs_ + h) - f(xs_ - h)) / (2 * h)
        got.append((q - d1_(xs_)) / h**2)
        ref.append(d3(xs_) / 6)
    return ctx.compare(
        "leading error term f'''/6", "float64 central differences", np.concatenate(got), np.concatenate(ref), rtol=1e-3
    )


def _v_shape(ctx: CheckContext) -> CrossCheckResult:
    """The measured error of central differences for exp and sin at h = 10^-1 ... 10^-12: its minimum lies
    within a factor 10 of the predicted h* = (3 eps |f| / |f'''|)^(1/3)."""
    eps = np.finfo(float).eps
    hs = np.logspace(-1, -12, 221)
    misses = []
    for f, d1_, d3 in ((np.exp, np.exp, np.exp), (np.sin, np.cos, lambda t: -np.cos(t))):
        for x0 in ctx.rng.uniform(0.3, 1.2, 4):
            err = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - d1_(x0))
            # smooth the rounding noise before locating the bottom of the V
            smooth = np.convolve(np.log(err + 1e-300), np.ones(15) / 15, mode="same")
            h_best = hs[7:-7][np.argmin(smooth[7:-7])]
            h_pred = (3 * eps * abs(f(x0)) / abs(d3(x0))) ** (1 / 3)
            misses.append(abs(np.log10(h_best / h_pred)))
    return ctx.bound("argmin of the measured error vs h*", "float64, 221 step sizes", max(misses), 1.0)


@identity(
    "central-difference",
    aliases=("finite-difference-error",),
    title="Central differences: truncation, rounding and the best step",
    section="6",
    map_row=r"chapter 10 Numerical methods: numerical autograd",
    variables={
        hx: positive(1),
        **{f: real(-5, 5) for f in fk},
        mach: positive(1),
        F_ABS: positive(10),
        F3_ABS: positive(10),
    },
    claim=Statement(
        "truncation",
        Eq(QUOTIENT, fk[1] + hx**2 * fk[3] / 6 + hx**4 * fk[5] / 120, evaluate=False),
        text=r"with $f(x \pm h)$ expanded to order 5 ($f_k = f^{(k)}(x)$), the central quotient "
        r"$\frac{f(x+h) - f(x-h)}{2h}$ is $f'(x) + \frac{h^2}{6}f'''(x) + O(h^4)$: the even terms cancel",
    ),
    also=[
        Statement(
            "optimal h",
            Eq(hx, H_STAR),
            text=r"the error model $E(h) = \frac{h^2}{6}M + \frac{\epsilon F}{h}$ (truncation plus rounding, "
            r"$M = |f'''|$, $F = |f|$) is stationary at $h^* = (3\epsilon F/M)^{1/3}$, about $10^{-5}$ in float64",
        ),
        numerically(
            "V shape",
            r"the measured error of central differences (exp, sin) is V-shaped in $h$ with its bottom within a "
            r"factor 10 of $h^*$",
            _v_shape,
        ),
    ],
    crosscheck=_fd_check,
    plot=Plot(
        hx,
        over=(2e-6, 4e-5),
        fixed={mach: 2.2e-16, F_ABS: 1.0, F3_ABS: 1.0, **dict.fromkeys(fk, 1.0)},
        curves={
            r"$E(h)$": ERROR_MODEL,
            r"truncation $\frac{h^2}{6}M$": hx**2 * F3_ABS / 6,
            r"rounding $\frac{\epsilon F}{h}$": mach * F_ABS / hx,
        },
    ),
    question=Question(
        target=hx**2 * fk[3] / 6,
        prompt=r"Expand $\frac{f(x+h) - f(x-h)}{2h} - f'(x)$ in $h$. What is the leading term "
        r"(write $f_3$ for $f'''(x)$)?",
        names={"f3": fk[3]},
        approximations={
            r"the $h^2/2$ term of the one-sided quotient is $f''$, and the central one cancels it": hx * fk[2] / 2,
            r"the Taylor coefficient is $1/3! = 1/6$": hx**2 * fk[3] / 3,
        },
    ),
    refs=(
        Ref.book("J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed. (2006)", "Sec. 8.1"),
        Ref.book("N. J. Higham, Accuracy and Stability of Numerical Algorithms (SIAM, 2002)", "Sec. 1.14"),
    ),
)
def central_difference(d: Derivation) -> None:
    r"""Gradient checks compare autograd against central differences $\frac{f(x+h) - f(x-h)}{2h}$. Their
    truncation error is $O(h^2)$ (the symmetric quotient cancels the even Taylor terms), while rounding
    contributes $\epsilon|f|/h$; balancing the two gives the best step $h^* \propto \epsilon^{1/3}$ and a
    best relative accuracy of about $\epsilon^{2/3} \approx 10^{-11}$ in float64, which is why gradient
    checks use relative tolerances near $10^{-6}$ rather than machine precision."""
    d.begin(QUOTIENT, r"both Taylor expansions, subtracted")
    d.then(lambda e: sp.expand(e.args[1]), "the even powers cancel")
    d.conclude("truncation")

    d.begin(Derivative(ERROR_MODEL, hx), r"the slope of the error model")
    d.then(lambda e: e.doit(), "differentiate")
    slope = d.keep("slope")
    d.begin(Eq(slope, 0), "stationary step")
    d.solve(hx)
    d.conclude("optimal h")
