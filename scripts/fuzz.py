"""Long fuzzing runs: every target of ``ag18_rules.testing.fuzz`` in turn until the time is up.

    python scripts/fuzz.py --minutes 30            # both backends when durable_rules is installed
    python scripts/fuzz.py --minutes 5 --target plan-file --deadline 20 --out fuzz-failures.json

Property of every case: a report, or the library's error with a position; never anything else;
and within ``--deadline`` seconds (a case still running then is stopped and counted as a hang).
Plans the schema accepts are evaluated on both backends and their reports compared byte for
byte.  The figures (cases per target and outcome, slowest case, failures) are printed at the end
and every failure's input is written to ``--out``; the exit code is 1 when there was a failure.
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import signal
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ag18_rules import load_policy  # noqa: E402
from ag18_rules.testing.fuzz import TARGETS, Fuzzer  # noqa: E402


class CaseTimeout(Exception):
    """A case ran past its deadline."""


def _alarm(signum, frame):
    raise CaseTimeout()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to fuzz (default 1)")
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds one case may take (default 60)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="targets (default: all)")
    parser.add_argument("--chunk", type=int, default=40, help="cases of one target before the next (default 40)")
    parser.add_argument("--no-durable", action="store_true", help="do not compare with the durable backend")
    parser.add_argument("--out", default="fuzz-failures.json", help="where the failing inputs are written")
    args = parser.parse_args(argv)

    durable = None
    if not args.no_durable and importlib.util.find_spec("durable"):
        durable = load_policy(backend="durable")
    fuzzer = Fuzzer(load_policy(), durable)
    names = args.target or sorted(TARGETS)
    stats = {name: collections.Counter() for name in names}
    slowest = {name: 0.0 for name in names}
    failures: list[dict] = []
    signal.signal(signal.SIGALRM, _alarm)
    end = time.monotonic() + args.minutes * 60
    started = time.monotonic()

    def chunk(name: str) -> None:
        strategy, run = TARGETS[name]

        @settings(max_examples=args.chunk, deadline=None, database=None, phases=(Phase.generate,),
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def case(value):
            if time.monotonic() > end:
                return
            begun = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, args.deadline)
            try:
                kind = run(fuzzer, value)
            except CaseTimeout:
                kind = "hang"
                failures.append({"target": name, "kind": kind, "input": repr(value)[:20_000]})
            except BaseException as error:  # noqa: BLE001 - anything but a report or the library's error
                if isinstance(error, KeyboardInterrupt):
                    raise
                kind = "failure"
                failures.append({"target": name, "kind": kind, "error": f"{type(error).__name__}: {error}"[:2000],
                                 "traceback": traceback.format_exc()[-4000:], "input": repr(value)[:20_000]})
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            stats[name][kind] += 1
            slowest[name] = max(slowest[name], time.monotonic() - begun)

        case()

    try:
        while time.monotonic() < end:
            for name in names:
                chunk(name)
    finally:
        if durable is not None:
            durable.close()
        fuzzer.python.close()
    elapsed = time.monotonic() - started
    total = sum(sum(c.values()) for c in stats.values())
    print(f"fuzzed {total:,} cases in {elapsed / 60:.1f} min, backends compared: {durable is not None}")
    for name in names:
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(stats[name].items()))
        print(f"  {name:<15} {sum(stats[name].values()):>8,} cases ({counts}); slowest {slowest[name]:.2f} s")
    print(f"failures: {len(failures)} (hangs: {sum(1 for f in failures if f['kind'] == 'hang')})")
    if failures:
        Path(args.out).write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"failing inputs written to {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
