"""Real MLE-Bench competitions through the ``mlebench`` package (imported lazily).

Only the public API is used: ``mlebench.registry.registry.set_data_dir(p).get_competition(id)``,
``Competition.grader`` (callable ``(submission_df, answers) -> float | None`` and
``is_lower_better(leaderboard)``), ``mlebench.data.get_leaderboard(competition)`` and
``mlebench.grade.grade_csv(path, competition) -> CompetitionReport``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

INSTALL_HINT = ("the mlebench package is not installed; install it with "
                "`pip install 'mlebench @ git+https://github.com/openai/mle-bench.git'` (Python >= "
                "3.11; the leaderboards need git-lfs), then prepare data with "
                "`mlebench prepare -c <competition-id> --data-dir <dir>`")


class MLEBenchMissing(ImportError):
    """mlebench is needed for real mode; the message says how to install it."""


def mlebench_module(name: str) -> Any:
    """Import ``mlebench.<name>`` or raise MLEBenchMissing with install instructions."""
    try:
        return importlib.import_module(f"mlebench.{name}")
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] == "mlebench":
            raise MLEBenchMissing(INSTALL_HINT) from None
        raise


def default_real_data_dir() -> Path | None:
    env = os.environ.get("FMAGENT_MLEBENCH_DATA")
    return Path(env).expanduser() if env else None


def resolve_data_dir(data_dir: str | Path | None, competition_id: str) -> Path:
    """The data dir holding ``<id>/prepared/public``; a clear error when it is not there."""
    d = Path(data_dir).expanduser() if data_dir else default_real_data_dir()
    if d is None:
        raise ValueError(f"mle/{competition_id} is a real MLE-Bench competition: pass its data "
                         "directory (option data_dir, CLI --data-dir, or env "
                         "FMAGENT_MLEBENCH_DATA), prepared with `mlebench prepare -c "
                         f"{competition_id} --data-dir <dir>`")
    public = d / competition_id / "prepared" / "public"
    if not public.is_dir():
        raise ValueError(f"{public} does not exist: prepare it with `mlebench prepare -c "
                         f"{competition_id} --data-dir {d}`")
    return d.resolve()


def get_competition(data_dir: str | Path, competition_id: str) -> Any:
    registry = mlebench_module("registry")
    try:
        return registry.registry.set_data_dir(Path(data_dir)).get_competition(competition_id)
    except FileNotFoundError as e:
        raise ValueError(f"mlebench does not know competition {competition_id!r} ({e})") from None


def is_lower_better(competition: Any) -> bool:
    data = mlebench_module("data")
    return bool(competition.grader.is_lower_better(data.get_leaderboard(competition)))


def leaderboard_size(competition: Any) -> int:
    return len(mlebench_module("data").get_leaderboard(competition))


def grade_validation(competition: Any, submission: Any, answers: Any) -> float | None:
    """The competition's own metric on a validation split; None when mlebench finds it invalid."""
    score = competition.grader(submission, answers)
    return None if score is None else float(score)


def grade_final(competition: Any, submission_path: Path) -> dict[str, Any]:
    """mlebench's official report for a test-set submission, as a JSON-able dict."""
    grade = mlebench_module("grade")
    return grade.grade_csv(Path(submission_path), competition).to_dict()
