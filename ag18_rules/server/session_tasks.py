"""Sessions inside an evaluation process: rebuilt from the stored plan and changes, kept warm.

The store (:mod:`.store`) is the truth; a process keeps the last few sessions it rebuilt, keyed by
the changes they have seen, so the next change of the same session is applied incrementally
(``session.apply``) instead of replaying the whole history.  A session whose history differs
(undo, another process applied a change) is rebuilt by replaying it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict

from .tasks import Problem, Worker, read_plan, render

WARM = 16  # sessions a process keeps rebuilt


def _key(batches: list) -> str:
    return hashlib.sha256(json.dumps(batches, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _warm(worker: Worker) -> OrderedDict:
    if not isinstance(worker.sessions, OrderedDict):
        worker.sessions = OrderedDict()
    return worker.sessions


def _keep(worker: Worker, sid: str, key: str, session) -> None:
    warm = _warm(worker)
    warm[sid] = (key, session)
    warm.move_to_end(sid)
    while len(warm) > WARM:
        warm.popitem(last=False)


def _as_of(task: dict):
    return dt.date.fromisoformat(task["as_of"]) if task.get("as_of") else None


def _rebuild(worker: Worker, task: dict):
    """The session of ``task``: warm if this process has its history, else replayed from the plan."""
    batches = task["batches"]
    key = _key(batches)
    cached = _warm(worker).get(task["sid"])
    if cached and cached[0] == key:
        return cached[1]
    policy = worker.policy()
    session = policy.session(policy.load_plan(task["plan"]), as_of=_as_of(task))
    for batch in batches:
        session.apply(batch)
    _keep(worker, task["sid"], key, session)
    return session


def _state(worker: Worker, session, task: dict) -> dict:
    """The session's report (with fixes, as ``ag18 check`` gives it) for the answer."""
    from ..fixes import FixOptions

    policy, lang = worker.policy(), task.get("lang", "vi")
    if task.get("fixes", True):
        report = policy.evaluate(session.plan, as_of=session.as_of, fixes=FixOptions(), origin=True)
    else:
        report = session.report
    out = {"report": json.loads(render(policy, session.plan, report, "json", lang)["text"]),
           "verdict": report.verdict}
    if task.get("html"):
        from .formats_bridge import fragment

        out["html"] = fragment(policy, session.plan, report, lang)
    return out


def open_session(worker: Worker, task: dict) -> dict:
    """Read and validate the uploaded plan; the canonical plan for the store, and its first report."""
    from ..plan import plan_to_dict

    policy = worker.policy()
    plan = read_plan(worker, task["body"], task["media"], task.get("lang", "vi"))
    session = policy.session(plan, as_of=_as_of(task))
    canonical = plan_to_dict(plan)
    _keep(worker, task["sid"], _key([]), session)
    return dict(_state(worker, session, task), plan=canonical, as_of=session.as_of.isoformat())


def state(worker: Worker, task: dict) -> dict:
    return _state(worker, _rebuild(worker, task), task)


def apply(worker: Worker, task: dict) -> dict:
    """Apply a batch of changes on top of the stored history; the delta and the new report."""
    lang = task.get("lang", "vi")
    session = _rebuild(worker, task)
    delta = session.apply(task["changes"])
    _keep(worker, task["sid"], _key(task["batches"] + [task["changes"]]), session)
    out = _state(worker, session, task)
    out["delta"] = {"added": [f.to_dict(lang) for f in delta.added],
                    "removed": [f.to_dict(lang) for f in delta.removed],
                    "changed": [f.to_dict(lang) for f in delta.changed]}
    return out


def report(worker: Worker, task: dict) -> dict:
    """The session's report as a file (``json``, ``html``, ``sarif``), as ``ag18 check`` writes it."""
    from ..fixes import FixOptions

    session, policy = _rebuild(worker, task), worker.policy()
    full = policy.evaluate(session.plan, as_of=session.as_of, fixes=FixOptions(), origin=True)
    return render(policy, session.plan, full, task.get("format", "json"), task.get("lang", "vi"))


def plan(worker: Worker, task: dict) -> dict:
    """The session's current plan as a file: ``yaml``, ``json`` or ``xlsx``."""
    from ..plan import plan_to_dict

    session = _rebuild(worker, task)
    data = plan_to_dict(session.plan)
    fmt = task.get("format", "yaml")
    if fmt == "json":
        return {"body": (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode(), "media": "application/json"}
    if fmt == "xlsx":
        from . import formats_bridge

        return {"body": formats_bridge.plan_xlsx(session.plan, task.get("lang", "vi")), "media": formats_bridge.XLSX}
    if fmt != "yaml":
        raise Problem(400, "bad-format")
    from .formats_bridge import plan_yaml

    return {"body": plan_yaml(data).encode(), "media": "application/yaml"}


HANDLERS = {"session_open": open_session, "session_state": state, "session_apply": apply, "session_plan": plan,
            "session_report": report}
