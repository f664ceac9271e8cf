"""Errors as RFC 9457 problem details (``application/problem+json``), in the request's language.

A problem carries the same diagnostics the command line prints (code, message, file, line, col,
path); it never carries a stack trace.
"""
from __future__ import annotations

import json
from typing import Optional

from ..errors import Text

PROBLEM = "application/problem+json"

TITLES = {
    "malformed": Text("Nội dung gửi lên không phải YAML hoặc JSON hợp lệ", "The body is not valid YAML or JSON"),
    "invalid-input": Text("Đề án không hợp lệ", "The plan is invalid"),
    "bad-parameter": Text("Tham số yêu cầu không hợp lệ", "A request parameter is invalid"),
    "too-large": Text("Nội dung gửi lên quá lớn", "The body is too large"),
    "unsupported-media-type": Text("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
    "xlsx-unsupported": Text("Máy chủ này chưa đọc được tệp Excel", "This server cannot read Excel files yet"),
    "format-unavailable": Text("Định dạng báo cáo này chưa có", "This report format is not available"),
    "not-acceptable": Text("Không có định dạng phù hợp với Accept", "No format matches the Accept header"),
    "timeout": Text("Đánh giá vượt quá thời gian cho phép", "The evaluation took longer than allowed"),
    "overloaded": Text("Máy chủ đang bận, hãy thử lại sau", "The server is busy; try again later"),
    "worker-crashed": Text("Tiến trình đánh giá bị dừng đột ngột; hãy thử lại",
                           "The evaluation process stopped abruptly; try again"),
    "backend-failed": Text("Bộ máy đánh giá gặp lỗi; hãy thử lại", "The evaluation backend failed; try again"),
    "not-found": Text("Không tìm thấy", "Not found"),
    "method-not-allowed": Text("Phương thức không được phép", "Method not allowed"),
    "session-not-found": Text("Không tìm thấy phiên làm việc (có thể đã hết hạn)",
                              "Session not found (it may have expired)"),
    "session-conflict": Text("Phiên làm việc vừa được thay đổi bởi yêu cầu khác; hãy tải lại",
                             "The session was changed by another request; reload it"),
    "session-full": Text("Đã đạt giới hạn số phiên hoặc số thay đổi", "The limit of sessions or changes is reached"),
    "nothing-to-undo": Text("Không còn thay đổi nào để hoàn tác", "There is no change to undo"),
    "too-deep": Text("Nội dung lồng nhau quá sâu", "The input is nested too deeply"),
    "bad-format": Text("Định dạng không hợp lệ", "Unknown format"),
    "internal": Text("Lỗi nội bộ của máy chủ", "Internal server error"),
}


def problem_body(status: int, code: str, lang: str = "vi", *, detail: str = "", diagnostics=(),
                 instance: Optional[str] = None) -> bytes:
    title = TITLES.get(code, TITLES["internal"])(lang)
    body = {"type": f"/problems/{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body["diagnostics"] = list(diagnostics)
    return json.dumps(body, ensure_ascii=False).encode()


def problem_response(status: int, code: str, lang: str = "vi", **kwargs):
    from starlette.responses import Response

    headers = {"Retry-After": "1"} if status in (502, 503) else None
    return Response(problem_body(status, code, lang, **kwargs), status_code=status, media_type=PROBLEM,
                    headers=headers)
