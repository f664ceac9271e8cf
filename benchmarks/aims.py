"""Benchmark of the performance aims, each as a figure and a ratio measured in the same run.

* **evaluate**: ``Policy.evaluate`` (python backend, the benchmark's rules) against the
  hand-written loop H, and time per entity from the smallest size up;
* **defaults**: ``ag18 check`` with fixes and origin against ``--no-fixes``, on plans with about
  10 % of their entities in violation;
* **end to end**: ``ag18 check --no-fixes --format json`` on a JSON plan of 200,000 entities
  against ``json.load`` and a hand loop, each in its own process, with peak memory against the
  parsed plan's;
* **sessions**: one organisation's deputies edited in a session, median and 99th percentile,
  against a full evaluation;
* **batches**: district plans evaluated serially, on 2 processes and on a 2-worker Dask cluster.

Every answer is checked against H (the benchmark's rules, run through a policy folder holding
only them); a difference makes the run exit 1.  The durable backend's aim is measured by
``run.py``.  Nothing here is a test: it checks answers, never times.

    python benchmarks/aims.py [--sizes 1000,10000,100000] [--repeat 3] [--entities 200000]
                              [--batch 2000] [--only evaluate,defaults,end-to-end,sessions,batches]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ag18_rules.engine import Policy
from ag18_rules.fixes import FixOptions
from ag18_rules.limits import Limits
from ag18_rules.model import Approval, Baseline, Organization, Plan, Retired, Snapshot, Staff, Task
from ag18_rules.plan import load_plan, plan_to_dict

from generate import synthetic_plan, write_yaml
from handwritten import AS_OF, hand_written
from run import RULES, ROOT, answer, bench_policy

BIG = Limits(max_entities=2_000_000, max_nodes=50_000_000, max_bytes=1 << 30)
VIOLATING = 0.15  # fault rate that puts about 10 % of the entities in violation
HERE = Path(__file__).resolve().parent


def timed(fn, repeat: int):
    """(median seconds, last result) of ``repeat`` calls, after one that warms caches up. Each call
    starts from the same state: the previous call's result is released and collected first."""
    if repeat > 1:
        fn()
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def policy_folder(into: Path) -> Path:
    """A policy folder holding the shipped parameters and the benchmark's rules only."""
    (into / "rules").mkdir(parents=True)
    shutil.copytree(ROOT / "policy", into / "policy")
    for rule in RULES:
        shutil.copytree(ROOT / "rules" / rule, into / "rules" / rule)
    return into


def write_json(plan: Plan, path: Path) -> None:
    path.write_text(json.dumps(plan_to_dict(plan)), encoding="utf-8")


class Run:
    """The figures of one run and the answers that differed."""

    def __init__(self):
        self.aims: list[tuple[str, str, str, str]] = []  # (aim, figure, ratio, target)
        self.problems: list[str] = []

    def aim(self, name: str, figure: str, ratio: float, target: str) -> None:
        self.aims.append((name, figure, f"{ratio:.2f}×", target))
        print(f"  {name}: {figure} ({ratio:.2f}×; aim {target})", file=sys.stderr, flush=True)

    def same(self, got: set, want: set, what: str) -> None:
        if got != want:
            self.problems.append(f"{what}: {len(got - want)} more, {len(want - got)} fewer findings than H")


# --------------------------------------------------------------------------- the aims


def evaluate_vs_h(run: Run, sizes: list[int], repeat: int) -> None:
    policy = bench_policy("python")
    first = None
    for size in sizes:
        plan = load_plan(synthetic_plan(size), limits=BIG)  # checked once, as a loaded plan is
        h, expected = timed(lambda: hand_written(plan), repeat)
        py, report = timed(lambda: policy.evaluate(plan, as_of=AS_OF, fixes=False, origin=False), repeat)
        run.same(answer(report), expected, f"evaluate at {size:,}")
        entities = len(plan.after.organizations) + len(plan.after.tasks)
        per = py / entities
        first = first or per
        run.aim(f"evaluate / H at {size:,}", f"{py * 1000:,.0f} ms vs {h * 1000:,.0f} ms", py / h,
                "≤ 2× at 100k, ≤ 3× at 1k")
        run.aim(f"time per entity at {size:,} against {sizes[0]:,}", f"{per * 1e6:.2f} µs", per / first,
                "≤ 1.1× per 10× size")


_POLICIES: dict = {}


