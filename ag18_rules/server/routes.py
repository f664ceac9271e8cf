"""The stateless API: evaluate, validate, diff, and what the policy says (rules, coverage, schemas)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Literal, Optional

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from .app import ACCEPTS, Backend, Format, Lang, Refused, iso, plan_media, read_body, read_json, services
from .openapi import DIFF_BODY, JSON_OBJECT, PLAN_BODY, problems, report_responses

router = APIRouter()
Schema = Literal["plan", "rule", "policy", "tests", "report", "diagnostics"]


@router.get("/healthz", tags=["server"], responses={200: JSON_OBJECT})
async def healthz() -> Response:
    return JSONResponse({"status": "ok"})


@router.get("/version", tags=["server"], responses={200: JSON_OBJECT})
async def version(request: Request) -> Response:
    policy = services(request).policy
    return JSONResponse({"ag18_rules": __version__, "policy": {"id": policy.id, "version": policy.version}})


def _format(request: Request, asked: Optional[str]) -> str:
    """``format=`` when given, else the first type of ``Accept`` the server writes, else JSON."""
    if asked:
        return asked
    for part in request.headers.get("accept", "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in ACCEPTS:
            return ACCEPTS[media]
    return "json"


@router.post("/v1/evaluate", tags=["plans"], openapi_extra=PLAN_BODY, responses=report_responses())
async def evaluate(request: Request, as_of: Optional[dt.date] = None, lang: Lang = "vi", fixes: bool = True,
                   origin: bool = True, explain: bool = False, backend: Backend = "python",
                   format: Optional[Format] = None) -> Response:
    """The report of a plan, byte for byte what ``ag18 check --format json`` prints for it (JSON), or
    the HTML or SARIF report (``format=`` or ``Accept``).  The plan is the body: JSON, YAML or XLSX."""
    media = plan_media(request)
    body = await read_body(request)
    answer = await services(request).run({
        "op": "evaluate", "body": body, "media": media, "as_of": iso(as_of), "lang": lang, "fixes": fixes,
        "origin": origin, "explain": explain, "backend": backend, "format": _format(request, format)})
    return Response(answer["text"], media_type=answer["media"])


@router.post("/v1/validate", tags=["plans"], openapi_extra=PLAN_BODY,
             responses={200: JSON_OBJECT, **problems(400, 413, 415, 422)})
async def validate(request: Request, lang: Lang = "vi") -> Response:
    """Whether the plan is valid, without evaluating it; its diagnostics (422) when it is not."""
    media = plan_media(request)
    answer = await services(request).run({"op": "validate", "body": await read_body(request),
                                          "media": media, "lang": lang})
    return Response(answer["text"], media_type=answer["media"])


def _side(data, name: str) -> tuple[bytes, str]:
    """One plan of a diff: a JSON object, or YAML text in a string."""
    if isinstance(data, dict):
        return json.dumps(data, ensure_ascii=False).encode(), "application/json"
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass"), "application/yaml"
    raise Refused(422, "bad-parameter", [{"file": "<request>", "line": 0, "col": 0, "code": "bad-parameter",
                                          "path": name, "message": "a plan object or YAML text"}])


@router.post("/v1/diff", tags=["plans"], openapi_extra=DIFF_BODY,
             responses={200: JSON_OBJECT, **problems(400, 413, 415, 422, 502, 503)})
async def diff(request: Request, as_of: Optional[dt.date] = None, lang: Lang = "vi",
               backend: Backend = "python") -> Response:
    """The findings that appear, disappear or change between two versions of a plan
    (``ag18 diff --format json``).  The body is ``{"old": plan, "new": plan}``."""
    data = await read_json(request)
    if not isinstance(data, dict) or "old" not in data or "new" not in data:
        raise Refused(422, "bad-parameter", [{"file": "<request>", "line": 0, "col": 0, "code": "bad-parameter",
                                              "path": "", "message": '{"old": ..., "new": ...}'}])
    (old, old_media), (new, new_media) = _side(data["old"], "old"), _side(data["new"], "new")
    answer = await services(request).run({"op": "diff", "old": old, "old_media": old_media, "new": new,
                                          "new_media": new_media, "as_of": iso(as_of), "lang": lang,
                                          "backend": backend})
    return Response(answer["text"], media_type=answer["media"])


@router.get("/v1/rules", tags=["policy"], responses={200: JSON_OBJECT, **problems(422)})
async def rules(request: Request, lang: Lang = "vi") -> Response:
    from .catalogue import rules as listing

    return JSONResponse(listing(services(request).policy, lang))


@router.get("/v1/rules/{rule_id}", tags=["policy"], responses={200: JSON_OBJECT, **problems(404, 422)})
async def rule(request: Request, rule_id: str, lang: Lang = "vi") -> Response:
    """A rule: its text, clause and quote, and its parameters by date with their references."""
    from .catalogue import rule_detail

    detail = rule_detail(services(request).policy, rule_id, lang)
    if detail is None:
        raise Refused(404, "not-found", detail=rule_id)
    return JSONResponse(detail)


@router.get("/v1/coverage", tags=["policy"], responses={200: JSON_OBJECT, **problems(422)})
async def coverage(request: Request, lang: Lang = "vi") -> Response:
    """Every clause of the programme and the rules that check it (``ag18 coverage --format json``)."""
    from ..describe import coverage as table

    state = services(request)
    key = ("coverage", lang)
    if key not in state.cache:  # the policy of a running server does not change
        state.cache[key] = table(str(state.policy.directory)).to_dict(lang)
    return JSONResponse(state.cache[key])


@router.get("/v1/schemas/{name}", tags=["policy"], responses={200: JSON_OBJECT, **problems(404, 422)})
async def schema(name: Schema) -> Response:
    """The JSON Schema of an input (plan, rule file, parameter file, rule tests) or of an output
    (the JSON report, the diagnostics)."""
    from ..schema import load_schema

    try:
        return JSONResponse(load_schema(name))
    except (FileNotFoundError, OSError):
        raise Refused(404, "not-found", detail=name) from None
