"""The level of each proof of matrix multiplication (1.1) and eigendecomposition (1.2) says which parts are
numeric: exactly the parts declared ``numerically(...)``."""

from __future__ import annotations

import pytest

import derive


@pytest.mark.parametrize(
    "name",
    [
        "dense-backprop",
        "attention-scaling",
        "attention-backprop",
        "gcn-propagation",
        "rnn-spectral-radius",
        "pca-top-eigenvector",
        "laplacian-spectrum",
        "chebnet-recursion",
        "sam-sharpness",
        "ntk-linear-dynamics",
    ],
)
def test_levels_say_which_part_is_numeric(name: str) -> None:
    p = derive.prove(name)
    assert p.ok, p.failure
    numeric_parts = {o.label for o in p.outcomes if o.level == "numeric"}
    declared = {s.label for s in p.identity.statements if s.relation is None}
    assert numeric_parts == declared  # only the parts declared numerically(...) are numeric
    assert p.level == "numeric" if declared else p.level in ("general", "fixed-size")
