"""``derive diff`` and ``derive prove --claim``: automatic, step-verified derivatives at the command line.

Exit codes: 0 proved, 1 the proof failed (a false claim), 2 the input cannot be used (it cannot be
read, a limit or a time budget was exceeded): one line on stderr, no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..errors import CompileError, DeriveError

if TYPE_CHECKING:
    from ..core.proof import Proof


def variables_option(values: Sequence[str]) -> dict[str, str] | None:
    """``("x=real", "s=positive")`` as ``{"x": "real", "s": "positive"}`` (``None`` if empty)."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, word = item.partition("=")
        if not sep or not name.strip() or not word.strip():
            raise click.BadParameter(f"{item!r} is not NAME=DOMAIN (e.g. x=real, s=positive)", param_hint="--var")
        out[name.strip()] = word.strip()
    return out or None


def proof_json(p: Proof) -> dict[str, Any]:
    """The proof of an automatic derivative as plain data: the result, the verdict, and every step
    with its form, reason and verification."""
    from ..core.proof import link_words

    return {
        "name": p.name,
        "ok": p.ok,
        "level": p.level,
        "verdict": p.verdict,
        "failure": p.failed_because,
        "result": str(p.result),
        "result_latex": _latex(p.result),
        "seconds": round(p.seconds, 3),
        "chains": [
            {
                "statement": c.statement,
                "title": c.title,
                "notes": list(c.notes),
                "steps": [
                    {
                        "form": str(s.expr),
                        "why": s.why,
                        "provenance": s.provenance,
                        "verified": link_words(s.verification),
                        "symbolic": s.symbolic,
                    }
                    for s in c.steps
                ],
                "conclusion": [link_words(v) for v in c.conclusion],
            }
            for c in p.chains
        ],
        "crosscheck": _crosscheck(p),
    }


def _latex(e: Any) -> str:
    import sympy as sp

    return sp.latex(e)


def _crosscheck(p: Proof) -> dict[str, Any] | None:
    r = p.numeric.crosscheck
    if r is None:
        return None
    return {"name": r.name, "method": r.method, "error": r.error, "tolerance": r.tolerance, "ok": r.ok}


def show(p: Proof, *, as_json: bool, color: bool | None, output: Path | None) -> None:
    """Print the proof (text or JSON), write its sheet if asked, and exit 0 (proved) or 1."""
    if output is not None:
        from ..render.sheet import write_output

        try:
            path = write_output(p, output)
        except CompileError as exc:
            click.secho(str(exc), fg="red", err=True)
            sys.exit(1)
        click.echo(f"{p.name}: {p.verdict}; wrote {path}", err=as_json)
    if as_json:
        click.echo(json.dumps(proof_json(p), indent=2))
    elif output is None:
        click.echo(p.text(color=sys.stdout.isatty() if color is None else color))
    sys.exit(0 if p.ok else 1)


def refuse(exc: DeriveError) -> NoReturn:
    """Unusable input: one line on stderr, exit status 2."""
    click.secho(f"Error: {exc}", fg="red", err=True)
    sys.exit(2)


@click.command("diff")
@click.argument("expr")
@click.argument("var")
@click.option("--var", "variables", multiple=True, metavar="NAME=DOMAIN", help="A variable's domain (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the derivation sheet: .pdf (compiled with latexmk) or .tex (the source).",
)
@click.option("--seed", type=int, default=None, help="Seed of the numeric checks.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: if a terminal).")
def diff(
    expr: str,
    var: str,
    variables: Sequence[str],
    as_json: bool,
    output: Path | None,
    seed: int | None,
    color: bool | None,
) -> None:
    """Differentiate EXPR in VAR step by step, every step verified (e.g. derive diff "x*Phi(x)" x)."""
    from ..autodiff import differentiate

    try:
        p = differentiate(expr, var, variables_option(variables), seed=seed)
    except DeriveError as exc:
        refuse(exc)
    show(p, as_json=as_json, color=color, output=output)


def claim_proof(claim: str, seed: int | None) -> Proof:
    """``derive prove --claim "d/dx f = g"``: derive f' by the rules and conclude against g (exit 2
    on a claim that cannot be used)."""
    from ..autodiff import prove_claim

    try:
        return prove_claim(claim, seed=seed)
    except DeriveError as exc:
        refuse(exc)
