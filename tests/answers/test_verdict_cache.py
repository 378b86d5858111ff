"""A worker gives a decided verdict again for the same answer to the same question (a course's batch
repeats answers), and never keeps an undecided one."""

from __future__ import annotations

import time

from derive.answers.worker import Server


def _req(answer: str, name: str = "gelu'", budget: float = 2.0) -> dict[str, object]:
    return {"kind": "identity", "name": name, "answer": answer, "latex": False, "budget": budget}


def test_a_decided_verdict_is_given_again() -> None:
    server = Server()
    first = server.handle(_req("1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)"))["verdict"]
    start = time.perf_counter()
    again = server.handle(_req("1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)"))["verdict"]
    assert time.perf_counter() - start < 0.01
    assert again == first and first["status"] == "correct"
    wrong = server.handle(_req("Phi(x) - x*phi(x)"))["verdict"]
    assert wrong["status"] == "incorrect" and len(server.verdicts) == 2
    other = server.handle(_req("Phi(x) - x*phi(x)", name="sigmoid'"))["verdict"]  # another question
    assert other["status"] == "incorrect" and len(server.verdicts) == 3


def test_an_undecided_verdict_is_not_kept() -> None:
    server = Server()
    verdict = server.handle(_req("Phi(x) + Sum(sin(k*x)/k^9, (k, 1, 900))", budget=0.01))["verdict"]
    assert verdict["status"] == "undecided", verdict
    assert not server.verdicts
