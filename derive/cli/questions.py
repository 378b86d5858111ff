"""``derive questions``: the questions a teacher can set, from a question bank or the catalog.

Exit status: 0, or 4 when the bank cannot be used (the message names the file, line and question).
"""

from __future__ import annotations

import sys

import click

from .exits import BAD_QUESTION

EXIT_BAD_BANK = BAD_QUESTION


@click.command("questions")
@click.option("--bank", type=click.Path(dir_okay=False), help="A question bank (TOML or YAML) to list and validate.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON.")
def questions(bank: str | None, as_json: bool) -> None:
    """List the questions of a bank (--bank FILE, validated strictly) or the catalog's prompts.

    \b
      derive questions                         # every catalog identity with a question
      derive questions --bank questions.toml   # a teacher's own questions
    """
    import json

    rows = _bank_rows(bank) if bank is not None else _catalog_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max([len(r["name"]) for r in rows] + [4])
    for r in rows:
        kind = f"[{r['kind']}] " if r.get("kind") else ""
        click.echo(f"{r['name']:<{width}}  {kind}{r['prompt']}")
    where = bank or "the catalog"
    click.echo(f"\n{len(rows)} question(s) in {where}", err=True)


def _bank_rows(path: str) -> list[dict[str, str]]:
    from ..answers.bank import BankError, load_bank
    from ..answers.kinds import choose_kind

    try:
        b = load_bank(path)
    except BankError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_BAD_BANK)
    return [
        {
            "name": q.name,
            "kind": choose_kind(q.expected, q.kind, q.tolerance, q.up_to_constant, q.latex),
            "prompt": q.prompt,
            "expected": q.expected,
        }
        for q in b.questions.values()
    ]


def _catalog_rows() -> list[dict[str, str]]:
    from ..core.registry import REGISTRY

    out = []
    for ident in REGISTRY:
        q = ident.question
        if q is not None:
            out.append({"name": ident.name, "kind": "", "prompt": " ".join((q.prompt or ident.title).split())})
    return out
