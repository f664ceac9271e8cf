"""The ``durable`` backend: the checks matched by durable_rules, in a supervised worker process.

The checks are translated once (:mod:`._durable_compile`) into single-fact rules that compute
the three-valued outcome inside the engine.  The engine's C core kills its process on a
number of ordinary inputs (``reference/durable-rules.md``), so it runs in a separate process
started with ``spawn`` (:mod:`._durable_worker`); this module validates and writes the facts,
supervises the worker and turns what fired into :class:`~.base.Outcome` s.  A crash or a hang
of the worker becomes a :class:`BackendError`, and the next run starts a fresh worker.  No
durable type, exception or condition dict leaves this module.

As with every use of ``spawn``, a script that evaluates with this backend must guard its
top-level code with ``if __name__ == "__main__":``.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import selectors
import signal
import struct
import threading
import time
import unicodedata
import uuid
import weakref
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Collection, Iterator, Optional, Sequence

from ..errors import BackendError, BackendUnavailable, Text
from ._durable_compile import KIND, SENTINEL_KIND, SEQ, SID, ZERO, Compiled, FieldSpec, compile_programs, fnv1a32
from .base import CheckProgram, Entity, Outcome
from .reference import ReferenceProgram

__all__ = ["DurableBackend", "DurablePrepared", "Settings"]

INSTALL_HINT = Text("Bộ máy durable cần gói phụ thuộc tùy chọn: pip install 'ag18-rules[durable]'",
                    "the durable backend needs the optional dependency: pip install 'ag18-rules[durable]'")
MAX_STRING = 1_000_000  # characters; the engine refuses a property of 16 MB (error 314)


@dataclass(frozen=True)
class Settings:
    """How the worker is supervised: ``timeout`` seconds at least for any answer, plus
    ``timeout_per_fact`` for each fact of a batch; at most ``batch_size`` entities per batch."""

    timeout: float = 60.0
    timeout_per_fact: float = 0.002
    batch_size: int = 5000


class DurableBackend:
    name = "durable"

    def __init__(self, settings: Settings = Settings()):
        if not all(importlib.util.find_spec(module) for module in ("durable", "durable_rules_engine")):
            raise BackendUnavailable(INSTALL_HINT)
        self._settings = settings

    def prepare(self, programs: Sequence[CheckProgram]) -> "DurablePrepared":
        """Translate the checks and load them into a fresh worker; BackendError if they
        cannot be translated or the engine refuses them."""
        return DurablePrepared(compile_programs(programs), self._settings, programs)


class DurablePrepared:
    """The checks loaded in a worker; run many times, then close (or use ``with``).

    An entity holding a value beyond the engine's range (a number past the magnitude its field
    allows, a text longer than the engine stores) is evaluated on the reference path instead, so
    both backends answer alike on every plan the schema accepts; ``reference_entities`` counts
    those of the last run.
    """

    def __init__(self, compiled: Compiled, settings: Settings, programs: Sequence[CheckProgram] = ()):
        self._compiled = compiled
        self._programs = tuple(programs)
        self._reference: Optional[ReferenceProgram] = None
        self.reference_entities = 0
        self._settings = settings
        self._encoder = _FactEncoder(compiled, settings.batch_size)
        self._verdicts = {rule.tag: (rule.check, rule.verdict) for rs in compiled.rulesets for rule in rs.rules}
        spec = [(rs.name, [(rule.tag, rule.condition) for rule in rs.rules]) for rs in compiled.rulesets]
        self._worker = _Supervisor(spec, settings)
        self._lock = threading.Lock()
        self._closed = False
        # Stops the worker when this object is collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, self._worker.stop)
        try:
            self._worker.ensure_running()
        except BaseException:
            self.close()
            raise

    def run(self, entities: Sequence[Entity], checks: Optional[Collection[str]] = None) -> list[Outcome]:
        """Evaluate every check on every entity of its kind; outcomes sorted, those of the checks
        in ``checks`` only (None: all)."""
        with self._lock:
            if self._closed:
                raise BackendError("this durable evaluator is closed")
            aside: list[int] = []
            outcomes = self._outcomes(self._exchange(entities, aside))
            if aside:
                outcomes = sorted(outcomes + self._on_reference(entities, aside))
            self.reference_entities = len(aside)
        return outcomes if checks is None else [o for o in outcomes if o.check in checks]

    def _on_reference(self, entities: Sequence[Entity], aside: list[int]) -> list[Outcome]:
        """The outcomes of the entities set ``aside`` (values beyond the engine's range), computed
        by the reference backend, under their indices in ``entities``."""
        if not self._programs:
            raise BackendError("a value is beyond the durable engine's range and no reference "
                               "program was prepared for it")
        if self._reference is None:
            self._reference = ReferenceProgram(self._programs)
        return [Outcome(o.check, aside[o.entity], o.verdict)
                for o in self._reference.run([entities[i] for i in aside])]

    def _exchange(self, entities: Sequence[Entity], aside: list[int]) -> list[tuple[int, int]]:
        """Send the batches and collect what fired; the next batch is encoded while the
        worker matches the previous one.  Entities beyond the engine's range go to ``aside``."""
        fired: list[tuple[int, int]] = []
        in_flight = None  # the request whose reply has not been read yet, and its entity indices
        try:
            for batch, facts, indices in self._encoder.batches(entities, aside):
                if in_flight is None:
                    self._worker.ensure_running()
                else:
                    fired += self._receive(*in_flight)
                in_flight = self._worker.send(("run", batch), facts, len(entities)), indices
            if in_flight is not None:
                fired += self._receive(*in_flight)
            return fired
        except BackendError:
            if in_flight is not None:  # a bad value stopped the encoding: stay in step
                self._worker.drain(*in_flight[0])
            raise
        except BaseException:  # interrupted mid-request: a late reply must never be misread
            self._worker.stop(kill=True)
            raise

    def _receive(self, request: tuple, indices: list[int]) -> list[tuple[int, int]]:
        """The worker's (rule tag, fact number) pairs for one batch, as (rule tag, entity index)."""
        return [(tag, indices[number]) for tag, number in self._worker.receive(*request)]

    def _outcomes(self, fired: list[tuple[int, int]]) -> list[Outcome]:
        verdicts: dict[tuple[int, int], str] = {}
        for tag, seq in fired:
            check, verdict = self._verdicts[tag]
            if verdicts.setdefault((check, seq), verdict) != verdict:
                raise BackendError(f"the durable engine found check {self._compiled.checks[check]} "
                                   f"both violated and unknown for entity {seq}; this is a bug")
        return sorted(Outcome(self._compiled.checks[check], seq, verdict)
                      for (check, seq), verdict in verdicts.items())

    def close(self) -> None:
        """Stop the worker process (after a run in progress); idempotent."""
        with self._lock:
            self._closed = True
            self._finalizer()

    def __enter__(self) -> "DurablePrepared":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _request_for_tests(self, kind: str, argument, timeout: float):
        """Send a test-only request to the worker (``_die`` with a signal, ``_stall`` seconds)."""
        with self._lock:
            self._worker.ensure_running()
            return self._worker.receive(*self._worker.send((kind, argument), 0, 0, timeout))


# --------------------------------------------------------------------------- facts


class _FactEncoder:
    """Checks each entity's values against the declared types and writes the engine's facts.

    Only the fields the checks read are sent, under their short engine keys; ``None`` is an
    absent field; numbers become integers at their field's scale (quantised to 4 decimals);
    text is NFC-normalised.  A value of the wrong type is an error naming the field.  Each fact
    is numbered within its batch, and the engine identifies it by that number (see
    :func:`_number_hashes`).
    """

    def __init__(self, compiled: Compiled, batch_size: int):
        self._layout = compiled.fields
        self._zero = compiled.zero
        self._batch_size = batch_size
        self._taken = _number_hashes(batch_size)
        self._targets = {kind: [j for j, rs in enumerate(compiled.rulesets) if kind in rs.kinds]
                         for kind in compiled.fields}

    def batches(self, entities: Sequence[Entity], aside: Optional[list[int]] = None
                ) -> Iterator[tuple[list[tuple[int, str, str]], int, list[int]]]:
        """Batches of (ruleset index, sid, facts JSON), each with its number of facts and the
        entity index of each fact number.  An entity with a value beyond the engine's range is
        appended to ``aside`` instead (without ``aside``, it is an error)."""
        pending: dict[int, list[dict]] = {}
        indices: list[int] = []
        for index, entity in enumerate(entities):
            targets = self._targets.get(entity.kind)
            if not targets:
                continue
            try:
                fact = self.fact(index, entity, len(indices))
            except _OutOfRange:
                if aside is None:
                    raise
                aside.append(index)
                continue
            indices.append(index)
            for j in targets:
                pending.setdefault(j, []).append(fact)
            if len(indices) == self._batch_size:
                yield (*_batch(pending, self._taken), indices)
                pending, indices = {}, []
        if indices:
            yield (*_batch(pending, self._taken), indices)

    def fact(self, index: int, entity: Entity, number: int) -> dict:
        """The engine fact of entity ``index``, the ``number``-th fact of its batch."""
        fact: dict = {KIND: entity.kind, SEQ: number}
        if entity.kind in self._zero:
            fact[ZERO] = 0
        values = entity.values
        for spec in self._layout[entity.kind]:
            value = values.get(spec.name)
            if value is None:
                continue
            # The common exact cases inline (this loop runs for every value); the rest, and
            # every error, through _convert.
            cls, base = value.__class__, spec.type.base
            if (cls is bool and base == "bool") or (
                    cls is int and base == "int" and -spec.limit < value < spec.limit) or (
                    cls is str and base == "string" and value.isascii() and len(value) <= MAX_STRING):
                fact[spec.key] = value
            else:
                fact[spec.key] = _convert(value, spec, index, entity.kind)
        return fact


def _batch(pending: dict[int, list[dict]], taken: frozenset[int]) -> tuple[list[tuple[int, str, str]], int]:
    sid = _session_id(taken)  # one session per batch; each ruleset keeps its own sessions
    batch, total = [], 0
    for j, facts in sorted(pending.items()):
        for fact in facts:
            fact[SID] = sid
        # The sentinel closes every batch: never empty, and an action always runs.
        payload = json.dumps([*facts, {KIND: SENTINEL_KIND, SEQ: -1, SID: sid}],
                             ensure_ascii=False, separators=(",", ":"), check_circular=False)
        batch.append((j, sid, payload))
        total += len(facts)
    return batch, total


@functools.lru_cache(maxsize=4)
def _number_hashes(batch_size: int) -> frozenset[int]:
    """The hashes by which the engine tells the facts of a batch apart, numbered -1 (the
    sentinel) to ``batch_size - 1``.

    durable_rules looks a session's facts up by the 32-bit FNV-1a hash of their ``id`` alone and
    silently drops a fact whose hash is already there (``state.c``, ``storeMessage``).  Small
    numbers' hashes all differ (the first clash is 40189 with 797186), so numbering the facts of
    a batch keeps them apart, where content hashes clashed in about one run in 200 of 10,000
    organisations.
    """
    hashes = frozenset(fnv1a32(str(number)) for number in range(-1, batch_size))
    if len(hashes) != batch_size + 1:
        raise BackendError(f"a batch size of {batch_size:,} is too large for the durable engine, which "
                           "would confuse two facts of a batch; use at most 797,186")
    return hashes


def _session_id(taken: frozenset[int]) -> str:
    """A fresh sid.  The engine files a session fact with the id ``sid-<sid>`` among the
    batch's facts, so its hash must not be one of theirs either (a chance of about 1 in 860,000
    per batch of 5,000)."""
    while True:
        sid = uuid.uuid4().hex
        if fnv1a32("sid-" + sid) not in taken:
            return sid


class _OutOfRange(BackendError):
    """A value of the right type that the engine cannot hold: its entity goes to the reference path."""


def _convert(value, spec: FieldSpec, index: int, kind: str):
    """The value as the engine sees it; _OutOfRange beyond its range, BackendError if it does
    not match its type."""
    base = spec.type.base
    if base == "bool":
        if value is True or value is False:
            return value
    elif base == "string":
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _OutOfRange(_value_text(index, kind, spec, value, f"text up to {MAX_STRING:,} characters"))
            return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= spec.limit:
            raise _OutOfRange(_value_text(index, kind, spec, value, f"a number of magnitude below {spec.limit:.0e}"))
        return int(value) * 10**spec.scale
    elif base == "number" and isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= spec.limit:
            raise _OutOfRange(_value_text(index, kind, spec, value,
                                          f"a finite number of magnitude below {spec.limit:.0e}"))
        return round(round(value, spec.scale) * 10**spec.scale)  # exact below 1e11
    raise BackendError(_value_text(index, kind, spec, value, _EXPECTED[base]))


_EXPECTED = {"int": "a whole number", "number": "a number", "bool": "true or false", "string": "text"}


def _value_text(index: int, kind: str, spec: FieldSpec, value, expected: str) -> str:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return (f"entity {index} ({kind}): the value of {spec.name!r} is {shown} "
            f"({type(value).__name__}); the checks need {expected}")


# --------------------------------------------------------------------------- the worker


class _Supervisor:
    """Owns the worker process: starts it (and loads the rules), exchanges one request and
    one reply at a time, and stops it on a crash, a hang, an engine error or ``stop``."""

    def __init__(self, spec: list, settings: Settings):
        self._spec = spec
        self._settings = settings
        self._process = None
        self._conn = None
        self._owner = os.getpid()

    def ensure_running(self) -> None:
        if self._owner != os.getpid():  # a forked copy: leave the parent's worker alone
            self._process, self._conn, self._owner = None, None, os.getpid()
        if self._process is not None and not self._process.is_alive():
            self.stop(kill=True)  # it died while idle: replace it before this run, not after
        if self._process is None:
            self._process, self._conn = _spawn()
            rules = sum(len(rules) for _, rules in self._spec)
            self.receive(*self.send(("load", self._spec), rules, 0))

    def send(self, request: tuple, facts: int, entities: int, timeout: float | None = None) -> tuple:
        """Send one request; the arguments for :meth:`receive` (its deadline and subject)."""
        if timeout is None:
            timeout = self._settings.timeout + self._settings.timeout_per_fact * facts
        subject = (f"evaluating {entities} entities" if request[0] == "run"
                   else "loading the rules" if request[0] == "load" else f"handling {request[0]}")
        deadline = time.monotonic() + timeout
        try:
            written = _write(self._conn, request, deadline)
        except (BrokenPipeError, ConnectionError, OSError):
            raise self._failure(subject) from None
        if not written:  # stopped or stuck: half a request is in the pipe, so the worker must go
            self.stop(kill=True)
            raise BackendError(f"the durable_rules engine did not take a request within {timeout:.0f} s "
                               f"while {subject}; its worker process was killed and a fresh one will "
                               "be started on the next run")
        return deadline, timeout, subject

    def receive(self, deadline: float, timeout: float, subject: str):
        """The worker's answer, or BackendError after stopping it."""
        ready = multiprocessing.connection.wait([self._conn, self._process.sentinel],
                                                max(0.0, deadline - time.monotonic()))
        if self._conn in ready:
            try:
                status, value = self._conn.recv()
            except (EOFError, OSError):
                raise self._failure(subject) from None
            if status == "ok":
                return value
            self.stop()
            raise BackendError(f"the durable_rules engine failed while {subject}: {value}; "
                               "its worker process was stopped and a fresh one will be started "
                               "on the next run")
        if ready:
            raise self._failure(subject)
        self.stop(kill=True)
        raise BackendError(f"the durable_rules engine did not answer within {timeout:.0f} s while "
                           f"{subject}; its worker process was killed and a fresh one will be "
                           "started on the next run")

    def drain(self, deadline: float, timeout: float, subject: str) -> None:
        """Wait for an answer nobody needs any more, to keep requests and replies in step."""
        if self._conn is None:  # the worker is gone already
            return
        try:
            self.receive(deadline, timeout, subject)
        except BackendError:
            pass

    def _failure(self, subject: str) -> BackendError:
        self._process.join(5)
        code = self._process.exitcode
        self.stop(kill=True)
        if code is not None and code < 0:
            cause = f"was killed by {signal.Signals(-code).name}"
        else:
            cause = f"exited with status {code}"
        return BackendError(f"the durable_rules engine crashed while {subject}: its worker process "
                            f"{cause}; a fresh worker will be started on the next run")

    def stop(self, kill: bool = False) -> None:
        """Ask the worker to exit (or ``kill`` it at once), and release the pipe."""
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if process is None or self._owner != os.getpid():
            return
        if process.is_alive() and not kill:
            try:
                conn.send(("stop", None))
            except (BrokenPipeError, ConnectionError, OSError):
                pass
            process.join(2)
        if process.is_alive():
            process.kill()
            process.join(5)
        conn.close()
        if not process.is_alive():
            process.close()


def _write(conn, request, deadline: float) -> bool:
    """Write ``request`` as ``Connection.send`` frames it, giving up at ``deadline``: a stopped
    worker stops reading, and a blocking write of a large request would then wait forever."""
    payload = ForkingPickler.dumps(request)
    size = len(payload)
    header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)
    data = memoryview(header + bytes(payload))
    fd = conn.fileno()
    os.set_blocking(fd, False)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_WRITE)
            while data:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return False
                try:
                    data = data[os.write(fd, data):]
                except BlockingIOError:
                    continue
    finally:
        os.set_blocking(fd, True)
    return True


def _worker_main(conn) -> None:
    """The worker process's entry point; durable_rules is loaded there, never here."""
    from . import _durable_worker

    _durable_worker.serve(conn)


def _spawn():
    """A fresh worker process and our end of its pipe."""
    context = multiprocessing.get_context("spawn")  # no parent threads or locks inherited
    ours, theirs = context.Pipe()
    process = context.Process(target=_worker_main, args=(theirs,), name="ag18-durable-worker", daemon=True)
    try:
        process.start()
    except (OSError, RuntimeError) as error:
        ours.close()
        raise BackendError(f"could not start the durable worker process ({error}); a script that "
                           "uses this backend must guard its top-level code with "
                           "'if __name__ == \"__main__\":'") from None
    finally:
        theirs.close()  # the worker holds its own copy; its death then reads as end-of-file here
    return process, ours
