"""Probability → ML (map section 3): the probabilistic view of supervised learning, the distributions
in active use, Bayes' theorem.

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "mle_cross_entropy",
    "map_ridge",
    "map_lasso",
    "elbo",
    "kl_gaussian_standard",
    "reparameterization",
    "gaussian_normalizer",
    "he_xavier_init",
    "categorical_softmax",
    "bernoulli_dropout",
    "dirichlet_categorical",
    "ddpm_forward",
    "bayes_gaussian_conjugate",
    "laplace_evidence",
)
