r"""Judging one answer against a :class:`~derive.answers.question.Context` (runs in a worker).

The order is chosen for soundness first, then speed:

1. **read** the text with the safe parser (``invalid`` on failure, with the reason);
2. **quick numeric screen**: the answer and the target, their common additive terms cancelled, at
   a few domain points at 60 digits or as many more as the values' dynamic range needs
   (:mod:`~derive.answers.precision`); a difference far above the round-off that survives
   re-evaluation at twice the precision is a counterexample (``incorrect``), so wrong answers
   never wait for symbolic work, and cancellation never rejects a right one;
3. **symbolic proof** with the cheap rungs of :class:`derive.verify.ladder.Ladder` (identical,
   ``expand``, ``cancel``, elementary rewrites, ``rewrite(exp)``, ``expand_log``, ``trigsimp``,
   a time-boxed ``simplify``) under the question's assumptions (``s > 0`` makes
   ``log(s^2) = 2 log(s)`` provable; ``sqrt(x^2)`` stays ``|x|`` on the reals);
4. **numeric verification** (:mod:`~derive.answers.compare`) at every sample point (edges, random
   points, large magnitudes), then at points chosen against the answer: breakpoints, bump
   centres, random points with 40 digits, and a counterexample search; agreement to 45
   significant digits everywhere is reported as *numeric*, with what was checked, never as proved.

On a wrong answer, :func:`~derive.answers.diagnose.diagnose` names the mistake when it is
recognisable: a declared approximation, a sign error, a constant factor, an additive constant, a
missing, extra or sign-flipped term, or an answer that is right only on part of the domain.
"""

from __future__ import annotations

import re
import time
import zlib
from typing import Any

import numpy as np
import sympy as sp

from ..errors import AnswerSyntaxError, BudgetExceeded
from ..numeric.precise import DIGITS, fmt, to_mp
from ..verify.budget import attempt, time_limit
from ..verify.ladder import Ladder
from .compare import Probe
from .diagnose import diagnose, matrix_approximation, transposed
from .parse import GREEK_NAMES, parse
from .question import Context
from .verdict import CORRECT, INCORRECT, INVALID, UNDECIDED

SYMBOLIC_BUDGET = 0.25


_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")


def read(ctx: Context, text: str, latex: bool) -> sp.Basic:
    """Parse ``text`` in the question's scope; a matrix reading is tried where a matrix form exists.

    Text that uses a LaTeX command other than a Greek letter (``\\frac12``,
    ``\\operatorname{sign}(z)``) is LaTeX whatever the caller said: plain reading would take
    ``\\frac12 z`` for 12/z. Plain text naming only Greek letters (``\\lambda x``) is read
    plainly, and again as LaTeX if that fails.
    """
    commands = set(_LATEX_COMMAND.findall(text))
    latex = latex or bool(commands - GREEK_NAMES)
    try:
        return _read(ctx, text, latex)
    except AnswerSyntaxError as plain:
        if latex or plain.limit or not commands:
            raise
        return _read(ctx, text, True)


def _read(ctx: Context, text: str, latex: bool) -> sp.Basic:
    try:
        out = parse(text, ctx.scope, latex=latex)
        if isinstance(out, sp.MatrixBase) and ctx.matrix_scope is not None:
            # a matrix answer is read with the matrix form's own entries (s_1 is the form's s[1])
            try:
                return parse(text, ctx.matrix_scope, latex=latex)
            except AnswerSyntaxError:
                return out
        return out
    except AnswerSyntaxError as first:
        if ctx.matrix_scope is None or first.limit:
            raise
        try:
            return parse(text, ctx.matrix_scope, latex=latex)
        except AnswerSyntaxError as second:
            # the matrix reading's complaint is the useful one when the text is matrix-shaped
            raise (second if "is a vector" in str(first) else first) from None


