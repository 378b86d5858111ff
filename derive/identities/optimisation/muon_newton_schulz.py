r"""Muon: Newton-Schulz orthogonalisation.

Muon replaces a momentum matrix $U\Sigma V^\top$ by its polar factor $UV^\top$ without an SVD: an odd
matrix polynomial $aX + b(XX^\top)X + c(XX^\top)^2X$ keeps the singular vectors and maps each singular
value through $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$, derived in index form for any $m\times n$ matrix
with $p$ singular values (the SVD's orthonormal factors cited) and checked with ``numpy.linalg``; the cubic
iteration provably converges to 1 on $(0, \sqrt3)$, and Muon's tuned quintic provably maps $[0.01, 1]$ into
$[0.68, 1.14]$ in 5 steps (exact interval images, each bound by the exact sign of a polynomial). The map's
Muon row (map 5.1, gradient descent variants). Jordan et al. (2024); Liu et al. (2025), Muon is
Scalable for LLM Training, Sec. 2; Higham (2008), Functions of Matrices, Ch. 8.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Subs

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    integer,
    nonnegative,
    notation,
    positive,
    real,
    statement_lhs,
)
from derive.core.facts import MONOTONE_CONVERGENCE, SUM_EXCHANGE, SVD_ORTHONORMAL, Fact
from derive.maths.flows import Innermost
from derive.maths.indexed import InverseOf, collapse

# -- symbols ---------------------------------------------------------------------------------------
SINGULAR = positive(2)
COEFFICIENT = real(-5, 5)
na, nb, nc = (COEFFICIENT.symbol(n) for n in ("a", "b", "c"))
sigma = SINGULAR.symbol("sigma")
# an m x n matrix X = U Sigma V^T with p <= min(m, n) singular values (any sizes)
p_ = integer(1, 3).symbol("p")
m_, n_ = (integer(p_, 4).symbol(c) for c in "mn")
a_, r_ = (integer(1, m_).symbol(c) for c in "ir")
b_ = integer(1, n_).symbol("q")
s_ = integer(1, p_).symbol("s")
j_ = integer(0, 3).symbol("j")  # (X X^T)^j X
k_, l_, t_, c_, d_ = sp.symbols("k l t c d", integer=True, positive=True)  # bound: singular k, l, t; column c; row d
svI = sp.IndexedBase(r"\sigma", positive=True)  # the singular values sigma_1..sigma_p
UI, UT = sp.IndexedBase("U", real=True), sp.IndexedBase(r"U^{\top}", real=True)  # m x m, U^T = U^{-1}
VT, VI = sp.IndexedBase(r"V^{\top}", real=True), sp.IndexedBase("V", real=True)  # n x n, V = (V^T)^{-1}
#: the SVD's orthonormal factors, as the defining pairs U^T U = I_m and V^T V = I_n (cited)
ORTHO_U = SVD_ORTHONORMAL.applied(InverseOf(UI, UT, m_))
ORTHO_V = SVD_ORTHONORMAL.applied(InverseOf(VT, VI, n_))


def _p(x: sp.Expr, a: sp.Expr = na, b: sp.Expr = nb, c: sp.Expr = nc) -> sp.Expr:
    r"""The odd polynomial $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$ applied to each singular value."""
    return a * x + b * x**3 + c * x**5


def odd(row: sp.Expr, col: sp.Expr, e: sp.Expr, k: sp.Symbol = k_) -> sp.Sum:
    r"""$(U\Sigma^eV^\top)_{rc} = \sum_{k=1}^p U_{rk}\sigma_k^eV^\top_{kc}$ ($e = 1$: $X$ itself)."""
    return sp.Sum(UI[row, k] * svI[k] ** e * VT[k, col], (k, 1, p_))


def _xt(col: sp.Expr, row: sp.Expr) -> sp.Sum:
    r"""$(X^\top)_{cd} = (V\Sigma U^\top)_{cd} = \sum_l V_{cl}\sigma_lU^\top_{ld}$."""
    return sp.Sum(VI[col, l_] * svI[l_] * UT[l_, row], (l_, 1, p_))


#: (X v_s)_i = sum_q X_iq V_qs: X on its s-th right singular vector
RIGHT = sp.Sum(odd(a_, b_, 1) * VI[b_, s_], (b_, 1, n_))
#: (X X^T sigma_s^{2j+1} u_s)_i: the induction step on the degree, on the s-th left singular vector
ODD_STEP = sp.Sum(odd(a_, c_, 1) * sp.Sum(_xt(c_, d_) * svI[s_] ** (2 * j_ + 1) * UI[d_, s_], (d_, 1, m_)), (c_, 1, n_))
NS_STEP = notation(
    r"\bigl(aX + b\,(XX^\top)X + c\,(XX^\top)^2X\bigr)_{iq}",
    na * odd(a_, b_, 1) + nb * odd(a_, b_, 3) + nc * odd(a_, b_, 5),
    "(aX + b(XX^T)X + c(XX^T)^2X)_iq",
)
P_SIGMA = sp.Sum(UI[a_, k_] * _p(svI[k_]) * VT[k_, b_], (k_, 1, p_))
#: (U^T f(X) V)_rs = sum_i U^T_ri sum_q f(X)_iq V_qs, with f(X) = U p(Sigma) V^T
IN_BASES = sp.Sum(UT[r_, a_] * sp.Sum(P_SIGMA * VI[b_, s_], (b_, 1, n_)), (a_, 1, m_))
CUBIC = _p(sigma, sp.Rational(3, 2), -sp.Rational(1, 2), 0)
UNIT = positive(1)  # (0, 1]: singular values of X / ||X||_F
s0 = positive().symbol("x")
u_ = nonnegative().symbol("u")  # s = 1/(1 + u) runs over (0, 1] as u runs over [0, oo)
limit_ = UNIT.symbol("L")
#: Muon's decimal coefficients, as the exact rationals they are
MUON = tuple(sp.Rational(v) for v in ("3.4445", "-4.7750", "2.0315"))
BAND = (sp.Rational("0.68"), sp.Rational("1.14"))
START = (sp.Rational(1, 100), sp.Integer(1))
STEPS = 5


def _outward(lo: sp.Expr, hi: sp.Expr, places: int = 4) -> tuple[sp.Expr, sp.Expr]:
    r"""$p([l, u])$ for Muon's $p$, rounded outward to ``places`` decimals: the least and largest value of $p$
    at $l$, $u$ and the critical points inside (the real roots of $p'(s) = a + 3bs^2 + 5cs^4$, solved by SymPy)."""
    q = _p(sigma, *MUON)
    inside = [r for r in sp.solve(sp.diff(q, sigma), sigma) if r.is_real and lo <= r <= hi]
    values = [q.subs(sigma, t) for t in (lo, hi, *inside)]
    scale = 10**places
    return sp.floor(min(values) * scale) / scale, sp.ceiling(max(values) * scale) / scale


def _images() -> list[tuple[sp.Expr, sp.Expr]]:
    r"""$I_0 = [0.01, 1]$ and $I_{k+1} \supseteq p(I_k)$ for $k < 4$: where the singular values lie after $k$ steps."""
    out = [START]
    for _ in range(STEPS - 1):
        out.append(_outward(*out[-1]))
    return out


IMAGES = _images()
#: sigma_k in I_k = [l_k, u_k], the singular value after k quintic steps (k = 0..4)
LEVELS = [real(lo, hi) for lo, hi in IMAGES]
SIGMA_K = [dom.symbol(f"sigma_{k}") for k, dom in enumerate(LEVELS)]

# -- what is claimed -------------------------------------------------------------------------------
RIGHT_VECTORS = Statement(
    "right vectors",
    Eq(notation(r"(X\mathbf{v}_s)_i", RIGHT, "(X v_s)_i"), svI[s_] * UI[a_, s_]),
    text=r"for any $m\times n$ $X = U\Sigma V^\top$ with $p$ singular values ($U^\top U = I$, $V^\top V = I$, the "
    r"SVD): $X\mathbf{v}_s = \sigma_s\mathbf{u}_s$ for every $s \le p$",
)
CLAIM = Statement(
    "singular values",
    Eq(NS_STEP, notation(r"(U\,p(\Sigma)\,V^\top)_{iq}", P_SIGMA, "(U p(S) V^T)_iq")),
    text=r"for any $m\times n$ $X = U\Sigma V^\top$: $(XX^\top)^jX\mathbf{v}_s = \sigma_s^{2j+1}\mathbf{u}_s$ "
    r"for every $s$ (right vectors, then the odd step: induction on $j$), i.e. "
    r"$(XX^\top)^jX = U\Sigma^{2j+1}V^\top$; so one step is $U\,p(\Sigma)\,V^\top$: the singular vectors stay, "
    r"each singular value goes to $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$",
)
ODD = Statement(
    "odd step",
    Eq(
        notation(r"(XX^\top\,\sigma_s^{2j+1}\mathbf{u}_s)_i", ODD_STEP, "(X X^T sigma_s^(2j+1) u_s)_i"),
        svI[s_] ** (2 * j_ + 3) * UI[a_, s_],
    ),
    text=r"$XX^\top(\sigma_s^{2j+1}\mathbf{u}_s) = \sigma_s^{2j+3}\mathbf{u}_s$ for any $m$, $n$, $p$: from "
    r"$X\mathbf{v}_s = \sigma_s\mathbf{u}_s$, by induction $(XX^\top)^jX\mathbf{v}_s = "
    r"\sigma_s^{2j+1}\mathbf{u}_s$ for every $j$",
)
DIAGONAL = Statement(
    "diagonal",
    Eq(notation(r"(U^\top f(X)\,V)_{rs}", IN_BASES, "(U^T f(X) V)_rs"), _p(svI[s_]) * sp.KroneckerDelta(r_, s_)),
    text=r"in the singular bases the step is diagonal, $p(\sigma_s)$ on the diagonal, any size",
)
FIXED_POINTS = Statement(
    "fixed points",
    Eq(CUBIC - sigma, -sigma * (sigma - 1) * (sigma + 1) / 2),
    text=r"the cubic map $p(\sigma) = \frac32\sigma - \frac12\sigma^3$ fixes $0$ and $\pm1$",
)
FLAT_AT_ONE = Statement(
    "p'(1) = 0",
    Eq(Subs(Derivative(CUBIC, sigma), sigma, 1), 0),
    text=r"with zero slope at $\sigma = 1$: convergence to 1 is quadratic",
)
POSITIVE = Statement(
    "positive",
    Eq(CUBIC, sigma * (3 - sigma**2) / 2),
    text=r"so $p(\sigma) > 0$ exactly for $0 < \sigma < \sqrt3$",
)
INCREASING = Statement(
    "increasing",
    sp.Ge(notation(r"p(s) - s\big|_{s = 1/(1+u)}", (CUBIC - sigma).subs(sigma, 1 / (1 + u_)), "p(s) - s"), 0),
    text=r"on $(0, 1]$ (written $s = 1/(1 + u)$, $u \ge 0$) the cubic map never decreases: $p(s) \ge s$",
)
BOUNDED = Statement(
    "bounded",
    sp.Le(CUBIC.subs(sigma, s0), 1),
    text=r"and never overshoots: $p(x) \le 1$ for every $x > 0$, so from $\sigma \in (0, \sqrt3)$ one step lands in "
    r"$(0, 1]$ and the iterates then rise monotonically, bounded by $1$",
)
CONVERGES = Statement(
    "converges",
    Eq(limit_, 1),
    text=r"so the iterates converge (monotone convergence), and their limit $L \in (0, 1]$ is a fixed point, "
    r"$p(L) = L$: $L = 1$, i.e. $X \to UV^\top$",
)


def _dec(r: sp.Expr) -> str:
    """A terminating rational as its exact decimal (``1503/1250`` -> ``1.2024``)."""
    q = sp.Rational(r)
    return str(Decimal(int(q.p)) / Decimal(int(q.q)))


def _band_statements() -> tuple[Statement, ...]:
    r"""$l_{k+1} \le p(\sigma_k) \le u_{k+1}$ for $\sigma_k \in I_k$; the last step lands in the band itself."""
    out = []
    for k, x in enumerate(SIGMA_K):
        lo, hi = IMAGES[k + 1] if k + 1 < STEPS else BAND
        first = r"Muon's quintic with $(a, b, c) = (3.4445, -4.7750, 2.0315)$ as exact rationals: " if k == 0 else ""
        where = rf"for $\sigma_{k} \in I_{k} = [{_dec(IMAGES[k][0])}, {_dec(IMAGES[k][1])}]$"
        rest = (
            r": composing the five steps, every $\sigma \in [0.01, 1]$ lands in "
            rf"$[{_dec(BAND[0])}, {_dec(BAND[1])}]$ after 5 steps (not at 1: speed bought with accuracy)"
            if k + 1 == STEPS
            else ""
        )
        text = rf"{first}$p(\sigma_{k}) \ge {_dec(lo)}$ {where}"
        out.append(Statement(f"step {k + 1} lower", sp.Ge(_p(x, *MUON), lo), text=text))
        out.append(Statement(f"step {k + 1} upper", sp.Le(_p(x, *MUON), hi), text=rf"and $\le {_dec(hi)}${rest}"))
    return tuple(out)


QUINTIC_BAND = _band_statements()

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=CUBIC,
    prompt=r"One Newton--Schulz step $X \leftarrow \frac32 X - \frac12 (XX^\top)X$ acts on $X = U\Sigma V^\top$. "
    r"What does it do to a singular value $\sigma$?",
    names={"sigma": sigma},
    approximations={
        r"the coefficient of $\sigma^3$ has the wrong sign": _p(sigma, sp.Rational(3, 2), sp.Rational(1, 2), 0)
    },
)
REFS = (
    Ref.cite("jordan2024"),
    Ref.cite("liu2025", where="Sec. 2"),
    Ref.cite("higham2008", where="Ch. 8, the Newton-Schulz iteration"),
)


