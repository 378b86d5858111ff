r"""Declarations: :class:`Identity` and what it is made of (:class:`Question`, :class:`Ref`, :class:`Plot`).

An identity is declared once, by :func:`declare` (or the :func:`identity` decorator on its
derivation function), as a frozen :class:`Identity` that validates itself: every free symbol has a
domain consistent with its assumptions, names and sections are well formed, each message says
which value is wrong and how to fix it. Declaring runs nothing and registers nothing: the registry
finds identities in their modules (:mod:`derive.core.registry`), and :func:`derive.prove` runs the
derivation. *Truth* is established by the proof and the tests.

.. code-block:: python

    x = real(-8, 8).symbol("x")
    CLAIM = Eq(Derivative(x * Phi(x), x), Phi(x) + x * phi(x))

    def derivation(d: Derivation) -> None:
        r'''GELU weights its input by $\Phi(x)$ (the sheet's introduction).'''
        d.begin(Derivative(x * Phi(x), x))
        d.then(lambda e: e.doit(), r"product rule; $\Phi' = \varphi$")
        d.conclude()

    GELU_PRIME = declare(
        "gelu'", title="Derivative of GELU", section="2.2", map_row=r"$x\Phi(x)$ ...",
        variables={x: real(-8, 8)}, claim=CLAIM, derivation=derivation,
        crosscheck=finite_difference(x * Phi(x), x),
    )
"""

from __future__ import annotations

import dis
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict, Unpack

import numpy as np
import sympy as sp

from ..errors import DeclarationError
from ..maths.domains import ArrayDomain, Domain, check_assumptions
from ..numeric.crosscheck import CheckContext
from .autodiff.automatic import automatic
from .bibliography import check_key, work
from .derivation import Derivation
from .statements import CrossCheck, Statement

NAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]*'?$")
SECTION = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class Ref:
    """A reference: the paper (or book) where the identity is load-bearing."""

    text: str
    url: str = ""
    where: str = ""
    key: str = ""

    @classmethod
    def arxiv(cls, arxiv_id: str, text: str, where: str = "") -> Ref:
        return cls(text, f"https://arxiv.org/abs/{arxiv_id}", where, key=f"arXiv:{arxiv_id}")

    @classmethod
    def book(cls, text: str, where: str = "") -> Ref:
        return cls(text, "", where)

    @classmethod
    def cite(cls, key: str, where: str = "") -> Ref:
        """Entry ``key`` of ``derive/references.bib`` at ``where`` (a section, an equation).

        An unknown key is a DeclarationError naming the closest keys; the text is pybtex's
        formatting of the entry, computed when first read.
        """
        return _Cite("", "", where, key=check_key(key))


class _Cite(Ref):
    """A keyed reference: ``text`` and ``url`` come from the bibliography entry, lazily."""

    @property
    def text(self) -> str:
        return work(self.key).text

    @text.setter
    def text(self, value: str) -> None:  # the dataclass __init__ sets it; the entry decides
        pass

    @property
    def url(self) -> str:
        return work(self.key).url

    @url.setter
    def url(self, value: str) -> None:
        pass


@dataclass(frozen=True)
class Question:
    """What a homework answer to the identity is.

    ``target`` is the expected expression (in the identity's symbols); ``prompt`` the question as
    a teacher would set it; ``variables`` the symbols a student may use (default: the free symbols
    of ``target``, with the identity's domains); ``names`` further words a student may type for
    functions and symbols (``{"Phi": Phi, "phi": phi}``); ``forms`` alternative targets that are
    equally correct answers in another shape (the matrix form of an index expression).
    ``approximations`` maps a diagnosis to a near-miss expression a student might give.
    """

    target: sp.Basic
    prompt: str = ""
    variables: tuple[sp.Symbol, ...] = ()
    names: Mapping[str, Any] = field(default_factory=dict)
    forms: tuple[sp.Basic, ...] = ()
    approximations: Mapping[str, sp.Basic] = field(default_factory=dict)


