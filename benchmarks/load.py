#!/usr/bin/env python3
"""Bounded load on loopback: concurrent clients post the bundled example plans to ``ag18 serve``.

For 1 and 2 server workers (``--workers N``), starts the server on a free 127.0.0.1 port, sends a
fixed number of ``POST /v1/evaluate`` requests from ``--clients`` concurrent httpx clients
(asyncio), and prints throughput, p50/p99 latency and the server's resident memory (all its
processes) before and after.  Every answer is compared with the first answer for the same plan:
the run fails (exit 1) on any error status or any differing report.  It sends nothing anywhere
but 127.0.0.1 and stops by itself.

    .venv/bin/python benchmarks/load.py                     # 200 requests, 8 clients, 1 and 2 workers
    .venv/bin/python benchmarks/load.py --requests 50 --clients 4 --workers 1
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "examples").glob("*.yaml"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += tree(int(child))
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of the server and every process under it, in MB."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start(workers: int, store: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ag18_rules", "serve", "--port", str(port), "--workers",
                             str(workers), "--store", store], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


async def load(url: str, bodies: list[bytes], requests: int, clients: int) -> tuple[list[float], list[tuple]]:
    latencies: list[float] = []
    answers: list[tuple] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def client() -> None:
        async with httpx.AsyncClient(timeout=300) as http:
            while not queue.empty():
                i = queue.get_nowait()
                body = bodies[i % len(bodies)]
                t0 = time.perf_counter()
                r = await http.post(url + "/v1/evaluate", content=body, headers={"Content-Type": "application/yaml"})
                latencies.append(time.perf_counter() - t0)
                answers.append((i % len(bodies), r.status_code, r.content))

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, answers


def run(workers: int, requests: int, clients: int) -> dict:
    bodies = [p.read_bytes() for p in PLANS]
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start(workers, os.path.join(tmp, "s.sqlite3"))
        try:
            # warm-up, not measured: every worker's evaluation process has loaded the policy
            asyncio.run(load(url, bodies, len(bodies) * 2 * workers, clients))
            before = rss_mb(proc.pid)
            t0 = time.perf_counter()
            latencies, answers = asyncio.run(load(url, bodies, requests, clients))
            elapsed = time.perf_counter() - t0
            after = rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    first: dict[int, bytes] = {}
    bad = 0
    for plan, status, content in answers:
        bad += status != 200 or first.setdefault(plan, content) != content
    latencies.sort()
    return {"workers": workers, "requests": requests, "clients": clients, "seconds": elapsed,
            "throughput": requests / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "rss_before": before, "rss_after": after, "bad": bad}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure (default 1,2)")
    args = parser.parse_args()
    print(f"{len(PLANS)} bundled plans, {args.requests} requests from {args.clients} concurrent clients, "
          f"POST /v1/evaluate (fixes and origin on, as ag18 check), {os.cpu_count()} CPUs")
    print(f"{'workers':>7}  {'req/s':>7}  {'p50 ms':>8}  {'p99 ms':>8}  {'RSS before MB':>13}  {'RSS after MB':>12}  bad")
    failed = False
    results = []
    for workers in (int(w) for w in args.workers.split(",")):
        r = run(workers, args.requests, args.clients)
        results.append(r)
        failed |= r["bad"] > 0
        print(f"{r['workers']:>7}  {r['throughput']:>7.1f}  {r['p50']:>8.0f}  {r['p99']:>8.0f}  "
              f"{r['rss_before']:>13.0f}  {r['rss_after']:>12.0f}  {r['bad']}")
    if len(results) > 1:
        print(f"throughput {results[-1]['workers']} workers / {results[0]['workers']}: "
              f"{results[-1]['throughput'] / results[0]['throughput']:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
