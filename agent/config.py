"""Run configuration: nested pydantic models, ``extra="forbid"`` so a typo names its field.

Defaults run offline (no model configured: the OfflineProposer, with the run saying so). YAML
files are validated by :func:`load_config`; CLI flags override single fields afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SamplerSettings(_Model):
    kind: Literal["adaptive", "random", "topk", "fitness-proportional"] = "adaptive"
    temp_min: float = Field(0.05, gt=0)
    temp_max: float = Field(1.0, gt=0)
    topk: int = Field(5, ge=1)
    n_inspirations: int = Field(3, ge=0)
    n_elites: int = Field(2, ge=0)
    crossover_rate: float = Field(0.15, ge=0, le=1)
    diversity_rule: Literal["relative", "fixed"] = "relative"
    diversity_target: float = Field(0.1, gt=0, description="for diversity_rule=fixed; the hashing "
                                    "embedding with numeric edits measures about 0.001-0.002")
    rank_power: float = Field(1.0, ge=0, description="parent weight in a cluster: 1/(rank+1)**p")
    rank_temperature: bool = Field(True, description="the sampling temperature also sharpens "
                                   "the rank weights: p * temp_max / T (False: fixed p)")


class PopulationSettings(_Model):
    islands: int = Field(4, ge=1, description="number of islands; 1 = no island model")
    island_capacity: int = Field(200, ge=2)
    max_clusters: int = Field(8, ge=1)
    recluster_every: int = Field(25, ge=1)
    elite_size: int = Field(16, ge=0, description="0 switches the elite pool off")
    migration_interval: int = Field(5, ge=0, description="generations between ring migrations; 0 = never")
    migration_count: int = Field(1, ge=1)
    generation_size: int = Field(8, ge=1, description="evaluations per island that make a generation")
    embedding: str = "hashing"


class ColdStartSettings(_Model):
    enabled: bool = True
    variants_per_island: int = Field(4, ge=0)
    strategies: list[str] = Field(default_factory=lambda: [
        "simple baseline", "metaheuristic", "exact or mathematical construction"])


class StopSettings(_Model):
    max_evals: int | None = Field(400, ge=1)
    max_time_s: float | None = Field(None, gt=0)
    target_score: float | None = Field(None, description="stop when the best raw objective reaches this")
    stagnation_evals: int | None = Field(None, ge=1)
    max_cost_usd: float | None = Field(None, ge=0)
    max_proposals: int | None = Field(None, ge=1, description="stop after this many proposals "
                                      "(answered or failed), e.g. to bound LLM calls")


class PoolSettings(_Model):
    backend: Literal["ray", "local"] = "ray"
    proposals_in_flight: int = Field(8, ge=1)
    evals_in_flight: int | None = Field(None, ge=1, description="default: CPUs / task cpus")
    ray_address: str | None = None
    ray_num_cpus: int | None = None


class OfflineSettings(_Model):
    mutate_count_mean: float = 1.5
    scale_min: float = 1e-3
    scale_max: float = 0.3
    edit_rate: float = 0.1


class KnowledgeSettings(_Model):
    enabled: bool = True
    k: int = Field(3, ge=1, description="chunks retrieved into one prompt")
    stall_evals: int = Field(20, ge=1, description="evaluations on an island without improving "
                             "its best before its prompts get retrieved knowledge")


class RunConfig(_Model):
    task: str | None = None
    seed: int = 0
    out_dir: str | None = None
    population: PopulationSettings = Field(default_factory=PopulationSettings)
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    cold_start: ColdStartSettings = Field(default_factory=ColdStartSettings)
    stop: StopSettings = Field(default_factory=StopSettings)
    pools: PoolSettings = Field(default_factory=PoolSettings)
    offline: OfflineSettings = Field(default_factory=OfflineSettings)
    llm: dict[str, Any] | None = Field(None, description="agent.llm.config.LLMConfig; none = offline")
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    benchmark_options: dict[str, Any] = Field(default_factory=dict)
    stats_every: int = Field(10, ge=1)


class ConfigError(ValueError):
    pass


M = TypeVar("M", bound=BaseModel)


def first_problem(e: ValidationError) -> tuple[str, str]:
    """A pydantic error's first problem as (dotted field, message), for one-line errors."""
    err = e.errors()[0]
    return ".".join(str(x) for x in err["loc"]), err["msg"]


def load_yaml_model(path: Path, model: type[M], error: type[Exception]) -> M:
    """``path`` read as YAML and validated as ``model``; bad YAML or a bad field raises
    ``error`` with one line naming the file and, for a field, its dotted name."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise error(f"{path} is not valid YAML: {str(e).splitlines()[0]}") from e
    try:
        return model.model_validate(data)
    except ValidationError as e:
        loc, msg = first_problem(e)
        raise error(f"{path}: field {loc!r}: {msg}") from e


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Read YAML (if given), apply dotted overrides like ``{"stop.max_evals": 50}``, validate."""
    data: dict[str, Any] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {p} not found; pass an existing YAML file")
        try:
            data = yaml.safe_load(p.read_text()) or {}
        except yaml.YAMLError as e:
            raise ConfigError(f"config file {p} is not valid YAML: {str(e).splitlines()[0]}") from e
        if not isinstance(data, dict):
            raise ConfigError(f"config file {p} must hold a mapping at the top level")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        cur = data
        parts = key.split(".")
        for part in parts[:-1]:
            cur = cur.setdefault(part, {})
        cur[parts[-1]] = value
    try:
        return RunConfig.model_validate(data)
    except ValidationError as e:
        loc, msg = first_problem(e)
        where = f" in {path}" if path else ""
        raise ConfigError(f"config field {loc!r}{where}: {msg} "
                          f"({len(e.errors())} problem(s); `fmagent config show` prints a valid config)") from e
