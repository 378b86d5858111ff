"""The error hierarchy: every failure a user can cause is a :class:`DeriveError`.

Each subclass also derives from the builtin a Python user would expect (``KeyError`` for an
unknown name, ``ValueError`` for a malformed declaration), so ``except KeyError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable


class DeriveError(Exception):
    """Base class of every error raised on purpose by ``derive``."""


class UnknownIdentityError(DeriveError, KeyError):
    """No identity is registered under the requested name; the message suggests close names."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        import difflib  # only when a name is unknown: `derive --help` never pays for it

        self.name = name
        self.suggestions = tuple(difflib.get_close_matches(name, list(known), n=3, cutoff=0.5))
        hint = f" Did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no identity named {name!r}.{hint} Run `derive list` to see every name.")

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class DuplicateIdentityError(DeriveError, ValueError):
    """Two declarations claim the same name or alias; the message names both sources."""


class DeclarationError(DeriveError, ValueError):
    """An identity is declared inconsistently (a free symbol without a domain, a bad name...)."""


class DerivationError(DeriveError, TypeError):
    """A derivation used the builder wrongly (``conclude`` before ``begin``, an unknown statement,
    ``solve`` away from an equation...); distinct from a step that is false (:class:`StepFailed`)."""


class CompileError(DeriveError, RuntimeError):
    """LaTeX could not be compiled; the message carries the relevant lines of the log."""


class BudgetExceeded(DeriveError, TimeoutError):
    """A time-boxed computation ran past its budget."""


class StepFailed(DeriveError):
    """A link of a derivation is refuted or undecided; raised inside the derivation, it stops it
    (:func:`derive.prove` records the message as the proof's failure)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AnswerSyntaxError(DeriveError, ValueError):
    """An answer could not be read: malformed, an unknown name, or over a resource limit
    (``limit`` is true for the last kind)."""

    def __init__(self, message: str, *, limit: bool = False) -> None:
        super().__init__(message)
        self.limit = limit


class NoQuestionError(DeriveError, LookupError):
    """The identity declares no ``question=``, so answers to it cannot be checked."""


class BookError(DeriveError, RuntimeError):
    """Some identities of a book failed and ``keep_going`` was not set; the message lists them."""


class QuestionError(DeriveError, ValueError):
    """A teacher's question cannot be used: the expected answer cannot be read, a domain word is
    unknown, or a variable has no domain; the message says which and how to write it."""


class ExpressionError(DeriveError, ValueError):
    """An expression, claim or variable to differentiate cannot be used; the message says why."""