@dataclass(frozen=True)
class Plot:
    """A picture for the sheet: curves over one variable, the others held at ``fixed`` values.

    ``curves`` maps a LaTeX label to an expression (default: the principal claim's right side and,
    when its left side is a derivative ``d/dx f``, the function ``f`` itself); ``over`` is the
    plotted interval (default: the variable's domain). The sheet also plots the numeric check's
    error over the same interval.
    """

    var: sp.Symbol
    over: tuple[float, float] | None = None
    fixed: Mapping[sp.Symbol, float] = field(default_factory=dict)
    curves: Mapping[str, sp.Basic] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """A declared identity: metadata, the claim, domains and the derivation (not yet run)."""

    name: str
    title: str
    section: str
    map_row: str
    statements: tuple[Statement, ...]
    variables: Mapping[sp.Basic, Domain | ArrayDomain]
    derivation: Callable[[Derivation], None]
    crosscheck: CrossCheck | None = None
    question: Question | None = None
    refs: tuple[Ref, ...] = ()
    aliases: tuple[str, ...] = ()
    definitions: Mapping[sp.Basic, sp.Basic] = field(default_factory=dict)
    builds_on: tuple[str, ...] = ()
    summary: str = ""
    module: str = ""
    source: str = "derive"
    numeric_samples: int = 256
    tags: tuple[str, ...] = ()
    plot: Plot | None = None

    # -- views ---------------------------------------------------------------------------------
    @property
    def claim(self) -> sp.Basic:
        """The principal statement as a SymPy relation (usually an ``Eq``)."""
        for s in self.statements:
            if s.relation is not None:
                return s.relation
        raise DeclarationError(f"{self.name}: no symbolic statement")

    @property
    def domains(self) -> dict[sp.Basic, Domain]:
        """Scalar domains by symbol, and by ``IndexedBase`` for the entries of an indexed variable
        (array domains are for the cross-checks)."""
        return {
            s: d
            for s, d in self.variables.items()
            if isinstance(s, sp.Symbol | sp.IndexedBase) and isinstance(d, Domain)
        }

    @property
    def variable_table(self) -> list[tuple[str, str]]:
        """``(name, LaTeX description)`` of every variable, for sheets and listings."""
        out = []
        for s, d in self.variables.items():
            name = sp.latex(s)
            out.append((str(s), d.latex(name)))
        return out

    def unfold(self, expr: sp.Basic) -> sp.Basic:
        """Replace each defined function application by its definition."""
        if not self.definitions or not hasattr(expr, "replace"):
            return expr
        for head, body in self.definitions.items():
            lam = sp.Lambda(head.args, body)
            expr = expr.replace(head.func, lam)
        return expr

    def check_context(
        self,
        rng: np.random.Generator,
        seed: int,
        result: sp.Basic | None = None,
        values: Mapping[str, sp.Basic] | None = None,
    ) -> CheckContext:
        """The context an independent check of this identity runs in (its domains and definitions,
        a seeded generator, the derived ``result`` and the ``values`` its derivation kept)."""
        return CheckContext(self.domains, rng, seed, result, dict(values or {}), self.unfold)

    def __post_init__(self) -> None:
        _validate(self)

    def __repr__(self) -> str:
        return f"<Identity {self.name!r}: {self.title} ({self.section})>"


def _validate(ident: Identity) -> None:
    """Structure only (truth is the proof's job): names, sections, and a domain for every symbol."""
    if not NAME.match(ident.name):
        raise DeclarationError(
            f"identity name {ident.name!r} must be lower-case words joined by '-' (a trailing ' allowed)"
        )
    for alias in ident.aliases:
        if not NAME.match(alias):
            raise DeclarationError(f"{ident.name}: alias {alias!r} is not a valid name")
    if not SECTION.match(ident.section):
        raise DeclarationError(f"{ident.name}: section {ident.section!r} must look like '2.2' or '4'")
    if not ident.statements:
        raise DeclarationError(f"{ident.name}: a claim is required")
    declared: set[sp.Symbol] = set()
    for key, dom in ident.variables.items():
        if isinstance(key, sp.Symbol | sp.IndexedBase) and isinstance(dom, Domain):
            _check_symbol(ident.name, key, dom)
        if isinstance(key, sp.Symbol):
            declared.add(key)
        elif isinstance(key, sp.IndexedBase):
            declared.add(key.label)
        elif isinstance(key, sp.MatrixBase):
            declared |= key.free_symbols
        elif isinstance(key, tuple):
            declared |= set(key)
        else:
            declared.add(key)
    defined_heads = {h.func for h in ident.definitions}
    for st in ident.statements:
        if st.relation is None:
            if st.numeric is None:
                raise DeclarationError(f"{ident.name}: statement {st.label!r} has neither a relation nor a check")
            continue
        if not isinstance(st.relation, sp.Rel | sp.Eq):
            raise DeclarationError(
                f"{ident.name}: statement {st.label!r} must be an Eq/Le/Lt/Ge/Gt, got {type(st.relation).__name__}"
            )
        free = _free_variables(st.relation, defined_heads)
        undeclared = ", ".join(sorted(map(str, free - declared)))
        if undeclared:
            raise DeclarationError(
                f"{ident.name}: statement {st.label!r} uses {undeclared} without a domain; add it to variables="
            )


def _check_symbol(name: str, key: sp.Symbol | sp.IndexedBase, domain: Domain) -> None:
    """A declared symbol is real and assumes nothing its domain does not imply (:func:`check_assumptions`);
    an indexed variable's entries (the label's assumptions) assume nothing more than their domain."""
    symbol = key if isinstance(key, sp.Symbol) else key.label
    complaint = check_assumptions(symbol, domain)
    if complaint is None and isinstance(key, sp.Symbol) and symbol.is_real is not True:
        complaint = f"symbol {symbol} is not declared real; create it with the domain's .symbol({str(symbol)!r})"
    if complaint is not None:
        raise DeclarationError(f"{name}: {complaint}")


