r"""The public functions: :func:`check`, :func:`equivalent`, :func:`grade`.

Every check runs in a warm worker process with a hard time limit (:mod:`derive.answers.pool`);
the calling process never parses or evaluates the answer itself.

Grading is embarrassingly parallel. :func:`grade` runs on local threads that each drive a worker
(all cores by default), or on any :class:`concurrent.futures.Executor`; each process that runs
rows keeps its own warm worker pool, so the same call scales from a laptop to a cluster:

.. code-block:: python

    import concurrent.futures
    from concurrent.futures import ProcessPoolExecutor
    rows = derive.grade(rows)                                   # threads + one worker per core
    rows = derive.grade(rows, executor=ProcessPoolExecutor(8))  # any Executor

    from dask.distributed import Client                         # a Dask cluster
    rows = derive.grade(rows, executor=Client("scheduler:8786").get_executor())

    import ray                                                  # Ray: a four-line Executor
    class RayExecutor(concurrent.futures.Executor):            # (each Ray ObjectRef has .future())
        def submit(self, fn, /, *args, **kwargs):
            return ray.remote(fn).remote(*args, **kwargs).future()
    rows = derive.grade(rows, executor=RayExecutor())

The rows are plain dicts (``student``, ``identity``, ``answer``, optional ``format`` =
``latex``/``plain``, or ``expected`` + ``variables`` for a teacher's question); every input row
yields exactly one output row, in input order, errors included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from functools import partial
from typing import Any

from ..errors import NoQuestionError, QuestionError, UnknownIdentityError
from ..parallel import ordered_map, workers
from .verdict import INVALID, UNDECIDED, Verdict

DEFAULT_TIMEOUT = 2.0
#: an answer of another kind (a set, an equation...) gets this many ``timeout``s in all, each of its
#: expressions one ``timeout`` at most
KIND_BUDGET = 3.0


def _verdict(fields: Mapping[str, Any], seconds: float) -> Verdict:
    return Verdict(**{**fields, "seconds": seconds})


def _undecided(message: str, seconds: float, method: str = "time limit") -> Verdict:
    return Verdict(None, UNDECIDED, message, method=method, seconds=seconds)


def _submit(req: dict[str, Any], timeout: float) -> Verdict:
    from .pool import default_pool

    if not (isinstance(timeout, int | float) and timeout > 0):
        raise ValueError("timeout must be a positive number of seconds")
    text = req["answer"]
    if not isinstance(text, str):
        return Verdict(None, INVALID, "Could not read the answer: the answer must be text.", method="parser")
    req = {**req, "budget": max(timeout * 0.8 - 0.02, timeout * 0.5)}
    from ..maths import special  # noqa: F401 - the reply unpickles SymPy objects: load SymPy before the clock starts

    reply, seconds = default_pool().run(req, timeout)
    if reply is None:
        return _undecided(
            f"No verdict within the time limit of {timeout:g} s: the answer is too costly to compare. "
            "Simplify it and try again.",
            seconds,
        )
    if "verdict" in reply:
        return _verdict(reply["verdict"], seconds)
    kind = reply.get("error")
    if kind == "unknown":
        raise UnknownIdentityError(reply.get("name") or "", reply.get("known") or [])
    if kind == "noquestion":
        raise NoQuestionError(reply["message"])
    if kind == "value":
        raise QuestionError(reply["message"])
    if kind == "memory":
        return _undecided("No verdict: reading this answer needs too much memory.", seconds, "memory limit")
    return _undecided(f"No verdict: {reply.get('message', 'the checker failed')}.", seconds, "error")


def check(
    name: str, answer: str, *, latex: bool = False, timeout: float = DEFAULT_TIMEOUT, bank: Any = None
) -> Verdict:
    r"""Judge ``answer`` to the question of the identity ``name`` (or, with ``bank``, to the question
    ``name`` of a teacher's question bank: a path to a TOML file or a loaded
    :class:`~derive.answers.bank.Bank`, whose kind, tolerance and hints apply).

    >>> derive.check("gelu'", "1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)").correct
    True

    Args:
        name: an identity name or alias (its ``question=`` says what the answer is).
        answer: plain math (``Phi(x) + x*phi(x)``) or, with ``latex=True``, LaTeX.
        latex: read ``answer`` as LaTeX.
        timeout: hard limit in seconds for this answer (the worker is killed past it).

    Raises:
        UnknownIdentityError: no identity is called ``name``.
        NoQuestionError: the identity declares no question.
        QuestionError: the bank cannot be read, or has no question ``name``.
    """
    if bank is not None:
        return _bank_check(_bank(bank)[name], answer, latex=latex or None, timeout=timeout)
    return _submit({"kind": "identity", "name": name, "answer": answer, "latex": latex}, timeout)


def _bank(bank: Any) -> Any:
    from .bank import Bank, load_bank

    return bank if isinstance(bank, Bank) else load_bank(bank)


def _bank_check(q: Any, answer: str, *, latex: bool | None, timeout: float) -> Verdict:
    """A bank question's verdict; a wrong answer equal to one of its hints carries the hint."""
    from dataclasses import replace

    tex = q.latex if latex is None else latex
    v = equivalent(answer, q.expected, q.variables, latex=tex, timeout=timeout, **q.options())
    if v.status != "incorrect":
        return v
    for wrong, hint in q.hints.items():
        if equivalent(answer, wrong, q.variables, latex=tex, timeout=timeout, **q.options()).correct:
            return replace(v, message=f"{v.message} Hint: {hint}", diagnosis=hint)
    return v


