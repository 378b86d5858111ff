"""What every answer kind shares: the question (:class:`Ask`), verdicts, reading pieces.

A kind judges the structure itself (shape, order, endpoints) and hands every expression pair
to the single-expression checker (``Ask.compare``, in the API a warm worker with a hard time
limit), so each element, entry, part or side is judged with the full ladder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ...errors import AnswerSyntaxError, BudgetExceeded
from ...verify.budget import time_limit
from ..parse import Scope, parse
from ..question import guess_variables, parse_domain
from ..verdict import CORRECT, INCORRECT, INVALID, UNDECIDED, Verdict
from .reading import StructureError

#: the single-expression checker: ``compare(answer, expected, variables, latex) -> Verdict``
Compare = Callable[[str, str, Mapping[str, str], bool], Verdict]

#: CPU seconds for the work a kind does itself (reading pieces, solving, evaluating endpoints)
OWN_BUDGET = 1.5


@dataclass
class Ask:
    """One question: the expected answer's text, the variables' domain words, how to compare."""

    expected: str
    variables: dict[str, str]
    compare: Compare
    latex: bool = False
    tol: Any = None
    up_to_constant: bool = False
    ordered: bool = False
    #: an implication (working's ``=>``): only the expected answer's solutions must be kept
    implies: bool = False
    _symbols: dict[str, sp.Symbol] = field(default_factory=dict)

    def same(self, answer: str, expected: str, *, plain: bool = False) -> Verdict:
        """The single-expression verdict on one pair of pieces (``plain``: texts printed by SymPy)."""
        return self.compare(answer, expected, self.variables, self.latex and not plain)

    def printed(self, e: sp.Basic) -> str | None:
        """``e`` as plain text the safe parser reads back to the same expression (else ``None``)."""
        text = sp.sstr(e)
        try:
            back = parse(text, Scope(variables=self.symbols()))
        except AnswerSyntaxError:
            return None
        same = back == e or own_work(lambda: sp.expand(back - e) == 0, 0.3)
        return text if same else None

    def symbols(self) -> dict[str, sp.Symbol]:
        """The variables as SymPy symbols with their domains' assumptions."""
        if not self._symbols:
            for name, word in self.variables.items():
                try:
                    self._symbols[name] = parse_domain(word, {}).symbol(name)
                except ValueError:
                    self._symbols[name] = sp.Symbol(name, real=True)
        return self._symbols

    def read(self, text: str) -> sp.Basic:
        """``text`` read by the safe parser in the question's scope (raises :class:`AnswerSyntaxError`)."""
        return parse(text, Scope(variables=self.symbols()), latex=self.latex)


def guess(pieces: list[str], latex: bool) -> dict[str, str]:
    """Every unknown word of the expected answer's pieces, as a real variable."""
    out: dict[str, str] = {}
    for p in pieces:
        try:
            out.update(guess_variables(p, latex=latex))
        except ValueError:
            continue
    for word in ("oo", "inf", "infty", "U", "cup", "or", "and"):
        out.pop(word, None)
    return out


def make(
    status: str,
    message: str,
    *,
    parsed: Any = None,
    counterexample: Mapping[str, Any] | None = None,
    diagnosis: str | None = None,
    method: str = "",
) -> Verdict:
    """A :class:`Verdict` (``correct`` follows from ``status``)."""
    correct = {CORRECT: True, INCORRECT: False}.get(status)
    return Verdict(correct, status, message, parsed, counterexample, diagnosis, method)


def invalid(message: str, method: str = "parser") -> Verdict:
    return make(INVALID, f"Could not read the answer: {message}.", method=method)


def wrong_kind(want: str, example: str) -> Verdict:
    """A readable answer of another kind than asked: a wrong answer, not an unreadable one."""
    return make(
        INCORRECT,
        f"Incorrect: the question asks for {want} (for example {example}).",
        diagnosis="wrong kind of answer",
        method="structure",
    )


def other_kind(answer: str, ask: Ask, want: str, example: str) -> Verdict:
    """The verdict on an answer that is not of the kind asked: ``invalid`` if it cannot be read
    (with the parser's reason), else a wrong answer naming the kind wanted."""
    from .infer import infer_kind

    if infer_kind(answer, ask.latex) == "expression":
        ask.read(answer)
    return wrong_kind(want, example)


def timed(fn: Callable[[], Verdict]) -> Verdict:
    """``fn()`` with its wall time recorded; structure and reading errors become verdicts."""
    start = time.perf_counter()
    try:
        v = fn()
    except StructureError as exc:
        v = invalid(str(exc), "structure (size limit)" if exc.limit else "structure")
    except AnswerSyntaxError as exc:
        v = invalid(str(exc), "parser (resource limit)" if exc.limit else "parser")
    except (BudgetExceeded, RecursionError, MemoryError):
        v = make(
            UNDECIDED, "No verdict within the time limit: the answer is too costly to compare.", method="time limit"
        )
    return Verdict(**{**v.__dict__, "seconds": time.perf_counter() - start})


def own_work(fn: Callable[[], Any], seconds: float = OWN_BUDGET) -> Any:
    """``fn()`` under a CPU budget (enforced on the main thread; elsewhere the inputs are capped)."""
    with time_limit(seconds):
        return fn()


def summary(v: Verdict) -> str:
    """A piece's verdict in a few words, for a per-part message."""
    msg = v.message
    for head in ("Correct: ", "Incorrect: ", "Incorrect. ", "Could not read the answer: "):
        msg = msg.removeprefix(head)
    return msg.rstrip(".")


def domain_set(ask: Ask, name: str) -> sp.Set:
    """The values a variable takes, as a SymPy set (the reals when its bounds name other variables)."""
    try:
        d = parse_domain(ask.variables.get(name, "real"), {})
    except ValueError:
        return sp.S.Reals
    lo = sp.S.NegativeInfinity if d.lo is None else sp.sympify(d.lo)
    hi = sp.S.Infinity if d.hi is None else sp.sympify(d.hi)
    if lo.free_symbols or hi.free_symbols:
        return sp.S.Reals
    out: sp.Set = sp.Interval(lo, hi, d.open_lo or lo.is_infinite, d.open_hi or hi.is_infinite)
    return sp.Intersection(out, sp.S.Integers) if d.integer else out
