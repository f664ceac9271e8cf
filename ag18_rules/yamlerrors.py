"""YAML mistakes told where the officer must look, in Vietnamese, with what to do.

libyaml reports where its scanner gave up, often a line after the slip and in its own words
(``could not find expected ':'`` at the start of the next line).  :func:`explain` reads the
error together with the text and names the slip officers actually make: a missing colon, a tab,
wrong indentation, an unclosed quote or bracket, a stray ``-``, a value that needs quotes.  It
returns a code, a position and a sentence in both languages; source.py turns them into the
diagnostic.  :func:`date_hint` and :func:`template_problem` serve the same purpose for a
``dd/mm/yyyy`` date and a message template with an unclosed ``{``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from .errors import Text

__all__ = ["Explained", "date_hint", "explain", "template_problem"]


@dataclass(frozen=True)
class Explained:
    """What went wrong: a code, a 1-based position and the sentence (``None`` leaves the default)."""

    code: str
    line: int
    col: int
    message: Text


_KEY = re.compile(r"\s*(?:-\s+)*([^\s:#\"'{}\[\],&*!|>%@`][^:#]*?)\s*$")
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)*)([^\s:#\"'{\[][^:#]*?):(\s*)(.*)$")
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)*)([A-Za-z_][\w.-]*):([^\s/:])")
_DATE_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")

_PROBLEMS_VI = {
    "found unexpected end of stream": "tệp kết thúc giữa chừng",
    "found character that cannot start any token": "gặp ký tự không thể mở đầu một giá trị",
    "did not find expected key": "không tìm thấy tên khóa ở chỗ cần có",
    "did not find expected node content": "không tìm thấy giá trị ở chỗ cần có",
    "could not find expected ':'": "không tìm thấy dấu hai chấm ':' sau tên khóa",
    "mapping values are not allowed in this context": "dấu hai chấm ':' không được phép ở đây",
    "did not find expected '-' indicator": "không tìm thấy dấu '-' của mục danh sách",
    "block sequence entries are not allowed in this context": "mục danh sách '-' không được phép ở đây",
    "found unknown escape character": "ký tự thoát (sau \\) không hợp lệ",
    "did not find expected comment or line break": "có chữ thừa ở cuối dòng",
    "found undefined tag handle": "thẻ YAML không xác định",
}


def _vi_problem(problem: str) -> str:
    for english, vietnamese in _PROBLEMS_VI.items():
        if problem.startswith(english):
            return vietnamese
    return problem


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(lines: Sequence[str], index: int) -> bool:
    """Whether line ``index`` (0-based) holds something other than blanks or a comment."""
    text = lines[index].strip() if 0 <= index < len(lines) else ""
    return bool(text) and not text.startswith("#")


def _previous(lines: Sequence[str], index: int) -> Optional[int]:
    for i in range(index - 1, -1, -1):
        if _content(lines, i):
            return i
    return None


def explain(problem: str, line: int, col: int, context: Optional[str], context_line: int, context_col: int,
            lines: Sequence[str]) -> Optional[Explained]:
    """The officer's slip behind a libyaml error (positions 1-based; context 0 when absent), or None."""
    context = context or ""
    for finder in (_tab, _unclosed_quote, _no_space_after_colon, _missing_colon, _colon_line_before, _bad_indent,
                   _unclosed_bracket, _stray_dash, _extra_bracket, _needs_quotes):
        found = finder(problem, line, col, context, context_line, context_col, lines)
        if found:
            return found
    return _fallback(problem, line, col)


def _fallback(problem: str, line: int, col: int) -> Explained:
    return Explained("yaml-syntax", line, col, Text(
        f"Lỗi cú pháp YAML: {_vi_problem(problem)}. Hãy xem dòng {line} và dòng ngay trước nó.",
        f"YAML syntax error: {problem}. Look at line {line} and the line just before it."))


