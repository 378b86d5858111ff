"""The proof cache on disk (:mod:`derive.core.cache`): a second run loads its proofs, a change to
anything a proof depends on misses, an unreadable entry is a miss, and --no-cache derives afresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derive.core import cache
from derive.core.proof import clear_cache, prove
from derive.core.registry import REGISTRY

NAMES = ["sigmoid'", "tanh'"]


def _verify(folder: Path, *extra: str) -> list[dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if k != "DERIVE_CACHE"}  # the command's default: on
    env["DERIVE_CACHE_DIR"] = str(folder)
    proc = subprocess.run(
        [sys.executable, "-m", "derive", "verify", *NAMES, "--json", "-j", "1", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_second_verify_loads_what_the_first_derived(tmp_path: Path) -> None:
    first = _verify(tmp_path)
    assert [r["cached"] for r in first] == [False, False]
    assert len(list(tmp_path.glob("*.pickle"))) == 2
    second = _verify(tmp_path)
    assert [r["cached"] for r in second] == [True, True]
    same = ("name", "ok", "level", "steps", "max_rel_error", "statements", "chains")
    assert [{k: r[k] for k in same} for r in second] == [{k: r[k] for k in same} for r in first]
    assert [r["cached"] for r in _verify(tmp_path, "--no-cache")] == [False, False]


_RERUN = """
import json, sys
import derive.parallel

def no_workers(*args, **kwargs):
    raise AssertionError("a worker was started")

derive.parallel.ordered_map = no_workers
from derive.cli import main

try:
    main(["verify", *sys.argv[1:], "--json"], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("derive.identities."))), file=sys.stderr)
"""


def test_a_cached_rerun_starts_no_worker_and_imports_no_identity(tmp_path: Path) -> None:
    """The rows of a second run are read before anything is imported or started: a second
    ``verify --all`` costs the reading of small files, not 75 imports in every worker."""
    first = _verify(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DERIVE_CACHE"}
    env["DERIVE_CACHE_DIR"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _RERUN, *NAMES], capture_output=True, text=True, env=env, timeout=300)
    rows = json.loads(proc.stdout)
    assert [r["cached"] for r in rows] == [True, True], proc.stderr
    assert [r["level"] for r in rows] == [r["level"] for r in first]
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []  # no identity module imported


@pytest.fixture
def on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DERIVE_CACHE", "1")
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    clear_cache()
    yield tmp_path
    clear_cache()


def test_an_unreadable_entry_is_a_miss_and_is_replaced(on: Path) -> None:
    ident = REGISTRY.get("relu'")
    entry = on / f"{cache.key(ident, None, None)}.pickle"
    entry.write_bytes(b"not a pickle")
    p = prove("relu'")
    assert p.ok and ("relu'", None, None) not in cache.LOADED
    assert cache.load(ident, None, None) is not None  # rewritten with the fresh proof


def test_keys_change_with_seed_samples_and_source(on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ident = REGISTRY.get("relu'")
    keys = {cache.key(ident, None, None), cache.key(ident, 1, None), cache.key(ident, None, 64)}
    assert len(keys) == 3
    before = cache.key(ident, None, None)
    monkeypatch.setattr(cache, "package_digest", lambda: "another version of derive")
    assert cache.key(ident, None, None) != before


def test_the_api_does_not_cache_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DERIVE_CACHE", raising=False)
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    clear_cache()
    prove("relu'")
    clear_cache()
    assert list(tmp_path.iterdir()) == []


def test_a_proof_back_from_its_pickle_is_compared_node_for_node() -> None:
    """``same`` decides cheaply that a loaded proof is the derived one; any doubt is "different" (and
    ``store`` then compares the renderings)."""
    import dataclasses

    import numpy as np
    import sympy as sp

    x = sp.Symbol("x")

    @dataclasses.dataclass
    class Row:
        expr: sp.Basic
        values: tuple[float, ...]

    written = sp.Add(x, x, evaluate=False)
    assert cache.same(Row(written, (1.0, float("nan"))), Row(sp.Add(x, x, evaluate=False), (1.0, float("nan"))))
    assert not cache.same(Row(written, (1.0,)), Row(2 * x, (1.0,)))  # evaluated on loading: different
    assert not cache.same(Row(x, (1.0,)), Row(sp.Symbol("x", positive=True), (1.0,)))
    assert not cache.same(Row(x, (1.0,)), Row(x, (1.0 + 2**-52,)))
    assert not cache.same(sp.Eq(x, 1), sp.true) and not cache.same([x], (x,))
    assert not cache.same(np.zeros(2), np.zeros(2))  # not decided here: the renderings are compared
    assert not cache.same(object(), object())  # equal only to itself
    assert cache.same({"a": [x, 2]}, {"a": [x, 2]}) and not cache.same({"a": 1}, {"b": 1})


def test_a_stored_proof_reads_as_the_derived_one(on: Path) -> None:
    p = prove("softmax-jacobian")
    loaded = cache.load(REGISTRY.get("softmax-jacobian"), None, None)
    assert loaded is not None and loaded.text() == p.text() and loaded.latex() == p.latex()
