"""ALE-Bench adapter.

Offline mode (runs with nothing but this repository): three AHC-style batch problems written
here, ``ale/route`` (minimise), ``ale/cargo`` and ``ale/depots`` (maximise), judged in the
sandbox; C++ (gnu++20) by default, ``language="python"`` for the Python variant.

Real mode: the ten ALE-Bench lite problems ``ale/ahc008`` ... ``ale/ahc046`` through the
``ale_bench`` package (imported only when such a task is loaded). Options: ``language``
(cpp20, cpp17, cpp23, python, rust), ``lite_version`` (default True), ``public_eval_budget``,
``num_workers``.

:func:`private_eval` is the one final private evaluation of a run's best program;
``benchmarks.ale.rating`` turns performances into the paper's table and the AHC rating.
"""

from __future__ import annotations

from typing import Any

from agent.task import Task, TaskInfo

OFFLINE = ("route", "cargo", "depots")


def list_tasks() -> list[TaskInfo]:
    from benchmarks.ale.problem import all_problems
    from benchmarks.ale.real import lite_infos

    return [p.info() for p in all_problems().values()] + lite_infos()


def _split(name: str) -> str:
    return name.split("/", 1)[1] if name.startswith("ale/") else name


def load_task(name: str, **options: Any) -> Task:
    name = _split(name)
    if name in OFFLINE:
        from benchmarks.ale.offline import offline_task

        unknown = set(options) - {"language", "workers"}
        if unknown:
            raise ValueError(f"ale/{name} takes options language, workers; not "
                             f"{', '.join(sorted(unknown))}")
        return offline_task(name, **options)
    from benchmarks.ale.real import LITE_PROBLEMS, real_task

    if name not in LITE_PROBLEMS:
        raise ValueError(f"unknown ALE task {name!r}; offline: {', '.join(OFFLINE)}; real: "
                         f"{', '.join(LITE_PROBLEMS)}")
    unknown = set(options) - {"language", "lite_version", "public_eval_budget", "num_workers"}
    if unknown:
        raise ValueError(f"ale/{name} takes options language, lite_version, "
                         f"public_eval_budget, num_workers; not {', '.join(sorted(unknown))}")
    return real_task(name, **options)


def private_eval(task_name: str, code: str, language: str | None = None, **options: Any):
    """Evaluate ``code`` once on the private seeds (offline) or the session's private cases
    (real, giving rank and performance). Returns a ``PrivateResult`` (``to_dict()`` for JSON).

    Real-mode options: ``lite_version``, ``public_eval_budget``, ``num_workers`` (identify the
    session the search used in this process) and ``session_path`` (where to save it).
    """
    name = _split(task_name)
    if name in OFFLINE:
        from benchmarks.ale.offline import offline_private_eval

        return offline_private_eval(name, code, language or "cpp20",
                                    workers=int(options.get("workers", 2)))
    from benchmarks.ale.real import LITE_PROBLEMS, real_private_eval

    if name not in LITE_PROBLEMS:
        raise ValueError(f"unknown ALE task {task_name!r}; offline: {', '.join(OFFLINE)}; real: "
                         f"{', '.join(LITE_PROBLEMS)}")
    return real_private_eval(name, code, language or "cpp20", **options)


def final_eval(task_name: str, code: str, run_dir: Any, **options: Any) -> dict[str, Any]:
    """The harness's final step (``task.meta["finalize"]``): the private evaluation of the best
    program, as a JSON-able dict; real mode also saves the session as
    ``<run_dir>/ale_session.json`` (``ale_bench.restart`` can reopen it)."""
    from pathlib import Path

    opts = dict(options)
    language = opts.pop("language", None)
    name = _split(task_name)
    if name not in OFFLINE:
        opts["session_path"] = Path(run_dir) / "ale_session.json"
    res = private_eval(name, code, language, **opts)
    out = res.to_dict()
    if "session_path" in opts:
        out["session_path"] = str(opts["session_path"])
    return out
