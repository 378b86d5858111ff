r"""Named, cited facts: what SymPy cannot derive, declared once, cited, and never hidden.

A :class:`Fact` is a theorem a derivation rests on without deriving it (the spectral theorem, the
orthonormality of the factors of an SVD, the matrix determinant lemma...). A derivation uses one
with :meth:`~derive.core.derivation.Derivation.assume`: the step it justifies says so in its
provenance ("assumes the spectral theorem"), the proof lists it (``Proof.assumes``), and the sheet
shows it under "Assumes" with its statement and citation. A fact never turns a link into a proof:
every link is still verified by the ladder; the fact is what makes the link's *setting* valid (the
coordinates of the eigenbasis exist, the columns of :math:`U` are orthonormal).

The facts are :data:`FACTS`, keyed by name; identities import the constants below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp

from ..maths.indexed import Exchange
from ..maths.limit_laws import LimitLaws
from .identity import Ref


@dataclass(frozen=True)
class Fact:
    """A named theorem: ``statement`` in LaTeX (text mode, maths in ``$...$``), cited by ``ref``."""

    name: str
    statement: str
    ref: Ref
    #: the fact as a rewrite of a form (a picklable callable, e.g. :class:`~derive.maths.indexed.InverseOf`)
    rule: Callable[[sp.Basic], sp.Basic] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.statement.strip():
            raise ValueError("a fact needs a name and a statement")
        if not (self.ref.key or self.ref.text.strip()):
            raise ValueError(f"the fact {self.name!r} needs a citation")

    @property
    def citation(self) -> str:
        """The reference in one line: its text and where in it."""
        return self.ref.text + (f", {self.ref.where}" if self.ref.where else "")

    def rewrite(self, e: sp.Basic) -> sp.Basic:
        """``e`` with the fact's rule applied (``e`` itself for a fact without one)."""
        return e if self.rule is None else self.rule(e)

    def applied(self, rule: Callable[[sp.Basic], sp.Basic]) -> Fact:
        """The same fact about particular objects: a step assuming it is verified after ``rule``
        (the defining property of *this* inverse, the symmetry of *this* matrix)."""
        return replace(self, rule=rule)

    def __str__(self) -> str:
        return self.name


