"""What an evaluation process does for the server: read a plan from the bytes of a request,
evaluate it, and answer in the same text the command line prints.

Runs inside the processes of :mod:`.pool`; every function takes and returns plain data (bytes,
strings, dicts) so nothing but pickled primitives crosses the process boundary.  A bad plan is
answered with its diagnostics and the status that fits: 400 when the bytes are not YAML/JSON at
all, 422 when they are but the plan is invalid.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from typing import Any, Optional

from ..errors import BackendError, InputError

#: media type → the file name a plan received in it is given in diagnostics
PLAN_TYPES = {
    "application/json": "plan.json",
    "application/yaml": "plan.yaml",
    "application/x-yaml": "plan.yaml",
    "text/yaml": "plan.yaml",
    "text/x-yaml": "plan.yaml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "plan.xlsx",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Problem(Exception):
    """A request the server refuses, with the status and the diagnostics to answer with."""

    def __init__(self, status: int, code: str, diagnostics: list[dict] | None = None, detail: str = ""):
        super().__init__(code)
        self.status, self.code, self.diagnostics, self.detail = status, code, diagnostics or [], detail

    def to_dict(self) -> dict:
        return {"status": self.status, "code": self.code, "diagnostics": self.diagnostics, "detail": self.detail}


class Worker:
    """The policies of one evaluation process, loaded once per backend, and its open sessions."""

    def __init__(self, directory: str):
        self.directory = directory
        self._policies: dict = {}
        self.sessions: dict[str, tuple[tuple, Any]] = {}

    def policy(self, backend: str = "python"):
        if backend not in self._policies:
            from ..engine import Policy

            self._policies[backend] = Policy.load(self.directory, backend=backend)
        return self._policies[backend]

    def close(self) -> None:
        for policy in self._policies.values():
            policy.close()

    def handle(self, task: dict) -> dict:
        """Run one task; the answer is ``{"ok": ...}`` or ``{"problem": ...}``, never an exception."""
        lang = task.get("lang", "vi")
        try:
            from . import session_tasks

            handler = _HANDLERS.get(task["op"]) or session_tasks.HANDLERS[task["op"]]
            return {"ok": handler(self, task)}
        except Problem as problem:
            return {"problem": problem.to_dict()}
        except InputError as error:
            return {"problem": Problem(422, "invalid-input", [d.to_dict(lang) for d in error.diagnostics]).to_dict()}
        except BackendError as error:
            return {"problem": Problem(502, "backend-failed", detail=str(error)).to_dict()}
        except RecursionError:
            return {"problem": Problem(400, "too-deep").to_dict()}
        except Exception as error:  # a defect: the operator's log gets the traceback, the client a 500 problem
            import traceback

            traceback.print_exc()
            return {"problem": Problem(500, "internal", detail=type(error).__name__).to_dict()}


def read_plan(worker: Worker, body: bytes, media: str, lang: str, backend: str = "python", name: str = ""):
    """The plan in ``body`` (YAML, JSON or XLSX bytes), validated against the policy's rules."""
    filename = name or PLAN_TYPES[media]
    policy = worker.policy(backend)
    if media == XLSX:
        from .formats_bridge import read_xlsx

        return read_xlsx(policy, body, filename)
    else:
        from ..plan import MAX_PLAN_BYTES
        from ..source import load_bytes

        try:
            doc = load_bytes(body, filename, max_bytes=MAX_PLAN_BYTES)
        except InputError as error:  # not YAML or JSON at all: the request itself is malformed
            raise Problem(400, "malformed", [d.to_dict(lang) for d in error.diagnostics]) from None
    return policy.load_plan(doc)


def _as_of(task: dict) -> Optional[dt.date]:
    return dt.date.fromisoformat(task["as_of"]) if task.get("as_of") else None


def evaluate(worker: Worker, task: dict) -> dict:
    """The report of one plan in the requested format, exactly as ``ag18 check`` writes it."""
    from ..fixes import FixOptions

    lang, backend = task.get("lang", "vi"), task.get("backend", "python")
    policy = worker.policy(backend)
    plan = read_plan(worker, task["body"], task["media"], lang, backend)
    fixes = FixOptions() if task.get("fixes", True) else False
    report = policy.evaluate(plan, as_of=_as_of(task), explain=task.get("explain", False),
                             fixes=fixes, origin=task.get("origin", True))
    fmt = task.get("format", "json")
    if fmt == "sarif" and task["media"] != XLSX:
        # SARIF places fixes by reading the plan's file again: give it the bytes received, as a
        # file of the process's private directory, for the time of the rendering only
        with _beside(PLAN_TYPES[task["media"]], task["body"]):
            return render(policy, plan, report, fmt, lang)
    return render(policy, plan, report, fmt, lang)


@contextmanager
def _beside(name: str, body: bytes):
    with open(name, "wb") as f:
        f.write(body)
    try:
        yield
    finally:
        os.unlink(name)


def render(policy, plan, report, fmt: str, lang: str) -> dict:
    """``{"text", "media"}``: the report as the command line would write it in ``fmt``."""
    if fmt == "json":
        return {"text": report.to_json(lang) + "\n", "media": "application/json", "verdict": report.verdict}
    from . import formats_bridge

    return formats_bridge.render(policy, plan, report, fmt, lang)


def validate(worker: Worker, task: dict) -> dict:
    lang = task.get("lang", "vi")
    plan = read_plan(worker, task["body"], task["media"], lang)
    return {"text": json.dumps({"valid": True, "plan": plan.id}, ensure_ascii=False) + "\n",
            "media": "application/json"}


def diff(worker: Worker, task: dict) -> dict:
    from ..diff import diff_reports

    lang, backend = task.get("lang", "vi"), task.get("backend", "python")
    policy = worker.policy(backend)
    old = read_plan(worker, task["old"], task["old_media"], lang, backend, "old." + _ext(task["old_media"]))
    new = read_plan(worker, task["new"], task["new_media"], lang, backend, "new." + _ext(task["new_media"]))
    as_of = _as_of(task)
    result = diff_reports(policy.evaluate(old, as_of=as_of, fixes=False, origin=False),
                          policy.evaluate(new, as_of=as_of, fixes=False, origin=False))
    return {"text": result.to_json(lang) + "\n", "media": "application/json"}


def _ext(media: str) -> str:
    return PLAN_TYPES[media].rsplit(".", 1)[1]


_HANDLERS = {"evaluate": evaluate, "validate": validate, "diff": diff}
