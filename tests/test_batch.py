"""Batches: the same reports, in input order, serially, on processes and on a Dask cluster."""
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import ag18_rules
from ag18_rules import InputError

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "rules" / "deputy-cap" / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def policy():
    return ag18_rules.load_policy()


def test_serial_batches_are_evaluate_in_input_order_and_report_progress(policy):
    seen = []
    reports = list(policy.evaluate_many(PLANS, progress=lambda done, total: seen.append((done, total))))
    assert [r.plan for r in reports] == [policy.evaluate(p).plan for p in PLANS]
    assert [r.to_json() for r in reports] == [policy.evaluate(p).to_json() for p in PLANS]
    assert seen == [(i, len(PLANS)) for i in range(1, len(PLANS) + 1)]


def test_dicts_travel_as_json_and_options_pass_through(policy):
    data = yaml.safe_load(PLANS[0].read_text(encoding="utf-8"))
    with ThreadPoolExecutor(2) as pool:
        [report] = policy.evaluate_many([data], executor=pool, fixes=True)
    assert report.findings == policy.evaluate(data, fixes=True).findings
    assert all("fixes" in f.extra for f in report.findings if not f.waived)


def test_processes_give_the_serial_reports(policy):
    serial = [r.to_json() for r in policy.evaluate_many(PLANS)]
    with ProcessPoolExecutor(2) as pool:
        parallel = [r.to_json() for r in policy.evaluate_many(PLANS, executor=pool, chunk_size=3)]
    assert parallel == serial


def test_a_bad_plan_raises_the_library_error(policy, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ag18-plan/1\nplan: {id: x}\n", encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:
        with pytest.raises(InputError) as caught:
            list(policy.evaluate_many([PLANS[0], bad], executor=pool))
    assert caught.value.diagnostics and caught.value.diagnostics[0].span.file == str(bad)
    with pytest.raises(TypeError):
        list(policy.evaluate_many([42]))


def test_a_dask_local_cluster_gives_the_serial_reports(policy):
    distributed = pytest.importorskip("distributed")
    serial = [r.to_json() for r in policy.evaluate_many(PLANS)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = [r.to_json() for r in policy.evaluate_many(PLANS, executor=client)]
    assert on_dask == serial


def test_check_with_jobs_writes_what_check_writes():
    import io

    from ag18_rules.cli import main

    def run(*extra):
        out, err = io.StringIO(), io.StringIO()
        code = main(["check", *map(str, PLANS[:4]), "--format", "json", "--no-fixes", *extra], stdout=out, stderr=err)
        return code, out.getvalue()

    assert run("--jobs", "2") == run()
