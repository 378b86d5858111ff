"""The curriculum map (map section 6): the identities that make the map's remaining chapters
load-bearing (numerical methods, graphs, kernels, models).

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "mle_gaussian",
    "condition_number",
    "central_difference",
    "random_walk_stationary",
    "kernel_trick",
    "layernorm_jacobian",
    "conv_backprop",
    "gan_optimal_discriminator",
)
