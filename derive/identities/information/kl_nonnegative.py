r"""KL divergence is nonnegative (Gibbs' inequality).

$\mathrm{KL}(p\,\|\,q) = \sum_k p_k \log(p_k/q_k) \ge 0$, with equality only at $p = q$: one line once
$\log t \le t - 1$ is known, by writing the KL as a sum of Gibbs gaps $p_k\,g(q_k/p_k)$ with
$g(t) = t - 1 - \log t \ge 0$. It is why the ELBO is a lower bound and why the VAE regulariser, distillation
and the RLHF KL penalty vanish only at the reference distribution (map 4, KL divergence). Cover and Thomas
(2006), Elements of Information Theory, Thm. 2.6.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Ge, Gt, IndexedBase, Le, Rational, Subs, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    gibbs,
    integer,
    positive,
)
from derive.authoring import discrete as dm
from derive.maths.discrete import Table
from derive.numeric.discrete import distributions

# -- symbols ---------------------------------------------------------------------------------------
RATIO = positive()
OUTCOMES = integer(2, 8)
WEIGHTS = positive(10)
t = RATIO.symbol("t")
K3 = OUTCOMES.symbol("K")  # the number of outcomes: the statements hold for every K
pw, qw = IndexedBase("a", positive=True), IndexedBase("b", positive=True)
P = Table(Function("p"), pw, K3)
Q = Table(Function("q"), qw, K3)
G_T = t - 1 - log(t)
# a fixed asymmetric pair: KL(p0 || q0) != KL(q0 || p0)
P0 = (Rational(1, 2), Rational(1, 4), Rational(1, 4))
Q0 = (Rational(1, 8), Rational(1, 8), Rational(3, 4))
ASYM = dm.kl(lambda k: P0[k - 1], lambda k: Q0[k - 1], 3) - dm.kl(lambda k: Q0[k - 1], lambda k: P0[k - 1], 3)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "KL >= 0",
    Ge(dm.kl(P, Q, K3), 0),
    text=r"for distributions on $K$ outcomes; equality iff $p = q$, because $g(t) = 0$ only at $t = 1$",
)
SLOPE = Statement(
    "slope", Eq(Derivative(G_T, t), (t - 1) / t), text=r"$g = t - 1 - \log t$ falls on $(0,1)$, rises after"
)
CONVEX = Statement("convex", Gt(Derivative(G_T, t, 2), 0), text=r"$g$ is strictly convex")
MINIMUM = Statement("minimum", Eq(Subs(G_T, t, 1), 0), text=r"so $g \ge 0$ with its only zero at $t = 1$")
LOG_BOUND = Statement("log t <= t - 1", Le(log(t), t - 1))
KL_AS_GAPS = Statement("KL as gaps", Eq(dm.kl(P, Q, K3), dm.kl_gibbs(P, Q, K3)), text="uses both tables summing to 1")
ASYMMETRIC = Statement(
    "asymmetric",
    Gt(ASYM, 0, evaluate=False),
    text=r"$p = (\frac12, \frac14, \frac14)$, $q = (\frac18, \frac18, "
    r"\frac34)$: $\mathrm{KL}(p\|q) > \mathrm{KL}(q\|p)$, so KL is not a distance",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=t - 1,
    prompt=r"Which elementary bound on $\log t$ (for $t > 0$) proves $\mathrm{KL}(p\,\|\,q) \ge 0$? "
    r"Give the function $f(t)$ with $\log t \le f(t)$ that is tangent at $t = 1$.",
    approximations={r"$\log t \le t$ holds but is not tangent at $t = 1$: it gives no useful bound": t},
)
REFS = (Ref.cite("cover2006", where="Thm. 2.6.3"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Gibbs' inequality: $\mathrm{KL}(p\,\|\,q) = \sum_k p_k \log(p_k/q_k) \ge 0$, with equality only
    when $p = q$. It is why the ELBO is a lower bound, why minimising cross-entropy is minimising KL,
    and why the KL penalty in RLHF and distillation vanishes only at the reference distribution.
    The proof is one line once $\log t \le t - 1$ is known: that is derived first, from the
    shape of $g(t) = t - 1 - \log t$."""
    d.begin(Derivative(G_T, t), r"$g(t) = t - 1 - \log t$, the gap in $\log t \le t - 1$")
    d.then(lambda e: e.doit(), "differentiate")
    d.then((t - 1) / t, r"common denominator: negative for $t < 1$, positive for $t > 1$")
    d.conclude("slope")

    d.begin(Derivative(G_T, t, 2))
    d.then(lambda e: e.doit(), "differentiate twice")
    d.bound(0, r"$1/t^2 > 0$ for $t > 0$", relation=">")
    d.conclude("convex")

    d.begin(Subs(G_T, t, 1))
    d.then(lambda e: e.doit(), r"at $t = 1$: $1 - 1 - \log 1$")
    d.conclude("minimum")

    d.begin(log(t))
    d.then(t - 1 - gibbs(t), r"name the gap $g(t) = t - 1 - \log t$")
    d.bound(t - 1, r"$g \ge 0$: it decreases to its minimum $g(1) = 0$ and increases after (above)")
    d.note(
        r"The sign $g(t) \ge 0$ (for $t > 0$) is what the later chains use. The ladder does not take it "
        r"from SymPy's assumptions: it uses the lemma proved by SymPy in derive.verify.lemmas (the "
        r"three chains above, joined by the mean value theorem), and each step that uses it says so."
    )
    d.conclude("log t <= t - 1")

    d.begin(dm.kl(P, Q, K3), "the definition, for any number $K$ of outcomes")
    d.note(f"Normalised tables: ${P.latex()}$ and ${Q.latex()}$ with positive weights.")
    d.then(
        dm.kl_gibbs_terms(P, Q, K3),
        r"termwise $p_k \log\frac{p_k}{q_k} = p_k\,g(q_k/p_k) + p_k - q_k$ with $g(t) = t - 1 - \log t$",
    )
    d.then(dm.kl_gibbs(P, Q, K3), r"$\sum_k p_k = \sum_k q_k = 1$")
    d.conclude("KL as gaps")

    d.begin(dm.kl(P, Q, K3))
    d.then(dm.kl_gibbs_terms(P, Q, K3), "termwise (above)")
    d.then(dm.kl_gibbs(P, Q, K3), "KL as a sum of Gibbs gaps (above)")
    d.bound(0, r"each term $p_k\,g(q_k/p_k) \ge 0$ since $p_k > 0$, $g \ge 0$", relation=">=")
    d.conclude("KL >= 0")

    d.begin(ASYM, r"$\mathrm{KL}(p\|q) - \mathrm{KL}(q\|p)$ for the two distributions above")
    d.then(lambda e: sp.expand_log(e, force=True), r"expand the logarithms")
    d.bound(0, "a positive number", relation=">")
    d.conclude("asymmetric")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random pairs on the simplex: KL >= 0 (numpy sums), zero at p = q, positive at p != q;
    and the derived Gibbs-gap form equals the direct sum."""
    n, m = 5, 4000
    p, q = distributions(ctx.rng, n, m), distributions(ctx.rng, n, m)
    kl = np.sum(p * np.log(p / q), axis=1)
    # KL > 0 at every random pair (p != q almost surely) and exactly 0 at p = q
    lowest = ctx.bound(
        "pairs with KL(p||q) <= 0 (p != q)",
        "direct sums (numpy)",
        float(np.sum(kl <= 0)),
        0.0,
        samples=m,
        detail=f"min KL {kl.min():.3e}",
    )
    at_p = np.sum(p * np.log(p / p), axis=1)
    same = ctx.compare("KL(p||p) = 0", "direct sums", at_p, np.zeros(m), rtol=1e-15, floor=1.0)
    r = q / p
    gaps = np.sum(p * (r - 1 - np.log(r)), axis=1)
    form = ctx.compare("sum p g(q/p) = KL", "direct sums", gaps, kl, rtol=1e-10)
    return combine(lowest, same, form)


# -- the declaration -------------------------------------------------------------------------------
KL_NONNEGATIVE = declare(
    "kl-nonnegative",
    aliases=("gibbs-inequality",),
    title="KL divergence is nonnegative (Gibbs' inequality)",
    section="4",
    map_row=r"KL divergence $D_{\mathrm{KL}}(p\,\|\,q) = \sum p \log(p/q)$: VAE regulariser, "
    r"knowledge distillation, RLHF KL penalty",
    variables={t: RATIO, K3: OUTCOMES, pw: WEIGHTS, qw: WEIGHTS},
    definitions=dm.definitions(P, Q),
    claim=CLAIM,
    also=(SLOPE, CONVEX, MINIMUM, LOG_BOUND, KL_AS_GAPS, ASYMMETRIC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
