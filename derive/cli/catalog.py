"""``derive list``, ``prove``, ``sheet`` and ``verify``: the catalog at the command line.

Exit codes: 0 success, 1 a proof failed, 2 a usage error such as an unknown name. What a command
needs is imported when it runs (SymPy only when it proves something), so ``derive --help`` and
``derive list`` stay fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import CompileError
from .options import check_suffix, file_stem, identity, module_option, no_cache_option, registry, use_color
from .progress import Progress

if TYPE_CHECKING:
    from ..core.derivation import Chain
    from ..core.proof import Proof


@click.command("list")
@module_option
@click.option("--section", help="Only this map section (e.g. 2.2 or 3).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_cmd(modules: Sequence[str], section: str | None, as_json: bool) -> None:
    """Every identity: name, title, map section."""
    reg = registry(modules)
    from ..core.sections import in_section

    rows = [i for i in reg.summaries() if section is None or in_section(i.section, section)]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "title": i.title,
                        "section": i.section,
                        "aliases": list(i.aliases),
                        "source": i.source,
                    }
                    for i in rows
                ],
                indent=2,
            )
        )
        return
    current = None
    width = max((len(i.name) for i in rows), default=10)
    for i in rows:
        if i.section != current:
            current = i.section
            click.secho(f"\n{_section_title(i.section)}", bold=True)
        extra = f"  [{i.source}]" if i.source != "derive" else ""
        click.echo(f"  {i.name:<{width}}  {i.title}{extra}")


def _section_title(section: str) -> str:
    from ..core.sections import SECTIONS

    return f"{section} {SECTIONS.get(section, '')}".rstrip()


@click.command()
@module_option
@no_cache_option
@click.argument("name", required=False)
@click.option("--seed", type=int, default=None, help="Seed of the numeric checks.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: if a terminal).")
@click.option(
    "--claim",
    metavar="TEXT",
    default=None,
    help='Prove a derivative claim instead of NAME: "d/dx f = g" or "Derivative(f, x) = g", derived automatically.',
)
@click.option("--json", "as_json", is_flag=True, help="Print the proof as JSON (the row of verify --json).")
def prove(
    modules: Sequence[str], name: str | None, seed: int | None, color: bool | None, claim: str | None, as_json: bool
) -> None:
    """Derive NAME (or a --claim) and show every step, why it holds, the numeric check and the verdict."""
    from ..core.proof import prove as run

    if claim is not None:
        if name is not None:
            raise click.UsageError("give NAME or --claim, not both")
        from .autodiff import claim_proof

        p = claim_proof(claim, seed)
    elif name is None:
        raise click.UsageError("name an identity (derive list shows them), or give --claim TEXT")
    else:
        p = run(identity(name, modules).name, seed=seed)
    if as_json:
        click.echo(json.dumps(proof_row(p, seed), indent=2))
    else:
        colored = use_color(color)
        click.echo(p.text(color=colored), color=colored)
    sys.exit(0 if p.ok else 1)


@click.command()
@module_option
@no_cache_option
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file: .pdf (compiled with latexmk) or .tex (the source). Default NAME.pdf.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def sheet(modules: Sequence[str], name: str, output: Path | None, as_json: bool) -> None:
    """Write the LaTeX derivation sheet of NAME, compiled to PDF (or as .tex)."""
    from ..core.proof import prove as run
    from ..render.sheet import write_output

    check_suffix(output, (".pdf", ".tex"))
    ident = identity(name, modules)
    p = run(ident.name)
    out = output or Path(file_stem(ident.name) + ".pdf")
    try:
        path = write_output(p, out)
    except CompileError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    if as_json:
        click.echo(
            json.dumps({"name": ident.name, "ok": p.ok, "level": p.level, "verdict": p.verdict, "output": str(path)})
        )
    else:
        click.echo(f"{ident.name}: {p.verdict}; wrote {path}")
    sys.exit(0 if p.ok else 1)


def verify_one(name: str, seed: int | None = None, modules: Sequence[str] = ()) -> dict[str, Any]:
    """One row of ``derive verify``: prove ``name`` (in a worker process) and summarise, with each
    statement's computed level and why, each statement check's independent method, each step's
    provenance and verification, and the lemmas the proof rests on."""
    from ..core import cache
    from ..core.proof import prove as run

    reg = registry(modules)
    if cache.enabled():  # the row itself is kept: plain data, read back exactly as written
        stored = cache.load_value(reg.get(name), "verify", seed, None)
        if isinstance(stored, dict):
            return {**stored, "cached": True}
    p = run(name, seed=seed)
    row = proof_row(p, seed)
    if cache.enabled():
        cache.store_value(p.identity, "verify", row, seed, None)
    return row


def proof_row(p: Proof, seed: int | None = None) -> dict[str, Any]:
    """A proof as plain data (a row of ``derive verify --json``, and ``derive prove --json``)."""
    from ..core import cache

    cross = p.numeric.crosscheck
    return {
        "name": p.name,
        "section": p.identity.section,
        "ok": p.ok,
        "level": p.level,
        "verdict": p.verdict,
        "steps": len(p.steps),
        "max_rel_error": p.numeric.max_rel_error,
        "crosscheck": cross.name if cross else None,
        "crosscheck_error": cross.error if cross else None,
        "crosscheck_tolerance": cross.tolerance if cross else None,
        "seconds": round(p.seconds, 3),
        "cached": (p.name, seed, None) in cache.LOADED,
        "failure": p.failed_because,
        "lemmas": list(p.lemmas),
        "assumes": [{"name": f.name, "statement": f.statement, "citation": f.citation} for f in p.assumes],
        "statements": _statements(p),
        "chains": [_chain(c) for c in p.chains],
    }


def _statements(p: Proof) -> list[dict[str, Any]]:
    """Each statement: its computed level, the reason, the evidence of a fixed size, and how its
    numeric check evaluated it (``StatementCheck.method``)."""
    checks = {c.label: c for c in p.numeric.statements}
    out = []
    for o in p.outcomes:
        check = checks.get(o.label)
        out.append(
            {
                "label": o.label,
                "level": o.level,
                "ok": o.ok,
                "how": o.how,
                "evidence": list(o.evidence),
                "check_method": check.method if check else None,
                "check_samples": check.samples if check else None,
                "check_note": check.note if check else None,
            }
        )
    return out


def _chain(c: Chain) -> dict[str, Any]:
    """A chain: the statement it concludes, its scope, and each step's provenance and verification."""
    from ..core.proof import link_words

    return {
        "statement": c.statement,
        "scope": c.scope,
        "steps": [
            {
                "why": s.why,
                "provenance": s.provenance,
                "verified": link_words(s.verification),
                "symbolic": s.symbolic,
                "points": s.verification.points if s.verification else 0,
                "lemmas": list(s.verification.lemmas) if s.verification else [],
            }
            for s in c.steps
        ],
        "conclusion": [link_words(v) for v in c.conclusion],
    }


