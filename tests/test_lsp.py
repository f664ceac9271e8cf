"""``ag18 lsp`` spoken to as an editor does: the real server as a subprocess, JSON-RPC with
Content-Length framing over its stdin and stdout.  Diagnostics as the officer types, completion,
hover and go to definition on the shipped rule, parameter and plan files."""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds a reply may take on a loaded machine before the test gives up (not a timing assertion)


class Client:
    """A minimal LSP client: requests with ids, notifications, and a queue of what the server sends."""

    def __init__(self, cwd: Path, lang: str = "vi"):
        env = dict(os.environ, AG18_LANG=lang)
        self.process = subprocess.Popen([sys.executable, "-m", "ag18_rules", "lsp"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict):
        self.next_id += 1
        ident = self.next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        while True:
            message = self.inbox.get(timeout=WAIT)
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message
                return message["result"]

    def diagnostics(self, uri: str) -> list:
        while True:
            message = self.inbox.get(timeout=WAIT)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                stream.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """An officer's copy of the policy."""
    mine = tmp_path_factory.mktemp("lsp") / "mine"
    shutil.copytree(ROOT / "policy", mine / "policy")
    shutil.copytree(ROOT / "rules", mine / "rules")
    return mine


@pytest.fixture(scope="module")
def client(folder):
    c = Client(folder)
    result = c.request("initialize", {"processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {}})
    caps = result["capabilities"]
    assert caps["hoverProvider"] and caps["definitionProvider"] and "completionProvider" in caps
    assert result["serverInfo"]["name"] == "ag18-rules"
    c.notify("initialized", {})
    yield c
    c.close()


def open_file(client: Client, path: Path, text: str | None = None) -> tuple[str, list, list]:
    text = path.read_text(encoding="utf-8") if text is None else text
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    return uri, text.splitlines(), client.diagnostics(uri)


def position(lines: list, needle: str, offset: int = 0) -> dict:
    line = next(i for i, t in enumerate(lines) if needle in t)
    return {"line": line, "character": lines[line].index(needle) + offset}


def test_diagnostics_as_the_officer_types_are_those_of_validate(client, folder):
    path = folder / "rules" / "deputy-cap" / "deputy-cap.yaml"
    uri, lines, found = open_file(client, path)
    assert found == []
    text = path.read_text(encoding="utf-8")
    broken = text.replace("severity: error", "severity: eror")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": broken}]})
    [bad] = client.diagnostics(uri)
    assert bad["code"] == "bad-value" and bad["range"]["start"] == position(broken.splitlines(), "eror")
    assert "Có phải ý là 'error' (lỗi)?" in bad["message"]
    broken = text.replace('require: "deputies <= cap"', 'require: "deputes <= cap"', 1)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": broken}]})
    [unknown] = client.diagnostics(uri)
    assert "deputes" in unknown["message"] and "deputies" in unknown["message"], unknown
    assert unknown["range"]["start"] == position(broken.splitlines(), "deputes")
    assert path.read_text(encoding="utf-8") == text  # the file itself is untouched
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                             "contentChanges": [{"text": "id: [\n"}]})
    [syntax] = client.diagnostics(uri)
    assert syntax["code"] == "yaml-unclosed-bracket" and syntax["range"]["start"] == {"line": 0, "character": 4}
    assert "chưa được đóng" in syntax["message"]


def test_completion_offers_facts_parameters_enum_values_and_clauses(client, folder):
    path = folder / "rules" / "one-lead-person" / "one-lead-person.yaml"
    uri, lines, _ = open_file(client, path)

    def labels(where: dict) -> set:
        result = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": where})
        items = result["items"] if isinstance(result, dict) else result
        return {i["label"] for i in items}

    assert {"lead_person_count", "retired", "in_after"} <= labels(position(lines, "lead_person_count == 1"))
    assert {"TASK-3", "GOAL-2021-1"} <= labels(position(lines, "TASK-3]"))
    assert {"error", "warning", "info"} == labels(position(lines, "severity: ", len("severity: ")))
    assert {"task", "organization", "plan"} <= labels(position(lines, "applies_to: ", len("applies_to: ")))
    deputy = folder / "rules" / "deputy-cap" / "deputy-cap.yaml"
    uri2, lines2, _ = open_file(client, deputy)
    where = position(lines2, "deputy.department_unit_max")
    result = client.request("textDocument/completion", {"textDocument": {"uri": uri2}, "position": where})
    items = result["items"] if isinstance(result, dict) else result
    assert {"deputy.department_unit_max", "deputy.inspectorate_max"} <= {i["label"] for i in items}


def test_hover_shows_fact_parameter_values_by_date_and_clause_quote(client, folder):
    path = folder / "rules" / "deputy-cap" / "deputy-cap.yaml"
    uri, lines, _ = open_file(client, path)

    def hover(where: dict) -> str:
        return client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": where})["contents"]["value"]

    text = hover(position(lines, "deputy.department_unit_max", 3))
    assert "**deputy.department_unit_max**" in text
    assert "- từ 2020-11-25:" in text and "Nghị định 107/2020/NĐ-CP" in text
    assert "Số cấp phó" in hover(position(lines, "deputies <= cap", 2))
    assert "giảm cấp phó" in hover(position(lines, "GOAL-2021-1", 2))


def test_go_to_definition_from_parameter_and_from_a_plans_parent(client, folder):
    path = folder / "rules" / "deputy-cap" / "deputy-cap.yaml"
    uri, lines, _ = open_file(client, path)
    found = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": position(lines, "deputy.inspectorate_max", 2)})
    target = Path(found["uri"].removeprefix("file://"))
    assert target == (folder / "policy" / "deputies.yaml").resolve()
    target_lines = target.read_text(encoding="utf-8").splitlines()
    assert target_lines[found["range"]["start"]["line"]].strip() == "deputy.inspectorate_max:"
    plan = folder / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
    uri, lines, _ = open_file(client, plan)
    where = next(i for i, t in enumerate(lines) if "parent: sonv" in t and "id: sonv/" in t)
    column = lines[where].index("parent: sonv") + len("parent: ") + 1
    found = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": {"line": where, "character": column}})
    line = lines[found["range"]["start"]["line"]]
    assert "id: sonv" in line and "parent:" not in line.split("id: sonv")[0]


def test_plan_files_complete_enum_values_with_their_labels_and_ids_of_the_plan(tmp_path):
    from ag18_rules.lsp.analysis import Analysis, PolicyIndex

    text = ("format: ag18-plan/1\nplan: {id: p, effective: 2021-01-01}\nafter:\n  organizations:\n"
            "    - {id: so, name: Sở Nội vụ, type: department}\n    - {id: vp, name: Văn phòng, type: , parent: }\n")
    plan = tmp_path / "plan.yaml"
    analysis = Analysis(str(plan), text, PolicyIndex())
    line = text.splitlines()[5]
    items = {i.label: i for i in analysis.complete(5, line.index("type: ") + len("type: "))}
    assert items["department"].detail == "sở (department)" and "sub_department" in items
    assert {i.label for i in analysis.complete(5, line.index("parent: ") + len("parent: "))} == {"so", "vp"}
    (tmp_path / "ag18.toml").write_text('policy = "nowhere"\n', encoding="utf-8")
    [problem] = Analysis(str(plan), text, PolicyIndex()).diagnostics()
    assert problem.code == "bad-config" and (problem.span.line, problem.span.col) == (1, 1)
    assert "ag18.toml:1:1" in problem.message.vi and "không phải thư mục chính sách" in problem.message.vi


def test_another_tools_yaml_file_gets_no_diagnostics(tmp_path):
    from ag18_rules.lsp.analysis import Analysis, PolicyIndex

    compose = tmp_path / "docker-compose.yaml"
    assert Analysis(str(compose), "services:\n  web: {image: nginx}\n", PolicyIndex()).diagnostics() == []
    plan = tmp_path / "plan.yaml"
    found = Analysis(str(plan), "format: ag18-plan/1\nplan: {id: p}\n", PolicyIndex()).diagnostics()
    assert [(d.code, d.span.line, d.path) for d in found] == [("missing-key", 1, ""), ("missing-key", 2, "plan")]
