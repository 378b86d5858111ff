r"""Log-sum-exp and the max-shift trick.

$\operatorname{LSE}(z) = \log\sum_k e^{z_k}$, the normaliser of softmax and of every log-likelihood
over classes, equals $m + \log\sum_k e^{z_k - m}$ for every $m$; with $m = \max_k z_k$ no exponent is
positive, so float64 cannot overflow (naively it does once a logit exceeds about 709). Its gradient
is the softmax, which ignores a common shift of the logits, so the trick is free (map 2.2, key
derivatives in practice: softmax numerics). Higham (2002), Accuracy and Stability of Numerical
Algorithms, Sec. 27; Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 4.1.
"""

from __future__ import annotations

import numpy as np
from sympy import Derivative, Eq, Sum, exp, log

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
    matrices,
    real,
    stable,
)

from ._shared import DEFINITIONS, INDEX_DOMAINS, LOGITS, SUM, Z, grad_fd, i, j, k, logits, n, s_, z

# -- symbols ---------------------------------------------------------------------------------------
SHIFT = real(-5, 5)
m = SHIFT.symbol("m")
c = SHIFT.symbol("c")
LSE = log(SUM)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "claim",
    Eq(LSE, m + log(Sum(exp(z[k] - m), (k, 1, n)))),
    text=r"for every real $m$; with $m = \max_k z_k$ no exponent is positive, so float64 cannot overflow "
    r"(the cross-check evaluates it at logits up to $10^3$ against 50-digit mpmath)",
)
GRADIENT = Statement(
    "gradient",
    Eq(Derivative(LSE, z[j]), s_(j)),
    text=r"the gradient of $\operatorname{LSE}$ is the softmax",
)
SHIFT_INVARIANCE = Statement(
    "shift",
    Eq(exp(z[i] + c) / Sum(exp(z[k] + c), (k, 1, n)), s_(i)),
    text=r"softmax ignores a common shift $c$ of the logits (take $c = -\max_k z_k$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=m + log(sum(exp(zk - m) for zk in logits(3))),
    prompt=r"Rewrite $\log(e^{z_1} + e^{z_2} + e^{z_3})$ so that no exponent is positive, using "
    r"$m = \max_k z_k$.",
    variables=(*logits(3), m),
    approximations={
        r"the shift must be added back: $+\,m$ is missing": log(sum(exp(zk - m) for zk in logits(3))),
        r"sign of the shift: with $e^{z_k + m}$ the correction is $-\,m$": -m
        + log(sum(exp(zk + m) for zk in logits(3))),
    },
)
REFS = (
    Ref.cite("higham2002", where="Sec. 27"),
    Ref.cite("goodfellow2016", where="Sec. 4.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""$\operatorname{LSE}(z) = \log\sum_k e^{z_k}$ is the normaliser of softmax and of every log-likelihood
    over classes. Computed naively it overflows in float64 once a logit exceeds about $709$; factoring out
    $e^m$ gives $m + \log\sum_k e^{z_k - m}$, exact for every $m$ and safe for $m = \max_k z_k$. Its gradient
    is the softmax, and softmax is unchanged by a common shift of the logits, which is why the trick is free."""
    d.begin(LSE)
    d.then(log(exp(m) * Sum(exp(z[k] - m), (k, 1, n))), r"$e^{z_k} = e^m e^{z_k - m}$: factor $e^m$ out of the sum")
    d.then(m + log(Sum(exp(z[k] - m), (k, 1, n))), r"$\log(ab) = \log a + \log b$ for $a, b > 0$")
    d.conclude()

    d.begin(Derivative(LSE, z[j]))
    d.then(lambda e: e.doit(), r"chain rule: $\partial_{z_j} \sum_k e^{z_k} = \sum_k \delta_{jk} e^{z_k}$")
    d.then(indexed.sift, r"sifting: only $k = j$ survives")
    d.then(s_(j), r"the softmax entry $s_j$")
    d.conclude("gradient")

    d.begin(exp(z[i] + c) / Sum(exp(z[k] + c), (k, 1, n)))
    d.then(exp(c) * exp(z[i]) / (exp(c) * SUM), r"$e^{z + c} = e^c e^z$, and $e^c$ comes out of the sum")
    d.then(s_(i), r"cancel $e^c$")
    d.conclude("shift")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The gradient of the stable LSE by central differences against softmax, at logits near 500 and
    of size 800; shift invariance of the stable softmax; and float64 stability (:func:`_lse_stability`)."""
    results = [_lse_stability(ctx)]
    for name, zz in (
        ("moderate logits", ctx.rng.normal(0.0, 2.0, 6)),
        ("logits near 500", 500.0 + ctx.rng.normal(0.0, 3.0, 8)),
        ("logits of size 800", ctx.rng.choice([-1.0, 1.0], 7) * ctx.rng.uniform(790.0, 810.0, 7)),
    ):
        fd = grad_fd(lambda v: float(stable.logsumexp(v)), zz)
        results.append(
            ctx.compare(
                f"grad LSE, {name}",
                "central differences",
                stable.softmax(zz),
                fd,
                rtol=1e-6,
                floor=float(np.max(np.abs(fd))),
            )
        )
        shift = float(ctx.rng.uniform(-300.0, 300.0))
        results.append(
            ctx.compare(
                f"shift, {name}",
                "softmax(z + c) against softmax(z)",
                stable.softmax(zz + shift),
                stable.softmax(zz),
                rtol=1e-9,
                floor=1e-12,
            )
        )
    return combine(*results)


def _lse_stability(ctx: CheckContext) -> CrossCheckResult:
    """Logits with entries up to 1e3: the shifted form stays finite and matches mpmath at 50 digits,
    while the unshifted form overflows."""
    import mpmath

    results = []
    overflowed = 0
    for size in (5, 20, 100):
        zz = ctx.rng.uniform(-1000.0, 1000.0, size)
        zz[0] = 1000.0  # make sure the largest logit is at the top of the range
        shifted = float(stable.logsumexp(zz))
        with mpmath.workdps(50):
            exact = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in zz))
        with np.errstate(all="ignore"):
            naive = np.log(np.sum(np.exp(zz)))
        overflowed += stable.nonfinite(np.asarray(naive))
        results.append(
            ctx.compare(
                f"LSE, n = {size}", "mpmath at 50 digits", np.asarray(shifted), np.asarray(float(exact)), rtol=1e-15
            )
        )
    results.append(
        ctx.bound(
            "the unshifted form overflows (so the test is meaningful)",
            "count of inf/nan",
            0.0 if overflowed else 1.0,
            0.0,
        )
    )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
LOG_SUM_EXP = declare(
    "log-sum-exp",
    aliases=("logsumexp", "lse", "log-sum-exp-trick"),
    title="Log-sum-exp and the max-shift trick",
    section="2.2",
    map_row=r"softmax: numerically use log-sum-exp, $\operatorname{LSE}(z) = m + \log\sum_i e^{z_i - m}$",
    variables={**INDEX_DOMAINS, **matrices.entry_domains(LOGITS, Z), m: SHIFT, c: SHIFT},
    claim=CLAIM,
    also=(GRADIENT, SHIFT_INVARIANCE),
    definitions=DEFINITIONS,
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("softmax-jacobian",),
)
