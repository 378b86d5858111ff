"""The checking worker: a child process that judges answers and can be killed at any moment.

Run as ``python -m derive.answers.worker``. It speaks length-prefixed pickles on stdin/stdout
(only with its parent, never with the student), caps its own address space (``RLIMIT_AS``,
default 3 GiB, ``DERIVE_ANSWERS_MEMORY_MB``), warms up (SymPy, the registry, the grammar, one
check), says ``ready``, then serves requests one at a time. Question contexts are cached, so
every answer after the first to a question costs only the parse and the comparison.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
from collections import OrderedDict
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
MAX_MESSAGE = 64 * 2**20


def send(stream: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        raise EOFError
    (n,) = HEADER.unpack(head)
    if n > MAX_MESSAGE:
        raise ValueError("message too large")
    data = stream.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)


def _limit_memory() -> None:
    try:
        import resource

        mb = int(os.environ.get("DERIVE_ANSWERS_MEMORY_MB", "3072"))
        if mb > 0:
            resource.setrlimit(resource.RLIMIT_AS, (mb * 2**20, mb * 2**20))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without rlimits
        pass


class Server:
    """Contexts by question, verdicts by answer, and the request handler.

    A course's batch repeats answers (the same correct form, the same slip, from many students): a
    verdict that was decided (correct, incorrect, invalid) is kept by question and answer text and
    given again, since judging is deterministic (seeded points, no clock in the decision). An
    undecided verdict is never kept: it may depend on how busy the machine was.
    ``DERIVE_ANSWERS_CACHE=0`` turns the verdict cache off (benchmarks of first-time answers)."""

    def __init__(self, max_contexts: int = 256, max_verdicts: int = 4096) -> None:
        self.contexts: OrderedDict[Any, Any] = OrderedDict()
        self.max_contexts = max_contexts
        self.verdicts: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self.max_verdicts = 0 if os.environ.get("DERIVE_ANSWERS_CACHE") == "0" else max_verdicts

    @staticmethod
    def question_key(req: dict[str, Any]) -> Any:
        if req["kind"] == "identity":
            return ("identity", req["name"])
        return (
            "teacher",
            req["expected"],
            tuple(sorted((req.get("variables") or {}).items())),
            req["latex"],
            req.get("variables") is None,
        )

    def context(self, req: dict[str, Any]) -> Any:
        from .question import identity_context, teacher_context

        key = self.question_key(req)
        if key in self.contexts:
            self.contexts.move_to_end(key)
            return self.contexts[key]
        if req["kind"] == "identity":
            ctx = identity_context(req["name"])
        else:
            ctx = teacher_context(req["expected"], req.get("variables"), latex=req["latex"])
        self.contexts[key] = ctx
        if len(self.contexts) > self.max_contexts:
            self.contexts.popitem(last=False)
        return ctx

    def prepare(self, req: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        """The question's context, or an error reply (unknown identity, unreadable question)."""
        from ..errors import NoQuestionError, UnknownIdentityError

        try:
            return self.context(req), None
        except UnknownIdentityError as exc:
            from ..core.registry import REGISTRY

            return None, {"error": "unknown", "message": str(exc), "name": req.get("name"), "known": REGISTRY.names()}
        except NoQuestionError as exc:
            return None, {"error": "noquestion", "message": str(exc)}
        except ValueError as exc:
            return None, {"error": "value", "message": str(exc)}

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        """Prepare and judge in one call (tests, warming)."""
        ctx, error = self.prepare(req)
        if error is not None:
            return error
        return self.judge(ctx, req)

    def judge(self, ctx: Any, req: dict[str, Any]) -> dict[str, Any]:
        from .checker import judge

        key = (self.question_key(req), req["answer"], req["latex"])
        if key in self.verdicts:
            self.verdicts.move_to_end(key)
            return {"verdict": dict(self.verdicts[key])}
        verdict = judge(ctx, req["answer"], latex=req["latex"], budget=req["budget"])
        if self.max_verdicts and verdict.get("status") in ("correct", "incorrect", "invalid"):
            self.verdicts[key] = dict(verdict)
            if len(self.verdicts) > self.max_verdicts:
                self.verdicts.popitem(last=False)
        return {"verdict": verdict}


def warm(server: Server) -> None:
    """Import and exercise the checking paths once (parse, prove, refute, diagnose), so the first
    real answer is fast. The registry loads on the first identity question instead (untimed): a
    teacher's own question never waits for the catalog."""
    from .parse import lark_parser

    lark_parser()
    for answer in ("1/2*(1 + erf(x/sqrt(2))) + x*phi(x)", "Phi(x) - x*phi(x)"):
        with contextlib.suppress(Exception):  # warming is best effort
            server.handle(
                {
                    "kind": "teacher",
                    "expected": "Phi(x) + x*phi(x)",
                    "variables": {"x": "real"},
                    "answer": answer,
                    "latex": False,
                    "budget": 2.0,
                }
            )
    server.contexts.clear()
    server.verdicts.clear()


def load_modules() -> None:
    """The identity modules the command was given (``--module``), named by ``DERIVE_MODULES`` (a
    JSON list of [folder, dotted name]); one that fails to import is left out (its questions are
    then unknown, reported per answer)."""
    import json

    from ..core.registry import REGISTRY

    for folder, name in json.loads(os.environ.get("DERIVE_MODULES") or "[]"):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)
        with contextlib.suppress(Exception):
            REGISTRY.load_module(name)


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _limit_memory()
    sys.setrecursionlimit(5000)
    channel_in = sys.stdin.buffer
    channel_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the channel
    server = Server()
    warm(server)
    load_modules()
    send(channel_out, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            req = receive(channel_in)
        except EOFError:
            return
        try:
            # two replies: "prepared" once the question is ready (not timed: it is the question's
            # cost, paid once per worker), then the verdict (timed by the parent: the answer's cost)
            ctx, error = server.prepare(req)
            if error is not None:
                send(channel_out, error)
                continue
            send(channel_out, {"prepared": True})
            out = server.judge(ctx, req)
        except MemoryError:
            out = {"error": "memory", "message": "the answer needs too much memory"}
        except Exception as exc:  # never die on one answer
            out = {"error": "internal", "message": f"{type(exc).__name__}: {exc}"}
        send(channel_out, out)


if __name__ == "__main__":
    main()