SPECTRAL_THEOREM = Fact(
    "spectral theorem",
    r"every real symmetric $n\times n$ matrix is $M = U\Lambda U^\top$ with $U$ orthogonal "
    r"($U^\top U = I$) and $\Lambda = \mathrm{diag}(\lambda_1, \dots, \lambda_n)$ real",
    Ref.cite("horn2013", where="Thm. 4.1.5"),
)
SVD_ORTHONORMAL = Fact(
    "singular value decomposition",
    r"every real $m\times n$ matrix is $A = U\Sigma V^\top$ with $U^\top U = I_m$, $V^\top V = I_n$ and "
    r"$\Sigma$ rectangular diagonal with $\sigma_1 \ge \dots \ge \sigma_{\min(m,n)} \ge 0$",
    Ref.cite("horn2013", where="Thm. 2.6.3"),
)
ORTHOGONAL_INVARIANCE = Fact(
    "orthogonal invariance of the norms",
    r"for orthogonal $U$, $V$: $\lVert U\mathbf{x}\rVert_2 = \lVert\mathbf{x}\rVert_2$, "
    r"$\lVert UAV^\top\rVert_F = \lVert A\rVert_F$ and $\lVert UAV^\top\rVert_2 = \lVert A\rVert_2$",
    Ref.cite("golub2013", where="Sec. 2.3.4"),
)
DETERMINANT_LEMMA = Fact(
    "matrix determinant lemma",
    r"for invertible $A$: $\det(A + \mathbf{u}\mathbf{v}^\top) = (1 + \mathbf{v}^\top A^{-1}\mathbf{u})\det A$",
    Ref.cite("horn2013", where="Sec. 0.8.5"),
)
INDEPENDENCE = Fact(
    "independence of random variables",
    r"for independent $X$, $Y$: $\mathbb{E}[f(X)g(Y)] = \mathbb{E}[f(X)]\,\mathbb{E}[g(Y)]$, and a sum of "
    r"independent Gaussians is Gaussian with the means and the variances added",
    Ref.cite("grimmett2020", where="Sec. 3.2, 4.9"),
)
ECKART_YOUNG = Fact(
    "Eckart-Young-Mirsky theorem",
    r"for every matrix $B$ of rank at most $k$ and every unitarily invariant norm, "
    r"$\lVert A - B\rVert \ge \lVert A - A_k\rVert$, $A_k$ the truncated SVD",
    Ref.cite("mirsky1960", where="extending Eckart and Young (1936) to every unitarily invariant norm"),
)
COURANT_FISCHER = Fact(
    "Courant-Fischer theorem",
    r"for symmetric $M$ with eigenvalues $\lambda_1 \ge \dots \ge \lambda_n$: "
    r"$\lambda_k = \max_{\dim S = k}\min_{\mathbf{x}\in S,\ \lVert\mathbf{x}\rVert = 1}\mathbf{x}^\top M\mathbf{x}$",
    Ref.cite("horn2013", where="Thm. 4.2.6"),
)
MGF_UNIQUENESS = Fact(
    "uniqueness of the moment generating function",
    r"a moment generating function finite near $0$ determines the distribution; "
    r"$\mathbb{E}[e^{\lambda X}] = e^{\lambda m + \lambda^2 v/2}$ for all $\lambda$ exactly when "
    r"$X \sim \mathcal{N}(m, v)$",
    Ref.cite("billingsley1995", where="Sec. 21 and 30"),
)
SUM_EXCHANGE = Fact(
    "exchange of finite sums",
    r"for finite ranges that do not depend on each other, "
    r"$\sum_{j}\sum_{c} a_{jc} = \sum_{c}\sum_{j} a_{jc}$ (addition is commutative and associative)",
    Ref.cite("graham1994", where="Sec. 2.4"),
    rule=Exchange(),
)
SPAN_RANK = Fact(
    "rank of a product",
    r"the span of $r$ vectors has dimension at most $r$; so if the range of $M$ lies in the span of the $r$ "
    r"columns of $B$, $\operatorname{rank} M \le r$ (in particular $\operatorname{rank}(BA) \le "
    r"\min(\operatorname{rank} B, \operatorname{rank} A)$)",
    Ref.cite("horn2013", where="Sec. 0.4.5"),
)
SCHWARZ = Fact(
    "symmetry of second derivatives",
    r"for a twice continuously differentiable $f$, $\partial^2 f/\partial x_k\partial x_l = "
    r"\partial^2 f/\partial x_l\partial x_k$: a Hessian is symmetric, $H_{kl} = H_{lk}$",
    Ref.cite("rudin1976", where="Thm. 9.41"),
)
SYMMETRIC = Fact(
    "symmetry of a Gram matrix",
    r"$A^\top A$, $AA^\top$ and a covariance $\mathbb{E}[\mathbf{x}\mathbf{x}^\top]$ are symmetric: "
    r"$(A^\top A)_{kl} = \sum_r A_{rk}A_{rl} = (A^\top A)_{lk}$",
    Ref.cite("golub2013", where="Sec. 1.2"),
)
FUBINI = Fact(
    "Fubini theorem and substitution rule",
    r"the integral of a nonnegative function over a product of intervals is the iterated integral, in either "
    r"order, and an inner integral may be rewritten by a substitution: $\int_0^s f(x)\,dx = \int_0^1 f(st)\,s\,dt$ "
    r"for $s > 0$ (improper integrals of nonnegative functions as monotone limits)",
    Ref.cite("rudin1976", where="Thm. 6.19 and 10.2"),
)
RANK_NULLITY = Fact(
    "rank-nullity theorem",
    r"for an $n\times n$ matrix $A$, $\operatorname{rank} A + \dim\ker A = n$; so a kernel spanned by one nonzero "
    r"vector gives $\operatorname{rank} A = n - 1$",
    Ref.cite("horn2013", where="Sec. 0.2.3"),
)
LIMIT_LAWS = Fact(
    "limit laws",
    r"if $f \to a$ and $g \to b$ (finite), then $f + g \to a + b$, $fg \to ab$ and, for $b \ne 0$, $f/g \to a/b$; "
    r"a finite sum of terms with limits tends to the sum of the limits; a function continuous at $a$ maps "
    r"$f \to a$ to $F(f) \to F(a)$",
    Ref.cite("rudin1976", where="Thm. 4.4 and 4.7"),
    rule=LimitLaws(),
)
FROBENIUS_SUBMULTIPLICATIVE = Fact(
    "submultiplicativity of the Frobenius norm",
    r"$\lVert AB\rVert_F \le \lVert A\rVert_F\,\lVert B\rVert_F$ for matrices of compatible sizes (the Cauchy-Schwarz "
    r"inequality applied to each entry $(AB)_{ik} = \sum_j A_{ij}B_{jk}$)",
    Ref.cite("golub2013", where="Sec. 2.3"),
)
INVERSE = Fact(
    "defining property of the inverse",
    r"a positive definite matrix ($H \succ 0$, $X^\top X + \lambda I$ for $\lambda > 0$) is invertible, and "
    r"$A^{-1}$ is the matrix with $A A^{-1} = A^{-1} A = I$",
    Ref.cite("horn2013", where="Obs. 7.1.6"),
)
TAYLOR_SECOND_ORDER = Fact(
    "second-order Taylor expansion",
    r"a twice continuously differentiable $r$ is $r(\theta + \delta) = r(\theta) + \nabla r(\theta)^\top\delta + "
    r"\tfrac12\delta^\top\nabla^2 r(\theta)\,\delta + o(\lVert\delta\rVert^2)$; the remainder and its first and second "
    r"derivatives vanish at $\delta = 0$, so first and second derivatives at $\theta$ may be taken on the expansion",
    Ref.cite("nocedal2006", where="Thm. 2.1"),
)
WEYL_SINGULAR = Fact(
    "Weyl's inequality for singular values",
    r"$\sigma_{i+j-1}(X + Y) \le \sigma_i(X) + \sigma_j(Y)$; for $B$ of rank at most $k$, $\sigma_{k+1}(B) = 0$, so "
    r"$\sigma_t(A - B) \ge \sigma_{k+t}(A)$ for every $t$",
    Ref.book("Horn and Johnson (1991), Topics in Matrix Analysis, Cambridge University Press", where="Thm. 3.3.16"),
)
VON_NEUMANN_TRACE = Fact(
    "von Neumann's trace inequality",
    r"for real $m\times n$ matrices $X$, $A$ with singular values $x_1 \ge x_2 \ge \dots$ and "
    r"$\sigma_1 \ge \sigma_2 \ge \dots$: $\operatorname{tr}(X^\top A) \le \sum_i x_i\sigma_i$, with equality when $X$ "
    r"and $A$ share their singular vectors",
    Ref.cite("horn2013", where="Thm. 7.4.1.1"),
)
SERIES_TERMWISE = Fact(
    "termwise summation of series",
    r"a finite sum of convergent series is summed term by term: "
    r"$\sum_{s=0}^\infty\sum_{q=1}^n a_{qs} = \sum_{q=1}^n\sum_{s=0}^\infty a_{qs}$ when each "
    r"$\sum_s a_{qs}$ converges",
    Ref.cite("rudin1976", where="Thm. 3.47"),
    rule=Exchange(),
)
MONOTONE_CONVERGENCE = Fact(
    "monotone convergence of a fixed-point iteration",
    r"a nondecreasing sequence bounded above converges; if $s_{t+1} = g(s_t)$ with $g$ continuous, its limit $L$ "
    r"satisfies $g(L) = L$",
    Ref.cite("rudin1976", where="Thm. 3.14 and 4.6"),
)
UNDIRECTED = Fact(
    "symmetry of an undirected graph's weights",
    r"an undirected weighted graph has one weight per edge, $w_{ij} = w_{ji} \ge 0$: its weight matrix $W$, and so "
    r"its Laplacian $L = D - W$, are symmetric",
    Ref.cite("chung1997", where="Sec. 1.2"),
)
GRAPH_COMPONENTS = Fact(
    "null space of the graph Laplacian",
    r"a sum of nonnegative terms $\tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2$ vanishes only if every term does; "
    r"$x_i = x_j$ across every edge ($w_{ij} > 0$) makes $\mathbf{x}$ constant on each connected component "
    r"$A_1, \dots, A_k$; their indicator vectors are linearly independent, so the null space of $L$ is their span "
    r"and the eigenvalue 0 of the symmetric $L$ has multiplicity $k$, the number of connected components",
    Ref.arxiv(
        "0711.0189",
        "U. von Luxburg (2007), A tutorial on spectral clustering, Statistics and Computing 17(4)",
        where="Prop. 2",
    ),
)
KFAC_INDEPENDENCE = Fact(
    "K-FAC's independence approximation",
    r"K-FAC treats a layer's input activations $a$ and its back-propagated output gradients $\delta$ as "
    r"independent, so that $\mathbb{E}[aa^\top \otimes \delta\delta^\top] \approx "
    r"\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]$: an approximation of the Fisher block, "
    r"exact when they are independent",
    Ref.cite("martens2015", where="Sec. 3.1"),
)
OPERATOR_SUBMULTIPLICATIVE = Fact(
    "submultiplicativity of the operator norm",
    r"$\lVert A\mathbf{x}\rVert_2 \le \lVert A\rVert_2\lVert\mathbf{x}\rVert_2$ and "
    r"$\lVert AB\rVert_2 \le \lVert A\rVert_2\lVert B\rVert_2$ for matrices of compatible sizes (the operator "
    r"norm is the largest factor by which a matrix stretches a vector)",
    Ref.cite("golub2013", where="Sec. 2.3.1"),
)
DETERMINANT_PRODUCT = Fact(
    "multiplicativity of the determinant",
    r"$\det(AB) = \det A\,\det B$ and $\det\Lambda = \prod_k\lambda_k$ for diagonal $\Lambda$; so an orthogonal "
    r"$U$ has $(\det U)^2 = \det(U^\top U) = 1$, and $\det(U\Lambda U^\top) = \prod_k\lambda_k$: the determinant "
    r"of a symmetric matrix is the product of its eigenvalues",
    Ref.cite("horn2013", where="Sec. 0.3"),
)
LINEAR_CHANGE_OF_VARIABLES = Fact(
    "linear change of variables in a multiple integral",
    r"for an invertible $d\times d$ matrix $A$ and $\mathbf{b}\in\mathbb{R}^d$: "
    r"$\int_{\mathbb{R}^d} f(\mathbf{x})\,d\mathbf{x} = \int_{\mathbb{R}^d} f(A\mathbf{u} + \mathbf{b})\,"
    r"\lvert\det A\rvert\,d\mathbf{u}$ for nonnegative $f$; an orthogonal $A$ has $\lvert\det A\rvert = 1$",
    Ref.cite("rudin1976", where="Thm. 10.9"),
)

