"""``create_app(policy)`` mounted inside another ASGI application, as an application would host it."""
from __future__ import annotations

import asyncio

import httpx
import pytest

pytest.importorskip("fastapi")
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402

from serving import EXAMPLES, ag18  # noqa: E402


def test_mounted_under_a_prefix_it_evaluates_and_its_pages_link_under_the_prefix(tmp_path):
    from ag18_rules import load_policy
    from ag18_rules.server import create_app
    from ag18_rules.server.settings import Settings

    inner = create_app(load_policy(), Settings(store=str(tmp_path / "s.sqlite3")))
    host = Starlette(routes=[Route("/", lambda r: PlainTextResponse("host")), Mount("/ag18", app=inner)])

    async def calls():
        transport = httpx.ASGITransport(app=host)
        async with httpx.AsyncClient(transport=transport, base_url="http://host.test", timeout=120) as client:
            plan = (EXAMPLES / "sonv-offices-2021.yaml").read_bytes()
            report = await client.post("/ag18/v1/evaluate", content=plan, headers={"Content-Type": "application/yaml"})
            page = await client.get("/ag18/")
            script = await client.get("/ag18/static/workbench.js")
            rule = await client.get("/ag18/rules/deputy-cap")
            return report, page, script, rule

    try:
        report, page, script, rule = asyncio.run(calls())
    finally:
        inner.state.ag18.pool.close()
    assert report.status_code == 200
    assert report.content == ag18("check", str(EXAMPLES / "sonv-offices-2021.yaml"), "--format", "json").stdout
    assert 'data-base="/ag18"' in page.text and 'src="/ag18/static/workbench.js"' in page.text
    assert script.status_code == 200 and "root + url" in script.text
    assert rule.status_code == 200 and 'href="/ag18/rules?lang=vi"' in rule.text
