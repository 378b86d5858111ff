"""The package's floor plan, enforced: folders are layers, imports point down, nothing is too long.

The layers, lowest first (a module may import its own folder and any lower layer, never a higher
one or a sibling of its own rank)::

    errors, _lazy, _version, parallel  <  maths  <  numeric  <  verify  <  core  <  authoring
        <  identities | answers | render  <  autodiff  <  cli  <  derive (the package's face)

Every ``import`` statement counts: at module level, inside functions and under ``TYPE_CHECKING``.
The one reach upwards is not an import statement: :mod:`derive.core.display` looks up the
renderers that :mod:`derive.render` registers, importing that package by name on first use (a
plugin hook, like a plotting backend).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derive"

#: (module prefix, rank); the longest matching prefix decides a module's layer
LAYERS: tuple[tuple[str, int], ...] = (
    ("derive.errors", 0),
    ("derive._lazy", 0),
    ("derive._version", 0),
    ("derive.parallel", 0),
    ("derive.maths", 1),
    ("derive.numeric", 2),
    ("derive.verify", 3),
    ("derive.core", 4),
    ("derive.authoring", 5),
    ("derive.identities", 6),
    ("derive.answers", 6),
    ("derive.render", 6),
    ("derive.autodiff", 7),
    ("derive.cli", 8),
    ("derive", 9),
)
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every derive module that ``name`` imports, with the line of the import."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "derive":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "derive":
                continue
            for alias in node.names:  # ``from . import index`` imports the module derive.core.index
                sub = f"{target}.{alias.name}"
                yield (sub if sub in MODULES else target), node.lineno


def _layer(module: str) -> tuple[str, int]:
    return max(((p, r) for p, r in LAYERS if module == p or module.startswith(p + ".")), key=lambda pr: len(pr[0]))


GRAPH = {name: sorted(set(_imports(name, path))) for name, path in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert all(_layer(m) for m in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    unit, rank = _layer(module)
    wrong = []
    for target, line in GRAPH[module]:
        t_unit, t_rank = _layer(target)
        if t_unit == unit and unit != "derive":
            continue  # inside its own folder (cycles are the next test's business)
        if t_rank >= rank:
            wrong.append(f"line {line}: {target} ({t_unit}, rank {t_rank}) from rank {rank}")
    assert not wrong, f"{module} imports against the layer order:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    edges = {m: {t for t, _ in GRAPH[m] if t in MODULES and t != m} for m in MODULES}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                cycles.append([*stack[stack.index(t) :], t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_short(module: str) -> None:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path} has {len(text.splitlines())} lines"
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"  # type: ignore[operator]
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES  # type: ignore[operator]
        and not _is_table(node)
    ]
    assert not long, f"{path}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def _is_table(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function that returns one literal (a table of data) may be as long as its table."""
    body = [n for n in fn.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    return (
        len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Dict | ast.List | ast.Tuple)
    )


def test_the_layer_test_sees_a_violation(tmp_path: Path) -> None:
    """The checks above could fail: an upward import and a cycle are both found in a toy graph."""
    assert _layer("derive.maths.special") == ("derive.maths", 1)
    assert _layer("derive.cli.new")[1] > _layer("derive.render.templates")[1]
    assert _layer("derive.answers.api")[1] == _layer("derive.render.sheet")[1]  # siblings: forbidden both ways
    toy = tmp_path / "toy.py"
    toy.write_text("from ..core.proof import Proof\n")
    assert list(_imports("derive.maths.toy", toy)) == [("derive.core.proof", 1)]