def _tab(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    for i, text in enumerate(lines[: max(line, 1)]):
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in lead:
            at = lead.index("\t") + 1
            return Explained("yaml-tab", i + 1, at, Text(
                f"Dòng {i + 1} thụt lề bằng phím Tab; YAML chỉ cho phép dấu cách. Hãy thay Tab bằng dấu cách "
                "(thường là 2 dấu cách mỗi cấp).",
                f"Line {i + 1} is indented with a tab; YAML allows only spaces. Replace the tab with spaces "
                "(usually 2 per level)."))
    if 0 < line <= len(lines) and lines[line - 1][col - 1: col] == "\t":
        return Explained("yaml-tab", line, col, Text(
            "Ký tự Tab không được phép ở đây; hãy dùng dấu cách.", "A tab is not allowed here; use spaces."))
    return None


def _quote_opened(text: str) -> Optional[tuple[int, str]]:
    """(0-based column, quote) of a quote that opens a value on this line and is not closed on it."""
    match = _KEY_VALUE.match(text)
    start = len(match.group(1)) + len(match.group(2)) + 1 + len(match.group(3)) if match else None
    if start is None:
        stripped = text.lstrip(" ")
        if stripped.startswith("- "):
            start = len(text) - len(stripped) + 2 + (len(stripped[2:]) - len(stripped[2:].lstrip(" ")))
    if start is None or start >= len(text) or text[start] not in "\"'":
        return None
    quote, rest = text[start], text[start + 1:]
    if quote == '"':
        closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
    else:
        closed = re.search(r"'(?!')", rest.replace("''", "")) is not None
    return None if closed else (start, quote)


def _unclosed_quote(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if "quoted scalar" in context and cline:
        where = [(cline - 1, ccol - 1)]
    else:
        where = []
    end = min(line, len(lines))
    for i in range(end):
        opened = _quote_opened(lines[i])
        if opened:
            where.append((i, opened[0]))
            break
    if not where:
        return None
    i, c = min(where)
    quote = lines[i][c] if c < len(lines[i]) else '"'
    if quote not in "\"'":
        return None
    return Explained("yaml-unclosed-quote", i + 1, c + 1, Text(
        f"Dấu ngoặc {quote} mở ở dòng {i + 1} không được đóng: hãy thêm {quote} ở cuối giá trị trên cùng dòng.",
        f"The quote {quote} opened on line {i + 1} is not closed: add {quote} at the end of the value on the same line."))


def _missing_colon(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if not problem.startswith("could not find expected ':'") or not cline or cline > len(lines):
        return None
    text = lines[cline - 1]
    body = text[ccol - 1:].split(" #")[0].rstrip()
    prev = _previous(lines, cline - 1)
    if prev is not None and lines[prev].lstrip().startswith("- ") and _indent(lines[prev]) == _indent(text) \
            and " " not in body:
        return Explained("yaml-missing-dash", cline, ccol, Text(
            f"Mục '{body}' ở dòng {cline} thiếu dấu '- ' ở đầu như các mục khác của danh sách.",
            f"The item '{body}' on line {cline} lacks the '- ' that starts the other items of the list."))
    key = body.split(" ", 1)[0] if " " in body else body
    at = ccol + len(key)
    example = f"{key}: {body[len(key):].strip()}" if " " in body else f"{key}: ..."
    return Explained("yaml-missing-colon", cline, at, Text(
        f"Thiếu dấu hai chấm sau tên khóa '{key}' ở dòng {cline}: hãy viết '{example}'.",
        f"A colon is missing after the key '{key}' on line {cline}: write '{example}'."))


def _colon_line_before(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    """``vi Không quá`` above ``en: ...``: YAML joins the two lines into one key and stops at the colon."""
    if "mapping values are not allowed" not in problem or not 0 < line <= len(lines):
        return None
    prev = _previous(lines, line - 1)
    if prev is None or _indent(lines[prev]) != _indent(lines[line - 1]):
        return None
    text = lines[prev].strip()
    if ":" in text or text.startswith(("-", "#", "\"", "'", "[", "{")):
        return None
    key = text.split(" ", 1)[0]
    rest = text[len(key):].strip()
    example = f"{key}: {rest}" if rest else f"{key}: ..."
    return Explained("yaml-missing-colon", prev + 1, _indent(lines[prev]) + len(key) + 1, Text(
        f"Thiếu dấu hai chấm sau tên khóa '{key}' ở dòng {prev + 1}: hãy viết '{example}'.",
        f"A colon is missing after the key '{key}' on line {prev + 1}: write '{example}'."))


def _no_space_after_colon(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if "could not find expected ':'" in problem and cline:
        rows = [cline - 1]
    elif "mapping values are not allowed" in problem:
        rows = range(min(line, len(lines)) - 1, max(line - 3, -1), -1)
    else:
        return None
    for i in rows:
        if not 0 <= i < len(lines):
            continue
        match = _NO_SPACE.match(lines[i])
        if match:
            at = len(match.group(1)) + len(match.group(2)) + 2
            key = match.group(2)
            return Explained("yaml-colon-space", i + 1, at, Text(
                f"Thiếu dấu cách sau dấu hai chấm của khóa '{key}' ở dòng {i + 1}: hãy viết '{key}: ...'.",
                f"A space is missing after the colon of the key '{key}' on line {i + 1}: write '{key}: ...'."))
    return None


def _bad_indent(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    bad_indent = ("mapping values are not allowed" in problem or "expected '-' indicator" in problem
                  or "did not find expected key" in problem)
    if not bad_indent or not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    if "mapping values are not allowed" in problem and _KEY_VALUE.match(text) and col - 1 > _indent(text) + 1:
        head = text[: col - 1]
        if _KEY_VALUE.match(head + ":") and ":" in head:
            return _colon_in_value(line, col, head)
    prev = _previous(lines, line - 1)
    if prev is None or text.lstrip().startswith(("-", "]", "}", "\"", "'")):
        return None
    if "did not find expected key" in problem and col - 1 != _indent(text):
        return None  # the scanner stopped inside the line, not at its indentation
    mine, theirs = _indent(text), _indent(lines[prev])
    opens_block = lines[prev].rstrip().endswith(":")
    if mine == theirs or (opens_block and mine > theirs):
        return None
    siblings = sorted({_indent(lines[i]) for i in range(line - 1) if _content(lines, i)})
    return Explained("yaml-indent", line, mine + 1, Text(
        f"Thụt lề sai ở dòng {line}: dòng này lùi {mine} dấu cách, nhưng dòng {prev + 1} trước nó lùi {theirs}. "
        f"Các khóa cùng cấp phải thẳng cột (các mức thụt lề đang dùng: {', '.join(map(str, siblings))}).",
        f"Wrong indentation on line {line}: it is indented {mine} spaces but line {prev + 1} before it {theirs}. "
        f"Keys of the same level must line up (indentations in use: {', '.join(map(str, siblings))})."))


def _colon_in_value(line: int, col: int, head: str) -> Explained:
    return Explained("yaml-quote-value", line, col, Text(
        f"Giá trị ở dòng {line} chứa dấu hai chấm và dấu cách (': '); hãy đặt cả giá trị trong ngoặc kép \"...\".",
        f"The value on line {line} contains a colon and a space (': '); put the whole value in double quotes \"...\"."))


def _unmatched_open(lines: Sequence[str], upto: int) -> Optional[tuple[int, int, str]]:
    """(1-based line, column, bracket) of the first '[' or '{' never closed in lines[:upto]."""
    stack: list[tuple[int, int, str]] = []
    for number, text in enumerate(lines[:upto], 1):
        quote = None
        for index, char in enumerate(text):
            if quote:
                quote = None if char == quote else quote
            elif char in "\"'" and (index == 0 or text[index - 1] in " [{,:"):
                quote = char
            elif char == "#" and (index == 0 or text[index - 1] == " "):
                break
            elif char in "[{":
                stack.append((number, index + 1, char))
            elif char in "]}" and stack:
                stack.pop()
    return stack[0] if stack else None


def _unclosed_bracket(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if "flow node" in context and "expected node content" in problem:
        found = _unmatched_open(lines, min(line, len(lines)))
        if found is None:
            return None
        cline, ccol, opening = found
        context = "flow sequence" if opening == "[" else "flow mapping"
    if "flow sequence" not in context and "flow mapping" not in context or not cline:
        return None
    opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
    if "expected ',' or" not in problem and "end of stream" not in problem and "node content" not in problem:
        return None
    return Explained("yaml-unclosed-bracket", cline, ccol, Text(
        f"Dấu '{opening}' mở ở dòng {cline} chưa được đóng: hãy thêm '{closing}' sau phần tử cuối, "
        "hoặc dấu phẩy giữa các phần tử.",
        f"The '{opening}' opened on line {cline} is not closed: add '{closing}' at the end, "
        "or a comma between the items."))


def _stray_dash(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1].lstrip(" ")
    if not (text == "-" or text.startswith("- ")) or "block mapping" not in context and \
            "block sequence entries are not allowed" not in problem:
        return None
    return Explained("yaml-stray-dash", line, _indent(lines[line - 1]) + 1, Text(
        f"Dấu '-' ở dòng {line} mở một mục danh sách, nhưng ở đây đang viết các khóa của một bảng: hãy xóa "
        "dấu '-', hoặc đặt danh sách dưới một khóa (ví dụ 'clause:') và thụt lề vào.",
        f"The '-' on line {line} starts a list item, but keys of a mapping are written here: delete the '-', "
        "or put the list under a key (e.g. 'clause:') and indent it."))


def _needs_quotes(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    match = _KEY_VALUE.match(text)
    if not match or not match.group(4):
        return None
    value = match.group(4)
    at = len(text) - len(value) + 1
    first = value[0]
    if "cannot start any token" in problem and first in "@`%":
        why_vi, why_en = f"không được bắt đầu bằng '{first}'", f"cannot start with '{first}'"
    elif "did not find expected key" in problem and first in "\"'{[" and col > at:
        closing = _closing(value)
        placeholder = first == "{" and closing is not None and ":" not in value[:closing]
        if closing is not None and not placeholder:
            return _closed_early(line, at + closing, value[closing])
        why_vi = "có chữ ở sau phần YAML hiểu là đã đóng"
        why_en = "has text after the part YAML reads as closed"
        if first == "{":
            why_vi = "bắt đầu bằng '{' nên YAML hiểu là một bảng, còn chữ phía sau thì thừa"
            why_en = "starts with '{', so YAML reads a mapping, and the text after it is left over"
    else:
        return None
    return Explained("yaml-quote-value", line, at, Text(
        f"Giá trị ở dòng {line} {why_vi}: hãy đặt cả giá trị trong ngoặc kép, ví dụ \"{value.replace(chr(34), '')}\".",
        f"The value on line {line} {why_en}: put the whole value in double quotes, e.g. \"{value.replace(chr(34), '')}\"."))


def _closing(value: str) -> Optional[int]:
    """Index in ``value`` of the quote or bracket that closes its first character, or None."""
    first = value[0]
    if first in "\"'":
        index = 1
        while index < len(value):
            if value[index] == "\\" and first == '"':
                index += 2
                continue
            if value[index] == first:
                if first == "'" and value[index + 1: index + 2] == "'":
                    index += 2
                    continue
                return index
            index += 1
        return None
    pairs, depth = {"[": "]", "{": "}"}, 0
    for index, char in enumerate(value):
        if char in pairs:
            depth += 1
        elif char in pairs.values():
            depth -= 1
            if depth == 0:
                return index
    return None


def _closed_early(line: int, col: int, char: str) -> Explained:
    if char in "\"'":
        vi = (f"Dấu {char} ở dòng {line}, cột {col} đóng giá trị quá sớm, nên phần phía sau bị thừa: hãy xóa dấu này, "
              + ("hoặc viết \\\" nếu câu cần chính dấu ngoặc kép." if char == '"' else "hoặc gõ '' nếu câu cần chính dấu nháy."))
        en = (f"The {char} on line {line}, column {col} closes the value too early, leaving the rest over: delete it, "
              + ("or write \\\" where the sentence needs a double quote." if char == '"' else "or type '' where the sentence needs a quote."))
    else:
        vi = (f"Dấu '{char}' ở dòng {line}, cột {col} đóng {'danh sách' if char == ']' else 'bảng'} quá sớm, nên phần "
              "phía sau bị thừa: hãy chuyển nó xuống cuối hoặc xóa nó.")
        en = (f"The '{char}' on line {line}, column {col} closes the {'list' if char == ']' else 'mapping'} too early, "
              "leaving the rest over: move it to the end or delete it.")
    return Explained("yaml-closed-early", line, col, Text(vi, en))


def _extra_bracket(problem, line, col, context, cline, ccol, lines) -> Optional[Explained]:
    if not 0 < line <= len(lines) or "did not find expected key" not in problem:
        return None
    char = lines[line - 1][col - 1: col]
    if char not in ("]", "}"):
        return None
    return Explained("yaml-extra-bracket", line, col, Text(
        f"Thừa dấu '{char}' ở dòng {line}: không có dấu mở tương ứng; hãy xóa nó.",
        f"An extra '{char}' on line {line} closes nothing; delete it."))


def date_hint(text: object) -> Optional[Text]:
    """For a date written ``dd/mm/yyyy`` (or with ``.`` or ``-``), the sentence giving its ISO form."""
    match = _DATE_DMY.match(text) if isinstance(text, str) else None
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    return Text(f"Ngày phải viết theo dạng năm-tháng-ngày (YYYY-MM-DD): hãy viết {iso} thay cho {text.strip()}.",
                f"Dates are written year-month-day (YYYY-MM-DD): write {iso} instead of {text.strip()}.")


def template_problem(template: str) -> Optional[tuple[int, Text]]:
    """(0-based offset, sentence) of the first brace mistake in a message template, or None.

    Placeholders are ``{name}``; a literal brace is written ``{{`` or ``}}``."""
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c in "{}" and template[i + 1: i + 2] == c:
            i += 2
            continue
        if c == "}":
            return i, Text("Dấu '}' không có dấu '{' mở tương ứng; để viết chính dấu '}' hãy gõ '}}'.",
                           "A '}' closes no '{'; to write a '}' itself type '}}'.")
        if c == "{":
            end = template.find("}", i + 1)
            inner = template[i + 1: end] if end >= 0 else template[i + 1:]
            name = re.match(r"[^\s{}!:.\[]*", inner).group(0)
            if end < 0 or "{" in inner:
                shown = f"{{{name}}}" if name else "{tên}"
                return i, Text(f"Dấu '{{' mở chỗ trống '{name}' nhưng thiếu dấu '}}' đóng: hãy viết {shown}; "
                               "để viết chính dấu '{' hãy gõ '{{'.",
                               f"The '{{' opening the placeholder '{name}' has no closing '}}': write {shown}; "
                               "to write a '{' itself type '{{'.")
            if not inner.strip():
                return i, Text("Chỗ trống '{}' không có tên: hãy viết tên dữ kiện hoặc tham số, ví dụ {heads}.",
                               "The placeholder '{}' has no name: write a fact or parameter name, e.g. {heads}.")
            i = end + 1
            continue
        i += 1
    return None
