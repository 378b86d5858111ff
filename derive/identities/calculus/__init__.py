"""Calculus → ML (map section 2): the chain rule as backpropagation, the derivatives of activations and
losses, gradient flow, second-order methods.

One identity per file, named after its slug (``gelu'`` is ``gelu_prime.py``); :data:`CONTENTS`
lists the files in the map's order, which is the order of ``derive list`` and of the book.
Symbols shared by several pages of the chapter live in ``_shared.py``.
"""

CONTENTS = (
    "backprop_chain_rule",
    "sigmoid_prime",
    "tanh_prime",
    "relu_prime",
    "gelu_prime",
    "gelu_tanh_approx",
    "softmax_jacobian",
    "softmax_cross_entropy_grad",
    "log_sum_exp",
    "vanishing_gradient",
    "residual_gradient",
    "lstm_cell_gradient",
    "gradient_clipping",
    "newton_step",
    "gauss_newton",
    "kfac_kronecker",
    "fisher_hessian",
)
