"""Sessions over HTTP: a plan uploaded once, then changed step by step, with undo.

The store holds the truth (:mod:`.store`); an evaluation process rebuilds the session from it for
each request (warm when it can), so any server process can answer for any session, and a change is
recorded only after the session accepted it.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Literal, Optional

from fastapi import APIRouter, Path, Request
from starlette.responses import JSONResponse, Response

from .app import Format, Lang, Refused, iso, plan_media, read_body, read_json, services
from .openapi import JSON_OBJECT, PLAN_BODY, problems, report_responses
from .store import SessionFull, Stale, Stored

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
SessionId = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")
PlanFormat = Literal["yaml", "json", "xlsx"]
CHANGES_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["changes"],
    "properties": {"changes": {"type": "array", "items": {
        "type": "object", "required": ["field", "to"],
        "properties": {"field": {"type": "string"}, "to": {}}}}, "author": {"type": "string", "maxLength": 200}}}}}}}
_EXT = {"yaml": "yaml", "json": "json", "xlsx": "xlsx"}


def _stored(request: Request, sid: str) -> Stored:
    stored = services(request).store.get(sid)
    if stored is None:
        raise Refused(404, "session-not-found", detail=sid)
    return stored


def _task(op: str, stored: Stored, lang: str, **more) -> dict:
    return {"op": op, "sid": stored.id, "plan": stored.plan, "as_of": stored.as_of,
            "batches": [c[1] for c in stored.changes], "lang": lang, **more}


def _answer(stored_id: str, version: int, answer: dict, status: int = 200, **more) -> Response:
    body = {"id": stored_id, "version": version, "verdict": answer["verdict"], **more, "report": answer["report"]}
    if "delta" in answer:
        body["delta"] = answer["delta"]
    if answer.get("html") is not None:
        body["html"] = answer["html"]
    return JSONResponse(body, status_code=status)


@router.post("", openapi_extra=PLAN_BODY, status_code=201,
             responses={201: JSON_OBJECT, **problems(400, 413, 415, 422, 502, 503, 507)})
async def create(request: Request, as_of: Optional[dt.date] = None, lang: Lang = "vi",
                 fixes: bool = True, html: bool = False) -> Response:
    """Open a session on a plan: its id and the plan's report (with fixes, as ``ag18 check``)."""
    state = services(request)
    media = plan_media(request)
    sid = secrets.token_urlsafe(16)
    answer = await state.run({"op": "session_open", "sid": sid, "body": await read_body(request),
                              "media": media, "as_of": iso(as_of), "lang": lang, "fixes": fixes, "html": html})
    try:
        state.store.create(answer["plan"], answer["as_of"], sid=sid)
    except SessionFull as full:
        raise Refused(507, "session-full", detail=str(full)) from None
    return _answer(sid, 0, answer, 201)


@router.get("/{sid}", responses={200: JSON_OBJECT, **problems(404, 422, 502, 503)})
async def read(request: Request, sid: str = SessionId, lang: Lang = "vi", fixes: bool = True,
               html: bool = False) -> Response:
    """The session's current report and the history of its changes."""
    state = services(request)
    stored = _stored(request, sid)
    answer = await state.run(_task("session_state", stored, lang, fixes=fixes, html=html))
    return _answer(sid, stored.version, answer, history=state.store.history(sid))


def _changes(data) -> tuple[list, str]:
    """The changes and their author from ``{"changes": [...], "author": ...}`` (or a bare list)."""
    if isinstance(data, list):
        data = {"changes": data}
    bad = not isinstance(data, dict) or not isinstance(data.get("changes"), list) or not data["changes"]
    author = data.get("author", "") if isinstance(data, dict) else ""
    if bad or not isinstance(author, str) or len(author) > 200 or not all(
            isinstance(c, dict) and isinstance(c.get("field"), str) and "to" in c for c in data["changes"]):
        raise Refused(422, "bad-parameter", [{"file": "<request>", "line": 0, "col": 0, "code": "bad-change",
                                              "path": "changes",
                                              "message": '{"changes": [{"field": ..., "to": ...}], "author": ...}'}])
    return [{"field": c["field"], "to": c["to"]} for c in data["changes"]], author


@router.post("/{sid}/changes", openapi_extra=CHANGES_BODY,
             responses={200: JSON_OBJECT, **problems(400, 404, 409, 413, 415, 422, 502, 503, 507)})
async def change(request: Request, sid: str = SessionId, lang: Lang = "vi", fixes: bool = True,
                 html: bool = False) -> Response:
    """Apply changes (the ``field``/``to`` form of a fix's changes): the findings added, removed and
    changed, and the new report.  The change is stored before the answer is sent."""
    state = services(request)
    data = await read_json(request)
    changes, author = _changes(data)
    author = author or request.headers.get("x-ag18-user", "")[:200] or "anonymous"
    stored = _stored(request, sid)
    answer = await state.run(_task("session_apply", stored, lang, changes=changes, fixes=fixes, html=html))
    try:
        version = state.store.append(stored, changes, author)
    except Stale:
        raise Refused(409, "session-conflict") from None
    except SessionFull as full:
        raise Refused(507, "session-full", detail=str(full)) from None
    return _answer(sid, version, answer)


@router.post("/{sid}/undo", responses={200: JSON_OBJECT, **problems(404, 409, 422, 502, 503)})
async def undo(request: Request, sid: str = SessionId, lang: Lang = "vi", fixes: bool = True,
               html: bool = False) -> Response:
    """Undo the last change in force (it stays in the history, marked undone); the new report."""
    state = services(request)
    stored = _stored(request, sid)
    if not stored.changes:
        raise Refused(409, "nothing-to-undo")
    try:
        state.store.undo(stored)
    except Stale:
        raise Refused(409, "session-conflict") from None
    stored = _stored(request, sid)
    answer = await state.run(_task("session_state", stored, lang, fixes=fixes, html=html))
    return _answer(sid, stored.version, answer)


@router.get("/{sid}/plan", responses={200: {"description": "The plan as a file", "content": {
    "application/yaml": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}}}}, **problems(404, 406, 422, 502, 503)})
async def plan(request: Request, sid: str = SessionId, format: PlanFormat = "yaml", lang: Lang = "vi") -> Response:
    """The session's plan with every change in force, as a file to download (Excel headers in ``lang``)."""
    stored = _stored(request, sid)
    answer = await services(request).run(_task("session_plan", stored, lang, format=format))
    name = f"{stored.plan['plan']['id']}.{_EXT[format]}".replace('"', "")
    return Response(answer["body"], media_type=answer["media"],
                    headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}"'})


@router.get("/{sid}/report", responses={**report_responses(), 404: problems(404)[404]})
async def report(request: Request, sid: str = SessionId, lang: Lang = "vi", format: Format = "json") -> Response:
    """The session's report as a file: JSON (as ``ag18 check``), HTML or SARIF."""
    stored = _stored(request, sid)
    answer = await services(request).run(_task("session_report", stored, lang, format=format))
    ext = {"json": "json", "html": "html", "sarif": "sarif"}[format]
    name = _ascii(f"{stored.plan['plan']['id']}-report.{ext}")
    return Response(answer["text"], media_type=answer["media"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


@router.delete("/{sid}", status_code=204, responses={204: {"description": "Deleted"}, **problems(404, 422)})
async def delete(request: Request, sid: str = SessionId) -> Response:
    if not services(request).store.delete(sid):
        raise Refused(404, "session-not-found", detail=sid)
    return Response(status_code=204)
