"""One seeded generator for everything random in ``derive``.

Every numeric check takes its randomness from :func:`generator`, so a failure report that names a
seed can be reproduced exactly.
"""

from __future__ import annotations

import hashlib

import numpy as np

DEFAULT_SEED = 20240611


def generator(seed: int | None = None, *, salt: str = "") -> np.random.Generator:
    """A PCG64 generator for ``seed``; ``salt`` (an identity name) gives each user its own stream."""
    base = DEFAULT_SEED if seed is None else seed
    if salt:
        digest = hashlib.sha256(salt.encode()).digest()
        base = base ^ int.from_bytes(digest[:8], "little")
    return np.random.Generator(np.random.PCG64(base))