@click.command()
@module_option
@no_cache_option
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every registered identity.")
@click.option("--section", help="Every identity of a map section (e.g. 2.2).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--seed", type=int, default=None)
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (default: all cores).")
def verify(
    modules: Sequence[str],
    names: Sequence[str],
    all_: bool,
    section: str | None,
    as_json: bool,
    seed: int | None,
    jobs: int,
) -> None:
    """Prove identities and print a table; exit status 1 if any fails."""
    reg = registry(modules)
    if all_:  # the built-in catalog by its static index when no module is added: no import yet
        selected = reg.names() if modules else [s.name for s in reg.summaries()]
    elif section:
        from ..core.sections import in_section

        selected = [i.name for i in reg if in_section(i.section, section)]
    else:
        selected = _canonical(names, modules)
    if not selected:
        raise click.UsageError("name identities, or use --all or --section")
    rows = _run_parallel(selected, seed, modules, jobs, show=not as_json)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _table(rows)
    sys.exit(0 if all(r["ok"] for r in rows) else 1)


def _failed_row(name: str, exc: BaseException) -> dict[str, Any]:
    return {
        "name": name,
        "section": "",
        "ok": False,
        "level": "-",
        "steps": 0,
        "max_rel_error": float("nan"),
        "crosscheck": None,
        "crosscheck_error": None,
        "seconds": 0.0,
        "failure": f"{type(exc).__name__}: {exc}",
        "lemmas": [],
        "statements": [],
        "chains": [],
    }


