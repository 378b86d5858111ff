"""``derive export``: the derived result of a catalog identity as a numpy, torch or jax function."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import main
from derive.core.proof import Proof
from derive.numeric.export import ExportError

runner = CliRunner()


def test_export_prints_the_source_for_each_library() -> None:
    numpy_out = runner.invoke(main, ["export", "gelu'"])
    assert numpy_out.exit_code == 0, numpy_out.output
    assert "def gelu_prime(x):" in numpy_out.output and "scipy.special.ndtr(x)" in numpy_out.output
    torch_out = runner.invoke(main, ["export", "gelu-derivative", "--to", "torch"])  # an alias works too
    assert torch_out.exit_code == 0 and "torch.special.erfc(" in torch_out.output
    jax_out = runner.invoke(main, ["export", "gelu'", "--to", "jax"])  # the source needs no jax installed
    assert jax_out.exit_code == 0 and "jax.scipy.special.ndtr(x)" in jax_out.output


def test_export_writes_a_module_that_computes_the_result(tmp_path: Path) -> None:
    out = tmp_path / "gelu_prime.py"
    result = runner.invoke(main, ["export", "gelu'", "--to", "numpy", "-o", str(out)])
    assert result.exit_code == 0 and str(out) in result.output
    spec = importlib.util.spec_from_file_location("gelu_prime", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    p = derive.prove("gelu'")
    for x in (-3.0, 0.25, 4.0):
        assert float(module.gelu_prime(x=x)) == pytest.approx(float(p.lambdify()(x)), rel=1e-15)


def test_unknown_names_bad_suffixes_and_unexportable_results() -> None:
    unknown = runner.invoke(main, ["export", "gelu"])
    assert unknown.exit_code == 2 and "Did you mean" in unknown.output and "gelu'" in unknown.output
    suffix = runner.invoke(main, ["export", "gelu'", "-o", "gelu.txt"])
    assert suffix.exit_code == 2 and ".py" in suffix.output
    library = runner.invoke(main, ["export", "gelu'", "--to", "tensorflow"])
    assert library.exit_code == 2


def test_an_unexportable_result_exits_1_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Proof, library: str = "numpy") -> str:
        raise ExportError("the result applies the arbitrary function(s) F")

    monkeypatch.setattr(Proof, "to_source", refuse)
    refused = runner.invoke(main, ["export", "gelu'"])
    assert refused.exit_code == 1 and "cannot export: the result applies the arbitrary function(s) F" in refused.output
