"""``derive list`` reads the catalog from a disk cache of the static index, keyed by each file's
size and modification time: a changed file is read again, and the listing never goes stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _list(cache: Path) -> str:
    env = {**{k: v for k, v in os.environ.items() if k != "DERIVE_CACHE"}, "DERIVE_CACHE_DIR": str(cache / "proofs")}
    env["DERIVE_NO_PLUGINS"] = "1"
    out = subprocess.run([sys.executable, "-m", "derive", "list", "--json"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_listing_is_cached_and_equal(tmp_path: Path) -> None:
    first = _list(tmp_path)
    index = tmp_path / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    assert len(entries) >= 75 and all("|" in key for key in entries)
    assert _list(tmp_path) == first  # from the cache, the same listing


def test_a_stale_entry_is_never_used(tmp_path: Path) -> None:
    _list(tmp_path)
    index = tmp_path / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    gelu = next(k for k in entries if k.split("|")[0].endswith("gelu_prime.py"))
    path, mtime, size = gelu.split("|")
    stale = {k: v for k, v in entries.items() if k != gelu}
    stale[f"{path}|{int(mtime) - 1}|{size}"] = [["gelu'", "A STALE TITLE", "2.2", [], "derive"]]
    index.write_text(json.dumps(stale), encoding="utf-8")
    assert "A STALE TITLE" not in _list(tmp_path)
