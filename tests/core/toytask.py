"""A tiny synthetic task for engine tests: fit five numbers to hidden targets.

The hidden targets live here, in trusted code; the candidate only returns its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.records import EvalResult, Resources
from agent.sandbox import Limits, run_python_function
from agent.task import EvalContext, Task

TARGETS = [0.3, -1.2, 2.5, 0.05, 7.0]

SEED = '''
# EVOLVE-BLOCK-START
def params():
    return [1.0, 1.0, 1.0, 1.0, 1.0]
# EVOLVE-BLOCK-END


def run():
    return params()
'''


@dataclass(frozen=True)
class ToyEvaluator:
    timeout_s: float = 10.0

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        value, res = run_python_function(code, "run", [], limits=Limits(timeout_s=self.timeout_s,
                                                                            memory_mb=1024))
        if value is None:
            return EvalResult.invalid(res.describe_failure(), feedback=res.stderr[-500:])
        if not isinstance(value, list) or len(value) != len(TARGETS):
            return EvalResult.invalid(f"expected {len(TARGETS)} numbers")
        try:
            err = sum((float(a) - b) ** 2 for a, b in zip(value, TARGETS))
        except (TypeError, ValueError):
            return EvalResult.invalid("non-numeric output")
        return EvalResult(valid=True, fitness=err, metrics={"sq_error": err})


def toy_task(timeout_s: float = 10.0) -> Task:
    return Task(id="toy/fit5", statement="Return five numbers close to the hidden targets.",
                seeds=(SEED,), evaluator=ToyEvaluator(timeout_s), direction="min",
                resources=Resources(cpus=1, memory_mb=1024, timeout_s=timeout_s))
