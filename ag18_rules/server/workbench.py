"""The workbench: pages for officers, served by the same application as the API.

Pages are rendered here with every value escaped; the page script (``static/workbench.js``) calls
the session API and builds the findings with ``textContent`` only.  No build step, no external
asset: the styles and the script are package data served under ``/static``.
"""
from __future__ import annotations

import html
import json
from importlib import resources

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from .app import Refused, request_lang, services

router = APIRouter(include_in_schema=False)
_STATIC = {"workbench.js": "text/javascript; charset=utf-8", "workbench.css": "text/css; charset=utf-8"}
_REPORT_STATIC = {"report.css": "text/css; charset=utf-8"}  # the HTML report's own styles (formats package)
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'"

WORDS = {
    "title": ("Bàn làm việc kiểm tra đề án", "Plan-checking workbench"),
    "intro": ("Kéo thả đề án (YAML, JSON hoặc Excel) vào đây, hoặc chọn tệp. Máy chủ kiểm tra đề án theo "
              "Chương trình 19-CTr/TU; mỗi gợi ý khắc phục có nút Áp dụng.",
              "Drop a plan (YAML, JSON or Excel) here, or choose a file. The server checks it against "
              "programme 19-CTr/TU; each suggested change has an Apply button."),
    "choose": ("Chọn tệp đề án", "Choose a plan file"),
    "template": ("Tải mẫu Excel", "Download the Excel template"),
    "undo": ("Hoàn tác thay đổi cuối", "Undo the last change"),
    "download_yaml": ("Tải đề án đã sửa (YAML)", "Download the corrected plan (YAML)"),
    "download_xlsx": ("Tải đề án đã sửa (Excel)", "Download the corrected plan (Excel)"),
    "download_report": ("Tải báo cáo (HTML)", "Download the report (HTML)"),
    "rules": ("Các quy tắc", "The rules"),
    "other_lang": ("English", "Tiếng Việt"),
}


def _w(key: str, lang: str) -> str:
    vi, en = WORDS[key]
    return html.escape(en if lang == "en" else vi)


def _base(request: Request) -> str:
    """Where the application is mounted ("" at the root): every link of a page starts with it."""
    return html.escape(request.scope.get("root_path", "").rstrip("/"))


