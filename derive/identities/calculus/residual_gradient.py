r"""Residual connections keep an identity path in the gradient.

A residual block $y = x + F(x)$ has the Jacobian $I + \partial F/\partial x$; through $L$ blocks the
product of such factors expands into a sum over paths that always contains $I$, so the gradient
cannot vanish merely because every $\partial F_l/\partial x$ is small. This is why ResNets and
Transformers (sublayers on a residual stream) train at depths where plain stacks fail (map 2.3,
fix for vanishing gradients: residual connections). He, Zhang, Ren and Sun (2015), Deep Residual
Learning for Image Recognition, Sec. 3.1; (2016), Identity Mappings in Deep Residual Networks.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Mul

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
    linalg,
    matrices,
    matrix,
    named_function,
    notation,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
INPUT = real(-3, 3)
BLOCK_JACOBIAN = matrix(2, 2)
X = matrices.symbol_vector("x", 2, INPUT)
F = [sp.Function(f"F{i}", real=True) for i in (1, 2)]
FX = sp.Matrix([f(*X) for f in F])
BLOCK_J = sp.eye(2) + matrices.jacobian_form(FX, list(X))
JS = sp.symbols("J1:4", commutative=False)  # block Jacobians: matrices, so they do not commute
x = INPUT.symbol("x")
G = [sp.Function(f"F{i}") for i in (1, 2, 3)]
_xi = sp.Symbol("xi", real=True)
_t = sp.Dummy("t", real=True)


def _slope(f: sp.FunctionClass, at: sp.Expr) -> sp.Expr:
    """:math:`f'(\\text{at})`, the form SymPy's chain rule produces."""
    return sp.Subs(Derivative(f(_xi), _xi), _xi, at)


