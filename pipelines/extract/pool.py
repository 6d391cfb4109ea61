"""Running a function over many items in worker processes, each item with a time limit.

``run_isolated(func, items, failure, workers=, timeout=, state=)`` returns the
results in input order. A worker evaluates ``func(item, state)`` under a
``SIGALRM`` timer (soft limit: the item becomes ``failure(item, "timeout", …)``
and the worker goes on); a worker still busy ``HARD_GRACE`` seconds after the
limit (stuck in C code) is killed, and a worker that dies (segfault, OOM kill,
``os._exit``) is replaced; its item becomes ``failure(item, "crash", …)``.
Nothing is dropped: every item gets exactly one result.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from multiprocessing.connection import wait
from typing import Any, Callable

#: Seconds after the soft limit before a busy worker is killed.
HARD_GRACE = 5.0


class ItemTimeout(BaseException):
    """Raised in a worker when an item's time is up (BaseException: not caught by ``except Exception``)."""


def _on_alarm(signum, frame):
    raise ItemTimeout()


def _worker(conn, func: Callable, failure: Callable, state: Any, timeout: float) -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        idx, item = msg
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = func(item, state)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except ItemTimeout:
            result = failure(item, "timeout", f"no result within {timeout:g} s")
        except Exception as exc:  # func should not raise; if it does, the item still gets a result
            result = failure(item, "error", f"{type(exc).__name__}: {exc}")
        conn.send((idx, result))


class _Slot:
    def __init__(self, ctx, func, failure, state, timeout):
        self.args = (func, failure, state, timeout)
        self.ctx = ctx
        self.task: tuple[int, Any, float] | None = None
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()
        child.close()

    def give(self, idx: int, item: Any) -> None:
        self.task = (idx, item, time.monotonic())
        self.conn.send((idx, item))

    def restart(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        self.task = None
        self._start()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)
        self.conn.close()


def run_isolated(func: Callable, items: list, failure: Callable, *, workers: int = 0, timeout: float = 20.0,
                 state: Any = None, progress: Callable[[int, int], None] | None = None) -> list:
    """``[func(item, state) for item in items]`` on ``workers`` processes (0 = every core)."""
    n = len(items)
    results: list = [None] * n
    if not n:
        return results
    workers = max(1, min(workers or os.cpu_count() or 1, n))
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    slots = [_Slot(ctx, func, failure, state, timeout) for _ in range(workers)]
    todo = iter(range(n))
    done = 0
    try:
        for s in slots:
            _feed(s, todo, items)
        while done < n:
            busy = [s for s in slots if s.task]
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.5)
            for s in busy:
                finished = _collect(s, ready, results, items, failure, timeout)
                if finished:
                    done += 1
                    _feed(s, todo, items)
            if progress:
                progress(done, n)
    finally:
        for s in slots:
            s.stop()
    return results


def _feed(slot: _Slot, todo, items: list) -> None:
    idx = next(todo, None)
    if idx is not None:
        slot.give(idx, items[idx])


def _collect(s: _Slot, ready: list, results: list, items: list, failure: Callable, timeout: float) -> bool:
    idx, item, started = s.task
    if s.conn in ready:
        try:
            got_idx, result = s.conn.recv()
            results[got_idx] = result
            s.task = None
            return True
        except (EOFError, OSError):
            pass
    if not s.proc.is_alive():
        results[idx] = failure(item, "crash", f"worker exited with code {s.proc.exitcode}")
        s.restart()
        return True
    if time.monotonic() - started > timeout + HARD_GRACE:
        results[idx] = failure(item, "timeout", f"worker killed after {timeout + HARD_GRACE:g} s")
        s.restart()
        return True
    return False