def _page(request: Request, lang: str, title: str, body: str) -> HTMLResponse:
    b = _base(request)
    page = (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="icon" href="data:,">{_report_css(b)}'
            f'<link rel="stylesheet" href="{b}/static/workbench.css"></head>'
            f'<body>{body}</body></html>\n')
    return HTMLResponse(page, headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"})


def _report_css(b: str) -> str:
    from .formats_bridge import static

    return f'<link rel="stylesheet" href="{b}/static/report.css">' if static("report.css") else ""


def _lang_switch(request: Request, lang: str) -> str:
    other = "vi" if lang == "en" else "en"
    return f'<a class="lang" href="?lang={other}">{_w("other_lang", lang)}</a>'


@router.get("/")
async def home(request: Request) -> Response:
    lang, b = request_lang(request), _base(request)
    words = json.dumps({k: (v[1] if lang == "en" else v[0]) for k, v in _SCRIPT_WORDS.items()}, ensure_ascii=False)
    body = f"""
<header><h1>{_w("title", lang)}</h1>{_lang_switch(request, lang)} <a href="{b}/rules?lang={lang}">{_w("rules", lang)}</a></header>
<main data-lang="{lang}" data-base="{b}" data-words="{html.escape(words)}">
  <section id="drop" class="drop" tabindex="0">
    <p>{_w("intro", lang)}</p>
    <label class="button">{_w("choose", lang)}<input id="file" type="file" accept=".yaml,.yml,.json,.xlsx" hidden></label>
    <a id="template" class="button secondary" href="{b}/template.xlsx?lang={lang}" download>{_w("template", lang)}</a>
  </section>
  <section id="problems" hidden></section>
  <section id="session" hidden>
    <div id="verdict" role="status"></div>
    <div id="summary"></div>
    <div id="note" role="status"></div>
    <nav class="actions">
      <button id="undo" type="button">{_w("undo", lang)}</button>
      <a id="download-yaml" class="button secondary" download>{_w("download_yaml", lang)}</a>
      <a id="download-xlsx" class="button secondary" download>{_w("download_xlsx", lang)}</a>
      <a id="download-report" class="button secondary" download>{_w("download_report", lang)}</a>
    </nav>
    <div id="report" class="report"></div>
    <ol id="findings"></ol>
  </section>
</main>
<script src="{b}/static/workbench.js"></script>"""
    return _page(request, lang, WORDS["title"][1 if lang == "en" else 0], body)


_SCRIPT_WORDS = {
    "pass": ("ĐẠT: không còn lỗi chưa miễn trừ", "PASS: no unwaived error"),
    "fail": ("KHÔNG ĐẠT: còn lỗi", "FAIL: errors remain"),
    "apply": ("Áp dụng", "Apply"),
    "applied": ("Đã áp dụng; vi phạm mất đi: {removed}, mới: {added}, thay đổi: {changed}",
                "Applied; findings removed: {removed}, added: {added}, changed: {changed}"),
    "undone": ("Đã hoàn tác thay đổi cuối.", "The last change was undone."),
    "summary": ("Lỗi: {error} · Cảnh báo: {warning} · Thông tin: {info} · Miễn trừ: {waived}",
                "Errors: {error} · Warnings: {warning} · Info: {info} · Waived: {waived}"),
    "none": ("Không có vi phạm nào.", "No findings."),
    "fix": ("Cách khắc phục", "Suggested change"),
    "error": ("lỗi", "error"), "warning": ("cảnh báo", "warning"), "info": ("thông tin", "info"),
    "failed": ("Không thực hiện được", "Could not be done"),
}


@router.get("/rules")
async def rules_page(request: Request) -> Response:
    lang, b = request_lang(request), _base(request)
    policy = services(request).policy
    items = "".join(f'<li><a href="{b}/rules/{html.escape(r.id)}?lang={lang}">{html.escape(r.id)}</a> '
                    f'<span class="sev {html.escape(r.spec.severity)}">{html.escape(r.spec.severity)}</span> '
                    f'{html.escape(r.spec.title(lang))}</li>' for r in policy.rules)
    body = (f'<header><h1><a href="{b}/?lang={lang}">⌂</a> {_w("rules", lang)}</h1>{_lang_switch(request, lang)}</header>'
            f'<main><ul class="rules">{items}</ul></main>')
    return _page(request, lang, WORDS["rules"][1 if lang == "en" else 0], body)


@router.get("/rules/{rule_id}")
async def rule_page(request: Request, rule_id: str) -> Response:
    from .catalogue import rule_detail
    from .rulepage import render_rule

    lang, b = request_lang(request), _base(request)
    detail = rule_detail(services(request).policy, rule_id, lang)
    if detail is None:
        raise Refused(404, "not-found", detail=rule_id)
    return _page(request, lang, f'{detail["id"]}: {detail["title"]}',
                 f'<header><h1><a href="{b}/rules?lang={lang}">{_w("rules", lang)}</a></h1>'
                 f'{_lang_switch(request, lang)}</header>' + render_rule(detail, lang))


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name in _REPORT_STATIC:
        from .formats_bridge import static as report_static

        data = report_static(name)
        if data is None:
            raise Refused(404, "not-found")
        return Response(data, media_type=_REPORT_STATIC[name], headers={"Cache-Control": "no-cache"})
    if name not in _STATIC:  # a fixed list: no path from the request reaches the file system
        raise Refused(404, "not-found")
    data = resources.files("ag18_rules.server").joinpath("static", name).read_bytes()
    return Response(data, media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})


@router.get("/template.xlsx")
async def template(request: Request) -> Response:
    from . import formats_bridge

    lang = request_lang(request)
    data = formats_bridge.template_xlsx(lang)
    if data is None:
        raise Refused(404, "format-unavailable")
    return Response(data, media_type=formats_bridge.XLSX,
                    headers={"Content-Disposition": 'attachment; filename="ag18-plan-template.xlsx"'})
