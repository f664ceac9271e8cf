"""Levers on tasks: one lead organisation, a lead for a task that lost it, one lead person."""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable, Optional

from .. import edits
from ..errors import Text
from ..model import Task
from .base import Change, Context, Edit, Lever
from .text import say

__all__ = ["lead_levers", "lead_person_levers"]

def _task_path(tid: str, name: str) -> str:
    return f"after.tasks[{tid}].{name}"


def _tasks(ctx: Context) -> tuple[Optional[Task], Optional[Task]]:
    tid = ctx.ref.id
    return ctx.index.tasks.get(tid), ctx.index.before_tasks.get(tid)


def lead_levers(ctx: Context) -> list[Lever]:
    after, before = _tasks(ctx)
    if after is None:
        return _restore_task(ctx, before)
    if after.lead and len(after.lead) > 1:
        return [_one_lead(ctx, after, lead) for lead in after.lead]
    out = []
    for old in (before.lead or ()) if before else ():
        lead = ctx.successor(old)
        if lead:
            out.append(_give_lead(ctx, after, lead, partial(say, "task_lead_successor", lead=ctx.org_name(lead),
                                                            task=after.name, old=ctx.org_name(old))))
    for lead in after.support:
        out.append(_give_lead(ctx, after, lead, partial(say, "task_lead_support", lead=ctx.org_name(lead),
                                                        task=after.name)))
    return out


def _one_lead(ctx: Context, task: Task, lead: str) -> Lever:
    others = tuple(x for x in task.lead if x != lead)
    support = tuple(dict.fromkeys(task.support + others))

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_task(ctx.plan, task.id, lambda t: replace(t, lead=(lead,), support=support))
        return Edit(plan, (Change(ctx.ref, _task_path(task.id, "lead"), list(task.lead), lead),
                           Change(ctx.ref, _task_path(task.id, "support"), list(task.support), list(support))),
                    say("task_one_lead", lead=ctx.org_name(lead), task=task.name,
                        others=", ".join(ctx.org_name(x) for x in others)))

    return Lever(f"one-lead:{task.id}:{lead}", 0, 1, build, lambda _k: {"lead_count": 1, "lead_list": lead})


def _give_lead(ctx: Context, task: Task, lead: str, text: Callable[[], Text]) -> Lever:
    """``text`` is written when the edit is built (only the chosen lever's is)."""
    support = tuple(s for s in task.support if s != lead)

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_task(ctx.plan, task.id, lambda t: replace(t, lead=(lead,), support=support))
        old = None if task.lead is None else list(task.lead)
        return Edit(plan, (Change(ctx.ref, _task_path(task.id, "lead"), old, lead),), text())

    return Lever(f"give-lead:{task.id}:{lead}", 0, 1, build, lambda _k: {"lead_count": 1, "lead_list": lead})


def _restore_task(ctx: Context, before: Optional[Task]) -> list[Lever]:
    """A task of ``before`` missing from ``after``: kept, led by the successor of its old lead."""
    if before is None:
        return []
    out = []
    for old in before.lead or ():
        lead = ctx.successor(old)
        if lead is None:
            continue
        support = tuple(dict.fromkeys(s for s in (ctx.successor(x) for x in before.support) if s and s != lead))
        task = replace(before, lead=(lead,), support=support, lead_person=None, retired=None)

        def build(_k: int, task=task, lead=lead, old=old) -> Edit:
            plan = lambda: edits.upsert_task(ctx.plan, task)
            text = say("task_restore_same", task=task.name, lead=ctx.org_name(lead)) if lead == old else \
                say("task_restore", task=task.name, lead=ctx.org_name(lead), old=ctx.org_name(old))
            return Edit(plan, (Change(ctx.ref, f"after.tasks[{task.id}]", None,
                                      {"id": task.id, "name": task.name, "lead": lead}),), text)

        out.append(Lever(f"restore:{before.id}:{lead}", 0, 1, build,
                         lambda _k: {"in_after": True, "lead_count": 1}))
    return out


def lead_person_levers(ctx: Context) -> list[Lever]:
    after, _ = _tasks(ctx)
    if after is None or after.lead_person is None:
        return []
    if len(after.lead_person) > 1:
        return [_one_person(ctx, after, person) for person in after.lead_person]
    return [_head_person(ctx, after, oid) for oid in after.lead or () if _head_of(ctx, oid)]


def _one_person(ctx: Context, task: Task, person: str) -> Lever:
    others = [p for p in task.lead_person if p != person]

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_task(ctx.plan, task.id, lambda t: replace(t, lead_person=(person,)))
        return Edit(plan, (Change(ctx.ref, _task_path(task.id, "lead_person"), list(task.lead_person), person),),
                    say("task_one_person", person=_person_name(ctx, person), task=task.name,
                        others=", ".join(_person_name(ctx, p) for p in others)))

    return Lever(f"one-person:{task.id}:{person}", 0, 1, build, lambda _k: {"lead_person_count": 1})


def _head_person(ctx: Context, task: Task, oid: str) -> Lever:
    person = _head_of(ctx, oid)

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_task(ctx.plan, task.id, lambda t: replace(t, lead_person=(person,)))
        return Edit(plan, (Change(ctx.ref, _task_path(task.id, "lead_person"), list(task.lead_person), person),),
                    say("task_head_person", person=_person_name(ctx, person), org=ctx.org_name(oid), task=task.name))

    return Lever(f"head-person:{task.id}:{person}", 0, 1, build, lambda _k: {"lead_person_count": 1})


def _head_of(ctx: Context, oid: str) -> Optional[str]:
    return ctx.index.heads.get(oid)


def _person_name(ctx: Context, pid: str) -> str:
    person = ctx.index.people.get(pid)
    return person.name if person and person.name else pid
