"""Where derive keeps files between runs: the user cache folder (platformdirs), or ``DERIVE_CACHE_DIR``."""

from __future__ import annotations

import os
from pathlib import Path


def proof_folder() -> Path:
    """Where proofs are kept: ``DERIVE_CACHE_DIR``, or ``proofs`` in derive's user cache folder
    (``~/.cache/derive/proofs``); other caches sit beside it, in its parent."""
    explicit = os.environ.get("DERIVE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("derive")) / "proofs"


def caching() -> bool:
    """Whether files are kept between runs (``DERIVE_CACHE=1``; the command line turns it on)."""
    return os.environ.get("DERIVE_CACHE", "0") not in ("", "0")
