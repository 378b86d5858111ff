r"""The builder's base: names, subscripts, sums, derivatives and norms.

:class:`Notation` holds the builder's state (the question's :class:`~.scope.Scope`, the
:class:`~.limits.Limits`, the summation indices bound while a sum is read) and resolves words:
a bound index first, then the scope, then an entry ``s1`` of an indexed variable, then a split of
a run of letters into declared names (``xy`` is ``x*y``); anything else is an error that lists
the question's words. Its handlers read the notation that needs more than one SymPy constructor:
subscripts (``\beta_1`` is ``beta1``, ``s_i``, ``\delta_{ij}``, ``\log_2``), sums
(``\sum_{k=1}^{n}``, ``Sum(f, (k, a, b))``), derivatives (``dF/dx``, ``\frac{d}{dx}``,
``diff(f, x, 2)``) and the Euclidean norm of a vector.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from ...errors import AnswerSyntaxError
from .limits import Limits
from .scope import FUNCTIONS, MISSING, Fn, Scope
from .values import Applied, Vector, as_expr, call

_FORBIDDEN_HINT = {"factorial", "import", "eval", "exec", "os", "system", "open", "subs", "getattr", "globals"}


class Notation:
    """State and name resolution of the builder, and its handlers for subscripts, sums,
    derivatives and norms (the rest, and the dispatch, is :class:`~.builder.Builder`)."""

    def __init__(self, scope: Scope, limits: Limits) -> None:
        self.scope = scope
        self.limits = limits
        self.bound: dict[str, sp.Symbol] = {}
        #: unknown words read as placeholders, with the complaint kept for when one survives
        self.unknown: dict[sp.Dummy, str] = {}

    def value(self, tree: Any) -> Any:  # pragma: no cover - the builder dispatches
        raise NotImplementedError

    def expr(self, tree: Any) -> sp.Basic:
        return as_expr(self.value(tree))

    # -- names -----------------------------------------------------------------------------------
    def _name(self, tok: Any) -> Any:
        return self.word(str(tok), allow_split=True)

    def _command(self, tok: Any) -> Any:
        return self.word(str(tok)[1:], allow_split=False)

    def word(self, word: str, *, allow_split: bool) -> Any:
        if word in self.bound:
            return self.bound[word]
        obj = self.scope.lookup(word)
        if obj is not MISSING:
            if isinstance(obj, sp.MatrixBase) and word in self.scope.vector_entries:
                return Vector(word, obj, self.scope.vector_entries[word])
            return Applied(obj) if isinstance(obj, Fn) else obj
        entry = self._numbered_entry(word)
        if entry is not None:
            return entry
        if allow_split and len(word) > 1:
            parts = self._split(word)
            if parts is not None:
                return sp.Mul(*[self.word(p, allow_split=False) for p in parts])
        hint = ""
        if word in _FORBIDDEN_HINT:
            hint = f" ({word} is not allowed in answers)"
        known = self.scope.known_words()
        if known and not hint:
            hint = f"; this question knows {', '.join(known)}"
        shown = word if len(word) <= 40 else word[:37] + "..."
        # a placeholder for now: an unknown name whose terms cancel (x + 0*y) is harmless, so the
        # complaint is raised only if the name survives in the built answer (Builder.build)
        for placeholder in self.unknown:
            if placeholder.name == word:
                return placeholder
        placeholder = sp.Dummy(word)
        self.unknown[placeholder] = f"unknown name {shown!r}{hint}"
        return placeholder

    def _numbered_entry(self, word: str) -> sp.Expr | None:
        """``s1`` (like ``s_1``) is entry 1 of a declared indexed variable or vector ``s``, when no
        name ``s1`` is declared (checked before: a declared scalar ``s1`` wins)."""
        m = re.fullmatch(r"([A-Za-z]+)(\d{1,2})", word)
        if m is None or m.group(1) in self.bound:
            return None
        base = self.scope.lookup(m.group(1))
        idx = sp.Integer(int(m.group(2)))
        if isinstance(base, sp.IndexedBase):
            return base[idx]
        if isinstance(base, sp.MatrixBase) and m.group(1) in self.scope.vector_entries:
            return Vector(m.group(1), base, self.scope.vector_entries[m.group(1)]).entry([idx])
        return None

    def _split(self, word: str) -> list[str] | None:
        """Split a run of letters into declared variables/constants (``xy`` -> ``x y``, ``2mu0x`` ->
        ``mu0 x`` when ``mu0`` is declared), if unique."""
        words = [w for w in (*self.scope.variables, *self.bound, "pi", "e") if w.isalnum() and w[0].isalpha()]

        def rec(rest: str) -> list[list[str]]:
            if not rest:
                return [[]]
            out = []
            for w in words:
                if rest.startswith(w):
                    out += [[w, *tail] for tail in rec(rest[len(w) :])]
                    if len(out) > 1:
                        return out
            return out

        found = rec(word)
        return found[0] if len(found) == 1 else None

    def _split_name(self, tree: Any) -> tuple[sp.Expr, sp.Expr] | None:
        """A bare word that is split into declared names (``nm`` -> ``n m``), as (the product of all
        but the last part, the last part), so that a power binds to the last letter only; ``None``
        for a word that names something itself."""
        if getattr(tree, "data", None) != "name":
            return None
        word = str(tree.children[0])
        if len(word) < 2 or word in self.bound or self.scope.lookup(word) is not MISSING:
            return None
        if self._numbered_entry(word) is not None:
            return None
        parts = self._split(word)
        if parts is None or len(parts) < 2:
            return None
        head = sp.Mul(*[as_expr(self.word(p, allow_split=False)) for p in parts[:-1]])
        return head, as_expr(self.word(parts[-1], allow_split=False))

    def _numbered_name(self, tree: Any, following: Any) -> sp.Symbol | None:
        """A command and the number right after it that together name a declared variable: ``\\mu 0``
        (``μ0`` in Unicode) is ``mu0``, never ``mu`` times 0 (``x 2`` stays a product)."""
        if getattr(tree, "data", None) != "command" or getattr(following, "data", None) != "number":
            return None
        digits = str(following.children[0])
        if not digits.isdigit():
            return None
        word = str(tree.children[0]).lstrip("\\") + digits
        obj = self.scope.variables.get(word)
        return obj if isinstance(obj, sp.Symbol) and word not in self.bound else None

    def expr_word(self, tok: str) -> sp.Expr:
        v = self.word(tok.lstrip("\\"), allow_split=False)
        return as_expr(v)

    def _indices(self, parts: list[str], sub: str) -> list[sp.Expr]:
        """Index symbols of a subscript: ``ij`` is ``i, j`` when both are declared."""
        out: list[sp.Expr] = []
        pieces = parts if len(parts) > 1 else ([sub] if sub in self.bound or sub.isdigit() else list(sub))
        for p in pieces:
            if p.isdigit():
                out.append(sp.Integer(int(p)))
                continue
            v = self.bound.get(p)
            if v is None:
                v = self.scope.lookup(p)
            if v is MISSING or not isinstance(v, sp.Symbol):
                raise AnswerSyntaxError(f"unknown index {p!r}")
            out.append(v)
        return out

    # -- subscripts: beta_1 -> beta1, S_{xy} -> Sxy, delta_{ij}, s_i, log_2 -----------------------
    def _subscript(self, base_tree: Any, script: Any) -> Any:
        from lark import Token, Tree

        parts: list[str] = []
        for tok in script.scan_values(lambda t: isinstance(t, Token)):
            if str(tok) != ",":
                parts.append(str(tok).lstrip("\\"))
        sub = "".join(parts)
        if sub == "ast":
            sub = "*"  # f_*, f^*, f_{\ast}
        base_word = None
        node = base_tree
        while isinstance(node, Tree) and node.data == "group":  # {s}_{j}, as SymPy prints it
            node = node.children[0]
        base_tree = node
        if isinstance(node, Tree) and node.data == "abs" and sub == "2":  # \|g\|_2: the Euclidean norm
            return self.value(node)
        if isinstance(node, Tree) and node.data in ("name", "command"):
            base_word = str(node.children[0]).lstrip("\\")
        if base_word is not None and base_word in self.scope.vector_entries and base_word not in self.bound:
            vec = self.word(base_word, allow_split=False)
            if isinstance(vec, Vector):  # s_1 in a matrix answer: the form's own first entry
                return vec.entry(self._indices(parts, sub))
        if base_word is not None:
            # a declared name written with a subscript wins: beta_1, S_{xy}, eta_{min}, T_{warm}
            for candidate in (f"{base_word}{sub}", f"{base_word}_{sub}"):
                obj = self.scope.lookup(candidate) if candidate not in self.bound else self.bound[candidate]
                if isinstance(obj, sp.Symbol):  # a variable, never a constant: p_i is not pi
                    return obj
            if base_word == "delta" and isinstance(self.scope.lookup("delta"), Fn):
                idx = self._indices(parts, sub)
                if len(idx) == 2:
                    return sp.KroneckerDelta(*idx)
                raise AnswerSyntaxError(f"delta_{sub}: write two indices, as in delta_ij")
            if base_word in ("log", "lg") and base_word not in self.scope.variables:
                b = self._subscript_value(script)
                return Applied(FUNCTIONS["log"], None, b)
        base = self.value(base_tree)
        if isinstance(base, sp.IndexedBase):
            idx = self._indices(parts, sub)
            return base[tuple(idx)] if len(idx) > 1 else base[idx[0]]
        if isinstance(base, sp.MatrixBase) and base.cols == 1:
            idx = self._indices(parts, sub)
            if len(idx) == 1 and idx[0].is_Integer and 1 <= idx[0] <= base.rows:
                return base[int(idx[0]) - 1, 0]
        name = base_word or str(base)
        raise AnswerSyntaxError(f"unknown name {name}_{sub}")

    def _subscript_value(self, script: Any) -> sp.Expr:
        from lark import Token

        toks = [str(t) for t in script.scan_values(lambda t: isinstance(t, Token))]
        if len(toks) == 1:
            tok = toks[0]
            if re.fullmatch(r"\d+", tok):
                return sp.Integer(int(tok))
            return self.expr_word(tok)
        raise AnswerSyntaxError("a logarithm base must be a number or a name")

    # -- sums ------------------------------------------------------------------------------------
    def _bigsum(self, op: Any, var: Any, lo: Any, _pow: Any, hi: Any, body: Any) -> sp.Expr:
        """``\\sum_{k=a}^{b} f`` or ``\\prod_{k=a}^{b} f``: the ``Sum``/``Product`` that
        ``sum(f, k, a, b)``/``product(f, k, a, b)`` build."""
        return self._make_sums([(str(var), lo, hi)], body, sp.Product if op.type == "PROD" else sp.Sum)

    def _make_sum(self, var: str, lo_tree: Any, hi_tree: Any, body_tree: Any) -> sp.Expr:
        return self._make_sums([(var, lo_tree, hi_tree)], body_tree)

    def _make_sums(self, limits: list[tuple[str, Any, Any]], body_tree: Any, op: type = sp.Sum) -> sp.Expr:
        """``Sum(body, (k1, a1, b1), (k2, a2, b2), ...)`` (or a ``Product``) with every index bound
        while reading."""
        what = "product" if op is sp.Product else "sum"
        saved = {var: self.bound.get(var) for var, _, _ in limits}
        out_limits = []
        try:
            for var, _, _ in limits:
                self.bound[var] = sp.Symbol(var, integer=True)
            for var, lo_tree, hi_tree in limits:
                lo, hi = self.expr(lo_tree), self.expr(hi_tree)
                if lo.is_number and hi.is_number and (hi - lo) > self.limits.max_sum_terms:
                    raise AnswerSyntaxError(f"a {what} with more than {self.limits.max_sum_terms} terms", limit=True)
                out_limits.append((self.bound[var], lo, hi))
            body = self.expr(body_tree)
        finally:
            for var, old in saved.items():
                if old is None:
                    self.bound.pop(var, None)
                else:
                    self.bound[var] = old
        if isinstance(body, sp.MatrixBase):
            raise AnswerSyntaxError(f"a {what} of matrices is not understood")
        return op(body, *out_limits)

    def _plain_sum(self, name: str, arglist: Any, op: type = sp.Sum) -> sp.Expr:
        """``Sum(f, (k, a, b))`` or ``sum(f, k, a, b)``; ``Product``/``product``/``prod`` alike."""
        from lark import Tree

        kids = arglist.children
        specs = [k.children[0].children for k in kids[1:] if isinstance(k, Tree) and k.data == "paren"]
        if len(kids) >= 2 and len(specs) == len(kids) - 1 and all(len(sp_) == 3 for sp_ in specs):
            # Sum(f, (j, 1, n), (i, 1, n)): the first limit is the innermost
            return self._make_sums([(self._bound_name(sp_[0]), sp_[1], sp_[2]) for sp_ in specs], kids[0], op)
        if len(kids) == 4:
            return self._make_sums([(self._bound_name(kids[1]), kids[2], kids[3])], kids[0], op)
        what = "product" if op is sp.Product else "sum"
        raise AnswerSyntaxError(f"write {name}(f, (k, a, b)) for the {what} of f over k = a..b")

    @staticmethod
    def _bound_name(tree: Any) -> str:
        from lark import Tree

        if isinstance(tree, Tree) and tree.data in ("name", "command"):
            return str(tree.children[0]).lstrip("\\")
        raise AnswerSyntaxError("the summation index must be a name")

    # -- derivatives and norms -------------------------------------------------------------------
    def _leibniz(self, num: Any, den: Any) -> Any:
        """``dF/dx`` (the derivative of a function word ``F`` of one argument at ``x``) or the
        operator ``d/dx``, when ``dF`` and ``dx`` are not names of the question and ``x`` is a
        declared variable; otherwise ``None`` (an ordinary quotient)."""
        from lark import Tree

        words = []
        for tree in (num, den):
            node = tree
            while isinstance(node, Tree) and node.data == "group":
                node = node.children[0]
            if not (isinstance(node, Tree) and node.data in ("name", "command")):
                return None
            words.append(str(node.children[0]).lstrip("\\"))
        top, bottom = words
        if not (top.startswith("d") and bottom.startswith("d") and len(bottom) > 1):
            return None
        if any(w in self.bound or self.scope.lookup(w) is not MISSING for w in (top, bottom)):
            return None
        var = self.bound.get(bottom[1:], self.scope.lookup(bottom[1:]))
        if not isinstance(var, sp.Symbol):
            return None
        if top == "d":
            return Applied(Fn(f"d/d{var}", lambda e: sp.Derivative(e, var)))
        fn = self.scope.lookup(top[1:])
        if not isinstance(fn, Fn) or 1 not in fn.nargs:
            return None
        return sp.Derivative(call(fn, [var]), var)

    def _derivative_call(self, name: str, arglist: Any) -> sp.Expr:
        """``Derivative(F(x), x)``, ``diff(F(x), x, 2)``, ``diff(f, x, y)``: at most three orders."""
        args = [self.expr(c) for c in arglist.children]
        if len(args) < 2 or not isinstance(args[0], sp.Expr) or isinstance(args[0], sp.MatrixBase):
            raise AnswerSyntaxError(f"write {name}(f, x) for the derivative of f with respect to x")
        pairs: list[list[Any]] = []
        for a in args[1:]:
            if isinstance(a, sp.Symbol):
                pairs.append([a, 1])
            elif isinstance(a, sp.Integer) and pairs and pairs[-1][1] == 1 and 1 <= a <= 3:
                pairs[-1][1] = int(a)
            else:
                raise AnswerSyntaxError(f"{name}(f, x, ...): differentiate with respect to variables (and orders 1-3)")
        if sum(n for _, n in pairs) > 3:
            raise AnswerSyntaxError(f"{name}: at most three derivatives")
        return sp.Derivative(args[0], *[(v, n) for v, n in pairs])

    @staticmethod
    def _is_vector(v: Any) -> bool:
        return isinstance(v, sp.IndexedBase | Vector) or (isinstance(v, sp.MatrixBase) and v.cols == 1 and v.rows > 1)

    def _norm(self, v: Any) -> sp.Expr:
        """The Euclidean norm of a declared vector: ``sqrt(Sum(g[k]**2, (k, 1, n)))`` for an indexed
        ``g`` of the question's length ``n``, or the root of the sum of squares of a column's entries."""
        if isinstance(v, Vector):
            v = v.matrix
        if isinstance(v, sp.MatrixBase):
            return sp.sqrt(sp.Add(*[x**2 for x in v]))
        size = self.scope.sizes.get(str(v.label))
        if size is None:
            raise AnswerSyntaxError(f"the length of the vector {v} is not known to this question; write its entries")
        k = sp.Dummy("k", integer=True)
        return sp.sqrt(sp.Sum(v[k] ** 2, (k, 1, size)))