GAUSSIAN_MGF = Fact(
    "moment generating function of a Gaussian",
    r"$\mathbf{x} \sim \mathcal N(\boldsymbol\mu, \Sigma)$ in $\mathbb{R}^d$ has "
    r"$M(\mathbf{t}) = \mathbb{E}[e^{\mathbf{t}^\top\mathbf{x}}] = "
    r"e^{\mathbf{t}^\top\boldsymbol\mu + \frac12\mathbf{t}^\top\Sigma\mathbf{t}}$, finite for every $\mathbf{t}$; "
    r"so its moments are its derivatives at $\mathbf{t} = 0$ (differentiation under the expectation): "
    r"$\mathbb{E}[x_rx_c] = \partial^2 M/\partial t_r\partial t_c(0)$",
    Ref.cite("grimmett2020", where="Sec. 4.9 and 5.8"),
)
DIFFERENTIATION_UNDER_INTEGRAL = Fact(
    "differentiation under the integral sign",
    r"if $g(\varepsilon, t)$ is integrable in $\varepsilon$ for each $t$ in an open interval, differentiable in "
    r"$t$, and $\lvert\partial_t g(\varepsilon, t)\rvert \le h(\varepsilon)$ for an integrable $h$ not depending "
    r"on $t$, then "
    r"$\frac{d}{dt}\int g(\varepsilon, t)\,d\varepsilon = \int \partial_t g(\varepsilon, t)\,d\varepsilon$ "
    r"(Leibniz's rule under domination); e.g. $g = f(\mu + s\varepsilon)\,\varphi(\varepsilon)$ with $\varphi$ the "
    r"standard normal density and $f'$ of at most polynomial growth",
    Ref.cite("billingsley1995", where="Thm. 16.8"),
)

#: every fact, by name
FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        SPECTRAL_THEOREM,
        SVD_ORTHONORMAL,
        ORTHOGONAL_INVARIANCE,
        DETERMINANT_LEMMA,
        INDEPENDENCE,
        MGF_UNIQUENESS,
        ECKART_YOUNG,
        COURANT_FISCHER,
        SUM_EXCHANGE,
        SPAN_RANK,
        SCHWARZ,
        SYMMETRIC,
        INVERSE,
        FUBINI,
        RANK_NULLITY,
        LIMIT_LAWS,
        FROBENIUS_SUBMULTIPLICATIVE,
        TAYLOR_SECOND_ORDER,
        WEYL_SINGULAR,
        VON_NEUMANN_TRACE,
        SERIES_TERMWISE,
        MONOTONE_CONVERGENCE,
        UNDIRECTED,
        GRAPH_COMPONENTS,
        KFAC_INDEPENDENCE,
        OPERATOR_SUBMULTIPLICATIVE,
        DETERMINANT_PRODUCT,
        LINEAR_CHANGE_OF_VARIABLES,
        GAUSSIAN_MGF,
        DIFFERENTIATION_UNDER_INTEGRAL,
    )
}