def equivalent(
    answer: str,
    expected: str,
    variables: Mapping[str, str] | None = None,
    *,
    latex: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    kind: str | None = None,
    tol: Any = None,
    up_to_constant: bool = False,
) -> Verdict:
    """Judge ``answer`` against a teacher's ``expected`` answer (same syntax) on the variables' domains.

    >>> derive.equivalent("2*log(s)", expected="log(s^2)", variables={"s": "positive"}).correct
    True

    ``variables`` maps each name to a domain word: ``real``, ``positive``, ``nonnegative``,
    ``negative``, ``probability``, ``integer``, ``integer>=1``, or an interval ``(0,1)``,
    ``[0,T]`` (bounds may name other variables). Without it every unknown name in
    ``expected`` is taken to be real. A declared variable shadows a function of the same name.

    ``kind`` (:mod:`derive.answers.kinds`): ``equation``, ``interval``, ``set``, ``list``,
    ``matrix``, ``tuple``, ``numeric``, ``constant`` or ``expression``; inferred from ``expected``
    when not given (``=``, ``<``, ``{}``, ``[[...]]``, a tuple). ``tol`` (``1e-3``, ``"2%"``,
    ``"3sf"``, ``{"abs": .., "rel": .., "sf": ..}``) makes a numeric answer; ``up_to_constant``
    accepts an answer that differs by an additive constant (antiderivatives). A plain expression
    without these options takes the single-expression path unchanged.

    >>> derive.equivalent("2x - y = -1", expected="y = 2x + 1").correct
    True

    Raises:
        QuestionError: ``expected`` cannot be read, or a domain word is unknown (a ``ValueError``).
    """
    if (
        kind is not None
        or tol is not None
        or up_to_constant
        or _structured(expected, latex)
        or _matrix_notation(answer, expected, variables)
    ):
        return _judge_kind(answer, expected, variables, latex, timeout, kind, tol, up_to_constant)
    return expression_verdict(answer, expected, variables, latex=latex, timeout=timeout)


def _structured(expected: str, latex: bool = False) -> bool:
    """Whether ``expected`` names another kind than one expression (a cheap scan of the text)."""
    from .kinds import infer_kind

    return isinstance(expected, str) and infer_kind(expected, latex) not in ("expression", "matrix")


