"""Optimisation → ML (map section 5): gradient descent variants and learning-rate schedules.

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "sgd_momentum",
    "adam_bias_correction",
    "adamw_decoupled",
    "muon_newton_schulz",
    "soap_shampoo",
    "cosine_schedule",
    "linear_warmup",
    "wsd_schedule",
)
