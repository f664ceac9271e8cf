"""The testing kit: imports without pytest, and reads its ranges from the policy in force."""
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings

from ag18_rules import load_policy
from ag18_rules.testing import CI, compliant_plans
from ag18_rules.testing._bounds import bounds

ROOT = Path(__file__).resolve().parent.parent


def test_the_strategies_import_with_hypothesis_alone():
    code = ("import sys; sys.modules['pytest'] = None\n"  # an import of pytest now fails
            "from ag18_rules.testing import plans, compliant_plans, mutants, assert_compliant\n"
            "from ag18_rules import load_policy\n"
            "plan = compliant_plans().example()\n"
            "assert_compliant(plan)\n"
            "assert 'pytest' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def _lowered_cap(tmp_path: Path) -> Path:
    for part in ("policy", "rules"):
        shutil.copytree(ROOT / part, tmp_path / part)
    path = tmp_path / "policy" / "part-time.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("value: {1: 14, 2: 12, 3: 10}") == 2
    path.write_text(text.replace("value: {1: 14, 2: 12, 3: 10}", "value: {1: 3, 2: 2, 3: 2}"), encoding="utf-8")
    return tmp_path


def test_a_lowered_cap_still_yields_compliant_plans(tmp_path):
    policy = load_policy(_lowered_cap(tmp_path))
    day = dt.date(2021, 1, 1)
    assert bounds(policy, day).commune_part_time_max == 2
    assert bounds(load_policy(), day).commune_part_time_max == 10

    seen = []

    @settings(CI, max_examples=40)
    @given(compliant_plans(policy, admin_units=(4, 8)))
    def check(plan):
        report = policy.evaluate(plan, fixes=False, origin=False)
        assert report.verdict == "pass", [(f.rule, f.entity.id, f.message("en")) for f in report.findings]
        seen.extend(u.part_time_workers for u in plan.after.admin_units
                    if u.level == "commune" and u.part_time_workers is not None and plan.effective >= day)

    check()
    assert seen and max(seen) <= 2  # the policy's cap, not the generator's old fixed range