def judge(ctx: Context, text: str, *, latex: bool = False, budget: float = 1.7) -> dict[str, Any]:
    """The verdict fields for ``text`` (see :class:`~derive.answers.verdict.Verdict`)."""
    start = time.perf_counter()
    deadline = start + budget
    parsed = None
    try:
        with time_limit(max(deadline - time.perf_counter(), 1e-3)):
            try:
                parsed = read(ctx, text, latex)
            except AnswerSyntaxError as exc:
                method = "parser (resource limit)" if exc.limit else "parser"
                return _out(None, INVALID, f"Could not read the answer: {exc}.", method=method, start=start)
            if isinstance(parsed, sp.MatrixBase):
                return _judge_matrix(ctx, parsed, deadline, start)
            targets = ctx.scalar_targets
            if not targets:  # a readable scalar where a matrix is asked: a wrong answer, not an unreadable one
                rows, cols = ctx.matrix_targets[0].shape if ctx.matrix_targets else ("", "")
                kind = "vector" if cols == 1 else "matrix"
                want = f"a {rows}x{cols} {kind}" if rows else "a vector or matrix"
                return _out(
                    parsed,
                    INCORRECT,
                    f"Incorrect: the answer is a scalar, the question asks for {want}.",
                    method="shape",
                    start=start,
                    diagnosis="wrong shape",
                )
            results = []
            for t in targets:
                r = _compare(ctx, parsed, t, deadline)
                if r["status"] == CORRECT:
                    return _finish(ctx, parsed, r, start, t)
                results.append((r, t))
            r, t = results[0]
            return _finish(ctx, parsed, r, start, t, text)
    except (BudgetExceeded, RecursionError, MemoryError):
        return _out(
            parsed,
            UNDECIDED,
            "No verdict within the time limit: the answer is too costly to compare. Simplify it and try again.",
            method="time limit",
            start=start,
        )
    except Exception as exc:  # never let one answer crash the worker; say what happened
        return _out(
            parsed,
            UNDECIDED,
            f"No verdict: the comparison failed ({type(exc).__name__}).",
            method="error",
            start=start,
        )


def _out(parsed: Any, status: str, message: str, *, method: str, start: float, **kw: Any) -> dict[str, Any]:
    correct = {CORRECT: True, INCORRECT: False}.get(status)
    return {
        "correct": correct,
        "status": status,
        "message": message,
        "parsed": parsed,
        "counterexample": kw.get("counterexample"),
        "diagnosis": kw.get("diagnosis"),
        "method": method,
        "seconds": time.perf_counter() - start,
    }


# ------------------------------------------------------------------------------------ scalars
def _compare(ctx: Context, a: sp.Basic, t: sp.Basic, deadline: float) -> dict[str, Any]:
    """``{"status", "method", "index", "values"}`` for one target; ``index`` is the counterexample point.

    An undefined function ``F`` (a residual block, a likelihood) has no values: after the symbolic
    rungs, answer and target are compared with ``F`` replaced, consistently in both, by each of
    :data:`TEST_FUNCTIONS` random smooth test functions; a difference for any of them refutes the
    answer, agreement for all is a numeric verdict (never reported as proved)."""
    if a == t:
        return {"status": CORRECT, "method": "proved: identical"}
    undefined = _undefined(a) | _undefined(t)
    if not undefined:
        return _compare_values(ctx, a, t, deadline)
    first = _compare_values(ctx, a, t, deadline)
    if first["status"] == CORRECT:  # a refutation is repeated below, with values to diagnose
        return first
    methods = []
    for k in range(TEST_FUNCTIONS):
        subs = {f: _test_function(f, k) for f in undefined}
        r = _compare_values(ctx, _instantiate(a, subs), _instantiate(t, subs), deadline)
        word = {obj: w for w, obj in ctx.scope.names.items() if obj in undefined}  # F, as the student types it
        shown = "; ".join(
            f"{word.get(f, f)}({', '.join(map(str, lam.variables))}) = {sp.sstr(lam.expr)}" for f, lam in subs.items()
        )
        if r["status"] != CORRECT:
            r["note"] = f"with the unknown function replaced by the test function {shown}"
            r["method"] += f" (undefined {', '.join(sorted(map(str, undefined)))} sampled)"
            r["pair"] = (_instantiate(a, subs), _instantiate(t, subs))  # what the values belong to
            return r
        methods.append(r["method"])
    return {
        "status": CORRECT,
        "method": f"numeric ({TEST_FUNCTIONS} test functions for {', '.join(sorted(map(str, undefined)))})",
    }


TEST_FUNCTIONS = 3


def _undefined(e: Any) -> set[Any]:
    from sympy.core.function import AppliedUndef

    if not isinstance(e, sp.Basic):
        return set()
    return {type(f) for f in e.atoms(AppliedUndef)}


def _test_function(f: Any, k: int) -> sp.Lambda:
    """The ``k``-th test function for ``f``: a smooth, generic combination of sin, a quadratic and
    exp with rational coefficients drawn from a seed of the function's name (reproducible)."""
    nargs = f.nargs
    n = min(nargs) if isinstance(nargs, sp.FiniteSet) else 1
    rng = np.random.Generator(np.random.PCG64(zlib.crc32(f"{f}|{k}".encode())))
    us = sp.symbols(f"u1:{n + 1}", real=True) if n > 1 else (sp.Symbol("u", real=True),)

    def q(lo: int, hi: int) -> sp.Rational:
        return sp.Rational(int(rng.integers(lo, hi)), 7)

    lin = sp.Add(*[q(-9, 10) * u for u in us])
    lin2 = sp.Add(*[q(-9, 10) * u for u in us])
    expr = q(3, 15) * sp.sin(lin + q(1, 9)) + q(-9, 10) * lin2**2 / 10 + q(1, 9) * sp.exp(lin / 20) + q(-9, 10)
    return sp.Lambda(us, expr)


