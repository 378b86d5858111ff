"""derive.gradient on a table of matrix expressions: the first-order identities of The Matrix Cookbook
(Petersen and Pedersen, 2012, sec. 2) and standard ML losses and layers.

Each row is derived at symbolic sizes (every link of the chain verified, the level ``general``), its
matrix form checked by central differences at random sizes (inside ``gradient``), and compared here
with the textbook formula written independently in numpy, at three more random draws of sizes and
entries.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from derive.autodiff.matrix import gradient
from derive.autodiff.matrix.numeric import evaluate, sample
from derive.autodiff.matrix.parse import sizes

inv, det, tr = np.linalg.inv, np.linalg.det, np.trace


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def frob(z: np.ndarray) -> float:
    return float(np.sqrt(np.sum(z**2)))


V = dict[str, np.ndarray]
MN = {"X": ("m", "n")}
SQ = {"X": ("n", "n")}
VEC = {"x": ("n",), "a": ("n",), "b": ("n",)}
LSQ = {"X": ("m", "n"), "w": ("n",), "y": ("m",)}
DENSE = {"W": ("m", "n"), "x": ("n",), "b": ("m",)}
ATT = {"Wq": ("d", "n"), "Wk": ("d", "p"), "x": ("n",), "y": ("p",)}

#: (expression, variable, shapes, the textbook gradient in numpy (denominator layout))
TABLE: list[tuple[str, str, dict[str, tuple[str, ...]], Callable[[V], np.ndarray]]] = [
    # -- traces (Cookbook 2.5)
    ("tr(A*X)", "X", {**MN, "A": ("n", "m")}, lambda v: v["A"].T),
    ("tr(X.T*A)", "X", {**MN, "A": ("m", "n")}, lambda v: v["A"]),
    ("tr(A*X.T)", "X", {**MN, "A": ("m", "n")}, lambda v: v["A"]),
    ("trace(A @ X @ B)", "X", {**MN, "A": ("p", "m"), "B": ("n", "p")}, lambda v: v["A"].T @ v["B"].T),
    ("tr(X)", "X", SQ, lambda v: np.eye(len(v["X"]))),
    ("tr(X*X)", "X", SQ, lambda v: 2 * v["X"].T),
    ("tr(X.T*X)", "X", MN, lambda v: 2 * v["X"]),
    ("tr(X*A*X.T)", "X", {**MN, "A": ("n", "n")}, lambda v: v["X"] @ v["A"].T + v["X"] @ v["A"]),
    (
        "tr(X^T*A*X*B)",
        "X",
        {**MN, "A": ("m", "m"), "B": ("n", "n")},
        lambda v: v["A"] @ v["X"] @ v["B"] + v["A"].T @ v["X"] @ v["B"].T,
    ),
    ("tr(X.T*B*X)", "X", {**MN, "B": ("m", "m")}, lambda v: v["B"] @ v["X"] + v["B"].T @ v["X"]),
    # -- determinants (Cookbook 2.1.1)
    ("det(X)", "X", SQ, lambda v: det(v["X"]) * inv(v["X"]).T),
    ("log(det(X))", "X", SQ, lambda v: inv(v["X"]).T),
    (
        "det(A*X*B)",
        "X",
        {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")},
        lambda v: det(v["A"] @ v["X"] @ v["B"]) * inv(v["X"]).T,
    ),
    ("det(X)^2", "X", SQ, lambda v: 2 * det(v["X"]) ** 2 * inv(v["X"]).T),
    ("log(det(X.T*X))", "X", SQ, lambda v: 2 * v["X"] @ inv(v["X"].T @ v["X"])),
    # -- inverses (Cookbook 2.2)
    (
        "a.T*inv(X)*b",
        "X",
        {**SQ, "a": ("n",), "b": ("n",)},
        lambda v: -inv(v["X"]).T @ v["a"] @ v["b"].T @ inv(v["X"]).T,
    ),
    (
        "tr(A*X^-1*B)",
        "X",
        {**SQ, "A": ("n", "n"), "B": ("n", "n")},
        lambda v: -(inv(v["X"]) @ v["B"] @ v["A"] @ inv(v["X"])).T,
    ),
    ("tr(inv(X))", "X", SQ, lambda v: -(inv(v["X"]) @ inv(v["X"])).T),
    # -- linear and quadratic forms (Cookbook 2.4)
    ("a.T*x", "x", VEC, lambda v: v["a"]),
    ("x.T*a", "x", VEC, lambda v: v["a"]),
    ("a.T*X*b", "X", {**MN, "a": ("m",), "b": ("n",)}, lambda v: v["a"] @ v["b"].T),
    ("a.T*X.T*b", "X", {**MN, "a": ("n",), "b": ("m",)}, lambda v: v["b"] @ v["a"].T),
    ("a.T*X*a", "X", {**SQ, "a": ("n",)}, lambda v: v["a"] @ v["a"].T),
    ("x.T*A*x", "x", {"x": ("n",), "A": ("n", "n")}, lambda v: (v["A"] + v["A"].T) @ v["x"]),
    ("x.T*A*x", "A", {"x": ("n",), "A": ("n", "n")}, lambda v: v["x"] @ v["x"].T),
    ("b.T*X.T*X*c", "X", {**MN, "b": ("n",), "c": ("n",)}, lambda v: v["X"] @ (v["b"] @ v["c"].T + v["c"] @ v["b"].T)),
    (
        "(A*x + b).T*C*(D*x + e)",
        "x",
        {"x": ("n",), "A": ("m", "n"), "b": ("m",), "C": ("m", "p"), "D": ("p", "n"), "e": ("p",)},
        lambda v: v["D"].T @ v["C"].T @ (v["A"] @ v["x"] + v["b"]) + v["A"].T @ v["C"] @ (v["D"] @ v["x"] + v["e"]),
    ),
    ("x.T*diag(a)*x", "x", VEC, lambda v: 2 * v["a"] * v["x"]),
    ("tr(diag(x)*A)", "x", {"x": ("n",), "A": ("n", "n")}, lambda v: np.diag(v["A"])[:, None]),
    # -- norms (Cookbook 2.6)
    ("x.T*x", "x", VEC, lambda v: 2 * v["x"]),
    ("norm(x)^2", "x", VEC, lambda v: 2 * v["x"]),
    ("norm(x)", "x", VEC, lambda v: v["x"] / frob(v["x"])),
    (
        "norm(A*x - b)^2",
        "x",
        {"A": ("m", "n"), "x": ("n",), "b": ("m",)},
        lambda v: 2 * v["A"].T @ (v["A"] @ v["x"] - v["b"]),
    ),
    ("norm(X)^2", "X", MN, lambda v: 2 * v["X"]),
    ("norm(X)", "X", MN, lambda v: v["X"] / frob(v["X"])),
    # -- ML losses
    ("norm(X*w - y)^2/2", "w", LSQ, lambda v: v["X"].T @ (v["X"] @ v["w"] - v["y"])),
    (
        "norm(X*w - y)^2 + lam*norm(w)^2",
        "w",
        {**LSQ, "lam": ()},
        lambda v: 2 * v["X"].T @ (v["X"] @ v["w"] - v["y"]) + 2 * v["lam"] * v["w"],
    ),
    ("norm(X*w - y)^2 + lam*norm(w)^2", "lam", {**LSQ, "lam": ()}, lambda v: np.array([[frob(v["w"]) ** 2]])),
    (
        "sum(softplus(-diag(y)*X*w))",
        "w",
        LSQ,
        lambda v: -v["X"].T @ (v["y"] * sigmoid(-v["y"] * (v["X"] @ v["w"]))),
    ),
    (
        "-y.T*log(sigmoid(X*w))",
        "w",
        LSQ,
        lambda v: -v["X"].T @ (v["y"] * (1 - sigmoid(v["X"] @ v["w"]))),
    ),
    (
        "sum(y)*logsumexp(W*x) - y.T*W*x",  # -y.T*log(softmax(W*x)), with log softmax(z) = z - lse(z)
        "W",
        {"W": ("m", "n"), "x": ("n",), "y": ("m",)},
        lambda v: (np.sum(v["y"]) * softmax(v["W"] @ v["x"]) - v["y"]) @ v["x"].T,
    ),
    (
        "logsumexp(W*x) - y.T*W*x",
        "W",
        {"W": ("m", "n"), "x": ("n",), "y": ("m",)},
        lambda v: (softmax(v["W"] @ v["x"]) - v["y"]) @ v["x"].T,
    ),
    ("logsumexp(z)", "z", {"z": ("n",)}, lambda v: softmax(v["z"])),
    # -- ML layers
    ("sum(tanh(W*x + b))", "W", DENSE, lambda v: (1 - np.tanh(v["W"] @ v["x"] + v["b"]) ** 2) @ v["x"].T),
    ("sum(tanh(W*x + b))", "b", DENSE, lambda v: 1 - np.tanh(v["W"] @ v["x"] + v["b"]) ** 2),
    ("sum(tanh(W*x + b))", "x", DENSE, lambda v: v["W"].T @ (1 - np.tanh(v["W"] @ v["x"] + v["b"]) ** 2)),
    ("sum(sigmoid(W*x))", "x", DENSE, lambda v: v["W"].T @ (sigmoid(v["W"] @ v["x"]) * (1 - sigmoid(v["W"] @ v["x"])))),
    ("sum(relu(W*x + b))", "W", DENSE, lambda v: (v["W"] @ v["x"] + v["b"] > 0).astype(float) @ v["x"].T),
    ("sum(exp(W*x))", "x", DENSE, lambda v: v["W"].T @ np.exp(v["W"] @ v["x"])),
    ("x.T*Wq.T*Wk*y", "Wq", ATT, lambda v: v["Wk"] @ v["y"] @ v["x"].T),
    ("x.T*Wq.T*Wk*y", "Wk", ATT, lambda v: v["Wq"] @ v["x"] @ v["y"].T),
    ("x.T*Wq.T*Wk*y", "x", ATT, lambda v: v["Wq"].T @ v["Wk"] @ v["y"]),
    # -- the parts of layer norm: centring and the variance (the whole layer is returned in index form)
    ("g.T*(x - ones(n)*sum(x)/n)", "x", {"x": ("n",), "g": ("n",)}, lambda v: v["g"] - np.mean(v["g"])),
    ("norm(x - ones(n)*sum(x)/n)^2/n", "x", {"x": ("n",)}, lambda v: 2 * (v["x"] - np.mean(v["x"])) / len(v["x"])),
    (
        "g.T*x/norm(x)",
        "x",
        {"x": ("n",), "g": ("n",)},
        lambda v: v["g"] / frob(v["x"]) - (v["g"].T @ v["x"]) * v["x"] / frob(v["x"]) ** 3,
    ),
]


def _ident(row: tuple[str, str, dict[str, tuple[str, ...]], object]) -> str:
    return f"d/d{row[1]} {row[0]}"


@pytest.mark.parametrize("row", TABLE, ids=_ident)
def test_gradient_matches_textbook(row: tuple[str, str, dict[str, tuple[str, ...]], Callable[[V], np.ndarray]]) -> None:
    expression, wrt, shapes, textbook = row
    g = gradient(expression, wrt, shapes=shapes)
    assert g.ok, g.text()
    assert g.in_matrix_form and g.level == "general", g.text()
    assert g.numeric is not None and g.numeric.ok and g.numeric.samples >= 1
    assert g.matrix is not None
    rng = np.random.default_rng(7)
    dims = sizes(shapes)
    for trial in range(3):
        values, _ = sample(dims, rng, 1 if "log" in expression or "det" in expression else 0)
        if "log(x" in expression or "sqrt" in expression:
            values, _ = sample(dims, rng, 2)
        got = evaluate(g.matrix, values) * np.ones_like(values[wrt])
        want = np.asarray(textbook(values)) * np.ones_like(values[wrt])
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.max(np.abs(got - want)) <= 1e-9 * scale, f"trial {trial}: {g.result} != textbook"


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


def test_issue_examples_in_matrix_notation() -> None:
    g = gradient("norm(A*x - b)^2", "x", shapes={"A": ("m", "n"), "x": ("n",), "b": ("m",)})
    assert str(g.result) == "2*A.T*(A*x - b)"
    assert g.layout == "denominator" and "shape of x" in g.layout_words
    whys = [s.why for s in g.proof.steps]
    assert whys[0].startswith("the expression in index notation")
    assert any(w.startswith("Kronecker collapse") for w in whys)
    assert whys[-1].startswith("the matrix form")
    h = gradient("log(det(X))", "X", shapes={"X": ("n", "n")})
    assert str(h.result) == "inv(X).T" and h.layout == "denominator"
    assert any("Matrix Cookbook eq. 41" in s.why for s in h.proof.steps)


def test_numerator_layout_is_the_transpose() -> None:
    shapes = {"X": ("m", "n"), "a": ("m",), "b": ("n",)}
    g = gradient("a.T*X*b", "X", shapes=shapes, layout="numerator")
    assert g.ok and str(g.result) == "b*a.T"
    assert "numerator" in g.layout_words
    v = gradient("a.T*x", "x", shapes={"a": ("n",), "x": ("n",)}, layout="numerator")
    assert v.ok and str(v.result) == "a.T"