def _free_variables(e: sp.Basic, defined: set[type]) -> set[sp.Symbol]:
    """Free symbols, ignoring bound variables of sums/integrals/derivatives."""
    return {s for s in e.free_symbols if isinstance(s, sp.Symbol)}


def _statements(claim: sp.Basic | Statement, also: Iterable[sp.Basic | Statement]) -> tuple[Statement, ...]:
    out = []
    for i, part in enumerate([claim, *also]):
        if isinstance(part, Statement):
            out.append(part)
        else:
            out.append(Statement("claim" if i == 0 else f"part {i + 1}", part))
    return tuple(out)


class Fields(TypedDict, total=False):
    """The fields of a declaration besides its name and derivation (see :func:`declare`)."""

    title: Required[str]
    section: Required[str]
    map_row: Required[str]
    claim: Required[sp.Basic | Statement]
    variables: Required[Mapping[sp.Basic, Domain | ArrayDomain]]
    also: Sequence[sp.Basic | Statement]
    crosscheck: CrossCheck | None
    question: Question | None
    refs: Sequence[Ref]
    aliases: Sequence[str]
    definitions: Mapping[sp.Basic, sp.Basic] | None
    builds_on: Sequence[str]
    numeric_samples: int
    tags: Sequence[str]
    plot: Plot | None


def declare(name: str, *, derivation: Callable[[Derivation], None] | None = None, **fields: Unpack[Fields]) -> Identity:
    """Declare an identity (validated, not registered): the claim, its domains, its derivation.

    Without ``derivation``, every statement must be ``Eq(Derivative(f, x), g)``: derive's
    differentiation rules then derive it (:mod:`derive.core.autodiff.automatic`, the sheet says so),
    and the default cross-check is central differences of ``f``.

    ``claim`` and ``also`` are the statements (a bare relation is labelled ``claim``, ``part 2``...);
    ``crosscheck`` is the independent numeric check, ``question`` the homework question, ``refs``
    the papers, ``definitions`` bodies of named functions the ladder unfolds, ``builds_on`` the
    identities the sheet links to. The derivation function's docstring is the sheet's
    introduction (LaTeX math in ``$...$``), and its module is where the registry finds it.
    """
    module = derivation.__module__ if derivation else sys._getframe(1).f_globals.get("__name__", "")
    return _declared(name, derivation, module, fields)


def _declared(
    name: str, derivation: Callable[[Derivation], None] | None, module: str, fields: Fields, intro: str = ""
) -> Identity:
    """:func:`declare` once the module is known; ``intro`` opens the sheet of an automatic derivation."""
    statements = _statements(fields["claim"], fields.get("also", ()))
    check = fields.get("crosscheck")
    summary = inspect.cleandoc(derivation.__doc__ or "") if derivation else ""
    if derivation is None:
        derivation, default_check = automatic(name, statements, fields["variables"])
        check = default_check if check is None else check
        parts = (inspect.cleandoc(intro), inspect.cleandoc(derivation.__doc__ or ""))
        summary = "\n\n".join(p for p in parts if p)
    return Identity(
        name=name,
        title=fields["title"],
        section=fields["section"],
        map_row=fields["map_row"],
        statements=statements,
        variables=dict(fields["variables"]),
        derivation=derivation,
        crosscheck=check,
        question=fields.get("question"),
        refs=tuple(fields.get("refs", ())),
        aliases=tuple(fields.get("aliases", ())),
        definitions=dict(fields.get("definitions") or {}),
        builds_on=tuple(fields.get("builds_on", ())),
        summary=summary,
        module=module,
        numeric_samples=fields.get("numeric_samples", 256),
        tags=tuple(fields.get("tags", ())),
        plot=fields.get("plot"),
    )


def identity(name: str, **fields: Unpack[Fields]) -> Callable[[Callable[[Derivation], None]], Identity]:
    """:func:`declare` as a decorator on the derivation function (which it replaces by the
    :class:`Identity`): ``@identity("my-name", title=..., claim=..., variables=...)``.

    A function with no body (only a docstring, ``...`` or ``pass``) writes no derivation: as with
    ``declare(..., derivation=None)``, derive's differentiation rules derive the claim (which must
    be ``Eq(Derivative(f, x), g)``), the sheet says so, and the docstring opens the sheet."""

    def decorate(fn: Callable[[Derivation], None]) -> Identity:
        if _no_body(fn):
            return _declared(name, None, fn.__module__, fields, intro=fn.__doc__ or "")
        return declare(name, derivation=fn, **fields)

    return decorate


def _no_body(fn: Callable[..., object]) -> bool:
    """Whether ``fn`` does nothing (only a docstring, ``...`` or ``pass``): its bytecode only
    returns ``None``."""
    if not hasattr(fn, "__code__"):
        return False
    for ins in dis.get_instructions(fn):
        if ins.opname in ("LOAD_CONST", "RETURN_CONST") and ins.argval is not None:
            return False
        if ins.opname not in ("RESUME", "NOP", "CACHE", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE"):
            return False
    return True
