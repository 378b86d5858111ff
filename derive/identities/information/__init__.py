"""Information theory → ML (map section 4): entropy, cross-entropy, KL divergence, mutual information.

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "cross_entropy_kl",
    "kl_nonnegative",
    "kl_gaussians",
    "mutual_information",
    "perplexity",
    "bits_back",
    "distillation_gradient",
    "rlhf_kl_optimum",
)
