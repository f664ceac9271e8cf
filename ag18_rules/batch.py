"""Many plans, one policy: in this process, on any ``concurrent.futures.Executor``, or on Dask.

:func:`evaluate_many` yields one report per plan, in input order.  With an executor, plans are
sent in chunks as paths or as JSON bytes (never as pickled model objects), and each worker
process loads the policy once, by its folder and backend, and keeps it for later chunks.  A
``dask.distributed.Client`` is used like any executor (``submit`` and ``result``); its chunks
are coarse, a few per worker, because every task costs a round trip to the scheduler.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Optional, Union

from .errors import InputError

if TYPE_CHECKING:
    from .engine import Policy
    from .report import Report

__all__ = ["evaluate_many"]

Progress = Union[bool, Callable[[int, int], None]]
_POLICIES: dict = {}  # (folder, backend) -> Policy, in each worker process
_LOCK = threading.Lock()


def evaluate_many(policy: "Policy", plans: Iterable[Any], *, executor: Any = None, progress: Progress = False,
                  chunk_size: Optional[int] = None, **options: Any) -> Iterator["Report"]:
    """Reports of ``plans`` (paths or mappings), in their order; ``options`` go to ``Policy.evaluate``.

    ``executor``: None (this process), a ``concurrent.futures.Executor`` or a
    ``dask.distributed.Client``.  ``progress``: a function called with (done, total) after each
    report, or True for a counter on standard error.  A plan that is not valid raises the
    library's :class:`InputError` when its report would be yielded.
    """
    items = [_item(p) for p in plans]
    report_progress = _progress(progress)
    if executor is None:
        for done, (kind, value, name) in enumerate(items, 1):
            yield policy.evaluate(_plan_input(kind, value), **options)
            report_progress(done, len(items))
        return
    spec = (str(policy.directory), policy.backend_name)
    size = chunk_size or _chunk_size(executor, len(items))
    futures = [executor.submit(_evaluate_chunk, spec, chunk, options) for chunk in _chunks(items, size)]
    done = 0
    for future in futures:
        for result in future.result():
            if isinstance(result, tuple) and result and result[0] == "input-error":
                raise InputError(result[1])
            done += 1
            yield result
            report_progress(done, len(items))


def _item(plan: Any) -> tuple[str, Any, Optional[str]]:
    """A plan as it travels: ("path", str, None) or ("json", bytes, name)."""
    if isinstance(plan, (str, os.PathLike)):
        return ("path", os.fspath(plan), None)
    if isinstance(plan, Mapping):
        return ("json", json.dumps(plan, ensure_ascii=False, default=_iso).encode("utf-8"), "<dict>")
    raise TypeError(f"evaluate_many takes paths or mappings, not {type(plan).__name__}")


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plan data")


def _plan_input(kind: str, value: Any) -> Any:
    return value if kind == "path" else json.loads(value)


def _chunk_size(executor: Any, total: int) -> int:
    """A few chunks per worker: coarse on Dask (a scheduler round trip per task), finer on a pool."""
    workers = _workers(executor)
    per_worker = 2 if _is_dask(executor) else 4
    return max(1, -(-total // (workers * per_worker)))


def _workers(executor: Any) -> int:
    if _is_dask(executor):
        try:
            return max(1, sum(executor.nthreads().values()))
        except Exception:  # noqa: BLE001 - a client without a cluster answer: assume one worker
            return 1
    return max(1, getattr(executor, "_max_workers", None) or os.cpu_count() or 1)


def _is_dask(executor: Any) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed"


def _chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _evaluate_chunk(spec: tuple[str, str], chunk: list, options: dict) -> list:
    """In a worker: the reports of one chunk, with the worker's policy (loaded on its first chunk).
    A plan's input error comes back as data (exceptions with diagnostics do not pickle as such)."""
    from .engine import Policy

    with _LOCK:
        policy = _POLICIES.get(spec)
        if policy is None:
            policy = _POLICIES[spec] = Policy.load(spec[0], backend=spec[1])
    out: list = []
    for kind, value, _ in chunk:
        try:
            out.append(policy.evaluate(_plan_input(kind, value), **options))
        except InputError as error:
            out.append(("input-error", tuple(error.diagnostics)))
            break
    return out


def _progress(progress: Progress) -> Callable[[int, int], None]:
    if callable(progress):
        return progress
    if progress:
        def counter(done: int, total: int) -> None:
            sys.stderr.write(f"\r{done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        return counter
    return lambda done, total: None