def _judge_kind(
    answer: str,
    expected: str,
    variables: Mapping[str, str] | None,
    latex: bool,
    timeout: float,
    kind: str | None,
    tol: Any,
    up_to_constant: bool,
) -> Verdict:
    """An answer of another kind (:mod:`derive.answers.kinds`); each expression in it is judged by
    :func:`expression_verdict` in a worker."""
    from .kinds import choose_kind, judge, remaining

    if not isinstance(answer, str):
        return Verdict(None, INVALID, "Could not read the answer: the answer must be text.", method="parser")
    k = choose_kind(expected, kind, tol, up_to_constant, latex)
    if k == "expression" and kind is None and _matrix_notation(answer, expected, variables):
        k = "matrix"  # a named matrix (variables={"A": "[[1, 2], [3, 4]]"}) or inv()/transpose()
    if k == "expression" or (k == "matrix" and not _matrix_notation(answer, expected, variables)):
        return expression_verdict(answer, expected, variables, latex=latex, timeout=timeout)

    def compare(a: str, e: str, names: Mapping[str, str], tex: bool) -> Verdict:
        return expression_verdict(a, e, names, latex=tex, timeout=max(remaining(timeout), 0.05))

    try:
        return judge(
            k,
            answer,
            expected,
            variables,
            compare,
            latex=latex,
            tol=tol,
            up_to_constant=up_to_constant,
            budget=KIND_BUDGET * timeout,
        )
    except ValueError as exc:
        if isinstance(exc, QuestionError):
            raise
        raise QuestionError(str(exc)) from None


def _matrix_notation(answer: str, expected: str, variables: Mapping[str, str] | None) -> bool:
    from .kinds.matrices import is_matrix_literal

    words = ("inv(", "inverse(", "transpose(")
    named = any(is_matrix_literal(str(v)) for v in (variables or {}).values())
    return named or any(w in t for w in words for t in (answer, expected) if isinstance(t, str))


