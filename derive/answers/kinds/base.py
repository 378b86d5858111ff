"""What every answer kind shares: the question (:class:`Ask`), verdicts, reading pieces.

A kind judges the structure itself (shape, order, endpoints) and hands every expression pair
to the single-expression checker (``Ask.compare``, in the API a warm worker with a hard time
limit), so each element, entry, part or side is judged with the full ladder.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator, Mapping
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
        check_deadline()
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
    """``fn()`` under a budget: on the main thread a CPU-time limit in this process; on any other
    thread (``derive.grade`` runs rows on threads, where no signal can interrupt SymPy) in a
    forked child that is killed after ``2 * seconds + 0.5`` s of wall time. Raises
    :class:`BudgetExceeded` when the budget runs out; ``fn``'s own exceptions pass through."""
    remaining = _DEADLINE.get()
    if remaining is not None:
        seconds = min(seconds, remaining - time.perf_counter())
        if seconds <= 0:
            raise BudgetExceeded("the answer's time budget is spent")
    if threading.current_thread() is threading.main_thread():
        with time_limit(seconds):
            return fn()
    return _in_child(fn, 2 * seconds + 0.5)


def _in_child(fn: Callable[[], Any], wall: float) -> Any:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def target() -> None:
        try:
            out: tuple[str, Any] = ("ok", fn())
        except BaseException as exc:  # sent back and raised in the parent
            out = ("error", exc)
        try:
            send.send(out)
        except Exception as exc:  # an unpicklable result or exception
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))

    proc = ctx.Process(target=target, daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(wall):
            raise BudgetExceeded("time budget exceeded (child killed)")
        status, value = receive.recv()
    except EOFError:
        raise BudgetExceeded("the child process died (memory or time)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1.0)
        receive.close()
    if status == "error":
        raise value
    return value


#: the wall-clock deadline (``time.perf_counter()``) of the answer being judged, if any
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("kind_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every :func:`own_work` and :meth:`Ask.same` in the block ends by ``seconds`` from now."""
    token = _DEADLINE.set(time.perf_counter() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


#: the highest polynomial degree handed to ``solveset`` (its factoring runs in C, past any budget)
MAX_DEGREE = 12


def solve(f: sp.Basic, x: sp.Symbol, domain: sp.Set) -> sp.Set:
    """``solveset(f, x, domain)`` under the answer's budget, refused (``BudgetExceeded``) for a
    polynomial numerator of degree over :data:`MAX_DEGREE`. A polynomial with rational
    coefficients on an interval takes :func:`solve_polynomial` (exact, without ``solveset``'s
    general machinery: a tenth of its time)."""
    body = f.lhs - f.rhs if isinstance(f, sp.Rel) else f
    if isinstance(body, sp.Expr):
        poly = rational_polynomial(body, x)
        numer = poly.as_expr() if poly is not None else sp.together(body).as_numer_denom()[0]
        if numer.is_polynomial(x) and sp.degree(numer, x) > MAX_DEGREE:
            raise BudgetExceeded(f"a polynomial of degree over {MAX_DEGREE} is too costly to solve")
        if poly is not None:
            quick = own_work(lambda: solve_polynomial(f, poly, domain))
            if quick is not None:
                return quick
    out: sp.Set = own_work(lambda: sp.solveset(f, x, domain))
    return out


def rational_polynomial(body: sp.Expr, x: sp.Symbol) -> sp.Poly | None:
    """``body`` as a polynomial in ``x`` of degree at least 1 with rational coefficients, else ``None``."""
    if not body.is_polynomial(x):
        return None
    try:
        poly = sp.Poly(body, x)
    except sp.PolynomialError:
        return None
    if not (poly.domain.is_ZZ or poly.domain.is_QQ) or poly.degree() < 1:
        return None
    return poly


def solve_polynomial(f: sp.Basic, poly: sp.Poly, domain: sp.Set) -> sp.Set | None:
    r"""The solutions of ``f`` (an equation :math:`p = 0`, or :math:`p \lessgtr 0`) on an interval
    ``domain``, exactly: every real root (``real_roots``: complete, isolated exactly) or the
    sign intervals (``solve_poly_inequality``); ``None`` for anything else (``!=``, a domain that
    is not an interval, a set SymPy cannot settle), which goes to ``solveset``."""
    from sympy.solvers.inequalities import solve_poly_inequality

    if not isinstance(domain, sp.Interval):
        return None
    op = f.rel_op if isinstance(f, sp.Rel) else "=="
    if op in ("<", ">", "<=", ">="):
        out = sp.Intersection(sp.Union(*solve_poly_inequality(poly, op)), domain)
    elif op == "==":  # a line's one root is -c0/c1; otherwise every real root, exactly
        coeffs = poly.all_coeffs()
        roots = {-coeffs[1] / coeffs[0]} if poly.degree() == 1 else set(sp.real_roots(poly))
        out = sp.Intersection(sp.FiniteSet(*roots), domain)
    else:
        return None
    return out if isinstance(out, sp.FiniteSet | sp.Interval | sp.Union) or out is sp.S.EmptySet else None


def remaining(default: float) -> float:
    """Wall seconds left before the answer's deadline (``default`` outside :func:`deadline`)."""
    end = _DEADLINE.get()
    return default if end is None else min(default, end - time.perf_counter())


def check_deadline() -> None:
    """Raise :class:`BudgetExceeded` once the answer's deadline has passed."""
    end = _DEADLINE.get()
    if end is not None and time.perf_counter() > end:
        raise BudgetExceeded("the answer's time budget is spent")


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
