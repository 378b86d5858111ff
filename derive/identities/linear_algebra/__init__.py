"""Linear algebra → ML (map section 1): matrix products, eigendecompositions, the SVD, norms and
regularisation.

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "dense_backprop",
    "attention_scaling",
    "attention_backprop",
    "gcn_propagation",
    "rnn_spectral_radius",
    "pca_top_eigenvector",
    "laplacian_spectrum",
    "chebnet_recursion",
    "sam_sharpness",
    "ntk_linear_dynamics",
    "lora_low_rank",
    "eckart_young",
    "pseudoinverse_least_squares",
    "ridge_svd",
    "singular_spectrum",
    "randomized_svd",
    "weight_decay_l2",
    "l1_soft_threshold",
    "spectral_norm",
    "nuclear_norm",
)