def expression_verdict(
    answer: str,
    expected: str,
    variables: Mapping[str, str] | None,
    *,
    latex: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Verdict:
    """The single-expression (or matrix) checker, in a worker."""
    req = {
        "kind": "teacher",
        "expected": expected,
        "variables": None if variables is None else dict(variables),
        "answer": answer,
        "latex": latex,
    }
    return _submit(req, timeout)


# ------------------------------------------------------------------------------------ grading
RESULT_FIELDS = (
    "status",
    "correct",
    "message",
    "diagnosis",
    "parsed",
    "read_as",
    "counterexample",
    "method",
    "seconds",
)


def _is_latex(row: Mapping[str, Any]) -> bool:
    fmt = str(row.get("format") or "").strip().lower()
    return fmt in ("latex", "tex")


def _variables(text: Any) -> dict[str, str] | None:
    """``"s=positive; x=real"`` (or a dict, or JSON) as a dict."""
    if text is None or text == "":
        return None
    if isinstance(text, Mapping):
        return {str(k): str(v) for k, v in text.items()}
    s = str(text).strip()
    if s.startswith("{"):
        return {str(k): str(v) for k, v in json.loads(s).items()}
    out = {}
    for part in s.split(";"):
        if part.strip():
            name, _, dom = part.partition("=")
            out[name.strip()] = dom.strip()
    return out


def grade_row(row: Mapping[str, Any], timeout: float = DEFAULT_TIMEOUT, bank: Any = None) -> dict[str, Any]:
    """Judge one row; never raises (an error becomes a row with status ``invalid``/``undecided``).

    A row names an identity, a bank question (``question``, with ``bank``), or gives ``expected``
    (+ ``variables``, and optional ``kind``, ``tol``, ``up_to_constant`` columns)."""
    out = dict(row)
    try:
        if row.get("_error"):  # the reader could not read this row: no worker needed to say so
            raise ValueError(str(row["_error"]))
        answer = row.get("answer")
        if answer is None:
            raise ValueError("the row has no answer")
        if row.get("question") and not row.get("expected"):
            if bank is None:
                raise ValueError("the row names a bank question: give the bank (derive grade --bank FILE)")
            q = _bank(bank)[str(row["question"]).strip()]
            v = _bank_check(q, str(answer), latex=_is_latex(row) or None, timeout=timeout)
        elif row.get("expected"):
            v = equivalent(
                str(answer),
                str(row["expected"]),
                _variables(row.get("variables")),
                latex=_is_latex(row),
                timeout=timeout,
                kind=str(row["kind"]).strip() if row.get("kind") else None,
                tol=row.get("tol") if row.get("tol") not in (None, "") else None,
                up_to_constant=str(row.get("up_to_constant") or "").strip().lower() in ("1", "true", "yes"),
            )
        else:
            name = str(row.get("identity") or "").strip()
            if not name:
                raise ValueError("the row names no identity")
            v = check(name, str(answer), latex=_is_latex(row), timeout=timeout)
        out.update(v.to_dict())
    except (KeyError, LookupError, ValueError) as exc:
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        out.update(Verdict(None, INVALID, f"Cannot check this row: {msg}", method="row").to_dict())
    except Exception as exc:  # one bad row never stops a batch
        out.update(_failed(exc))
    return out


def _failed(exc: BaseException) -> dict[str, Any]:
    return Verdict(None, UNDECIDED, f"Grading failed: {type(exc).__name__}: {exc}", method="error").to_dict()


def grade(
    rows: Iterable[Mapping[str, Any]],
    executor: Executor | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[int, dict[str, Any]], None] | None = None,
    bank: Any = None,
) -> list[dict[str, Any]]:
    """Grade many answers in parallel; one output row per input row, in input order.

    Args:
        rows: dicts with ``identity`` and ``answer`` (optional ``student``, ``format``), or
            ``expected`` (+ ``variables``, ``"s=positive; x=real"``) for a teacher's question.
        executor: any :class:`concurrent.futures.Executor` (process pool, Dask, Ray); by default
            threads, each driving a warm worker process, ``jobs`` of them (all cores). Only
            ``executor.submit`` is used, and the futures it returns must work with
            :func:`concurrent.futures.as_completed` (see :func:`derive.parallel.ordered_map`).
        timeout: hard limit per answer in seconds.
        jobs: number of parallel workers when ``executor`` is ``None`` (default: all cores).
        progress: called with the number of rows finished so far, after each row.
        on_row: called with each row's index and its graded row as it finishes (in any order), so
            a caller can stream results to disk and keep them through an interruption.
        bank: a question bank (path or :class:`~derive.answers.bank.Bank`) for rows that name a
            ``question``; loaded once here, so a bad bank raises before any row is graded.
    """
    if bank is not None:
        bank = _bank(bank)
    rows = [dict(r) for r in rows]
    if _is_dask(executor):  # a Dask Client: rows in batches, not one task per row
        return _on_dask(executor, rows, timeout=timeout, bank=bank, progress=progress, on_row=on_row)
    n = workers(jobs or 0)
    if executor is None:
        from .pool import default_pool

        default_pool(n)  # warm n workers now, not one per row
    done = 0
    index = {id(r): i for i, r in enumerate(rows)}

    def report(row: Mapping[str, Any], result: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        if on_row is not None:
            on_row(index[id(row)], result)
        if progress is not None:
            progress(done)

    # threads (or the caller's executor), each driving a warm worker process
    return ordered_map(
        partial(grade_row, timeout=timeout, bank=bank),
        rows,
        on_error=_lost_row,
        jobs=n,
        executor=executor,
        kind="thread",
        progress=report,
    )


def _is_dask(executor: Any) -> bool:
    from .dask import is_client

    return is_client(executor)


def _on_dask(client: Any, rows: Sequence[Mapping[str, Any]], **options: Any) -> list[dict[str, Any]]:
    """Rows graded on a Dask cluster in batches, each batch by :func:`grade` on a Dask worker."""
    from .dask import grade as on_dask

    work = partial(grade, timeout=options["timeout"], bank=options["bank"])
    return on_dask(client, work, rows, on_error=_lost_row, progress=options["progress"], on_row=options["on_row"])


def _lost_row(row: Mapping[str, Any], exc: BaseException) -> dict[str, Any]:
    """The row back with a verdict, when the executor refused it or failed on it."""
    return {**row, **_failed(exc)}
