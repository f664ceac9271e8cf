"""The lint baseline of a policy folder: problems already known, and codes ignored with a reason.

``ag18 lint --write-baseline`` records every current problem in ``lint-baseline.yaml`` beside
``policy/`` and ``rules/``; from then on ``ag18 lint`` fails only on problems that are not in it,
so an officer's new problem is not buried under old ones.  A problem is recognised by its code,
its file (relative to the folder) and its English message, not by its line, so editing above it
does not make it new.  The ``ignore`` list silences a code everywhere (or in one file), and each
entry must say why::

    format: ag18-lint-baseline/1
    ignore:
      - {code: boundary-untested, reason: "dates before 2020 are not evaluated by officers"}
    problems:
      - {code: unused-parameter, file: policy/staff.yaml, message: "Parameter ... is read by no rule ..."}
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import Diagnostic, InputError, Text

__all__ = ["BASELINE", "Baseline", "load_baseline", "write_baseline"]

BASELINE = "lint-baseline.yaml"
FORMAT = "ag18-lint-baseline/1"


@dataclass(frozen=True)
class Baseline:
    """Known problems (code, file, English message) and ignored codes (code, file or None) -> reason."""

    known: frozenset
    ignored: tuple[tuple[str, Optional[str], str], ...] = ()

    def split(self, root: Path, found) -> tuple[list, list, list]:
        """(new problems, known ones, ignored ones) of ``found``."""
        new, known, ignored = [], [], []
        for d in found:
            key = _key(root, d)
            if any(code == d.code and (file is None or file == key[1]) for code, file, _ in self.ignored):
                ignored.append(d)
            elif key in self.known:
                known.append(d)
            else:
                new.append(d)
        return new, known, ignored


def _relative(root: Path, file: str) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(file), os.path.abspath(root))).as_posix()
    except ValueError:  # another drive
        return Path(file).as_posix()


def _key(root: Path, d: Diagnostic) -> tuple[str, str, str]:
    return d.code, _relative(root, d.span.file), d.message.en


def load_baseline(root: Path) -> Optional[Baseline]:
    """The baseline of the folder ``root``, or None when it has none; a malformed one is an InputError."""
    from . import schema
    from .source import load_file

    path = Path(root) / BASELINE
    if not path.is_file():
        return None
    doc = load_file(path)
    problems = schema.validate(doc, "lint-baseline")
    if problems:
        raise InputError(problems)
    data = doc.data
    known = frozenset((p["code"], p["file"], p["message"]) for p in data.get("problems") or ())
    ignored = []
    for i, entry in enumerate(data.get("ignore") or ()):
        if not str(entry.get("reason", "")).strip():
            raise InputError([doc.diagnostic("missing-reason", Text(
                f"Bỏ qua mã '{entry['code']}' cần nêu lý do (reason)",
                f"Ignoring the code '{entry['code']}' needs a reason"), ("ignore", i))])
        ignored.append((entry["code"], entry.get("file"), entry["reason"]))
    return Baseline(known, tuple(ignored))


def write_baseline(root: Path, found) -> Path:
    """Record every problem of ``found`` as known, keeping the folder's ``ignore`` list."""
    import yaml

    previous = load_baseline(root)
    ignore = [dict({"code": c, "reason": r}, **({"file": f} if f else {})) for c, f, r in previous.ignored] \
        if previous else []
    problems = sorted({_key(root, d) for d in found})
    data = {"format": FORMAT, "ignore": ignore,
            "problems": [{"code": c, "file": f, "message": m} for c, f, m in problems]}
    header = ("# Problems of `ag18 lint` already known in this policy folder: only new ones fail.\n"
              "# Vấn đề của `ag18 lint` đã biết trong thư mục chính sách này: chỉ vấn đề mới làm lệnh thất bại.\n"
              "# Written by `ag18 lint --write-baseline`; 'ignore' entries (code, reason, file) are kept.\n")
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path = Path(root) / BASELINE
    path.write_text(text, encoding="utf-8")
    return path