def check_json(path: Path, folder: Path, *extra: str) -> tuple[int, dict]:
    """What ``ag18 check PATH --format json [--no-fixes]`` does, with the plan limits raised: a plan
    of 100,000 organisations counts more entities (before and after) than the default allows."""
    policy = _POLICIES.get(folder) or _POLICIES.setdefault(folder, Policy.load(folder))
    plan = load_plan(path, rule_ids=policy.rule_ids, limits=BIG)
    fixes = False if "--no-fixes" in extra else FixOptions()
    report = policy.evaluate(plan, as_of=AS_OF, fixes=fixes, origin=True)
    text = report.to_json()
    return (1 if report.verdict == "fail" else 0), json.loads(text)


def findings_of(data: dict) -> set:
    return {(f["rule"], f["check"], f["entity"]["id"]) for f in data["findings"]}


def defaults_vs_no_fixes(run: Run, sizes: list[int], repeat: int, folder: Path, work: Path) -> None:
    for size in sizes:
        plan = synthetic_plan(size, fault_rate=VIOLATING)
        expected = hand_written(plan)
        path = work / f"violating-{size}.json"
        write_json(plan, path)
        bare, (_, data) = timed(lambda: check_json(path, folder, "--no-fixes"), repeat)
        run.same(findings_of(data), expected, f"check --no-fixes at {size:,}")
        full, (_, data) = timed(lambda: check_json(path, folder), max(1, repeat // 2))
        run.same(findings_of(data), expected, f"check at {size:,}")
        verified = sum(1 for f in data["findings"] for x in f.get("fixes") or () if x["verified"])
        share = len({f["entity"]["id"] for f in data["findings"]}) / (len(plan.after.organizations) + len(plan.after.tasks))
        run.aim(f"check (fixes, origin) / --no-fixes at {size:,}",
                f"{full:.2f} s vs {bare:.2f} s; {share:.0%} of entities in violation, {verified} fixes verified",
                full / bare, "≤ 2× at 10k and 100k")


def child(argv: list[str]) -> int:
    """In a fresh process: one measured job; prints seconds and peak RSS (bytes) as JSON."""
    mode, path = argv[0], Path(argv[1]) if len(argv) > 1 else None
    start = time.perf_counter()
    found: set = set()
    if mode == "check":
        _, data = check_json(path, Path(argv[2]), "--no-fixes")
        found = findings_of(data)
    elif mode == "hand":
        with open(path, encoding="utf-8") as f:
            found = hand_written(hand_plan(json.load(f)))
    elif mode == "parse":
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)  # noqa: F841 - held while the peak is read
    seconds = time.perf_counter() - start
    rss = peak_rss()
    print(json.dumps({"seconds": seconds, "rss": rss, "findings": sorted(map(list, found))}))
    return 0


def peak_rss() -> int:
    """This process's peak resident memory in bytes.  VmHWM belongs to the process's own memory
    map; ru_maxrss would keep the high-water mark of the parent that forked it, across exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def hand_plan(data: dict) -> Plan:
    """The hand loop's reading of a plan file: its organisations and tasks as model objects."""
    def orgs(items):
        return tuple(Organization(o["id"], o["name"], o["type"], o.get("level"), o.get("parent"),
                                  o.get("intermediate", False), o.get("effective", True), o.get("heads", 0),
                                  o.get("deputies", 0), Staff(**o.get("staff", {})), o.get("job_positions"),
                                  tuple(o.get("formed_from", ()))) for o in items)

    def tasks(items):
        def ids(v):
            return None if v is None else (v,) if isinstance(v, str) else tuple(v)
        return tuple(Task(t["id"], t["name"], t.get("field"), ids(t.get("lead")), ids(t.get("lead_person")),
                          tuple(t.get("support", ())), Retired(t["retired"]["reason"]) if t.get("retired") else None)
                     for t in items)

    def snapshot(s):
        return Snapshot(orgs(s.get("organizations", ())), tasks(s.get("tasks", ())))

    head = data["plan"]
    baseline = data.get("baseline")
    return Plan(head["id"], AS_OF, snapshot(data["after"]), snapshot(data["before"]) if "before" in data else None,
                province_class=head.get("province_class"),
                approval=Approval(status=head["approval"]["status"]) if head.get("approval") else None,
                baseline=Baseline(**baseline) if baseline else None)


def in_child(*argv: str) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "aims.py"), "--child", *argv], capture_output=True,
                          text=True, check=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def end_to_end(run: Run, entities: int, folder: Path, work: Path) -> None:
    plan = synthetic_plan(entities // 2)
    path = work / f"plan-{entities}.json"
    write_json(plan, path)
    expected = {tuple(f) for f in in_child("hand", str(path))["findings"]}
    run.same(expected, hand_written(plan), "the hand loop")
    idle = in_child("idle")["rss"]
    parsed = in_child("parse", str(path))
    hand = in_child("hand", str(path))
    check = in_child("check", str(path), str(folder))
    run.same({tuple(f) for f in check["findings"]}, expected, "check on the JSON plan")
    size_mb = path.stat().st_size / 1e6
    run.aim(f"check --no-fixes --format json, {entities:,}-entity JSON plan ({size_mb:.1f} MB)",
            f"{check['seconds']:.2f} s vs {hand['seconds']:.2f} s (json.load + hand loop)",
            check["seconds"] / hand["seconds"], "≤ 3×")
    plan_bytes = max(1, parsed["rss"] - idle)
    run.aim("peak memory of that check against the parsed plan (above an idle interpreter)",
            f"{(check['rss'] - idle) / 1e6:,.0f} MB vs {plan_bytes / 1e6:,.0f} MB", (check["rss"] - idle) / plan_bytes,
            "≤ 3×")


def sessions(run: Run, sizes: list[int], edits: int = 200) -> None:
    policy = Policy.load()
    for size in sizes:
        plan = load_plan(synthetic_plan(size), limits=BIG)
        full, _ = timed(lambda: policy.evaluate(plan, as_of=AS_OF, fixes=False, origin=False), 1)
        session = policy.session(plan, as_of=AS_OF)
        rng = random.Random(size)
        orgs = [o for o in plan.after.organizations if o.parent is not None]
        times = []
        for _ in range(edits):
            org = rng.choice(orgs)
            change = [{"field": f"after.organizations[{org.id}].deputies", "to": rng.randint(0, 4)}]
            start = time.perf_counter()
            session.apply(change)
            times.append(time.perf_counter() - start)
        edited = load_plan(session.plan, limits=BIG)
        if policy.evaluate(edited, as_of=AS_OF, fixes=False, origin=False) != session.report:
            run.problems.append(f"session at {size:,}: its report is not a fresh evaluation of its plan")
        times.sort()
        median, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
        run.aim(f"one-organisation edit in a session at {size:,}",
                f"median {median * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms; full evaluation {full * 1000:,.0f} ms",
                median / full, "≤ 1 ms median at 100k")


def batches(run: Run, count: int, work: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    policy = Policy.load()
    folder = work / "districts"
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"district-{i:04d}.yaml"
        write_yaml(synthetic_plan(40, seed=i), path)
        paths.append(path)
    serial, reports = timed(lambda: [r.to_json() for r in policy.evaluate_many(paths)], 1)
    with ProcessPoolExecutor(2) as pool:
        two, got = timed(lambda: [r.to_json() for r in policy.evaluate_many(paths, executor=pool)], 1)
    if got != reports:
        run.problems.append("batches on 2 processes differ from serial")
    run.aim(f"{count:,} district plans on 2 processes against serial", f"{two:.1f} s vs {serial:.1f} s",
            two / serial, "< 1× (2 cores shared)")
    try:
        import distributed
    except ImportError:
        return
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster, distributed.Client(cluster) as client:
        dask_s, got = timed(lambda: [r.to_json() for r in policy.evaluate_many(paths, executor=client)], 1)
    if got != reports:
        run.problems.append("batches on Dask differ from serial")
    run.aim(f"{count:,} district plans on a 2-worker Dask cluster against serial", f"{dask_s:.1f} s vs {serial:.1f} s",
            dask_s / serial, "< 1× (2 cores shared)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--only", default="evaluate,defaults,end-to-end,sessions,batches")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only.split(","))
    run = Run()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = policy_folder(work / "policy")
        if "evaluate" in only:
            evaluate_vs_h(run, sizes, args.repeat)
        if "defaults" in only:
            defaults_vs_no_fixes(run, sizes, args.repeat, folder, work)
        if "end-to-end" in only:
            end_to_end(run, args.entities, folder, work)
        if "sessions" in only:
            sessions(run, sizes)
        if "batches" in only:
            batches(run, args.batch, work)
    width = max(len(a[0]) for a in run.aims) if run.aims else 10
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; rules: {', '.join(RULES)}; as of {AS_OF}")
    for name, figure, ratio, target in run.aims:
        print(f"| {name:<{width}} | {figure} | {ratio} | aim {target} |")
    print("Answers: " + ("all equal to H" if not run.problems else "DIFFERENT:\n  " + "\n  ".join(run.problems)))
    return 1 if run.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
