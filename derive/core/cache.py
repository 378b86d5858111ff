"""The proof cache on disk: a second ``derive verify --all`` loads its proofs instead of deriving them.

A proof is stored under a key that changes whenever anything it depends on could change: the source
of the whole ``derive`` package (every ``.py`` file), the source file of the identity's module when
it lives outside the package (a plugin, ``--module``), the versions of Python, SymPy, mpmath and
NumPy, the identity's name, the seed and the sample count. Stale entries are never read; they are
simply never asked for again.

The cache is on for the command line (``--no-cache`` turns it off for one run) and off for the API
unless ``DERIVE_CACHE=1``; ``DERIVE_CACHE_DIR`` moves it (default: the user cache directory from
:mod:`platformdirs`, e.g. ``~/.cache/derive/proofs``). Entries are pickles written atomically; the
folder is the user's own, as for any tool's cache, so a file that cannot be read is a miss (and is
replaced), never an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .places import caching, proof_folder

if TYPE_CHECKING:
    from .identity import Identity

#: a :class:`~derive.core.proof.Proof` (not imported: the proof module imports this one)
Proof = Any

#: the package whose source is part of every key
PACKAGE = Path(__file__).resolve().parents[1]
#: (name, seed, samples) of the proofs this process loaded from disk (``derive verify --json``
#: reports them as cached)
LOADED: set[tuple[str, int | None, int | None]] = set()


def enabled() -> bool:
    """Whether proofs are read from and written to disk (``DERIVE_CACHE=1``)."""
    return caching()


def folder() -> Path:
    """``DERIVE_CACHE_DIR``, or ``proofs`` in the user cache directory."""
    return proof_folder()


@functools.cache
def package_digest() -> str:
    """A digest of every source file of the package and of the versions the proofs depend on (read
    from the installed distributions: a kept row is found without importing SymPy)."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode())
        h.update(path.read_bytes())
    versions = (sys.version, version("sympy"), version("mpmath"), version("numpy"))
    h.update(repr(versions).encode())
    return h.hexdigest()


def key(ident: Identity, seed: int | None, samples: int | None) -> str:
    """The cache key of ``ident``'s proof with this seed and sample count."""
    return _key(ident.name, ident.module, seed, samples)


def _key(name: str, module_name: str, seed: int | None, samples: int | None) -> str:
    h = hashlib.sha256(package_digest().encode())
    module = sys.modules.get(module_name)
    source = getattr(module, "__file__", None)
    if source and not Path(source).resolve().is_relative_to(PACKAGE):
        h.update(Path(source).read_bytes())  # a plugin's own module
    h.update(repr((name, module_name, seed, samples)).encode())
    return h.hexdigest()


class _Pickler(pickle.Pickler):
    """Stores an :class:`Identity` by name: its functions (derivation, cross-checks made by
    factories) need not pickle, and the loaded proof points at the registered identity. A function
    class made at run time (``named_function("KLStandard", ...)``, ``type("softmax_p", ...)``) is
    stored as the module attribute that holds it, so the loaded proof uses that very class."""

    def persistent_id(self, obj: object) -> str | None:
        from .identity import Identity

        return obj.name if isinstance(obj, Identity) else None

    def reducer_override(self, obj: object) -> Any:
        import sympy as sp

        if type(obj) in (sp.Add, sp.Mul, sp.Pow):  # rebuilt as written: SymPy's own reduce evaluates
            return _as_written, (type(obj), obj.args)  # type: ignore[attr-defined]
        if isinstance(obj, type) and getattr(sys.modules.get(obj.__module__), obj.__qualname__, None) is not obj:
            from ..maths.notation import REMAKE, remake

            if REMAKE in vars(obj):
                return remake, vars(obj)[REMAKE]
            where = _holder(obj)
            if where is not None:
                return _module_attribute, where
        return NotImplemented


def _as_written(cls: type, args: tuple[Any, ...]) -> Any:
    return cls(*args, evaluate=False)


def _holder(cls: type) -> tuple[str, str] | None:
    """The (module, attribute) of a loaded derive module whose global is ``cls``."""
    for name, module in list(sys.modules.items()):
        if name.startswith("derive.") and module is not None:
            for attr, value in vars(module).items():
                if value is cls:
                    return name, attr
    return None


def _module_attribute(module: str, attr: str) -> Any:
    import importlib

    return getattr(importlib.import_module(module), attr)


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: object) -> Identity:
        from .registry import REGISTRY

        return REGISTRY.get(str(pid))


def load(ident: Identity, seed: int | None, samples: int | None) -> Proof | None:
    """The stored proof, or ``None`` (no entry, or one that cannot be read)."""
    path = folder() / f"{key(ident, seed, samples)}.pickle"
    try:
        with path.open("rb") as f:
            proof = _Unpickler(f).load()
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file: a miss, and the next store replaces it
        return None
    if getattr(proof, "identity", None) is None or proof.identity.name != ident.name:
        return None
    LOADED.add((ident.name, seed, samples))
    return proof


def store(proof: Proof, seed: int | None, samples: int | None) -> None:
    """Keep ``proof`` if it comes back from disk exactly as it is: its terminal text and its LaTeX
    sheet the same (an unevaluated form that SymPy would evaluate on loading makes a proof not
    kept, so a loaded proof never reads differently from a derived one). Failures are ignored."""
    with contextlib.suppress(Exception):  # the cache is an optimisation: never the proof's failure
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(proof)
        again = _Unpickler(io.BytesIO(buffer.getvalue())).load()
        if same(proof, again) or (again.text() == proof.text() and again.latex() == proof.latex()):
            _write(f"{key(proof.identity, seed, samples)}.pickle", buffer.getvalue())


def same(a: Any, b: Any) -> bool:
    """Whether ``b`` (a proof back from its pickle) is ``a`` node for node: the same types throughout,
    SymPy expressions structurally equal (an unevaluated form that SymPy evaluated on loading is not),
    the same plain values (NaN equal to NaN). What it cannot compare (an object equal only to itself)
    counts as different, and :func:`store` then compares the two renderings instead: a hundredth of
    their cost when it answers (rendering both proofs twice was 12% of ``verify --all``'s CPU)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    try:
        return (a == b) is True
    except Exception:  # an array's elementwise comparison, a failing __eq__: not decided here
        return False


def load_value(ident: Identity, kind: str, seed: int | None, samples: int | None) -> Any | None:
    """A plain value (a JSON-ready row) stored for ``ident`` under ``kind``, or ``None``."""
    return _read_value(key(ident, seed, samples), kind)


def load_builtin_value(name: str, kind: str, seed: int | None, samples: int | None) -> Any | None:
    """:func:`load_value` for the built-in identity ``name`` (canonical), without importing it:
    the static index names its module (``None`` for a name it does not know)."""
    from .index import module_for

    module = module_for(name)
    return None if module is None else _read_value(_key(name, module, seed, samples), kind)


def _read_value(stem: str, kind: str) -> Any | None:
    import json

    try:
        return json.loads((folder() / f"{stem}.{kind}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_value(ident: Identity, kind: str, value: Any, seed: int | None, samples: int | None) -> None:
    """Keep a plain value for ``ident`` under ``kind`` (``derive verify``'s row of a proof)."""
    import json

    with contextlib.suppress(TypeError, ValueError):
        _write(f"{key(ident, seed, samples)}.{kind}.json", json.dumps(value).encode("utf-8"))


def _write(name: str, data: bytes) -> None:
    """``data`` into the cache folder atomically (a temporary file renamed into place)."""
    where = folder()
    with contextlib.suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, where / name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