# -- how it is derived -----------------------------------------------------------------------------
def _contract(d: Derivation, var: sp.Symbol, pair: Fact, why: str) -> None:
    """Move the sum over ``var`` innermost, contract the orthonormal pair there, collapse the delta."""
    inner = SUM_EXCHANGE.applied(Innermost(var))
    d.assume(inner, inner.rewrite, r"finite sums commute: the sum over the shared index goes inside")
    d.assume(pair, pair.rewrite, why)
    d.then(collapse, r"the Kronecker delta collapses the sum")


def derivation(d: Derivation) -> None:
    r"""Muon replaces the momentum matrix $M = U\Sigma V^\top$ of a weight matrix by its orthogonal polar
    factor $UV^\top$ (every singular value set to 1), so all directions of the update move at the same
    rate. An SVD per step is too slow on accelerators; an odd matrix polynomial
    $aX + b(XX^\top)X + c(XX^\top)^2X$ is just matrix products, and it acts on the singular values alone.
    Below, any $m\times n$ matrix with $p$ singular values, in index form; $U^\top U = I$, $V^\top V = I$ (the SVD)."""
    d.begin(statement_lhs(d, "right vectors"), r"$X = U\Sigma V^\top$")
    _contract(d, b_, ORTHO_V, r"$\sum_q V^\top_{kq}V_{qs} = \delta_{ks}$")
    d.conclude("right vectors")

    d.begin(statement_lhs(d, "odd step"), r"$X = U\Sigma V^\top$, $X^\top = V\Sigma U^\top$")
    _contract(d, d_, ORTHO_U, r"$\sum_d U^\top_{ld}U_{ds} = \delta_{ls}$: $X^\top\mathbf{u}_s = \sigma_s\mathbf{v}_s$")
    _contract(d, c_, ORTHO_V, r"$\sum_c V^\top_{kc}V_{cs} = \delta_{ks}$: $X\mathbf{v}_s = \sigma_s\mathbf{u}_s$")
    d.conclude("odd step")

    d.begin(statement_lhs(d, "singular values"), r"$(XX^\top)^jX = U\Sigma^{2j+1}V^\top$ for $j = 0, 1, 2$ (induction)")
    d.then(P_SIGMA, r"collect the three sums over $k$: $a\sigma_k + b\sigma_k^3 + c\sigma_k^5 = p(\sigma_k)$")
    d.conclude("singular values")

    d.begin(statement_lhs(d, "diagonal"), r"$f(X) = U\,p(\Sigma)\,V^\top$ (singular values)")
    _contract(d, b_, ORTHO_V, r"$\sum_b V^\top_{kb}V_{bs} = \delta_{ks}$")
    d.assume(ORTHO_U, ORTHO_U.rewrite, r"$\sum_a U^\top_{ra}U_{as} = \delta_{rs}$")
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

    _converges(d)
    _band(d)


