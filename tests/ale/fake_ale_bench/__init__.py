"""A faithful fake of the ``ale_bench`` package for tests (no Docker, no Hugging Face).

Same public names, arguments and result fields as SakanaAI/ALE-Bench (``start``, ``restart``,
``Session.public_eval/private_eval/save/close``, ``Result``, ``CaseResult``, ``JudgeResult``,
``ResourceUsage``, ``Problem.metadata.score_type``, ``Problem.constraints``). The judge is a toy:
code containing ``COMPILE_ERROR`` fails to compile; ``SCORE=<n>`` makes case i score n + i;
``WA_ODD`` makes odd cases WRONG_ANSWER; ``TLE_ALL`` times out every case.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .data import PROBLEMS
from .error import AleBenchError
from .result import CaseResult, JudgeResult, ResourceUsage, Result
from .session import Session

STARTED: list[dict] = []  # every start() call's arguments, for assertions


def start(problem_id: str, lite_version: bool = False, use_same_time_scale: bool = False,
          maximum_num_case_gen: int = int(1e18), maximum_num_case_eval: int = int(1e18),
          maximum_execution_time_case_eval: float = 1e18,
          maximum_num_call_public_eval: int = int(1e18), session_duration=None,
          num_workers: int = 1, run_visualization_server: bool = False,
          visualization_server_port: int | None = None) -> Session:
    if problem_id not in PROBLEMS:
        raise AleBenchError(f"Problem ID {problem_id} not found.")
    STARTED.append({"problem_id": problem_id, "lite_version": lite_version,
                    "maximum_num_call_public_eval": maximum_num_call_public_eval,
                    "num_workers": num_workers})
    maximum = ResourceUsage(num_case_gen=maximum_num_case_gen,
                            num_case_eval=maximum_num_case_eval,
                            num_call_public_eval=maximum_num_call_public_eval,
                            num_call_private_eval=1,
                            execution_time_case_eval=maximum_execution_time_case_eval)
    return Session(PROBLEMS[problem_id], lite_version, maximum, num_workers)


def restart(session_saved_file: str | os.PathLike[str], num_workers: int | None = None,
            visualization_server_port: int | None = None) -> Session:
    data = json.loads(Path(session_saved_file).read_text())
    s = start(data["problem_id"], data["lite_version"], num_workers=num_workers or
              data["num_workers"])
    s._current_resource_usage = ResourceUsage(**data["current_resource_usage"])
    s._action_log = list(data["action_log"])
    return s


__all__ = ["AleBenchError", "CaseResult", "JudgeResult", "ResourceUsage", "Result", "Session",
           "restart", "start"]
