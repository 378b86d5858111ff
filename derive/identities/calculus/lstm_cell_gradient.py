r"""The LSTM cell carries the error through its forget gate.

The LSTM cell state is updated additively, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$; along this
direct path $\partial c_t/\partial c_{t-1} = \operatorname{diag}(f_t)$, with no weight matrix and no
squashing slope, and by induction $\partial c_T/\partial c_0 = \prod_t f_t$: with forget gates near 1
the error flows back over many steps, the "constant error carousel" (map 2.3, fix: LSTM gates;
sigmoid in LSTM gate updates). Hochreiter and Schmidhuber (1997), Long Short-Term Memory; Gers,
Schmidhuber and Cummins (2000), Learning to forget.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    declare,
    integer,
    matrices,
    probability,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
UNITS = integer(2, 6)
n = UNITS.symbol("n")
UNIT = integer(1, n)
k, j = UNIT.symbol("k"), UNIT.symbol("j")
GATE = probability()
STATE = real(-5, 5)
CANDIDATE = real(-1, 1)
fg, cp, ig, gg = (sp.IndexedBase(name, real=True) for name in ("f", "c", "i", "g"))
CELL = fg[k] * cp[k] + ig[k] * gg[k]  # c_t = f_t * c_{t-1} + i_t * g_t, unit k
FV, CV, IV, GV = (
    matrices.symbol_vector(name, 2, dom) for name, dom in (("f", GATE), ("c", STATE), ("i", GATE), ("g", CANDIDATE))
)
T_STEPS = 3
c0 = STATE.symbol("c0")
FT = [GATE.symbol(f"f{t}") for t in range(1, T_STEPS + 1)]
IT = [GATE.symbol(f"i{t}") for t in range(1, T_STEPS + 1)]
GT = [CANDIDATE.symbol(f"g{t}") for t in range(1, T_STEPS + 1)]


STEPS = integer(1, 100)
T_SYM = STEPS.symbol("T")
C_BELOW = sp.Function("c_T")  # the cell state after T steps, as a function of c_0
STEP_T = fg[T_SYM + 1] * C_BELOW(c0) + ig[T_SYM + 1] * gg[T_SYM + 1]  # c_{T+1}, gates held fixed


def _unrolled_cell() -> sp.Expr:
    c = c0
    for f, i_, g in zip(FT, IT, GT, strict=True):
        c = f * c + i_ * g
    return c


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "direct path",
    Eq(Derivative(CELL, cp[j]), fg[k] * sp.KroneckerDelta(j, k)),
    text=r"with the gates held fixed, $\partial c_{t,k}/\partial c_{t-1,j} = f_{t,k}\,\delta_{jk}$, "
    r"i.e. $\partial c_t/\partial c_{t-1} = \operatorname{diag}(f_t)$",
)
ONE_MORE_STEP = Statement(
    "one more step",
    Eq(Derivative(STEP_T, c0), fg[T_SYM + 1] * Derivative(C_BELOW(c0), c0)),
    text=r"for any number of steps $T$: one more update multiplies $\partial c_T/\partial c_0$ by "
    r"$f_{T+1}$, so by induction $\partial c_T/\partial c_0 = \prod_{t=1}^{T} f_t$ (unit by unit)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=fg[k] * sp.KroneckerDelta(j, k),
    prompt=r"An LSTM cell updates $c_t = f_t \odot c_{t-1} + i_t \odot g_t$. Holding the gates "
    r"$f_t, i_t, g_t$ fixed (the direct path), compute $\partial c_{t,k}/\partial c_{t-1,j}$.",
    forms=(sp.diag(*FV),),
    approximations={
        r"the forget gate is missing: the identity is the residual path, not the LSTM's": (sp.KroneckerDelta(j, k))
    },
)
REFS = (
    Ref.cite("hochreiter1997"),
    Ref.cite("gers2000"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The LSTM cell state is updated additively, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, with the
    forget gate $f_t = \sigma(\cdot) \in (0, 1)$. Along this direct path the Jacobian is the diagonal
    matrix $\operatorname{diag}(f_t)$, with no weight matrix and no squashing slope: when the network
    learns $f_t \approx 1$ the error flows back over many steps, the "constant error carousel"
    that lets LSTMs learn long-range dependencies where plain recurrent networks forget. Below, the
    indexed entries are unit $k$ of $f_t$, $c_{t-1}$, $i_t$, $g_t$, and $c_T(c_0)$ is the state after $T$ steps."""
    d.begin(Derivative(CELL, cp[j]))
    d.then(lambda e: e.doit(), r"$\partial c_{t-1,k}/\partial c_{t-1,j} = \delta_{jk}$; the gates are held fixed")
    d.conclude("direct path")

    d.begin(Derivative(STEP_T, c0), title="Any number of steps")
    d.then(lambda e: e.doit(), r"the gates and $i_{T+1} g_{T+1}$ do not depend on $c_0$ on the direct path")
    d.conclude("one more step")

    cell2 = FV.multiply_elementwise(CV) + IV.multiply_elementwise(GV)
    d.begin(matrices.jacobian_form(cell2, list(CV)), scope="for two units", title=r"Example: two units")
    d.then(lambda e: e.doit(), r"differentiate each unit in each input: $\operatorname{diag}(f_1, f_2)$")
    d.finish()

    d.begin(Derivative(_unrolled_cell(), c0), scope="for three steps", title=r"Example: three steps")
    d.then(lambda e: e.doit(), r"chain rule through the three additive updates: $f_1 f_2 f_3$")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """100 steps of the cell with random gates held fixed (the direct path): central differences of
    the unrolled loop in :math:`c_0` against :math:`\\prod_t f_t`, unit by unit, for forget gates near 1
    (the error is carried) and for gates around 0.5 (it decays like :math:`2^{-100}`)."""
    got, want = [], []
    for lo, hi in ((0.95, 1.0), (0.3, 0.7)):
        for _ in range(8):
            f = ctx.rng.uniform(lo, hi, (100, 4))
            i_, g = ctx.rng.uniform(0, 1, (100, 4)), ctx.rng.uniform(-1, 1, (100, 4))
            c_init = ctx.rng.normal(0, 1, 4)

            def run(c: np.ndarray, f: np.ndarray = f, i_: np.ndarray = i_, g: np.ndarray = g) -> np.ndarray:
                for t in range(100):
                    c = f[t] * c + i_[t] * g[t]
                return c

            # the map is affine in c_0, so a unit step is exact up to rounding of |c_T| ~ 1
            got.append((run(c_init + 0.5) - run(c_init - 0.5)) / 1.0)
            want.append(np.prod(f, axis=0))
    return ctx.compare(
        "d c_100 / d c_0 (direct path)",
        "finite differences of the unrolled cell",
        np.array(got),
        np.array(want),
        rtol=1e-12,
        floor=1e-13,
    )


# -- the declaration -------------------------------------------------------------------------------
LSTM_CELL_GRADIENT = declare(
    "lstm-cell-gradient",
    title="The LSTM cell carries the error through its forget gate",
    section="2.3",
    map_row=r"fix: LSTM gates; sigmoid in LSTM gate updates, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
    variables={
        n: UNITS,
        k: UNIT,
        j: UNIT,
        fg: GATE,
        cp: STATE,
        ig: GATE,
        gg: CANDIDATE,
        **matrices.entry_domains(FV, GATE),
        **matrices.entry_domains(CV, STATE),
        **matrices.entry_domains(IV, GATE),
        **matrices.entry_domains(GV, CANDIDATE),
        c0: STATE,
        T_SYM: STEPS,
        **{f: GATE for f in FT},
        **{i_: GATE for i_ in IT},
        **{g: CANDIDATE for g in GT},
    },
    claim=CLAIM,
    also=(ONE_MORE_STEP,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("vanishing-gradient",),
)
