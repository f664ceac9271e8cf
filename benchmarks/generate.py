"""Synthetic plans for the benchmark: deterministic, of any size, about 5 % of entities at fault.

A plan is built from blocks of 20 organisations (``before`` and ``after`` together) and 20
tasks, under a provincial people's committee and a provincial Party committee:

* 8 blocks in 10 are a department (sở) with seven offices, two offices merged into one, an
  inspectorate, a sub-department (chi cục) with two offices of its own, four public service
  units and an intermediate coordination body (khối) that was already intermediate before;
* 1 in 10 is a district people's committee with twelve specialised offices, two of them merged,
  and four public service units;
* 1 in 10 is a Party advisory body (provincial for the first three, district-level after) with
  twelve small units, two of them merged, and four mass organisations.

Each block's tasks continue from ``before`` to ``after`` (a task led by a merged office passes
to the merged one); a few are retired with a reason and two per block are new.  At every *fault
site* -- an office's deputies, a merger's staff, a new intermediate body, an extra unit, a
task's leads -- a fault is planted with probability ``FAULT_RATE``, so that about 5 % of the
entities break one of the benchmark's rules.  Plans are built as :class:`ag18_rules.model.Plan`
objects directly; :func:`write_yaml` writes one as a plan file, for a load-time measurement.

    python benchmarks/generate.py 1000 [--yaml plan.yaml]    # prints the plan's counts
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml

from ag18_rules.model import Approval, Baseline, Organization, Plan, Retired, Snapshot, Staff, Task
from ag18_rules.plan import plan_to_dict

SEED = 19  # programme 19-CTr/TU
EFFECTIVE = dt.date(2021, 7, 1)
PROVINCE_CLASS = 1
BLOCK_ORGS = 20  # organisations per block, before and after together (21 with an extra unit)
FAULT_RATE = 0.055
BASELINE_MARGIN = 0.88  # staff after is 12 % below the baseline: the 10 % target is met

# Deputy caps the generator keeps to unless it plants a fault, as (below, cap) brackets over
# civil servants (2021, Decree 107/2020, province class I; Quy định 04-QĐi/TW for Party units).
OFFICE_CAPS = ((9, 1), (15, 2), (None, 3))  # an office (phòng) of a department
INSPECTORATE_CAPS = ((8, 1), (None, 2))
SUB_DEPARTMENT_CAPS = ((None, 1),)  # a sub-department with 1 to 3 offices (it has 2)
PARTY_UNIT_CAPS = ((None, 1),)  # a unit of fewer than 10 people of a Party body

ROOT_ORGS = (
    Organization("ubnd", "Ủy ban nhân dân tỉnh", "people_committee", "province", deputies=4,
                 heads=1, staff=Staff(civil_servants=12)),
    Organization("tu", "Tỉnh ủy", "party_committee", "province", deputies=3, heads=1,
                 staff=Staff(civil_servants=10)),
)


@dataclass
class _Builder:
    """The plan under construction: both snapshots' organisations and tasks, in order."""

    rng: random.Random
    rate: float = FAULT_RATE
    before: list[Organization] = field(default_factory=list)
    after: list[Organization] = field(default_factory=list)
    tasks_before: list[Task] = field(default_factory=list)
    tasks_after: list[Task] = field(default_factory=list)

    def fault(self) -> bool:
        return self.rng.random() < self.rate

    def both(self, org: Organization) -> None:
        self.before.append(org)
        self.after.append(org)


@dataclass(frozen=True)
class _Block:
    """What a block hands to its tasks: its id, name, organisations, and where merged ones went."""

    prefix: str
    name: str
    before_ids: tuple[str, ...]
    after_ids: tuple[str, ...]
    merged_into: Mapping[str, str]


