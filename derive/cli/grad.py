"""``derive grad``: the gradient of a matrix expression at symbolic sizes, every step verified.

    derive grad "norm(A*x - b)^2" x --shape A=m,n --shape x=n --shape b=m
    derive grad "log(det(X))" X --shape X=n,n --layout numerator --json

Exit codes: 0 the gradient was derived and checked, 1 it was not (the index form is shown and the
reason said), 2 input it cannot read (unknown names, shapes that do not fit, input beyond the limits).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import click


def _shapes(specs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``A=m,n`` as ``{"A": ("m", "n")}``; ``x=n`` a vector, ``c=`` a scalar."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        name, sep, dims = spec.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{spec!r}: write NAME=SIZES, e.g. A=m,n or x=n (c= for a scalar)")
        out[name.strip()] = tuple(d.strip() for d in dims.split(",") if d.strip())
    return out


@click.command("grad")
@click.argument("expression")
@click.argument("variable")
@click.option(
    "--shape", "shapes", multiple=True, metavar="NAME=SIZES", help="A=m,n a matrix, x=n a vector, c= a scalar."
)
@click.option("--layout", type=click.Choice(["denominator", "numerator"]), default="denominator", show_default=True)
@click.option("--seed", type=int, default=None, help="Seed of the random sizes and entries of the numeric check.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def grad(expression: str, variable: str, shapes: Sequence[str], layout: str, seed: int | None, as_json: bool) -> None:
    """The gradient of a scalar matrix EXPRESSION in VARIABLE: index notation, entrywise derivative,
    Kronecker collapses, matrix form; each step verified, the result checked by finite differences."""
    from ..autodiff.matrix import MatrixExpressionError, gradient

    try:
        g = gradient(expression, variable, shapes=_shapes(shapes), layout=layout, seed=seed)
    except MatrixExpressionError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(json.dumps(g.to_dict(), indent=2) if as_json else g.text())
    if not (g.ok and g.in_matrix_form):
        raise SystemExit(1)
