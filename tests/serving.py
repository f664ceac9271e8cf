"""A real ``ag18 serve`` for tests: started as a process on a free loopback port, stopped after.

Not a fixture module of its own (the tests that need a server build one with :func:`running`),
so a test decides the options it starts the server with.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ag18 serve`` with ``args`` on 127.0.0.1; ``url`` once started; its stderr in ``log``."""

    def __init__(self, store: Path, *args: str, log: Path | None = None):
        self.store, self.args = store, args
        self.log = log or store.with_suffix(".log")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "Server":
        env = dict(os.environ, AG18_LANG="vi")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ag18_rules", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--store", str(self.store), *self.args], stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        """Stop as an operator would (SIGTERM): uvicorn finishes the requests in flight first."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> "Server":
        self.stop()
        return self.start()

    def children(self) -> list[int]:
        """The server's child processes (its evaluation processes, or uvicorn's workers)."""
        return _children(self.process.pid)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(t) for t in text]
    return found


def descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out += [child, *descendants(child)]
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@contextlib.contextmanager
def running(store: Path, *args: str):
    server = Server(store, *args).start()
    try:
        yield server
    finally:
        server.stop()


def ag18(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The installed command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ag18_rules", *args], input=stdin, capture_output=True,
                          env=dict(os.environ, AG18_LANG="vi"), cwd=ROOT)
