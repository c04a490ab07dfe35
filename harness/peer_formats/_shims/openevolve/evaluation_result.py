"""``EvaluationResult`` as OpenEvolve evaluators construct it: metrics plus artifacts."""

from dataclasses import dataclass, field
from typing import Any, Dict


@dataclass
class EvaluationResult:
    metrics: Dict[str, Any]
    artifacts: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, metrics: Dict[str, Any]) -> "EvaluationResult":
        return cls(metrics=metrics)

    def to_dict(self) -> Dict[str, Any]:
        return self.metrics

    def has_artifacts(self) -> bool:
        return bool(self.artifacts)

    def get_artifact_keys(self) -> list:
        return list(self.artifacts)
