"""The sections of the ML Math Map, by number (the book's chapters; `derive list` headings)."""

SECTIONS: dict[str, str] = {
    "1": "Linear Algebra → ML",
    "1.1": "Matrix Multiplication",
    "1.2": "Eigendecomposition",
    "1.3": "SVD",
    "1.4": "Norms and Regularisation",
    "2": "Calculus → ML",
    "2.1": "Chain Rule = Backpropagation",
    "2.2": "Key Derivatives in Practice",
    "2.3": "Gradient Flow and Vanishing/Exploding",
    "2.4": "Second-Order Methods",
    "3": "Probability → ML",
    "3.1": "Probabilistic View of Supervised Learning",
    "3.2": "Distributions in Active Use",
    "3.3": "Bayes' Theorem in ML",
    "4": "Information Theory → ML",
    "5": "Optimisation → ML",
    "5.1": "Gradient Descent Variants",
    "5.2": "Learning Rate Schedules",
    "6": "Curriculum Map — Math to Model",
}


def in_section(section: str, selected: str) -> bool:
    """True if map section ``section`` (``"2.2"``) is ``selected`` or lies under it (``"2"``)."""
    return section == selected or section.startswith(selected + ".")


#: The map's curriculum table (section 6): chapter, core math, models, and the identities of this
#: book that make the chapter load-bearing (the book's index from chapter to identity).
CURRICULUM: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "02 Linear Algebra Basics",
        "Matrix ops, rank, projections",
        "Every neural network",
        ("dense-backprop", "lora-low-rank", "pseudoinverse-least-squares", "weight-decay-l2", "l1-soft-threshold"),
    ),
    (
        "03 Advanced Linear Algebra",
        "SVD, eigenvalues",
        "LoRA, PCA, WeightWatcher",
        (
            "pca-top-eigenvector",
            "eckart-young",
            "singular-spectrum",
            "randomized-svd",
            "spectral-norm",
            "nuclear-norm",
            "ridge-svd",
            "rnn-spectral-radius",
        ),
    ),
    (
        "04 Calculus Fundamentals",
        "Derivatives, chain rule",
        "Backpropagation (Rumelhart et al., 1986)",
        ("backprop-chain-rule", "sigmoid'", "tanh'", "relu'", "gelu'", "gelu-tanh-approx"),
    ),
    (
        "05 Multivariate Calculus",
        "Jacobian, Hessian",
        "Adam, K-FAC, SAM",
        (
            "softmax-jacobian",
            "softmax-cross-entropy-grad",
            "newton-step",
            "gauss-newton",
            "kfac-kronecker",
            "sam-sharpness",
            "vanishing-gradient",
            "residual-gradient",
        ),
    ),
    (
        "06 Probability Theory",
        "Distributions, Bayes",
        "VAE, DDPM, Bayesian deep learning",
        (
            "gaussian-normalizer",
            "reparameterization",
            "ddpm-forward",
            "bayes-gaussian-conjugate",
            "elbo",
            "dirichlet-categorical",
            "bernoulli-dropout",
            "categorical-softmax",
        ),
    ),
    (
        "07 Statistics",
        "MLE, MAP, hypothesis tests",
        "Training objectives, model selection",
        ("mle-gaussian", "mle-cross-entropy", "map-ridge", "map-lasso", "laplace-evidence"),
    ),
    (
        "08 Optimisation",
        "Convexity, GD, constraints",
        "All training algorithms",
        (
            "sgd-momentum",
            "adam-bias-correction",
            "adamw-decoupled",
            "muon-newton-schulz",
            "soap-shampoo",
            "cosine-schedule",
            "linear-warmup",
            "wsd-schedule",
            "gradient-clipping",
        ),
    ),
    (
        "09 Information Theory",
        "Entropy, KL, MI",
        "Cross-entropy loss, RLHF, contrastive learning",
        (
            "cross-entropy-kl",
            "kl-nonnegative",
            "kl-gaussians",
            "kl-gaussian-standard",
            "mutual-information",
            "perplexity",
            "bits-back",
            "distillation-gradient",
            "rlhf-kl-optimum",
        ),
    ),
    (
        "10 Numerical Methods",
        "Condition number, stability",
        "Mixed precision, numerical autograd",
        ("condition-number", "central-difference", "log-sum-exp"),
    ),
    (
        "11 Graph Theory",
        "Laplacian, random walks",
        "GCN, GAT, Node2Vec",
        ("gcn-propagation", "laplacian-spectrum", "chebnet-recursion", "random-walk-stationary"),
    ),
    (
        "12 Functional Analysis",
        "Hilbert spaces, RKHS",
        "SVMs, kernel methods, NTK theory",
        ("kernel-trick", "ntk-linear-dynamics"),
    ),
    (
        "13 ML-Specific Math",
        "Attention math, normalisation",
        "Transformers (Vaswani et al., 2017)",
        ("attention-scaling", "attention-backprop", "layernorm-jacobian", "he-xavier-init"),
    ),
    (
        "14 Math for Specific Models",
        "RNN/LSTM, CNN, GAN",
        "Sequence models, generative models",
        ("lstm-cell-gradient", "conv-backprop", "gan-optimal-discriminator"),
    ),
)
