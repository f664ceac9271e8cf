"""Long differential run: generated plans evaluated on the python and durable backends, compared.

    python scripts/differential.py --plans 100000 --jobs 2 --seed 1

Every plan -- any valid plan, a compliant one, or a compliant one with a named mutation, on its
own date or on another one near a parameter change -- is evaluated on both backends and the JSON
reports must be byte-identical.  The script prints how many plans, findings and not-applicable
entries it compared; on a disagreement it prints the smallest plan Hypothesis found that still
disagrees, with the diff, and exits 1.  A disagreement is a bug to fix in a backend.
"""
from __future__ import annotations

import argparse
import difflib
import multiprocessing
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Optional

KINDS = ("any", "compliant", "mutant")
PROGRESS = 10_000  # plans between two progress lines of a job, on stderr


def run_job(job: int, count: int, seed: int) -> tuple[Counter, Optional[str]]:
    """Compare ``count`` plans with Hypothesis seeded by ``seed + job``; (tallies, failure text)."""
    import yaml
    from hypothesis import given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    import ag18_rules
    from ag18_rules.plan import plan_to_dict
    from ag18_rules.testing import CI, compliant_plans, effective_dates, mutants, plans

    tally: Counter = Counter()
    compliant = compliant_plans(fast=True)
    mixed = st.one_of(plans(fast=True).map(lambda p: ("any", p)), plans(fast=True).map(lambda p: ("any", p)),
                      compliant.map(lambda p: ("compliant", p)),
                      mutants(base=compliant).map(lambda m: ("mutant", m.plan)))
    failure: list[str] = []
    with ag18_rules.load_policy() as python, ag18_rules.load_policy(backend="durable") as durable:

        @hypothesis_seed(seed + job)
        @settings(CI, max_examples=count)
        @given(mixed, st.one_of(st.none(), effective_dates()))
        def compare(kind_plan, as_of):
            kind, plan = kind_plan
            want = python.evaluate(plan, as_of=as_of, fixes=False, origin=False)
            expected, got = want.to_json("en"), durable.evaluate(plan, as_of=as_of, fixes=False, origin=False).to_json("en")
            if got != expected:
                diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "python", "durable",
                                                      lineterm="", n=2))
                failure[:] = [f"{kind} plan, as of {as_of or plan.effective}:\n{diff}\n\n"
                              + yaml.safe_dump(plan_to_dict(plan), allow_unicode=True, sort_keys=False)]
                raise AssertionError("the backends disagree")
            tally.update({"plans": 1, kind: 1, "other date": as_of is not None, "findings": len(want.findings),
                          "not applicable": len(want.not_applicable), "targets": len(want.targets)})
            tally.update(f"severity {f.severity}" for f in want.findings)
            tally.update(f"rule {f.rule}" for f in want.findings)
            if tally["plans"] % PROGRESS == 0:
                print(f"job {job}: {tally['plans']:,} of {count:,} plans compared", file=sys.stderr, flush=True)

        try:
            compare()
        except AssertionError:
            return tally, failure[0] if failure else "the backends disagree"
    return tally, None


def _job(arguments: tuple[int, int, int]) -> tuple[Counter, Optional[str]]:
    return run_job(*arguments)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=100_000, help="plans to compare in all (default 100000)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes, each with its own durable worker")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed of the first job (the others follow)")
    args = parser.parse_args(argv)
    shares = [args.plans // args.jobs + (1 if j < args.plans % args.jobs else 0) for j in range(args.jobs)]
    started = time.monotonic()
    # Not a multiprocessing.Pool: its workers are daemons, and a daemon may not start the durable worker.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_job, [(j, n, args.seed) for j, n in enumerate(shares)]))
    elapsed = time.monotonic() - started
    total: Counter = Counter()
    for tally, _ in results:
        total.update(tally)
    failures = [text for _, text in results if text]
    print(f"compared {total['plans']:,} plans on the python and durable backends: "
          f"{len(failures)} disagreement(s)")
    print(f"  findings compared: {total['findings']:,} (" + ", ".join(
        f"{s} {total['severity ' + s]:,}" for s in ("error", "warning", "info")) + ")")
    print(f"  not-applicable entries compared: {total['not applicable']:,}; target results: {total['targets']:,}")
    print("  plans: " + ", ".join(f"{k} {total[k]:,}" for k in KINDS)
          + f"; evaluated on a date other than their own: {total['other date']:,}")
    rules = sorted((k[5:], n) for k, n in total.items() if k.startswith("rule "))
    print(f"  rules with findings ({len(rules)}): " + ", ".join(f"{r} {n:,}" for r, n in rules))
    print(f"  {elapsed:.0f} s, {args.jobs} job(s), seed {args.seed}")
    for text in failures:
        print("\nDISAGREEMENT\n" + text, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