def synthetic_plan(orgs: int, seed: int = SEED, fault_rate: float = FAULT_RATE) -> Plan:
    """A plan of about ``orgs`` organisations and as many tasks; the same for the same arguments.
    ``fault_rate`` 0.11 puts about 10 % of the entities in violation."""
    build = _Builder(random.Random(f"{seed}:{orgs}" if fault_rate == FAULT_RATE else f"{seed}:{orgs}:{fault_rate}"),
                     fault_rate)
    for org in ROOT_ORGS:
        build.both(org)
    for i in range(max(1, round((orgs - len(ROOT_ORGS)) / BLOCK_ORGS))):
        kind = i % 10
        block = _district(build, i) if kind == 8 else _party(build, i) if kind == 9 else _department(build, i)
        _tasks(build, block)
    staff_after = sum(o.staff.civil_servants + o.staff.public_employees for o in build.after)
    return Plan(
        id=f"bench-{orgs}",
        title=f"Kế hoạch tổng hợp để đo hiệu năng ({orgs} tổ chức)",
        jurisdiction="An Giang",
        province_class=PROVINCE_CLASS,
        effective=EFFECTIVE,
        approval=Approval(body="Ban Thường vụ Tỉnh ủy", status="submitted"),
        baseline=Baseline(2015, round(staff_after / BASELINE_MARGIN)),
        before=Snapshot(organizations=tuple(build.before), tasks=tuple(build.tasks_before)),
        after=Snapshot(organizations=tuple(build.after), tasks=tuple(build.tasks_after)),
    )


def write_yaml(plan: Plan, path: Path) -> None:
    """Write ``plan`` as a plan file (``ag18-plan/1``)."""
    with open(path, "w", encoding="utf-8") as out:
        yaml.dump(plan_to_dict(plan), out, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                  allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)


# --------------------------------------------------------------------------- blocks


def _office(build: _Builder, oid: str, name: str, parent: str, type_: str, caps: tuple, staff_range: tuple,
            level: str = "province") -> Organization:
    """An office whose deputies keep to ``caps`` ((below, cap), ..., (None, cap)) unless faulted."""
    civil = build.rng.randint(*staff_range)
    cap = next(c for below, c in caps if below is None or civil < below)
    deputies = cap + 1 if build.fault() else max(0, cap - build.rng.choice((0, 0, 1)))
    return Organization(oid, name, type_, level, parent=parent, heads=1, deputies=deputies,
                        staff=Staff(civil_servants=civil, public_employees=build.rng.randint(0, 2)))


def _merge(build: _Builder, parent: str, ids: tuple[str, str, str], names: tuple[str, str, str], type_: str,
           level: str, deputies: int, staff_range: tuple) -> None:
    """Two units of ``before`` merged into a third in ``after``, with fewer staff unless faulted."""
    a, b, merged = ids
    sources = []
    for oid, name in zip((a, b), names):
        civil = build.rng.randint(*staff_range)
        sources.append(Organization(oid, name, type_, level, parent=parent, heads=1, deputies=deputies,
                                    staff=Staff(civil_servants=civil)))
    before_staff = sum(o.staff.civil_servants for o in sources)
    after_staff = before_staff + 2 if build.fault() else before_staff - build.rng.randint(1, 3)
    build.before.extend(sources)
    build.after.append(Organization(merged, names[2], type_, level, parent=parent, heads=1, deputies=deputies,
                                    staff=Staff(civil_servants=after_staff), formed_from=(a, b)))


def _extra_unit(build: _Builder, oid: str, name: str, parent: str, level: str) -> tuple[str, ...]:
    """A new unit in ``after`` only (a fault: its parent gains a unit), or nothing."""
    if not build.fault():
        return ()
    build.after.append(Organization(oid, name, "public_service_unit", level, parent=parent, heads=1,
                                    staff=Staff(public_employees=build.rng.randint(5, 15))))
    return (oid,)