def _band(d: Derivation) -> None:
    r"""Five quintic steps as intervals: $p(I_k)$ is an interval, so bounding $p$ on $I_k$ bounds step $k + 1$."""
    for k, x in enumerate(SIGMA_K):
        lo, hi = IMAGES[k + 1] if k + 1 < STEPS else BAND
        for bound, relation, side in ((lo, ">=", "lower"), (hi, "<=", "upper")):
            d.begin(_p(x, *MUON))
            gap = rf"$p(\sigma_{k}) - {_dec(lo)}$" if side == "lower" else rf"${_dec(hi)} - p(\sigma_{k})$"
            d.bound(
                bound, rf"{gap} is a rational quintic with no sign change on $I_{k}$ (Sturm, exact)", relation=relation
            )
            d.conclude(f"step {k + 1} {side}")


def _converges(d: Derivation) -> None:
    r"""The cubic iteration on $(0, 1]$: increasing, bounded by 1, so convergent, to its only fixed point there."""
    d.begin(statement_lhs(d, "increasing"), r"$p(s) - s = \tfrac12 s(1 - s^2)$ at $s = 1/(1 + u)$")
    d.then(lambda e: sp.factor(e), r"factor: $\frac{u(u + 2)}{2(u + 1)^3}$")
    d.bound(0, r"every factor is $\ge 0$ for $u \ge 0$", relation=">=")
    d.conclude("increasing")

    d.begin(CUBIC.subs(sigma, s0))
    d.bound(1, r"$1 - p(x) = \tfrac12(x - 1)^2(x + 2) \ge 0$ for $x > 0$")
    d.conclude("bounded")

    d.begin(Eq(CUBIC.subs(sigma, limit_), limit_), r"the limit $L$ of $s_{t+1} = p(s_t)$: $p$ is continuous")
    d.assume(MONOTONE_CONVERGENCE)
    d.solve(limit_, r"the only root of $p(L) = L$ in $(0, 1]$ ($0$ and $-1$ lie outside)")
    d.conclude("converges")


