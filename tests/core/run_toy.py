"""Run the toy task as its own process (for kill -9 / SIGTERM tests)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.config import load_config  # noqa: E402
from agent.search import Search  # noqa: E402
from harness.proposers import ProposerSpec  # noqa: E402
from tests.core.toytask import toy_task  # noqa: E402

out, n, resume = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "resume"
cfg = load_config(None, {"stop.max_evals": n, "pools.backend": "local",
                         "pools.evals_in_flight": 2, "population.islands": 2,
                         "cold_start.variants_per_island": 2})
summary = Search(toy_task(), cfg, out, ProposerSpec()).run(resume=resume)
print("DONE", summary["evaluations"], summary["best_score"], summary["stop_reason"], flush=True)