def _department(build: _Builder, i: int) -> _Block:
    d, name = f"d{i:05d}", f"Sở số {i}"
    build.both(Organization(d, name, "department", "province", parent="ubnd", heads=1,
                            deputies=build.rng.choice((2, 3)), staff=Staff(civil_servants=build.rng.randint(4, 8))))
    offices = [f"{d}/p{j}" for j in range(1, 8)]
    for j, oid in enumerate(offices, 1):
        build.both(_office(build, oid, f"Phòng {j}, {name}", d, "internal_unit", OFFICE_CAPS, (5, 20)))
    merged = (f"{d}/pa", f"{d}/pb", f"{d}/pab")
    _merge(build, d, merged, (f"Phòng A, {name}", f"Phòng B, {name}", f"Phòng A-B, {name}"),
           "internal_unit", "province", 1, (5, 9))
    build.both(_office(build, f"{d}/tt", f"Thanh tra {name}", d, "inspectorate", INSPECTORATE_CAPS, (5, 12)))
    sub = f"{d}/cc"
    build.both(_office(build, sub, f"Chi cục thuộc {name}", d, "sub_department", SUB_DEPARTMENT_CAPS, (8, 14)))
    sub_offices = [f"{sub}/p{j}" for j in (1, 2)]
    for j, oid in enumerate(sub_offices, 1):
        build.both(Organization(oid, f"Phòng {j}, Chi cục thuộc {name}", "internal_unit", "province", parent=sub,
                                heads=1, deputies=1, staff=Staff(civil_servants=build.rng.randint(4, 8))))
    services = [f"{d}/tr{j}" for j in range(1, 5)]
    for j, oid in enumerate(services, 1):
        build.both(Organization(oid, f"Trung tâm {j}, {name}", "public_service_unit", "province", parent=d,
                                heads=1, deputies=build.rng.randint(1, 2),
                                staff=Staff(public_employees=build.rng.randint(20, 60))))
    khoi = Organization(f"{d}/khoi", f"Khối phối hợp, {name}", "other", "province", parent=d, intermediate=True,
                        heads=1, staff=Staff(civil_servants=2))
    build.after.append(khoi)
    kept = not build.fault()  # faulted: the intermediate body is new, not kept from before
    if kept:
        build.before.append(khoi)
    extra = _extra_unit(build, f"{d}/tr9", f"Trung tâm mới, {name}", d, "province")
    before_ids = (d, *offices, *merged[:2], f"{d}/tt", sub, *sub_offices, *services) + ((khoi.id,) if kept else ())
    after_ids = (d, *offices, merged[2], f"{d}/tt", sub, *sub_offices, *services, khoi.id, *extra)
    return _Block(d, name, before_ids, after_ids, {merged[0]: merged[2], merged[1]: merged[2]})


def _district(build: _Builder, i: int) -> _Block:
    h, name = f"h{i:05d}", f"UBND huyện số {i}"
    build.both(Organization(h, name, "people_committee", "district", parent="ubnd", heads=1, deputies=3,
                            staff=Staff(civil_servants=build.rng.randint(4, 8))))
    offices = [f"{h}/p{j:02d}" for j in range(1, 13)]
    for j, oid in enumerate(offices, 1):
        build.both(Organization(oid, f"Phòng chuyên môn {j}, {name}", "district_office", "district", parent=h,
                                heads=1, deputies=build.rng.choice((1, 2, 2)),
                                staff=Staff(civil_servants=build.rng.randint(4, 12))))
    merged = (f"{h}/pa", f"{h}/pb", f"{h}/pab")
    _merge(build, h, merged, (f"Phòng A, {name}", f"Phòng B, {name}", f"Phòng A-B, {name}"),
           "district_office", "district", 1, (4, 8))
    services = [f"{h}/tr{j}" for j in range(1, 5)]
    for j, oid in enumerate(services, 1):
        build.both(Organization(oid, f"Trung tâm {j}, {name}", "public_service_unit", "district", parent=h,
                                heads=1, deputies=1, staff=Staff(public_employees=build.rng.randint(10, 30))))
    extra = _extra_unit(build, f"{h}/tr9", f"Trung tâm mới, {name}", h, "district")
    before_ids = (h, *offices, *merged[:2], *services)
    after_ids = (h, *offices, merged[2], *services, *extra)
    return _Block(h, name, before_ids, after_ids, {merged[0]: merged[2], merged[1]: merged[2]})


