"""What one request may cost the server: a deadline per evaluation, and a crash of an evaluation
process or of the durable backend costs that request only; the next one is answered."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from serving import EXAMPLES, ROOT, ag18, cmdline, descendants, running

YAML = {"Content-Type": "application/yaml"}
EXAMPLE = EXAMPLES / "sonv-offices-2021.yaml"


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory):
    """A generated plan of 5,000 organisations: seconds to check with fixes, well past any small deadline."""
    path = tmp_path_factory.mktemp("big") / "plan.yaml"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "5000", "--yaml", str(path)],
                   check=True, capture_output=True)
    return path


def test_a_task_past_its_deadline_gets_its_process_replaced_and_the_next_task_is_answered(big_plan):
    from ag18_rules.engine import shipped_policy_dir
    from ag18_rules.server.pool import EvaluationPool, TaskTimeout

    pool = EvaluationPool(str(shipped_policy_dir()), size=1, deadline=60)
    try:
        pool.start()
        (first,) = pool.pids()
        with pytest.raises(TaskTimeout):
            pool.run({"op": "evaluate", "body": big_plan.read_bytes(), "media": "application/yaml"}, deadline=0.05)
        (second,) = pool.pids()
        assert second != first and not os.path.exists(f"/proc/{first}/cmdline")
        answer = pool.run({"op": "evaluate", "body": EXAMPLE.read_bytes(), "media": "application/yaml"})
        assert answer["ok"]["text"].encode() == ag18("check", str(EXAMPLE), "--format", "json").stdout
    finally:
        pool.close()


def test_past_the_deadline_the_answer_is_a_503_problem(tmp_path, big_plan):
    with running(tmp_path / "s.sqlite3", "--timeout", "0.05") as server:
        r = httpx.post(server.url + "/v1/evaluate", content=big_plan.read_bytes(), headers=YAML, timeout=120)
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"]
        assert r.json()["code"] == "timeout" and "Traceback" not in r.text
        assert httpx.get(server.url + "/healthz").status_code == 200


def _kill_during(request, victims, *, again: bool = False, after: float = 1.0):
    """Run ``request`` in a thread and SIGKILL the processes ``victims()`` names once it is under
    way (``after`` seconds); with ``again``, keep killing whatever ``victims()`` names until the
    answer arrives."""
    answer = {}
    thread = threading.Thread(target=lambda: answer.setdefault("r", request()))
    thread.start()
    time.sleep(after)
    killed = 0
    while thread.is_alive():
        for pid in victims():
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        if not again:
            break
        time.sleep(0.1)
    thread.join(180)
    assert killed
    return answer["r"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A server with the default limits, shared by the crash tests."""
    with running(tmp_path_factory.mktemp("crash") / "s.sqlite3") as s:
        yield s


def test_a_crashed_evaluation_process_is_a_502_and_the_next_request_works(plain, big_plan):
    server = plain
    slow = lambda: httpx.post(server.url + "/v1/evaluate", content=big_plan.read_bytes(), headers=YAML,
                              timeout=180)
    r = _kill_during(slow, lambda: [p for p in server.children() if "multiprocessing.spawn" in cmdline(p)])
    assert r.status_code == 502 and r.json()["code"] == "worker-crashed"
    r = httpx.post(server.url + "/v1/evaluate", content=EXAMPLE.read_bytes(), headers=YAML, timeout=180)
    assert r.status_code == 200
    assert r.content == ag18("check", str(EXAMPLE), "--format", "json").stdout


def test_a_crash_of_the_durable_backend_is_a_502_and_the_next_request_works(plain, big_plan):
    pytest.importorskip("durable")
    server = plain
    url = server.url + "/v1/evaluate?backend=durable"
    assert httpx.post(url, content=EXAMPLE.read_bytes(), headers=YAML, timeout=180).status_code == 200
    evaluators = [p for p in server.children() if "multiprocessing.spawn" in cmdline(p)]
    slow = lambda: httpx.post(url + "&fixes=false", content=big_plan.read_bytes(), headers=YAML, timeout=180)
    # the durable engine's worker, killed whenever it runs until the answer comes (from early on:
    # reading the plan takes a fraction of a second, and the evaluation about one)
    r = _kill_during(slow, lambda: [p for e in evaluators for p in descendants(e)], again=True, after=0.2)
    assert r.status_code == 502 and r.json()["code"] == "backend-failed"
    assert all(os.path.exists(f"/proc/{e}") for e in evaluators)  # the evaluation process lived on
    r = httpx.post(url, content=EXAMPLE.read_bytes(), headers=YAML, timeout=180)
    assert r.status_code == 200
    assert r.content == ag18("check", str(EXAMPLE), "--format", "json", "--backend", "durable").stdout


def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(tmp_path):
    def chunks():  # no Content-Length: the server counts what arrives
        for _ in range(64):
            yield b"#" * 65536

    with running(tmp_path / "s.sqlite3", "--max-body", "1") as server:
        try:
            r = httpx.post(server.url + "/v1/evaluate", content=chunks(), headers=YAML, timeout=60)
            assert r.status_code == 413 and r.json()["code"] == "too-large"
        except httpx.WriteError:  # the server answered and closed before the client finished sending
            pass
        assert httpx.post(server.url + "/v1/evaluate", content=EXAMPLE.read_bytes(), headers=YAML,
                          timeout=120).status_code == 200
