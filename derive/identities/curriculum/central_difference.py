r"""Central differences: truncation, rounding and the best step.

Gradient checks compare autograd against the central quotient $\frac{f(x+h) - f(x-h)}{2h}$, whose
truncation error is $\frac{h^2}{6}f'''(x)$ (the even Taylor terms cancel) while rounding contributes
$\epsilon|f|/h$; balancing the two gives the best step $h^* = (3\epsilon F/M)^{1/3}$. The checks measure
real float64 errors. The map's curriculum chapter 10, numerical methods: numerical autograd (map 6).
Nocedal and Wright (2006), Numerical Optimization, Sec. 8.1; Higham (2002), Accuracy and Stability of
Numerical Algorithms, Sec. 1.14.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Plot,
    Question,
    Ref,
    Statement,
    declare,
    notation,
    numerically,
    positive,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
STEP = positive(1)
DERIVATIVE = real(-5, 5)
ROUNDING = positive(1)
MAGNITUDE = positive(10)
hx = STEP.symbol("h")
fk = [DERIVATIVE.symbol(f"f{k}") for k in range(6)]  # f_k stands for f^{(k)}(x)
mach = ROUNDING.symbol("epsilon")
F_ABS, F3_ABS = (MAGNITUDE.symbol(name) for name in ("F", "M"))


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

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "truncation",
    Eq(QUOTIENT, fk[1] + hx**2 * fk[3] / 6 + hx**4 * fk[5] / 120, evaluate=False),
    text=r"with $f(x \pm h)$ expanded to order 5 ($f_k = f^{(k)}(x)$), the central quotient "
    r"$\frac{f(x+h) - f(x-h)}{2h}$ is $f'(x) + \frac{h^2}{6}f'''(x) + O(h^4)$: the even terms cancel",
)
OPTIMAL_H = Statement(
    "optimal h",
    Eq(hx, H_STAR),
    text=r"the error model $E(h) = \frac{h^2}{6}M + \frac{\epsilon F}{h}$ (truncation plus rounding, "
    r"$M = |f'''|$, $F = |f|$) is stationary at $h^* = (3\epsilon F/M)^{1/3}$, about $10^{-5}$ in float64",
)
# the part established only numerically (V_SHAPE) is declared with its check, below

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=hx**2 * fk[3] / 6,
    prompt=r"Expand $\frac{f(x+h) - f(x-h)}{2h} - f'(x)$ in $h$. What is the leading term "
    r"(write $f_3$ for $f'''(x)$)?",
    names={"f3": fk[3]},
    approximations={
        r"the $h^2/2$ term of the one-sided quotient is $f''$, and the central one cancels it": hx * fk[2] / 2,
        r"the Taylor coefficient is $1/3! = 1/6$": hx**2 * fk[3] / 3,
    },
)
REFS = (
    Ref.cite("nocedal2006", where="Sec. 8.1"),
    Ref.cite("higham2002", where="Sec. 1.14"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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


V_SHAPE = numerically(
    "V shape",
    r"the measured error of central differences (exp, sin) is V-shaped in $h$ with its bottom within a "
    r"factor 10 of $h^*$",
    _v_shape,
)

# -- the declaration -------------------------------------------------------------------------------
CENTRAL_DIFFERENCE = declare(
    "central-difference",
    aliases=("finite-difference-error",),
    title="Central differences: truncation, rounding and the best step",
    section="6",
    map_row=r"chapter 10 Numerical methods: numerical autograd",
    variables={hx: STEP, **dict.fromkeys(fk, DERIVATIVE), mach: ROUNDING, F_ABS: MAGNITUDE, F3_ABS: MAGNITUDE},
    claim=CLAIM,
    also=(OPTIMAL_H, V_SHAPE),
    derivation=derivation,
    crosscheck=crosscheck,
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
    question=QUESTION,
    refs=REFS,
)
