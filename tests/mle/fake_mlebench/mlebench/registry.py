from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from mlebench.grade_helpers import Grader
from mlebench.utils import get_module_dir

DEFAULT_DATA_DIR = Path("/nonexistent/mle-bench/data")


@dataclass(frozen=True)
class Competition:
    id: str
    name: str
    description: str
    grader: Grader
    answers: Path
    gold_submission: Path
    sample_submission: Path
    competition_type: str
    prepare_fn: Callable
    raw_dir: Path
    private_dir: Path
    public_dir: Path
    checksums: Path
    leaderboard: Path


class Registry:
    def __init__(self, data_dir: Path = DEFAULT_DATA_DIR):
        self._data_dir = Path(data_dir).resolve()

    def get_competitions_dir(self) -> Path:
        return get_module_dir() / "competitions"

    def get_competition(self, competition_id: str) -> Competition:
        folder = self.get_competitions_dir() / competition_id
        config = yaml.safe_load((folder / "config.yaml").read_text())  # FileNotFoundError if unknown
        answers = self.get_data_dir() / config["dataset"]["answers"]
        return Competition(
            id=config["id"], name=config["name"],
            description=(folder / "description.md").read_text(),
            grader=Grader.from_dict(config["grader"]), answers=answers, gold_submission=answers,
            sample_submission=self.get_data_dir() / config["dataset"]["sample_submission"],
            competition_type=config["competition_type"], prepare_fn=lambda *a: None,
            raw_dir=self.get_data_dir() / competition_id / "raw",
            private_dir=self.get_data_dir() / competition_id / "prepared" / "private",
            public_dir=self.get_data_dir() / competition_id / "prepared" / "public",
            checksums=folder / "checksums.yaml", leaderboard=folder / "leaderboard.csv")

    def get_data_dir(self) -> Path:
        return self._data_dir

    def set_data_dir(self, new_data_dir: Path) -> "Registry":
        return Registry(new_data_dir)


registry = Registry()
