"""Grade a set of KernelBench problems and write the KernelBench-shaped report.

    python -m benchmarks.kernel.suite --out results/kernel_cpu_seeds [--device cpu]
        [--problems mlp small_cnn ...] [--kernelbench-dir DIR --level3]
        [--candidates DIR]   # DIR/<problem>.py (level3 names: DIR/level3/<stem>.py)
        [--timing-trials N] [--no-compile]

Without ``--candidates`` each problem's seed (ModelNew = the reference in plain PyTorch) is
graded, which measures the harness itself: speedups near 1.0 and the timer's noise.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks.kernel.problem import checkout_problems, in_repo_problems
from benchmarks.kernel.results import ProblemResult, write_report
from benchmarks.kernel.task import build_task

log = logging.getLogger(__name__)


def evaluate_suite(names: Sequence[str], candidates: Path | None = None,
                   **options: Any) -> list[ProblemResult]:
    """Evaluate one program per problem (the candidate file, else the seed), in order."""
    out = []
    for name in names:
        task = build_task(name, **options)
        code = task.seeds[0]
        if candidates is not None:
            path = candidates / f"{name}.py"
            if not path.is_file():
                log.warning("%s: no candidate at %s; counted as not compiled", name, path)
                out.append(ProblemResult(task.id, error=f"no candidate file {path}"))
                continue
            code = path.read_text()
        t0 = time.monotonic()
        r = task.evaluate(code)
        log.info("%s: valid=%s fitness=%s (%.1fs) %s", name, r.valid, r.fitness,
                 time.monotonic() - t0, r.error or "")
        out.append(ProblemResult.from_eval(task.id, r))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.kernel.suite",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--problems", nargs="*", default=None)
    ap.add_argument("--kernelbench-dir", default=None)
    ap.add_argument("--level3", action="store_true", help="all level3 problems of the checkout")
    ap.add_argument("--candidates", type=Path, default=None)
    ap.add_argument("--device", choices=["cpu", "cuda"], default=None)
    ap.add_argument("--timing-trials", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-compile", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    names = list(a.problems or [])
    if a.level3:
        names += list(checkout_problems(a.kernelbench_dir))
    if not names:
        names = list(in_repo_problems())
    opts: dict[str, Any] = {"device": a.device, "timing_trials": a.timing_trials,
                            "threads": a.threads, "kernelbench_dir": a.kernelbench_dir,
                            "compile_baseline": not a.no_compile}
    opts = {k: v for k, v in opts.items() if v is not None}
    results = evaluate_suite(names, a.candidates, **opts)
    files = write_report(results, a.out, title=f"KernelBench results ({len(names)} problems)")
    print(files["markdown"].read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
