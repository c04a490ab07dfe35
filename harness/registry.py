"""Lazy registry of benchmarks and their tasks.

A benchmark is a package under ``benchmarks/`` exposing ``list_tasks() -> list[TaskInfo]`` and
``load_task(name, **options) -> Task``. Nothing heavy is imported until a task is loaded, so
``fmagent list`` stays fast and the core never pulls torch, mlebench or ale_bench.
"""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path
from typing import Any

from agent.task import Task, TaskInfo

BENCHMARKS: dict[str, str] = {
    "math": "benchmarks.math",
    "ale": "benchmarks.ale",
    "mle": "benchmarks.mle",
    "kernel": "benchmarks.kernel",
}


class UnknownTask(ValueError):
    """A task reference that names nothing; the message says what exists."""


def _module(bench: str):
    if bench not in BENCHMARKS:
        hint = difflib.get_close_matches(bench, list(BENCHMARKS), n=1)
        more = f" Did you mean {hint[0]!r}?" if hint else ""
        raise UnknownTask(f"unknown benchmark {bench!r}.{more} Known: {', '.join(BENCHMARKS)} "
                          "(or pass a task folder path).")
    return importlib.import_module(BENCHMARKS[bench])


def list_tasks(bench: str | None = None) -> dict[str, list[TaskInfo]]:
    names = [bench] if bench else list(BENCHMARKS)
    out: dict[str, list[TaskInfo]] = {}
    for b in names:
        mod = _module(b)
        out[b] = list(getattr(mod, "list_tasks", lambda: [])())
    return out


def load_task(ref: str, **options: Any) -> Task:
    """Resolve ``benchmark/task`` (or a task folder path) to a Task, with a helpful error."""
    path = Path(ref)
    if path.is_dir():
        try:
            folder = importlib.import_module("harness.task_folder")
        except ModuleNotFoundError as e:
            raise UnknownTask(f"{ref} is a folder, but task folders are not supported in this "
                              "build") from e
        return folder.load_folder(path, **options)
    if "/" not in ref:
        raise UnknownTask(f"task {ref!r} must be written benchmark/task, for example "
                          "math/circle_packing_26; `fmagent list` shows them all")
    bench, name = ref.split("/", 1)
    mod = _module(bench)
    known = [t.name for t in mod.list_tasks()]
    accepts = getattr(mod, "accepts_task", None)  # e.g. any prepared MLE-Bench competition id
    if name not in known and not (accepts is not None and accepts(name, **options)):
        hint = difflib.get_close_matches(name, known, n=1)
        more = f" Did you mean {bench}/{hint[0]}?" if hint else ""
        raise UnknownTask(f"unknown task {ref!r}.{more} `fmagent list {bench}` shows the "
                          f"{len(known)} tasks of {bench}.")
    return mod.load_task(name, **options)
