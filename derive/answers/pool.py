"""A pool of warm, killable checking workers with a hard per-answer time limit.

SymPy cannot be interrupted from a thread, so each answer is judged in a child process
(:mod:`derive.answers.worker`). The parent sends the request and waits with ``select`` for at most
the time limit; a worker that has not answered by then is killed (``SIGKILL``) and replaced at
once by a fresh one that warms up in the background, and the answer gets the verdict
``undecided``. A worker that dies (memory cap, crash) is replaced the same way. Workers are plain
subprocesses (not :mod:`multiprocessing`), so the pool also works inside daemonic processes and
inside executors of any kind (a process pool, Dask, Ray): each process that grades keeps its own
warm pool.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from .worker import HEADER, MAX_MESSAGE

STARTUP_TIMEOUT = 300.0


class WorkerDied(RuntimeError):
    """The worker exited, broke the protocol, or could not start (the message has its log)."""


class Worker:
    """One child process and its pipes."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env["PYTHONUNBUFFERED"] = "1"
        # the worker's stderr goes to a small temporary file: shown if it fails to start
        self.log = None if os.environ.get("DERIVE_ANSWERS_DEBUG") else tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "derive.answers.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        self.ready = False
        self._buf = b""

    def _read(self, deadline: float) -> Any | None:
        """One message, or ``None`` if ``deadline`` passes first."""
        import pickle

        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        need = HEADER.size
        length: int | None = None
        while True:
            if length is None and len(self._buf) >= HEADER.size:
                (length,) = HEADER.unpack(self._buf[: HEADER.size])
                if length > MAX_MESSAGE:
                    raise WorkerDied("message too large")
                need = HEADER.size + length
            if len(self._buf) >= need and length is not None:
                data = self._buf[HEADER.size : need]
                self._buf = self._buf[need:]
                return pickle.loads(data)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise WorkerDied("the worker exited")
            self._buf += chunk

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        if self.ready:
            return
        try:
            msg = self._read(time.monotonic() + timeout)
        except WorkerDied:
            msg = None
        if not (isinstance(msg, dict) and msg.get("ready")):
            tail = self._log_tail()
            self.kill()
            raise WorkerDied(f"the checking worker did not start{tail}")
        self.ready = True

    def _log_tail(self) -> str:
        if self.log is None:
            return ""
        try:
            self.log.seek(0)
            tail = self.log.read().decode("utf-8", "replace").strip()[-1500:]
        except (OSError, ValueError):
            return ""
        return f":\n{tail}" if tail else ""

    def request(self, req: dict[str, Any], timeout: float) -> tuple[Any | None, float]:
        """``(reply, seconds)``; the reply is ``None`` if the worker overran ``timeout`` on the
        answer (it is then killed). Preparing the question (once per worker) is not timed."""
        import pickle

        assert self.proc.stdin is not None
        data = pickle.dumps(req, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(HEADER.pack(len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied("the worker exited") from exc
        first = self._read(time.monotonic() + STARTUP_TIMEOUT)
        if not (isinstance(first, dict) and first.get("prepared")):
            if first is None:
                self.kill()
            return first, 0.0
        start = time.perf_counter()
        reply = self._read(time.monotonic() + timeout)
        seconds = time.perf_counter() - start
        if reply is None:
            self.kill()
        return reply, seconds

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.log):
            try:
                if stream is not None:
                    stream.close()
            except OSError:  # pragma: no cover
                pass

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


class Pool:
    """Up to ``size`` warm workers shared by threads; grows on demand, replaces dead workers."""

    def __init__(self, size: int = 1) -> None:
        self.size = max(1, size)
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._count = 0
        self._lock = threading.Lock()
        self._all: list[Worker] = []
        self.pid = os.getpid()
        self.closed = False

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = max(self.size, size)

    def _spawn(self) -> Worker:
        if self.closed:  # shut down (an interrupt): threads still running must not start new workers
            raise WorkerDied("the checking pool was shut down")
        w = Worker()
        with self._lock:
            self._all.append(w)
        return w

    def _acquire(self) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = self._count < self.size
            if grow:
                self._count += 1
        if grow:
            return self._spawn()
        return self._idle.get()

    def _release(self, w: Worker) -> None:
        self._idle.put(w)

    def _replace(self, w: Worker) -> Worker:
        w.kill()
        with self._lock:
            if w in self._all:
                self._all.remove(w)
        return self._spawn()

    def run(self, req: dict[str, Any], timeout: float) -> tuple[Any | None, float]:
        """``(reply or None on time-out/crash, seconds of the request itself)``.

        A worker found dead before a request is replaced first; a worker that dies during one
        (killed, out of memory) is replaced and the request tried once more on the fresh worker, so
        a death costs at most the one answer that was being checked, never the ones after it."""
        w = self._acquire()
        try:
            for attempt in range(2):
                w = self._ready(w)
                try:
                    reply, seconds = w.request(req, timeout)
                except WorkerDied:
                    w = self._replace(w)  # never trust poll() on a pipe that just closed
                    if attempt == 1:
                        return {"error": "crash", "message": "the checker stopped twice while reading this answer"}, 0.0
                    continue
                if reply is None or not w.alive:
                    w = self._replace(w)
                return reply, seconds
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            self._release(w)

    def _ready(self, w: Worker) -> Worker:
        """``w``, or a fresh worker if it died while idle; started and warm."""
        for attempt in range(2):
            if w.ready and not w.alive:
                w = self._replace(w)
            try:
                w.wait_ready()
                return w
            except WorkerDied:
                w = self._replace(w)
                if attempt == 1:
                    raise
        return w  # pragma: no cover

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._count = 0
        for w in workers:
            try:
                if w.proc.stdin is not None:
                    w.proc.stdin.close()
            except OSError:  # pragma: no cover
                pass
            w.kill()
        self._idle = queue.LifoQueue()


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def default_pool(size: int = 1) -> Pool:
    """The process-wide pool (created on first use, grown to ``size``)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.pid != os.getpid():  # a forked child never shares its parent's pipes
            _POOL = Pool(size)
            atexit.register(shutdown)
        else:
            _POOL.resize(size)
        return _POOL


def shutdown() -> None:
    """Stop every worker of the default pool (also run at interpreter exit)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()