HS = [named_function(f"h{layer}", f"h_{{{layer}}}") for layer in (1, 2, 3)]
FP = [named_function(f"F{layer}p", f"F_{{{layer}}}'") for layer in (1, 2, 3)]
BELOW = [x, *[h(x) for h in HS[:-1]]]  # the input of block l: x, h_1(x), h_2(x)
H_BELOW = sp.Function("h")  # any stack of blocks below, as a function of x
FNEXT = sp.Function("F")
FNEXT_P = named_function("Fp", "F'")
ONE_MORE = H_BELOW(x) + FNEXT(H_BELOW(x))
STACK_DEFINITIONS = {
    **{h(x): below + f(below) for h, f, below in reversed(list(zip(HS, G, BELOW, strict=True)))},
    **{fp(_t): _slope(f, _t) for fp, f in zip(FP, G, strict=True)},
    FNEXT_P(_t): _slope(FNEXT, _t),
}
STACK_PRODUCT = Mul(*[1 + fp(below) for fp, below in zip(FP, BELOW, strict=True)])
EXPANSION = 1 + sum(JS) + JS[1] * JS[0] + JS[2] * JS[0] + JS[2] * JS[1] + JS[2] * JS[1] * JS[0]
# any width n: x_i, the Jacobian of F entry by entry; any depth L: the local factors a_l = 1 + F_l'(h_{l-1})
WIDTH = integer(1, 6)
n_width = WIDTH.symbol("n")
i, j, l_ = sp.symbols("i j l", integer=True, positive=True)
xI = sp.IndexedBase("x", real=True)
JFI = sp.IndexedBase(r"J_F", real=True)  # (J_F)_ij = dF_i/dx_j
aI = sp.IndexedBase("a", real=True)
BLOCK_IJ = notation(
    r"\frac{\partial y_i}{\partial x_j}",
    Derivative(xI[i], xI[j]) + notation(r"\frac{\partial F_i}{\partial x_j}", JFI[i, j], "dF_i/dx_j"),
    "dy_i/dx_j",
)
J_NEXT, R_BELOW = sp.symbols("J R", commutative=False)  # the new block's Jacobian; the paths below it

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "block",
    Eq(BLOCK_IJ, sp.KroneckerDelta(i, j) + JFI[i, j]),
    text=r"for $y = x + F(x)$, $x \in \mathbb{R}^n$ (any $n$): $\partial y/\partial x = I + \partial F/\partial x$, "
    r"entry $(i, j)$ is $\delta_{ij} + \partial F_i/\partial x_j$",
)
STACK = Statement(
    "depth 0",
    Eq(Derivative(x, x), sp.Product(aI[l_], (l_, 1, 0))),
    text=r"the base case of the induction on the depth $L$: $h_0 = x$ has derivative $1$, the empty product "
    r"$\prod_{l=1}^{0}(1 + F_l'(h_{l-1}))$",
)
ONE_MORE_BLOCK = Statement(
    "one more block",
    Eq(Derivative(ONE_MORE, x), (1 + FNEXT_P(H_BELOW(x))) * Derivative(H_BELOW(x), x)),
    text=r"the induction step, for any depth: a block on top of any stack $h(x)$ multiplies its derivative by "
    r"$1 + F'(h)$, so by induction a stack of $L$ blocks has derivative $\prod_{l=1}^{L} (1 + F_l'(h_{l-1}))$ "
    r"for every $L$",
)
PATHS = Statement(
    "expansion",
    Eq((1 + J_NEXT) * (1 + R_BELOW), 1 + (J_NEXT + R_BELOW + J_NEXT * R_BELOW)),
    text=r"the induction step over depth, with non-commuting block Jacobians: if the product of $L - 1$ factors "
    r"is $I + R$ ($R$ a sum of paths through the $J_l$), one more factor $I + J$ gives $I + (J + R + JR)$: "
    r"the identity path $I$ survives at every depth $L$ (base case: $L = 0$, $R = 0$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 + Derivative(G[0](x), x),
    prompt=r"A residual block computes $y = x + F(x)$ for a scalar $x$. What is $dy/dx$?",
    names={"F": G[0]},
    approximations={r"the identity (skip) path is missing": Derivative(G[0](x), x)},
)
REFS = (
    Ref.cite("he2015deep", where="Sec. 3.1"),
    Ref.cite("he2016", where="Sec. 3, Eq. (5)"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A residual block adds its input to its output, $y = x + F(x)$, so its Jacobian is
    $I + \partial F/\partial x$. Backpropagating through $L$ blocks multiplies $L$ such factors; the
    product expands into a sum over paths that always contains $I$ itself, so the gradient cannot
    vanish merely because every $\partial F_l/\partial x$ is small. This is why ResNets and every
    Transformer (whose sublayers sit on a residual stream) train at depths where plain stacks fail.
    Below, $h_l = h_{l-1} + F_l(h_{l-1})$ with $h_0 = x$, and $J_l$ is the Jacobian of block $l$."""
    d.begin(BLOCK_IJ, r"$y_i = x_i + F_i(x)$: the derivative is linear")
    d.then(lambda e: e.doit(), r"$\partial x_i/\partial x_j = \delta_{ij}$, the identity matrix")
    d.conclude("block")

    d.begin(Derivative(x, x), r"$h_0 = x$")
    d.then(lambda e: e.doit(), r"$dx/dx = 1$, the empty product")
    d.conclude("depth 0")

    d.begin(Derivative(ONE_MORE, x))
    d.then(lambda e: e.doit(), "chain rule through the new block")
    d.then((1 + FNEXT_P(H_BELOW(x))) * Derivative(H_BELOW(x), x), r"factor out $h'(x)$")
    d.conclude("one more block")

    d.begin((1 + J_NEXT) * (1 + R_BELOW), r"one more block on a product $I + R$")
    d.then(lambda e: sp.expand(e), r"multiply out, keeping the order of the (matrix) factors")
    d.then(1 + (J_NEXT + R_BELOW + J_NEXT * R_BELOW), r"the identity path, and the paths through $J$ or $R$")
    d.conclude("expansion")

    d.begin(
        Derivative(HS[-1](x), x),
        scope="for three blocks",
        title="Worked example: three blocks, unrolled",
    )
    d.then(lambda e: d.unfold(e), r"substitute the blocks $h_l = h_{l-1} + F_l(h_{l-1})$")
    d.then(lambda e: e.doit(), "chain rule through the three blocks")
    d.then(STACK_PRODUCT, r"factor: one $1 + F_l'(h_{l-1})$ per block")
    d.finish()

    d.begin((1 + JS[2]) * (1 + JS[1]) * (1 + JS[0]), scope="for three blocks", title="Worked example: three paths")
    d.then(lambda e: sp.expand(e), r"multiply out, keeping the order of the (matrix) factors")
    d.then(EXPANSION, r"the identity path, the single paths $J_l$ and the longer ones")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Width-8 stacks of 50 blocks :math:`F_l(x) = \\tanh(W_l x)` with small weights (std 0.05/sqrt(8)).

    The stack's Jacobian by finite differences of the forward pass is compared with the ordered
    product :math:`\\prod_l (I + J_l)` of the block Jacobians; its singular values stay within
    :math:`[0.5, 2]`, while the plain stack :math:`x \\mapsto \\tanh(W_l x)` with the same weights has a
    Jacobian below :math:`10^{-6}` in norm: the identity path is what keeps the gradient alive.
    """
    err, worst_sv, plain_norm, count = 0.0, 0.0, 0.0, 0
    for _ in range(5):
        ws = ctx.rng.normal(0.0, 0.05 / np.sqrt(8), (50, 8, 8))
        x0 = ctx.rng.normal(0.0, 1.0, 8)

        def residual(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
            for w in ws:
                v = v + np.tanh(w @ v)
            return v

        def plain(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
            for w in ws:
                v = np.tanh(w @ v)
            return v

        jac = linalg.jacobian_fd(residual, x0)
        prod, v = np.eye(8), x0
        for w in ws:
            block = np.eye(8) + (1 - np.tanh(w @ v) ** 2)[:, None] * w
            prod = block @ prod
            v = v + np.tanh(w @ v)
        err = max(err, float(np.max(np.abs(jac - prod)) / np.max(np.abs(prod))))
        sv = np.linalg.svd(jac, compute_uv=False)
        worst_sv = max(worst_sv, float(np.max(np.abs(np.log2(sv)))))
        plain_norm = max(plain_norm, float(np.linalg.norm(linalg.jacobian_fd(plain, x0), 2)))
        count += 1
    return combine(
        ctx.bound(
            "stack Jacobian vs prod (I + J_l)", "finite differences of the forward pass", err, 1e-7, samples=count
        ),
        ctx.bound("|log2 singular value| of the residual stack", "numpy.linalg.svd", worst_sv, 1.0, samples=count),
        ctx.bound("||J|| of the plain stack", "finite differences, numpy.linalg.norm", plain_norm, 1e-6, samples=count),
    )


# -- the declaration -------------------------------------------------------------------------------
RESIDUAL_GRADIENT = declare(
    "residual-gradient",
    title="Residual connections keep an identity path in the gradient",
    section="2.3",
    map_row=r"fix for vanishing gradients: residual connections $y = x + F(x)$",
    variables={
        **matrices.entry_domains(X, INPUT),
        x: INPUT,
        **{jac: BLOCK_JACOBIAN for jac in JS},
        J_NEXT: BLOCK_JACOBIAN,
        R_BELOW: BLOCK_JACOBIAN,
        n_width: WIDTH,
        i: integer(1, n_width),
        j: integer(1, n_width),
        xI: INPUT,
        JFI: INPUT,
        aI: INPUT,
    },
    definitions=STACK_DEFINITIONS,
    claim=CLAIM,
    also=(STACK, ONE_MORE_BLOCK, PATHS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("vanishing-gradient",),
)
