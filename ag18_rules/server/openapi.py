"""Pieces of the OpenAPI document the routes cannot say through their signatures: bodies that are
plans in several media types, and the problem responses."""
from __future__ import annotations

from .problems import PROBLEM
from .tasks import XLSX

_PLAN_SCHEMA = {"$ref": "#/components/schemas/Plan"}
_PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}

PLAN_BODY = {"requestBody": {"required": True, "description": "A plan (format ag18-plan/1): JSON, YAML or an Excel workbook",
                             "content": {"application/json": {"schema": _PLAN_SCHEMA},
                                         "application/yaml": {"schema": {"type": "string"}},
                                         XLSX: {"schema": {"type": "string", "format": "binary"}}}}}

DIFF_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["old", "new"],
    "properties": {"old": {"oneOf": [_PLAN_SCHEMA, {"type": "string", "description": "YAML text"}]},
                   "new": {"oneOf": [_PLAN_SCHEMA, {"type": "string", "description": "YAML text"}]}}}}}}}

JSON_OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "OK"}

_DESCRIPTIONS = {400: "The body is not YAML or JSON", 404: "Not found", 406: "The report format is not available",
                 409: "The session changed meanwhile", 413: "The body is too large",
                 415: "Unsupported media type", 422: "Invalid plan, change or parameter",
                 502: "The evaluation process or backend failed", 503: "Deadline passed or server busy",
                 507: "Limit of sessions or changes reached"}


def problems(*statuses: int) -> dict:
    return {s: {"description": _DESCRIPTIONS[s], "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}
            for s in statuses}


def report_responses() -> dict:
    ok = {"description": "The report", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
        "text/html": {"schema": {"type": "string"}},
        "application/sarif+json": {"schema": {"type": "object"}}}}
    return {200: ok, **problems(400, 406, 413, 415, 422, 502, 503)}


PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}, "code": {"type": "string"},
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"file": {"type": "string"}, "sheet": {"type": "string"}, "line": {"type": "integer"},
                           "col": {"type": "integer"}, "code": {"type": "string"},
                           "path": {"type": "string"}, "message": {"type": "string"}}}}}}

REPORT_SCHEMA = {"type": "object", "required": ["format", "plan", "as_of", "verdict", "summary", "findings"],
                 "properties": {"format": {"const": "ag18-report/1"}, "verdict": {"enum": ["pass", "fail"]},
                                "findings": {"type": "array"}, "summary": {"type": "object"}}}


def _lifted(name: str) -> tuple[dict, dict]:
    """A shipped JSON Schema as a component, and its ``$defs`` to lift beside it."""
    from ..schema import load_schema

    schema = dict(load_schema(name))
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema, defs


def _add(schemas: dict, component: str, name: str) -> bool:
    """Add the shipped schema ``name`` as ``component`` (False when this installation lacks it)."""
    try:
        schema, defs = _lifted(name)
    except (FileNotFoundError, OSError):
        return False
    prefix = f"#/components/schemas/{component}_"
    schemas[component] = _relink(schema, prefix)
    for key, sub in defs.items():
        schemas[f"{component}_{key}"] = _relink(sub, prefix)
    return True


def _relink(node, prefix: str):
    """``#/$defs/x`` references rewritten to the lifted component ``<prefix>x``."""
    if isinstance(node, dict):
        return {k: (prefix + v.split("/")[-1] if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                    else _relink(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_relink(v, prefix) for v in node]
    return node


_SESSION_LINKS = {
    name: {"operationId": op, "parameters": {"sid": "$response.body#/id"}}
    for name, op in (("read", "session_read"), ("change", "session_change"), ("undo", "session_undo"),
                     ("plan", "session_plan"), ("report", "session_report"), ("delete", "session_delete"))}


def _example(policy) -> str | None:
    """A small plan of the policy's own examples, so generated tests also send a valid plan."""
    path = policy.directory / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
    return path.read_text("utf-8") if path.is_file() else None


def _decorate(doc: dict, policy) -> None:
    created = doc["paths"]["/v1/sessions"]["post"]["responses"]["201"]
    created["links"] = _SESSION_LINKS
    example = _example(policy)
    if example:
        for path in ("/v1/evaluate", "/v1/validate", "/v1/sessions"):
            doc["paths"][path]["post"]["requestBody"]["content"]["application/yaml"]["example"] = example


def install(app, policy) -> None:
    """Generate the document once, with the shared schemas added as components."""
    from fastapi.openapi.utils import get_openapi

    def build() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                          summary=app.summary, routes=app.routes,
                          description="Reorganisation plans checked against programme 19-CTr/TU. "
                                      "Errors are RFC 9457 problem details.")
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        _add(schemas, "Plan", "plan")
        schemas["Problem"] = PROBLEM_SCHEMA
        if not _add(schemas, "Report", "report"):
            schemas["Report"] = REPORT_SCHEMA
        _decorate(doc, policy)
        app.openapi_schema = doc
        return doc

    app.openapi = build
