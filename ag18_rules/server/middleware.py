"""ASGI middleware of the server: bounded request bodies and a JSON-lines access log."""
from __future__ import annotations

import json
import logging
import time

from .problems import PROBLEM, problem_body

access_log = logging.getLogger("ag18.access")


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""


def _lang(scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return "en" if "lang=en" in query else "vi"


class LimitBody:
    """Refuse a body past ``limit`` bytes: at once when its Content-Length says so (nothing is
    read), else as soon as the bytes received pass it (the rest is never read)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await _refuse(send, _lang(scope), self.limit)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)


async def _refuse(send, lang: str, limit: int) -> None:
    body = problem_body(413, "too-large", lang, detail=f"limit {limit} bytes")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One JSON object per request on the ``ag18.access`` logger: time, client, method, path,
    status, bytes sent and duration.  The query string is left out (it may name a person)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        record = {"status": 0, "bytes": 0}

        async def sending(message):
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
            elif message["type"] == "http.response.body":
                record["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("", 0)
            access_log.info(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "client": client[0], "method": scope["method"], "path": scope["path"],
                "status": record["status"], "bytes": record["bytes"],
                "ms": round((time.perf_counter() - start) * 1000, 1)}, ensure_ascii=False))