def _instantiate(e: sp.Basic, subs: dict[Any, sp.Lambda]) -> sp.Basic:
    out = e
    for f, lam in subs.items():
        out = out.replace(f, lam)
    if out.has(sp.Derivative, sp.Subs):
        out = out.replace(lambda n: isinstance(n, sp.Derivative | sp.Subs), lambda n: n.doit())
    return out


def _compare_values(ctx: Context, a: sp.Basic, t: sp.Basic, deadline: float) -> dict[str, Any]:
    """Steps 2-4 for one answer and one target: quick screen, symbolic proof, numeric verification
    (:class:`~derive.answers.compare.Probe`)."""
    if a == t:
        return {"status": CORRECT, "method": "proved: identical"}
    probe = Probe(ctx, a, t, deadline)
    if probe.reduced[0] == probe.reduced[1]:
        return {"status": CORRECT, "method": "proved: identical after unfolding"}
    exact = _exact_difference(probe)
    if exact == 0:
        return {"status": CORRECT, "method": "proved: exact (rational arithmetic)"}
    refuted = probe.screen()  # 2. quick screen
    if refuted is not None:
        if exact is not None and refuted.get("difference") is not None:
            refuted["method"] += f"; exact difference {_short(exact)}"
        return refuted
    if exact is not None:  # a rational difference below the 45-digit tolerance is still a difference
        return _exact_refutation(ctx, probe, exact)
    proved = None if probe.weak else _prove(ctx, a, t, deadline)  # 3. symbolic proof, cheap rungs only
    if proved is not None:
        return proved
    return probe.verify()  # 4. numeric verification, fixed and adversarial points


def _exact_difference(probe: Probe) -> sp.Rational | None:
    """The exact difference of a closed answer and target when SymPy's arithmetic makes it a
    rational number (``33/100 - 1/3``, ``1/3 + 10^-60 - 1/3``), else ``None``."""
    ra, rt = probe.reduced
    if not (isinstance(ra, sp.Expr) and isinstance(rt, sp.Expr)):
        return None
    if any(probe.ctx.unfolded(e).free_symbols for e in (probe.answer, probe.target)):
        return None
    d = ra - rt
    return d if d.is_Rational else None


def _short(q: sp.Rational) -> str:
    """A rational as text, its digits elided past 40 characters."""
    text = sp.sstr(q)
    return text if len(text) <= 40 else f"{fmt(to_mp({sp.Symbol('_'): q}, 30)[sp.Symbol('_')], 10)} (a rational)"


def _exact_refutation(ctx: Context, probe: Probe, exact: sp.Rational) -> dict[str, Any]:
    """The counterexample of a closed answer whose exact difference is a nonzero rational."""
    digits = 2 * DIGITS
    va, vt = (ctx.value_at(e, {}, {}, None, digits) for e in (probe.answer, probe.target))
    return {
        "status": INCORRECT,
        "method": f"exact difference {_short(exact)} (below the 45-digit tolerance)",
        "index": 0 if len(ctx.points) == 1 else None,
        "point": {},
        "entries": {},
        "values": (va, vt),
        "difference": to_mp({sp.Symbol("_"): exact}, digits)[sp.Symbol("_")],
        "reduced": probe.reduced,
    }


def _prove(ctx: Context, a: sp.Basic, t: sp.Basic, deadline: float) -> dict[str, Any] | None:
    """The cheap symbolic rungs of the ladder on ``a - t``, time-boxed: a proof, or ``None``."""
    remaining = deadline - time.perf_counter()
    budget = min(SYMBOLIC_BUDGET, max(remaining * 0.3, 0.02))
    ladder = Ladder(domains=ctx.domains, unfold=ctx.unfold, symbolic_budget=budget, rung_budget=budget)
    ae = _evaluate(ctx, a, budget)
    te = _evaluate(ctx, t, budget)
    if ae == te or (ae - te) == 0:
        return {"status": CORRECT, "method": "proved: identical after evaluation"}
    rung = ladder.symbolic_zero(ae - te)
    if rung is not None:
        return {"status": CORRECT, "method": f"proved: {rung}"}
    return None


