"""The paper's reported numbers (``results/paper_reference.yaml``), validated by pydantic.

Both published versions are held (``v1``: arXiv 2510.26144v1; ``tr``: the technical report);
every table names its version and source, so a report can say what a row compares with.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.config import load_yaml_model

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "results" / "paper_reference.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Version(_Strict):
    title: str
    source: str = Field(min_length=3)


class Row(_Strict):
    name: str
    model: str | None = None
    task: str | None = None  # the task ref a row compares with (math problems)
    direction: Literal["max", "min"] | None = None
    ours: bool = False  # the FM Agent row (as opposed to a baseline)
    values: dict[str, float | None]
    sem: dict[str, float] = Field(default_factory=dict)
    note: str = ""


class Table(_Strict):
    id: str
    version: Literal["v1", "tr"]
    source: str = Field(min_length=3)
    columns: list[str] = Field(min_length=1)
    rows: list[Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _columns_known(self) -> "Table":
        for r in self.rows:
            extra = set(r.values) - set(self.columns)
            extra |= set(r.sem) - set(self.columns)
            if extra:
                raise ValueError(f"table {self.id}/{self.version}: row {r.name!r} has values "
                                 f"for unknown columns {sorted(extra)}")
        return self

    def row(self, name: str) -> Row | None:
        return next((r for r in self.rows if r.name == name), None)


class Benchmark(_Strict):
    title: str
    unit: str
    setup: str
    tables: list[Table]

    def table(self, table_id: str, version: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id and t.version == version), None)


class PaperReference(_Strict):
    schema_: int = Field(alias="schema")
    versions: dict[Literal["v1", "tr"], Version]
    benchmarks: dict[str, Benchmark]

    @model_validator(mode="after")
    def _both_versions(self) -> "PaperReference":
        missing = {"v1", "tr"} - set(self.versions)
        if missing:
            raise ValueError(f"paper reference lacks version(s) {sorted(missing)}")
        return self

    def source_of(self, table: Table) -> str:
        return f"{self.versions[table.version].title}: {table.source}"


class ReferenceError(ValueError):
    """The reference file is missing or malformed; the message names the problem."""


@lru_cache(maxsize=4)
def load_reference(path: str | Path = DEFAULT_PATH) -> PaperReference:
    p = Path(path)
    if not p.is_file():
        raise ReferenceError(f"paper reference file {p} not found (it ships as "
                             "results/paper_reference.yaml in the repository)")
    return load_yaml_model(p, PaperReference, ReferenceError)
