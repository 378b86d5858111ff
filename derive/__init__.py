"""derive: the mathematics of machine learning, derived by SymPy, verified step by step.

>>> import derive
>>> p = derive.prove("gelu'")
>>> p.ok, p.level
(True, 'general')

This module is the users' face (identity authors import :mod:`derive.authoring`). Its names are
loaded lazily, so ``import derive`` stays fast: SymPy, numpy and the identity modules load on
first use. The package is layered, each layer importing only those below it::

    maths < numeric < verify < core < (identities | answers | render) < cli
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names

__all__ = [
    "Derivation",
    "DeriveError",
    "Identity",
    "Proof",
    "Question",
    "Ref",
    "Statement",
    "UnknownIdentityError",
    "Verdict",
    "__version__",
    "book",
    "catalog",
    "check",
    "check_working",
    "declare",
    "differentiate",
    "equivalent",
    "get",
    "grade",
    "gradient",
    "identity",
    "load_module",
    "names",
    "numerically",
    "prove",
    "prove_claim",
]

if TYPE_CHECKING:
    from .answers import Verdict, check, check_working, equivalent, grade
    from .autodiff import differentiate, prove_claim
    from .autodiff.matrix.api import gradient
    from .core.derivation import Derivation
    from .core.identity import Identity, Question, Ref, declare, identity
    from .core.proof import Proof
    from .core.statements import Statement, numerically
    from .errors import DeriveError, UnknownIdentityError
    from .render.book import build_book as book

    __version__: str

_LAZY = {
    "Derivation": ("core.derivation", "Derivation"),
    "DeriveError": ("errors", "DeriveError"),
    "UnknownIdentityError": ("errors", "UnknownIdentityError"),
    "Identity": ("core.identity", "Identity"),
    "Question": ("core.identity", "Question"),
    "Ref": ("core.identity", "Ref"),
    "declare": ("core.identity", "declare"),
    "identity": ("core.identity", "identity"),
    "Statement": ("core.statements", "Statement"),
    "numerically": ("core.statements", "numerically"),
    "Proof": ("core.proof", "Proof"),
    # answer checking (derive.answers)
    "check": ("answers", "check"),
    "check_working": ("answers", "check_working"),
    "equivalent": ("answers", "equivalent"),
    "grade": ("answers", "grade"),
    "Verdict": ("answers", "Verdict"),
    # automatic, step-verified derivatives (derive.autodiff)
    "differentiate": ("autodiff", "differentiate"),
    "prove_claim": ("autodiff", "prove_claim"),
    "gradient": ("autodiff.matrix.api", "gradient"),
    # the derivation book (derive.render.book)
    "book": ("render.book", "build_book"),
    "__version__": ("_version", "VERSION"),
}


__getattr__ = lazy_names(__name__, globals(), _LAZY)


def get(name: str) -> Identity:
    """The declared identity named ``name`` (canonical name or alias).

    Raises :class:`UnknownIdentityError` (a ``KeyError``) with the closest names.
    """
    from .core.registry import REGISTRY

    return REGISTRY.get(name)


def names() -> list[str]:
    """Canonical names of every registered identity, in map order."""
    from .core.registry import REGISTRY

    return REGISTRY.names()


def load_module(module: str) -> list[str]:
    """Import a module of identities by dotted name (``derive --module``) and register every
    identity it declares; returns their canonical names."""
    from .core.registry import REGISTRY

    return REGISTRY.load_module(module)


def catalog() -> list[Identity]:
    """Every registered identity (declarations, nothing derived), in map order."""
    from .core.registry import REGISTRY

    return list(REGISTRY)


def prove(name: str, *, seed: int | None = None, samples: int | None = None) -> Proof:
    """Derive, verify and numerically check the identity ``name``; returns a frozen :class:`Proof`.

    Proofs are cached per process by ``(name, seed, samples)``.
    """
    from .core.proof import prove as _prove

    return _prove(name, seed=seed, samples=samples)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
