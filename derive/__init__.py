"""derive: the mathematics of machine learning, derived by SymPy, verified step by step.

>>> import derive
>>> p = derive.prove("gelu'")
>>> p.ok, p.level
(True, 'general')

The public API is re-exported here lazily, so ``import derive`` stays fast: SymPy, numpy and
the identity modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import lazy_names

__version__ = "0.1.0"

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
    "equivalent",
    "get",
    "grade",
    "identity",
    "names",
    "numerically",
    "prove",
]

if TYPE_CHECKING:
    from .declaration import Identity, Question, Ref, Statement, identity, numerically
    from .derivation import Derivation
    from .errors import DeriveError, UnknownIdentityError
    from .proof import Proof

_LAZY = {
    "Derivation": ("derivation", "Derivation"),
    "DeriveError": ("errors", "DeriveError"),
    "UnknownIdentityError": ("errors", "UnknownIdentityError"),
    "Identity": ("declaration", "Identity"),
    "Question": ("declaration", "Question"),
    "Ref": ("declaration", "Ref"),
    "Statement": ("declaration", "Statement"),
    "identity": ("declaration", "identity"),
    "numerically": ("declaration", "numerically"),
    "Proof": ("proof", "Proof"),
    # answer checking (derive.answers)
    "check": ("answers", "check"),
    "equivalent": ("answers", "equivalent"),
    "grade": ("answers", "grade"),
    "Verdict": ("answers", "Verdict"),
    # the derivation book (derive.book)
    "book": ("book_builder", "build_book"),
}

_cache: dict[tuple[str, int | None, int | None], Any] = {}


__getattr__ = lazy_names(__name__, globals(), _LAZY)


def get(name: str) -> Identity:
    """The declared identity named ``name`` (canonical name or alias).

    Raises :class:`UnknownIdentityError` (a ``KeyError``) with the closest names.
    """
    from .registry import REGISTRY

    return REGISTRY.get(name)


def names() -> list[str]:
    """Canonical names of every registered identity, in map order."""
    from .registry import REGISTRY

    return REGISTRY.names()


def catalog() -> list[Identity]:
    """Every registered identity (declarations, nothing derived), in map order."""
    from .registry import REGISTRY

    return list(REGISTRY)


def prove(name: str, *, seed: int | None = None, samples: int | None = None) -> Proof:
    """Derive, verify and numerically check the identity ``name``; returns a frozen :class:`Proof`.

    Proofs are cached per process by ``(name, seed, samples)``.
    """
    from .proof import prove as _prove

    ident = get(name)
    key = (ident.name, seed, samples)
    if key not in _cache:
        _cache[key] = _prove(ident, seed=seed, samples=samples)
    return _cache[key]
