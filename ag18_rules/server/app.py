"""The ASGI application: the HTTP API under ``/v1`` and the workbench at ``/``.

FastAPI (on Starlette) was chosen over bare Starlette because it generates the OpenAPI 3.1
document from the routes themselves, so ``/openapi.json`` cannot drift from what the server does
and schemathesis can test the server against it.  The application never evaluates in its own
process: plans go to the supervised processes of :mod:`.pool`, under a deadline.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from typing import Literal, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from . import openapi
from .middleware import AccessLog, BodyTooLarge, LimitBody
from .pool import EvaluationPool, Overloaded, TaskTimeout, WorkerCrashed
from .problems import problem_response
from .settings import Settings, default_store
from .store import Store
from .tasks import PLAN_TYPES

Lang = Literal["vi", "en"]
Backend = Literal["python", "durable"]
Format = Literal["json", "html", "sarif"]
ACCEPTS = {"application/json": "json", "text/html": "html", "application/sarif+json": "sarif"}


class Refused(Exception):
    """A request answered with a problem; raised anywhere below a route."""

    def __init__(self, status: int, code: str, diagnostics=(), detail: str = ""):
        super().__init__(code)
        self.status, self.code, self.diagnostics, self.detail = status, code, list(diagnostics), detail


def create_app(policy=None, settings: Optional[Settings] = None) -> FastAPI:
    """The server for ``policy`` (a loaded :class:`~ag18_rules.Policy`; default: the shipped one),
    ready to be served by uvicorn or mounted in another ASGI application."""
    from ..engine import Policy

    settings = settings or Settings()
    policy = policy if policy is not None else Policy.load()
    store_path = settings.store or default_store()
    os.makedirs(os.path.dirname(os.path.abspath(store_path)), exist_ok=True)
    state = Services(policy, settings, EvaluationPool(str(policy.directory), settings.processes, settings.deadline),
                     Store(store_path, settings.limits))

    app = FastAPI(title="ag18-rules", version=__version__, generate_unique_id_function=_operation_id,
                  summary="Reorganisation plans of An Giang checked against programme 19-CTr/TU",
                  docs_url=None, redoc_url=None, lifespan=state.lifespan)
    app.state.ag18 = state
    _errors(app)
    from . import routes, sessions, workbench

    app.include_router(routes.router)
    app.include_router(sessions.router)
    app.include_router(workbench.router)
    openapi.install(app, policy)
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["*"])
    app.add_middleware(LimitBody, limit=settings.body_limit)
    app.add_middleware(AccessLog)
    return app


def _operation_id(route) -> str:
    """Operation ids by function name (``evaluate``, ``session_change``): stable for client generators."""
    return ("session_" if route.path.startswith("/v1/sessions") else "") + route.name


class Services:
    """What the routes share: the policy (for its rules), the evaluation pool and the session store."""

    def __init__(self, policy, settings: Settings, pool: EvaluationPool, store: Store):
        self.policy, self.settings, self.pool, self.store = policy, settings, pool, store
        self.cache: dict = {}

    async def lifespan(self, app):
        import anyio

        await anyio.to_thread.run_sync(self.pool.start)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(self.pool.close)

    async def run(self, task: dict) -> dict:
        """The answer of an evaluation process to ``task``; a problem becomes :class:`Refused`."""
        import anyio

        try:
            answer = await anyio.to_thread.run_sync(self.pool.run, task)
        except TaskTimeout:
            raise Refused(503, "timeout", detail=f"deadline {self.settings.deadline:g} s") from None
        except Overloaded:
            raise Refused(503, "overloaded") from None
        except WorkerCrashed:
            raise Refused(502, "worker-crashed") from None
        if "problem" in answer:
            p = answer["problem"]
            raise Refused(p["status"], p["code"], p["diagnostics"], p.get("detail", ""))
        return answer["ok"]


def services(request: Request) -> Services:
    return request.app.state.ag18


def request_lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def plan_media(request: Request) -> str:
    """The plan type the Content-Type names (parameters such as charset ignored), or 415."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in PLAN_TYPES:
        raise Refused(415, "unsupported-media-type", detail=", ".join(sorted(set(PLAN_TYPES))))
    return media


async def read_body(request: Request) -> bytes:
    """The body, read in chunks; past the limit the rest is not read (see :class:`LimitBody`)."""
    limit = services(request).settings.body_limit
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request):
    """A JSON body (``application/json`` only): 415 for another type, 400 when it does not parse."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refused(415, "unsupported-media-type", detail="application/json")
    try:
        return json.loads(await read_body(request))
    except (ValueError, RecursionError):
        raise Refused(400, "malformed") from None


def iso(day: Optional[dt.date]) -> Optional[str]:
    return day.isoformat() if day else None


def _errors(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        return problem_response(exc.status, exc.code, request_lang(request), detail=exc.detail,
                                diagnostics=exc.diagnostics, instance=request.url.path)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge):
        response = problem_response(413, "too-large", request_lang(request))
        response.headers["Connection"] = "close"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        lang = request_lang(request)
        diagnostics = [{"file": "<request>", "line": 0, "col": 0, "code": "bad-parameter",
                        "path": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
                       for e in exc.errors()]
        return problem_response(422, "bad-parameter", lang, diagnostics=diagnostics)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "internal")
        return problem_response(exc.status_code, code, request_lang(request))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        return problem_response(500, "internal", request_lang(request))
