"""Which policy a command uses: the folder being edited, found from the current directory upward.

An officer runs ``ag18 validate`` or ``ag18 test`` inside their copy of the policy; the folder they
edit must be the one checked, not the copy installed with the library.  The policy is, in order:

1. the folder given with ``--policy DIR``;
2. the nearest folder, from the current directory upward, that holds ``policy/`` and ``rules/``,
   or an ``ag18.toml`` whose ``policy = "DIR"`` names one (relative to the toml file);
3. the policy shipped with the library.

Every command says which one it uses in its first line (:meth:`Found.announce`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from .errors import Diagnostic, InputError, Span, Text

__all__ = ["CONFIG", "Found", "find_policy", "is_policy_dir", "rule_folder"]

CONFIG = "ag18.toml"
_MAX_CONFIG_BYTES = 64 * 1024


def is_policy_dir(path: Path) -> bool:
    """A folder holding ``policy/`` and ``rules/``."""
    return (path / "policy").is_dir() and (path / "rules").is_dir()


@dataclass(frozen=True)
class Found:
    """The policy folder a command uses, and how it was chosen (``option``, ``folder``,
    ``config``, ``shipped``)."""

    directory: Path
    how: str
    config: Optional[Path] = None

    def announce(self, lang: str = "vi") -> str:
        """The first line of a command's output: which policy it uses and why."""
        where = str(self.directory)
        texts = {
            "option": Text(f"Chính sách: {where} (theo --policy)", f"Policy: {where} (from --policy)"),
            "argument": Text(f"Chính sách: {where} (theo đường dẫn đã cho)", f"Policy: {where} (from the path given)"),
            "folder": Text(f"Chính sách: {where} (thư mục đang làm việc)", f"Policy: {where} (the folder you are in)"),
            "config": Text(f"Chính sách: {where} (theo {self.config})", f"Policy: {where} (from {self.config})"),
            "shipped": Text(f"Chính sách: AG18 kèm theo thư viện ({where}); không tìm thấy thư mục chính sách "
                            "nào từ thư mục hiện tại trở lên",
                            f"Policy: the AG18 policy shipped with the library ({where}); no policy folder "
                            "was found from the current directory upward"),
        }
        return texts[self.how](lang)


def find_policy(explicit: Union[str, os.PathLike, None] = None, start: Union[str, os.PathLike, None] = None) -> Found:
    """The policy to use: ``explicit`` if given, else the nearest one above ``start`` (default: the
    current directory), else the shipped one.  A given folder that is not a policy is an InputError."""
    if explicit is not None:
        path = Path(explicit)
        if not is_policy_dir(path):
            raise InputError([Diagnostic("not-a-policy", Text(
                "Thư mục này không phải thư mục chính sách: cần có hai thư mục con policy/ và rules/",
                "This folder is not a policy folder: it needs the subfolders policy/ and rules/"), Span(str(path)))])
        return Found(path.resolve(), "option")
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here.resolve(), *here.resolve().parents):
        if is_policy_dir(folder):
            return Found(folder, "folder")
        config = folder / CONFIG
        if config.is_file():
            return Found(_from_config(config), "config", config)
    from .engine import shipped_policy_dir

    return Found(shipped_policy_dir().resolve(), "shipped")


_POLICY_LINE = re.compile(r"""^\s*policy\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(?:#.*)?$""")


def _from_config(config: Path) -> Path:
    """The folder that ``ag18.toml`` names with ``policy = "DIR"``."""
    try:
        text = config.read_bytes()[:_MAX_CONFIG_BYTES].decode("utf-8", errors="replace")
    except OSError as error:
        raise _config_error(config, 1, Text(f"Không đọc được tệp ({error.strerror})",
                                            f"The file cannot be read ({error.strerror})")) from None
    for number, line in enumerate(text.splitlines(), 1):
        match = _POLICY_LINE.match(line)
        if match:
            target = (config.parent / (match.group(1) or match.group(2) or ".")).resolve()
            if not is_policy_dir(target):
                raise _config_error(config, number, Text(
                    f"'{target}' không phải thư mục chính sách: cần có policy/ và rules/",
                    f"'{target}' is not a policy folder: it needs policy/ and rules/"))
            return target
    raise _config_error(config, 1, Text(
        'Thiếu dòng policy = "THƯ_MỤC" chỉ thư mục chính sách', 'Missing the line policy = "DIR" naming the policy folder'))


def _config_error(config: Path, line: int, message: Text) -> InputError:
    return InputError([Diagnostic("bad-config", message, Span(str(config), line, 1))])


def rule_folder(path: Union[str, os.PathLike]) -> Optional[tuple[Path, str]]:
    """(policy folder, rule id) when ``path`` is a rule's folder or a file in it, else None."""
    path = Path(path).resolve()
    for folder in (path, *path.parents):
        if folder.parent.name == "rules" and is_policy_dir(folder.parent.parent):
            return folder.parent.parent, folder.name
        if is_policy_dir(folder):
            return None
    return None


def test_targets(paths, explicit: Union[str, os.PathLike, None] = None) -> tuple[Found, Optional[tuple[str, ...]]]:
    """What ``ag18 test PATH...`` runs: (the policy, the rule ids to run or None for all).

    A PATH is a policy folder, a rule folder (``rules/<id>``) or a file inside one, or a bare
    rule id of the policy otherwise found."""
    roots, rules = [], []
    for raw in paths:
        path = Path(raw)
        inside = rule_folder(path) if path.exists() else None
        if path.is_dir() and is_policy_dir(path):
            roots.append(path.resolve())
        elif inside:
            roots.append(inside[0])
            rules.append(inside[1])
        elif path.exists():
            raise InputError([Diagnostic("not-a-policy", Text(
                "Đây không phải thư mục chính sách hay thư mục quy tắc rules/<mã>",
                "This is neither a policy folder nor a rule folder rules/<id>"), Span(str(raw)))])
        elif os.sep in str(raw) or "/" in str(raw):
            raise InputError([Diagnostic("file-not-found", Text(
                "Không tìm thấy thư mục này", "This folder does not exist"), Span(str(raw)))])
        else:
            rules.append(str(raw))
    if len(set(roots)) > 1:
        raise InputError([Diagnostic("several-policies", Text(
            f"Các đường dẫn thuộc nhiều thư mục chính sách khác nhau: {', '.join(sorted(map(str, set(roots))))}",
            f"The paths belong to different policy folders: {', '.join(sorted(map(str, set(roots))))}"),
            Span(str(paths[0])))])
    if roots and explicit is None:
        found = Found(roots[0], "argument")
    else:
        found = find_policy(explicit)
    return found, (tuple(dict.fromkeys(rules)) if rules else None)