def _party(build: _Builder, i: int) -> _Block:
    b, name = f"b{i:05d}", f"Ban số {i} của cấp ủy"
    level = "province" if i < 30 else "district"
    build.both(Organization(b, name, "party_body", level, parent="tu", heads=1, deputies=2,
                            staff=Staff(civil_servants=build.rng.randint(3, 6))))
    units = [f"{b}/p{j:02d}" for j in range(1, 13)]
    for j, oid in enumerate(units, 1):
        build.both(_office(build, oid, f"Phòng {j}, {name}", b, "internal_unit", PARTY_UNIT_CAPS, (3, 9), level))
    merged = (f"{b}/pa", f"{b}/pb", f"{b}/pab")
    _merge(build, b, merged, (f"Phòng A, {name}", f"Phòng B, {name}", f"Phòng A-B, {name}"),
           "internal_unit", level, 1, (3, 4))
    masses = [f"{b}/dt{j}" for j in range(1, 5)]
    for j, oid in enumerate(masses, 1):
        build.both(Organization(oid, f"Đoàn thể {j}, {name}", "mass_organization", level, parent=b, heads=1,
                                deputies=1, staff=Staff(civil_servants=build.rng.randint(3, 8))))
    extra = _extra_unit(build, f"{b}/tr9", f"Trung tâm mới, {name}", b, level)
    before_ids = (b, *units, *merged[:2], *masses)
    after_ids = (b, *units, merged[2], *masses, *extra)
    return _Block(b, name, before_ids, after_ids, {merged[0]: merged[2], merged[1]: merged[2]})


# --------------------------------------------------------------------------- tasks


TASK_FAULTS = ("two-leads", "no-lead", "empty-lead", "dropped")


def _tasks(build: _Builder, block: _Block) -> None:
    """18 tasks continuing from ``before`` (a few retired, some faulted) and 2 new ones."""
    rng = build.rng
    for j in range(1, 19):
        tid, name = f"{block.prefix}/nv{j:02d}", f"Nhiệm vụ {j} của {block.name}"
        lead = rng.choice(block.before_ids)
        build.tasks_before.append(Task(tid, name, lead=(lead,)))
        after_lead = block.merged_into.get(lead, lead)
        fault = rng.choice(TASK_FAULTS) if build.fault() else None
        if fault == "dropped":
            continue
        if fault is None and rng.random() < 0.03:
            build.tasks_after.append(Task(tid, name, lead=(after_lead,), retired=Retired("Chuyển giao cho Trung ương")))
            continue
        leads = {"two-leads": (after_lead, rng.choice(block.after_ids)), "no-lead": None, "empty-lead": ()}
        build.tasks_after.append(Task(tid, name, lead=leads.get(fault, (after_lead,))))
    for j in (19, 20):
        tid = f"{block.prefix}/nv{j:02d}"
        build.tasks_after.append(Task(tid, f"Nhiệm vụ mới {j} của {block.name}", lead=(rng.choice(block.after_ids),)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("orgs", type=int, help="about how many organisations")
    parser.add_argument("--yaml", type=Path, help="also write the plan to this file")
    args = parser.parse_args(argv)
    plan = synthetic_plan(args.orgs)
    ids = {o.id for o in plan.before.organizations} | {o.id for o in plan.after.organizations}
    tasks = {t.id for t in plan.before.tasks} | {t.id for t in plan.after.tasks}
    print(f"{plan.id}: {len(ids)} organisations ({len(plan.before.organizations)} before, "
          f"{len(plan.after.organizations)} after), {len(tasks)} tasks")
    if args.yaml:
        write_yaml(plan, args.yaml)
        print(f"written to {args.yaml}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
