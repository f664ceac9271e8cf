"""Evaluation processes supervised by the server, so that one request cannot stall the others.

Each slot is one child process (started with ``spawn``: the server has threads, and a fork would
copy their locks) that loads the policy once and then answers tasks from :mod:`.tasks` over a pipe.
A task that outlives its deadline gets its process killed and replaced, and the request a 503; a
process that dies mid-task (a crash in native code) is replaced, and the request a 502.  Either
way the next request finds a fresh process.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
from typing import Optional

__all__ = ["EvaluationPool", "Overloaded", "TaskTimeout", "WorkerCrashed"]


class TaskTimeout(Exception):
    """The task took longer than the deadline; its process was replaced."""


class WorkerCrashed(Exception):
    """The process died while working on the task; it was replaced."""


class Overloaded(Exception):
    """No process became free before the deadline."""


def _child(conn, directory: str) -> None:
    """The loop of an evaluation process: one task in, one answer out, until the pipe closes."""
    import os
    import tempfile

    from .tasks import Worker

    # A private, empty working directory: a relative name such as "plan.yaml" can never reach a
    # file the server did not write itself.
    os.chdir(tempfile.mkdtemp(prefix="ag18-evaluate-"))
    worker = Worker(directory)
    try:
        worker.policy("python")
        conn.send({"ready": True})
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                return
            conn.send(worker.handle(task))
    finally:
        worker.close()


class _Slot:
    def __init__(self, ctx, directory: str):
        self.conn, child = ctx.Pipe()
        # not a daemon: the durable backend starts a worker process of its own.  The child ends
        # when the pipe closes, so it does not outlive the server even when the server is killed.
        self.process = ctx.Process(target=_child, args=(child, directory), name="ag18-evaluate")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if not self.ready:
            if not self.conn.poll(timeout):
                raise TaskTimeout("the evaluation process did not start in time")
            self.conn.recv()
            self.ready = True

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class EvaluationPool:
    """``size`` evaluation processes for the policy in ``directory``; tasks wait for a free one."""

    def __init__(self, directory: str, size: int = 1, deadline: float = 30.0, startup: float = 120.0):
        self.directory, self.size, self.deadline, self.startup = directory, size, deadline, startup
        self._ctx = multiprocessing.get_context("spawn")
        self._free: "queue.Queue[_Slot]" = queue.Queue()
        self._all: list[_Slot] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the processes now rather than at the first request (they load the policy)."""
        with self._lock:
            while len(self._all) < self.size:
                slot = _Slot(self._ctx, self.directory)
                self._all.append(slot)
                self._free.put(slot)

    def pids(self) -> list[int]:
        return [s.process.pid for s in list(self._all)]

    def run(self, task: dict, deadline: Optional[float] = None) -> dict:
        """The answer of a process to ``task``; blocks the calling thread (run it off the event loop)."""
        if not self._all:
            self.start()
        deadline = self.deadline if deadline is None else deadline
        try:
            slot = self._free.get(timeout=deadline + self.startup)
        except queue.Empty:
            raise Overloaded() from None
        healthy = False
        try:
            slot.wait_ready(self.startup)
            slot.conn.send(task)
            if not slot.conn.poll(deadline):
                raise TaskTimeout()
            answer = slot.conn.recv()
            healthy = True
            return answer
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerCrashed() from None
        finally:
            self._release(slot, healthy)

    def _release(self, slot: _Slot, healthy: bool) -> None:
        if healthy:
            self._free.put(slot)
            return
        slot.stop()
        with self._lock:
            self._all = [s for s in self._all if s is not slot]
            if not self._closed:
                fresh = _Slot(self._ctx, self.directory)
                self._all.append(fresh)
                self._free.put(fresh)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            slots, self._all = self._all, []
        for slot in slots:
            slot.stop()