def _evaluate(ctx: Context, e: sp.Basic, budget: float) -> sp.Basic:
    """Definitions unfolded and derivatives/integrals/limits evaluated, within ``budget``; sums stay
    (their closed forms can take SymPy arbitrarily long, and the symbolic rungs handle them)."""
    e = ctx.unfolded(e)
    if not e.has(sp.Derivative, sp.Integral, sp.Subs, sp.Limit):
        return e
    out = attempt(
        lambda: e.replace(
            lambda n: isinstance(n, sp.Derivative | sp.Integral | sp.Subs | sp.Limit), lambda n: n.doit()
        ),
        budget,
    )
    return e if out is None else out


def _digits(a: Any, b: Any) -> int:
    """Enough significant digits to show that ``a`` and ``b`` differ (10 to 50)."""
    for d in (10, 20, 30, 50):
        if fmt(a, d) != fmt(b, d):
            return d
    return 50


def _point_text(ctx: Context, r: dict[str, Any], exprs: tuple[sp.Basic, ...] = ()) -> dict[str, str]:
    """The coordinates of the counterexample point of ``r`` that matter for ``exprs``."""
    point, entries = r["point"], r.get("entries") or {}
    used: set[sp.Basic] = set()
    for e in exprs:
        u = ctx.unfolded(e)
        used |= u.free_symbols | e.free_symbols
    out: dict[str, str] = {}
    if exprs and not used:  # a closed answer: no coordinate matters
        return out
    for k, v in sorted(point.items(), key=lambda kv: str(kv[0])):
        if not used or k in used:
            out[str(k)] = _num_text(v)
    for (base, idx), v in sorted(entries.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        out[f"{base}[{', '.join(map(str, idx))}]"] = _num_text(v)
    return out


def _values_text(r: dict[str, Any]) -> tuple[str, str, str]:
    """The answer's and the expected value at the counterexample, to as many digits as tell them
    apart, and the difference itself when 50 digits do not (a huge common term)."""
    va, vt = r["values"]
    d = _digits(va, vt)
    extra = ""
    if fmt(va, d) == fmt(vt, d):
        extra = f" (they differ by {fmt(r['difference'], 10)}, beyond the first 50 digits)"
    return fmt(va, d), fmt(vt, d), extra


def _num_text(v: sp.Expr) -> str:
    if v.is_Integer:
        return str(v)
    return fmt(to_mp({sp.Symbol("_"): v}, 20)[sp.Symbol("_")], 6)


def _diagnosis(ctx: Context, parsed: sp.Basic, target: sp.Basic, r: dict[str, Any]) -> str | None:
    """The named mistake, when the counterexample is a fixed sample point (whose values at every
    other sample point are known); ``None`` for a point found against the answer."""
    if r.get("index") is None:
        return None
    try:
        pa, pt = r.get("pair", (parsed, target))
        diagnosis = diagnose(ctx, pa, pt, [None] * len(ctx.points), ctx.values(pt, cache=True))
        if "pair" in r and diagnosis and "term" in diagnosis:
            # a term is named only if the student or the question wrote it, not a test function's piece
            own = {sp.sstr(x) for e in (parsed, target) if isinstance(e, sp.Expr) for x in sp.Add.make_args(e)}
            if not any(f"term {x}" in diagnosis for x in own):
                diagnosis = None
    except BudgetExceeded:
        raise
    except Exception:  # a diagnosis is a courtesy; the verdict stands without it
        diagnosis = None
    return diagnosis


_SLASH_PRODUCT = re.compile(r"/\s*\d+(\.\d+)?\s*[A-Za-z\\(]")


def _finish(
    ctx: Context, parsed: sp.Basic, r: dict[str, Any], start: float, target: sp.Basic, text: str = ""
) -> dict[str, Any]:
    status = r["status"]
    if status == CORRECT:
        how = r["method"]
        if how.startswith("proved: identical"):
            msg = "Correct: the same expression as the expected answer."
        elif how.startswith("proved"):
            msg = f"Correct: proved equal to the expected answer ({how.removeprefix('proved: ')})."
        else:
            checked = r.get("checked", "45 digits at every sample point of the domain")
            msg = f"Correct: agrees with the expected answer to {checked} (a numeric verification, not a proof)."
        return _out(parsed, CORRECT, msg, method=r["method"], start=start)
    if status == UNDECIDED:
        msg = "No verdict: the answer could not be evaluated at enough points of the domain (is it undefined there?)."
        if r.get("skipped"):
            total = r["used"] + r["skipped"]
            msg = (
                f"No verdict: the expected answer is real at only {r['used']} of {total} sample points "
                f"({r['needed']} are needed to compare); declare the variables' domain where it is defined."
            )
        if r["method"].startswith("time limit"):
            msg = (
                "No verdict within the time limit: the answer agrees at the sample points, but the search for a "
                "counterexample (breakpoints, 40-digit points) did not finish, so it is not accepted."
            )
        return _out(parsed, UNDECIDED, msg, method=r["method"], start=start)
    point = _point_text(ctx, r, (parsed, target))
    where = ", ".join(f"{k} = {v}" for k, v in point.items())
    if r.get("undefined"):
        return _undefined_answer(parsed, r, point, where, start)
    answer, expected, extra = _values_text(r)
    cex = {"point": point, "answer": answer, "expected": expected}
    if extra and "pair" not in r:  # a huge common term: name the mistake in what remains
        diagnosis = _diagnosis(ctx, parsed, target, {**r, "pair": r["reduced"]})
        diagnosis = diagnosis and f"once the common terms cancel, {diagnosis}"
    else:
        diagnosis = _diagnosis(ctx, parsed, target, r)
    head = f"Incorrect: {diagnosis}." if diagnosis else "Incorrect."
    note = f" ({r['note']})" if r.get("note") else ""
    at = f"At {where}{note} your" if where else "Your"
    msg = f"{head} {at} answer is {answer} but the expected value is {expected}{extra}."
    if _SLASH_PRODUCT.search(text):
        msg += " Note: a/2x is read as (a/2)*x; write a/(2x) for a over 2x."
    return _out(parsed, INCORRECT, msg, method=r["method"], start=start, counterexample=cex, diagnosis=diagnosis)


def _undefined_answer(parsed: sp.Basic, r: dict[str, Any], point: dict[str, str], where: str, start: float) -> dict:
    """An answer with no real value where the expected one has: wrong, and said so."""
    expected = fmt(r["values"][1])
    at = f" at {where}" if where else ""
    diagnosis = "undefined where the expected answer is defined"
    msg = f"Incorrect: your answer is undefined{at} ({r['undefined']}) where the expected answer is {expected}."
    cex = {"point": point, "answer": "undefined", "expected": expected}
    return _out(parsed, INCORRECT, msg, method=r["method"], start=start, counterexample=cex, diagnosis=diagnosis)


# ------------------------------------------------------------------------------------ matrices
def _judge_matrix(ctx: Context, m: sp.MatrixBase, deadline: float, start: float) -> dict[str, Any]:
    targets = [t for t in ctx.matrix_targets if t.shape == m.shape]
    if not ctx.matrix_targets:
        return _out(
            m,
            INVALID,
            "This question expects a scalar (or index-form) answer, not a matrix.",
            method="shape",
            start=start,
        )
    if not targets:
        want = ctx.matrix_targets[0].shape
        return _out(
            m,
            INCORRECT,
            f"Incorrect: the answer has shape {m.shape} but {want} is expected.",
            method="shape",
            start=start,
            diagnosis="wrong shape",
        )
    t = targets[0]
    methods = []
    for r in range(m.rows):
        for c in range(m.cols):
            res = _compare(ctx, m[r, c], t[r, c], deadline)
            if res["status"] != CORRECT:
                if res["status"] == UNDECIDED:
                    return _out(
                        m, UNDECIDED, f"No verdict on entry ({r + 1}, {c + 1}).", method=res["method"], start=start
                    )
                point = _point_text(ctx, res, (m[r, c], t[r, c]))
                va, vt = res["values"]
                va = "undefined" if va is None else va
                where = ", ".join(f"{k} = {v}" for k, v in point.items())
                diag = matrix_approximation(ctx, m) or ("the matrix is transposed" if transposed(m, t) else None)
                cex = {
                    "point": point,
                    "entry": [r + 1, c + 1],
                    "answer": va if isinstance(va, str) else fmt(va),
                    "expected": fmt(vt),
                }
                head = f"Incorrect: {diag}." if diag else "Incorrect."
                msg = (
                    f"{head} Entry ({r + 1}, {c + 1}) at {where}: your answer is {cex['answer']} but the expected "
                    f"value is {cex['expected']}."
                )
                return _out(m, INCORRECT, msg, method=res["method"], start=start, counterexample=cex, diagnosis=diag)
            methods.append(res["method"])
    proved = all(x.startswith("proved") for x in methods)
    method = "proved entry by entry" if proved else "numeric entry by entry"
    msg = "Correct: every entry equals the expected matrix" + (" (proved)." if proved else " (numerically, 45 digits).")
    return _out(m, CORRECT, msg, method=method, start=start)
