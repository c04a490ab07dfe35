"""Run directories of the toy task, built once per test module through `fmagent run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.toy import patch_registry, run_toy


def build_runs(root: Path, seeds: list[int], max_evals: int, weak: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        patch_registry(mp)
        for s in seeds:
            assert run_toy(root / f"s{s}", s, max_evals, weak=weak, config_dir=root.parent) == 0
    return root


@pytest.fixture(scope="module")
def toy_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two finished toy runs (seeds 0 and 1, 60 evaluations each)."""
    return build_runs(tmp_path_factory.mktemp("toy") / "runs", [0, 1], 60)
