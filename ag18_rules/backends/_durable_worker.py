"""The durable_rules engine, driven inside a supervised worker process.

Only this module and :mod:`.durable` touch durable_rules.  The parent sends the compiled
rulesets once and then batches of facts already validated and written as JSON; the worker
answers which rules fired for which fact.  Everything that crosses the pipe is plain Python
(tuples, ints, strings); an engine error is sent back as text.

The driver follows the pattern of ``reference/durable-rules.md`` §7: one private ``Host``
whose timer threads never start, rulesets built once, a sentinel rule that fires in every
evaluation, a fresh ``sid`` per batch, actions drained synchronously with ``assert_facts`` +
``do_actions``, the session deleted only after the sentinel fired, one-parameter callbacks that
catch their own errors, and a lock around each evaluation.  Facts carry their number in the
batch as durable's ``id`` (:mod:`.durable` explains why), and the callbacks report it.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time

import durable.engine
import durable_rules_engine

from ._durable_compile import SENTINEL_KIND, SEQ

SENTINEL_RULE = "__end__"
CAP = 1000  # matches per action; durable reads the setting as an unsigned short
OBSERVED = 2  # ERR_EVENT_OBSERVED (rules.h): a fact of the batch was dropped as a duplicate


class _QuietHost(durable.engine.Host):
    """A Host without the dispatcher and timer threads: no callback runs outside ``run``."""

    def _run(self) -> None:
        pass


class _Engine:
    """The loaded rulesets of one prepared policy, evaluated one batch at a time."""

    def __init__(self, spec: list[tuple[str, list[tuple[int, str]]]]):
        """``spec``: per ruleset, its name and its rules as (tag, condition JSON)."""
        self._lock = threading.Lock()
        self._fired: set[tuple[int, int]] = set()
        self._ended = False
        self._errors: list[str] = []
        definitions = {}
        for ruleset_name, rules in spec:
            definition = {SENTINEL_RULE: {"pri": 1000, "all": [{"m": {"kind": SENTINEL_KIND}}],
                                          "run": self._on_end}}
            for tag, condition in rules:
                # ``cap``: one action hands over up to CAP matches (a list), not one each.
                definition[f"r{tag}"] = {"all": [{"m": json.loads(condition)}], "cap": CAP,
                                         "run": self._on_match(tag)}
            definitions[ruleset_name] = definition
        self._host = _QuietHost()
        self._host.set_rulesets(definitions)
        self._rulesets = [self._host.get_ruleset(name) for name, _ in spec]

    def _on_match(self, tag: int):
        def on_match(c):  # exactly one parameter: two would make durable treat it as async
            try:
                matches = c.m if isinstance(c.m, list) else (c.m,)
                self._fired.update((tag, match._d[SEQ]) for match in matches)
            except Exception as error:  # durable would swallow it; report it instead
                self._errors.append(f"rule r{tag}: {type(error).__name__}: {error}")

        return on_match

    def _on_end(self, c) -> None:
        self._ended = True

    def _on_complete(self, error, state) -> None:
        if error:
            self._errors.append(f"{type(error).__name__}: {error}")

    def run(self, batch: list[tuple[int, str, str]]) -> list[tuple[int, int]]:
        """Assert each (ruleset index, sid, facts JSON); the (rule tag, fact number) pairs that fired."""
        with self._lock:
            self._fired, self._errors = set(), []
            for index, sid, payload in batch:
                self._assert(self._rulesets[index], sid, payload)
            if self._errors:
                raise RuntimeError("; ".join(self._errors[:5]))
            return sorted(self._fired)

    def _assert(self, ruleset, sid: str, payload: str) -> None:
        self._ended = False
        code, state = durable_rules_engine.assert_facts(ruleset._handle, payload)
        ruleset.do_actions(state, self._on_complete)  # drains every action of this sid
        if not self._ended:
            # Deleting a session in which no action ran frees uninitialised memory.
            raise RuntimeError("the sentinel rule did not fire; the session was kept")
        durable_rules_engine.delete_state(ruleset._handle, sid)
        # The fact numbers make this impossible.  The code reports only the batch's last fact
        # that was not matched or was dropped, so this catches a drop only when no unmatched
        # fact follows it -- a tripwire, not a proof.
        if code == OBSERVED:
            raise RuntimeError("the engine dropped a fact of the batch as a duplicate")


def serve(conn) -> None:
    """The worker's main loop: one request, one reply, until "stop" or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    engine = None
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        kind, argument = request
        if kind == "stop":
            return
        try:
            if kind == "load":
                engine = _Engine(argument)
                reply = ("ok", None)
            elif kind == "run":
                reply = ("ok", engine.run(argument))
            else:
                reply = ("ok", _test_hook(kind, argument))
        except Exception as error:  # the engine's own error type never leaves this process
            reply = ("error", f"{type(error).__name__}: {error}")
        conn.send(reply)


def _test_hook(kind: str, argument):
    """Deliberate failures for the supervisor's tests: die by a signal, or stall."""
    if kind == "_die":
        os.kill(os.getpid(), argument)
    if kind == "_stall":
        time.sleep(argument)
        return None
    raise ValueError(f"unknown request {kind!r}")