def _run_parallel(
    names: list[str], seed: int | None, modules: Sequence[str], jobs: int, show: bool
) -> list[dict[str, Any]]:
    from ..parallel import ordered_map

    work = partial(verify_one, seed=seed, modules=tuple(modules))
    kept = {} if modules else _kept_rows(names, seed)
    todo = [n for n in names if n not in kept]
    with Progress(len(names), "proving", quiet=not show or len(names) == 1) as bar:

        def report(row: dict[str, Any]) -> None:
            bar.done(row["name"], ok=row["ok"], seconds=row["seconds"], kept=bool(row.get("cached")))

        for row in kept.values():
            report(row)
        done = iter(
            ordered_map(
                work,
                todo,
                on_error=_failed_row,
                jobs=jobs,
                progress=lambda _n, r: report(r),
            )
            if todo
            else []
        )
        rows = [kept[n] if n in kept else next(done) for n in names]
    if show and len(names) > 1:
        click.echo(bar.summary(), err=True)
    return rows


def _canonical(names: Sequence[str], modules: Sequence[str]) -> list[str]:
    """The canonical name of each of ``names``: by the static index for the built-in catalog (no
    import: a cached row may need none), else by the registry (an unknown name is a usage error)."""
    static = {} if modules else {k: s.name for s in registry(()).summaries() for k in (s.name, *s.aliases)}
    return [static[n] if n in static else identity(n, modules).name for n in names]


def _kept_rows(names: list[str], seed: int | None) -> dict[str, dict[str, Any]]:
    """The rows an earlier run kept for built-in identities, read before any worker starts or any
    identity is imported (a second ``verify --all`` costs the reading of 75 small files)."""
    from ..core import cache

    if not cache.enabled():
        return {}
    kept = {}
    for name in names:
        stored = cache.load_builtin_value(name, "verify", seed, None)
        if isinstance(stored, dict) and stored.get("name") == name:
            kept[name] = {**stored, "cached": True}
    return kept


def _table(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["name"]) for r in rows)
    click.echo(
        f"{'identity':<{width}}  {'section':<7}  {'verdict':<7}  {'level':<10}  {'steps':>5}  "
        f"{'rel.err':>8}  {'cross-check (tol)':>17}  {'time':>6}"
    )
    for r in rows:
        verdict = click.style("ok", fg="green") if r["ok"] else click.style("FAILED", fg="red")
        pad = " " * (7 - (2 if r["ok"] else 6))
        cross = "-"
        if r["crosscheck_error"] is not None:
            cross = f"{r['crosscheck_error']:.1e} (≤{r.get('crosscheck_tolerance') or 0:.0e})"
        click.echo(
            f"{r['name']:<{width}}  {r['section']:<7}  {verdict}{pad}  {r['level']:<10}  {r['steps']:>5}  "
            f"{r['max_rel_error']:>8.1e}  {cross:>17}  {r['seconds']:>5.2f}s"
        )
        if not r["ok"] and r["failure"]:
            click.echo(f"    {r['failure']}")
    failed = sum(not r["ok"] for r in rows)
    click.echo(f"\n{len(rows) - failed} passed, {failed} failed")