# -- how it is checked -----------------------------------------------------------------------------
def _ns(x: np.ndarray, coeffs: tuple[float, float, float], steps: int) -> np.ndarray:
    """The Newton-Schulz iteration on a matrix, as Muon runs it."""
    a, b, c = coeffs
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + b * gram @ x + c * gram @ gram @ x
    return x


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random 6x4 matrices scaled to unit Frobenius norm: 30 cubic steps against U V^T from numpy's SVD;
    one step with random (a, b, c) against U p(Sigma) V^T built from numpy's SVD; the cubic map iterated on
    (0, sqrt 3) against its proved limit 1; Muon's quintic iterated on a grid against the proved band."""
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
        _cubic_converges(ctx),
        _band_check(ctx),
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
    for _ in range(STEPS):
        out = _p(out, *(float(c) for c in MUON))
    lo, hi = (float(b) for b in BAND)
    outside = float(np.max(np.maximum(lo - out, out - hi)))
    return ctx.bound(
        f"5 quintic steps land in [{lo}, {hi}]",
        "grid of 100001 sigmas and random singular values",
        outside,
        0.0,
        samples=pts.size,
        detail=f"measured range [{out.min():.4f}, {out.max():.4f}]",
    )


# -- the declaration -------------------------------------------------------------------------------
MUON_NEWTON_SCHULZ = declare(
    "muon-newton-schulz",
    aliases=("muon",),
    title="Muon: Newton-Schulz orthogonalisation",
    section="5.1",
    map_row=r"Muon (2024): orthogonalised Nesterov momentum via Newton--Schulz iterations",
    variables={
        na: COEFFICIENT,
        nb: COEFFICIENT,
        nc: COEFFICIENT,
        sigma: SINGULAR,
        p_: integer(1, 3),
        m_: integer(p_, 4),
        n_: integer(p_, 4),
        a_: integer(1, m_),
        r_: integer(1, m_),
        b_: integer(1, n_),
        s_: integer(1, p_),
        j_: integer(0, 3),
        svI: SINGULAR,
        UI: real(-2, 2),
        UT: real(-2, 2),
        VT: real(-2, 2),
        VI: real(-2, 2),
        s0: positive(),
        u_: nonnegative(),
        limit_: UNIT,
        **dict(zip(SIGMA_K, LEVELS, strict=True)),
    },
    claim=CLAIM,
    also=(
        RIGHT_VECTORS,
        ODD,
        DIAGONAL,
        FIXED_POINTS,
        FLAT_AT_ONE,
        POSITIVE,
        INCREASING,
        BOUNDED,
        CONVERGES,
        *QUINTIC_BAND,
    ),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
