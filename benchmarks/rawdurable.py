"""Baseline for the durable backend: durable_rules doing the same matching with nothing around it.

:class:`RawDurable` loads the rules that the durable adapter's own translation
(``_durable_compile.compile_programs``) makes of the checks into one ``Host`` in this process.
Per run it writes each entity's facts under the engine's field keys (numbers scaled as the
adapter scales them), ``json.dumps`` them, asserts them batch by batch into each ruleset,
collects what fired in one-parameter callbacks and deletes the session -- the minimal driving of column C in
``reference/durable-rules.md`` §4.  It leaves out everything the adapter adds for safety: type
and range checks, Unicode normalisation, the sentinel rule, the worker process and its
supervision.  The durable backend's time over this one is what those cost.

It keeps two things from the adapter, so that both drive the engine the same way and the
difference is the guards and the worker: a session holds at most the adapter's ``batch_size``
facts (5,000), each batch in a fresh session; and every rule has the worker's ``cap``, so one
action hands over up to ``CAP`` matches instead of one (durable's per-action overhead in Python
otherwise costs more than the matching).

Like the adapter, this imports durable_rules; nothing else in the benchmark does.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Sequence

import durable.engine
import durable_rules_engine

from ag18_rules.backends._durable_compile import KIND, SEQ, SID, ZERO, compile_programs
from ag18_rules.backends._durable_worker import CAP
from ag18_rules.backends.base import CheckProgram, Entity, Outcome
from ag18_rules.backends.durable import Settings

STAGES = ("facts", "json", "engine", "delete")


class _QuietHost(durable.engine.Host):
    """No dispatcher or timer threads: they would only compete with the measurement."""

    def _run(self) -> None:
        pass


class RawDurable:
    """The translated checks in one in-process Host, driven with nothing around the engine."""

    def __init__(self, programs: Sequence[CheckProgram], batch_size: int = Settings().batch_size, cap: int = CAP):
        compiled = compile_programs(programs)
        self._batch_size = batch_size
        self._checks = compiled.checks
        self._verdicts = {rule.tag: (rule.check, rule.verdict) for rs in compiled.rulesets for rule in rs.rules}
        self._zero = compiled.zero
        self._layout = {kind: tuple((spec.name, spec.key, 10 ** spec.scale if spec.scale else 0) for spec in specs)
                        for kind, specs in compiled.fields.items()}
        self._fired: list[tuple[int, int]] = []
        definitions = {
            rs.name: {f"r{rule.tag}": {"all": [{"m": json.loads(rule.condition)}], "cap": cap,
                                       "run": self._on_match(rule.tag)}
                      for rule in rs.rules}
            for rs in compiled.rulesets
        }
        self._host = _QuietHost()
        self._host.set_rulesets(definitions)
        self._rulesets = [(self._host.get_ruleset(rs.name), rs.kinds) for rs in compiled.rulesets]

    def _on_match(self, tag: int):
        fired = self._fired

        def on_match(c):  # one parameter: durable treats two as an asynchronous action
            matches = c.m if isinstance(c.m, list) else (c.m,)  # a list under ``cap``
            fired.extend((tag, match._d[SEQ]) for match in matches)

        return on_match

    def run(self, entities: Sequence[Entity]) -> tuple[list[Outcome], dict[str, float]]:
        """The outcomes of every check on every entity, sorted, and the seconds spent per stage."""
        times = dict.fromkeys(STAGES, 0.0)
        start = time.perf_counter()
        batches = self._facts(entities)
        mark = time.perf_counter()
        times["facts"] = mark - start
        self._fired.clear()
        for sid, facts in batches:
            for ruleset, kinds in self._rulesets:
                batch = [fact for kind in kinds for fact in facts.get(kind, ())]
                if not batch:
                    continue  # an empty batch crashes the engine
                payload = json.dumps(batch, ensure_ascii=False)
                now = time.perf_counter()
                times["json"] += now - mark
                fired = len(self._fired)
                _, state = durable_rules_engine.assert_facts(ruleset._handle, payload)
                ruleset.do_actions(state, _complete)
                mark = time.perf_counter()
                times["engine"] += mark - now
                if len(self._fired) > fired:  # deleting a session in which nothing ran crashes the engine
                    durable_rules_engine.delete_state(ruleset._handle, sid)
                now, mark = mark, time.perf_counter()
                times["delete"] += mark - now
        return self._outcomes(), times

    def _facts(self, entities: Sequence[Entity]) -> list[tuple[str, dict[str, list[dict]]]]:
        """Each entity of a kind the checks read as an engine fact (``None`` is a missing field),
        by kind, in sessions of at most ``batch_size`` facts."""
        batches: list[tuple[str, dict[str, list[dict]]]] = []
        count = self._batch_size
        for index, entity in enumerate(entities):
            layout = self._layout.get(entity.kind)
            if layout is None:
                continue
            if count == self._batch_size:
                sid, facts, count = uuid.uuid4().hex, {}, 0
                batches.append((sid, facts))
            count += 1
            fact = {KIND: entity.kind, SEQ: index, SID: sid}
            if entity.kind in self._zero:
                fact[ZERO] = 0
            values = entity.values
            for name, key, scale in layout:
                value = values.get(name)
                if value is not None:
                    fact[key] = round(value * scale) if scale else value
            facts.setdefault(entity.kind, []).append(fact)
        return batches

    def _outcomes(self) -> list[Outcome]:
        seen = {}
        for tag, seq in self._fired:
            check, verdict = self._verdicts[tag]
            seen[check, seq] = verdict
        return sorted(Outcome(self._checks[check], seq, verdict) for (check, seq), verdict in seen.items())


def _complete(error, state) -> None:
    """``do_actions`` reports here when the actions are done, or why they failed."""
    if error is not None:
        raise error
