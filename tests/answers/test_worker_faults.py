"""A checking worker that dies costs no answer: it is detected and replaced, and the answer it
was on is tried once more on a fresh worker."""

from __future__ import annotations

import os
import signal
import threading
import time

import derive
from derive.answers.pool import default_pool

RIGHT = "Phi(x) + x*phi(x)"


def _workers() -> list[int]:
    return [w.proc.pid for w in default_pool()._all if w.alive]


def test_a_worker_killed_while_idle_is_replaced_before_its_next_answer() -> None:
    assert derive.check("gelu'", RIGHT).correct
    for pid in _workers():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    verdicts = [derive.check("gelu'", RIGHT) for _ in range(5)]
    assert [v.status for v in verdicts] == ["correct"] * 5


def test_a_worker_killed_mid_answer_costs_nothing() -> None:
    assert derive.check("gelu'", RIGHT).correct
    (victim,) = _workers()[:1]

    def kill_soon() -> None:
        time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    # a slow answer (a counterexample search at 40 digits) is being checked when the worker dies
    v = derive.check("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(x - 2.345)^2)/10^6")
    killer.join()
    assert v.status in ("incorrect", "correct", "undecided") and "stopped" not in v.message
    assert all(derive.check("gelu'", RIGHT).correct for _ in range(3))
