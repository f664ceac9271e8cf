#!/usr/bin/env python3
"""Loading plans against the parsers underneath, time and peak memory, measured in the same run.

For a JSON plan of 200,000 entities (``synthetic_plan(100000)`` written with ``json.dumps``) it
times ``json.load`` and ``load_plan``; for YAML plans of 10,000 and 100,000 organisations it times
PyYAML's ``yaml.load`` with libyaml (``CSafeLoader``, the fastest general reader) and
``load_plan``.  Each reading runs in a process of its own, so each peak resident memory is that
reading's alone, and the table gives ``load_plan`` as a ratio of its baseline for both.  The
plan ``load_plan`` returns is checked against the plan the files were written from: a
difference makes the run exit 1.  Nothing here is a test: it checks answers, never times.

    python benchmarks/loading.py                                # JSON 200k entities; YAML 10k and 100k
    python benchmarks/loading.py --json 20000 --yaml 2000,10000 --repeat 3
    python benchmarks/loading.py --keep /tmp/plans             # keep (and reuse) the plan files
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIG = {"max_entities": 2_000_000, "max_nodes": 50_000_000, "max_bytes": 1 << 30}


def measure(kind: str, path: str) -> dict:
    """One reading in this process: seconds and peak resident memory above the start, in MB."""
    import gc

    import yaml

    from ag18_rules.limits import Limits
    from ag18_rules.plan import load_plan

    if kind == "load_plan":  # compile the schema's reader first: once per process, not per plan
        load_plan({"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"}, "after": {}})
    gc.collect()
    before = _high_water()
    start = time.perf_counter()
    if kind == "json.load":
        with open(path, encoding="utf-8") as stream:
            result = json.load(stream)
    elif kind == "yaml.CSafeLoader":
        with open(path, encoding="utf-8") as stream:
            result = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    else:
        result = load_plan(path, limits=Limits(**BIG))
    seconds = time.perf_counter() - start
    peak = (_high_water() - before) / 1024
    out = {"seconds": seconds, "peak_mb": peak}
    if kind == "load_plan":
        from ag18_rules.plan import plan_to_dict

        out["digest"] = _digest(plan_to_dict(result))
    return out


def _high_water() -> int:
    """This process's peak resident memory in kB (``VmHWM``: unlike ``ru_maxrss``, not carried
    over from the process that started this one)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _digest(data: dict) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def in_process(kind: str, path: Path) -> dict:
    """:func:`measure` in a fresh interpreter, so its peak memory is its own."""
    code = "import json, sys; from loading import measure; print(json.dumps(measure(sys.argv[1], sys.argv[2])))"
    done = subprocess.run([sys.executable, "-c", code, kind, str(path)], cwd=HERE, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_plans(folder: Path, json_size: int, yaml_sizes: list[int]) -> list[tuple[str, Path, str, str]]:
    """(label, file, baseline reader, digest of the plan written) for every plan, written once."""
    sys.path.insert(0, str(HERE))
    from generate import synthetic_plan, write_yaml

    from ag18_rules.plan import plan_to_dict

    plans = []
    jobs = [("json", json_size)] * bool(json_size) + [("yaml", n) for n in yaml_sizes]
    for kind, size in jobs:
        plan = synthetic_plan(size)
        path = folder / f"plan-{size}.{kind}"
        if not path.exists():
            if kind == "json":
                path.write_text(json.dumps(plan_to_dict(plan)), encoding="utf-8")
            else:
                write_yaml(plan, path)
        entities = sum(len(s.organizations) + len(s.tasks) for s in (plan.before, plan.after) if s)
        label = f"{kind.upper()} {size:,} orgs ({entities:,} entities, {path.stat().st_size / 1e6:.0f} MB)"
        baseline = "json.load" if kind == "json" else "yaml.CSafeLoader"
        plans.append((label, path, baseline, _digest(plan_to_dict(plan))))
    return plans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=int, default=100_000, help="synthetic_plan size of the JSON plan (0: none)")
    parser.add_argument("--yaml", default="10000,100000", help="synthetic_plan sizes of the YAML plans")
    parser.add_argument("--repeat", type=int, default=1, help="readings of each kind (medians are shown)")
    parser.add_argument("--keep", type=Path, help="folder to keep the plan files in (reused when present)")
    args = parser.parse_args(argv)
    yaml_sizes = [int(n) for n in args.yaml.split(",") if n]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        plans = write_plans(folder, args.json, yaml_sizes)
        failed = False
        print(f"{'plan':<52} {'reader':<17} {'seconds':>8} {'peak MB':>8}   load_plan / reader")
        for label, path, baseline, digest in plans:
            rows = {}
            for kind in (baseline, "load_plan"):
                runs = [in_process(kind, path) for _ in range(args.repeat)]
                rows[kind] = (statistics.median(r["seconds"] for r in runs),
                              statistics.median(r["peak_mb"] for r in runs))
                if kind == "load_plan" and any(r["digest"] != digest for r in runs):
                    print(f"DIFFERENT: load_plan of {path.name} is not the plan written", file=sys.stderr)
                    failed = True
            (base_s, base_mb), (load_s, load_mb) = rows[baseline], rows["load_plan"]
            for kind, (seconds, mb) in rows.items():
                memory = f"{load_mb / base_mb:.2f}x" if base_mb >= 1 else "n/a (too small)"
                ratio = f"time {load_s / max(base_s, 1e-9):.2f}x, memory {memory}" if kind == "load_plan" else ""
                print(f"{label:<52} {kind:<17} {seconds:>8.2f} {mb:>8.0f}   {ratio}", flush=True)
                label = ""
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
