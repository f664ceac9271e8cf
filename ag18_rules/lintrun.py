"""``ag18 lint`` against the folder's baseline: only new problems fail (see :mod:`.lintbaseline`)."""
from __future__ import annotations

import json
from pathlib import Path

from .errors import Text

__all__ = ["finish_lint"]

TEXTS = {
    "written": Text("Đã ghi {count} vấn đề vào {path}; từ nay chỉ vấn đề mới làm lệnh lint thất bại.",
                    "Wrote {count} problems to {path}; from now on only new problems make lint fail."),
    "known": Text("{known} vấn đề đã có trong tệp nền {path}, {ignored} vấn đề thuộc mã được bỏ qua có lý do; "
                  "chúng không làm lệnh thất bại (xem tất cả: --no-baseline).",
                  "{known} problems are already in the baseline {path} and {ignored} have a code ignored with a "
                  "reason; they do not fail (see them all: --no-baseline)."),
    "new": Text("{count} vấn đề mới (không có trong tệp nền); sửa chúng, hoặc chấp nhận bằng --write-baseline.",
                "{count} new problems (not in the baseline); fix them, or accept them with --write-baseline."),
}


def finish_lint(args, report, err, emit) -> int:
    """Write or apply the folder's baseline to ``report``, ``emit`` the result, return the exit code."""
    from .lint import LintReport
    from .lintbaseline import BASELINE, load_baseline, write_baseline

    root = Path(args.policy)
    lang = args.lang
    if args.write_baseline:
        path = write_baseline(root, report.diagnostics)
        err.write(TEXTS["written"](lang).format(count=len(report.diagnostics), path=path) + "\n")
        return 0
    baseline = None if args.no_baseline else load_baseline(root)
    new, known, ignored = (list(report.diagnostics), [], []) if baseline is None else baseline.split(root, report.diagnostics)
    shown = LintReport(tuple(new), report.plans, report.skipped)
    if args.format == "json":
        data = dict(shown.to_dict(lang), baseline={"known": len(known), "ignored": len(ignored)} if baseline else None)
        emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 1 if new else 0
    text = shown.render(lang)
    if baseline is not None:
        text += TEXTS["known"](lang).format(known=len(known), ignored=len(ignored), path=root / BASELINE) + "\n"
        if new:
            text += TEXTS["new"](lang).format(count=len(new)) + "\n"
    emit(text)
    return 1 if new else 0
