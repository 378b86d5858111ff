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
