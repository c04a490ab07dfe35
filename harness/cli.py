"""The ``fmagent`` command line: list, run (and resume), eval, config."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Sequence

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")

log = logging.getLogger("fmagent")


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


# ---------------------------------------------------------------------------------- list
def cmd_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from harness.registry import list_tasks

    table = Table(title="fmagent tasks")
    for col in ("task", "direction", "offline", "title / needs"):
        table.add_column(col)
    for bench, infos in list_tasks(args.benchmark).items():
        for t in infos:
            table.add_row(f"{bench}/{t.name}", t.direction, "yes" if t.offline else "no",
                          t.title + (f"  [needs: {t.needs}]" if t.needs else ""))
    Console(width=max(120, Console().width)).print(table)
    return 0


# ---------------------------------------------------------------------------------- eval
def cmd_eval(args: argparse.Namespace) -> int:
    from harness.registry import load_task

    path = Path(args.program)
    if not path.is_file():
        raise UserError(f"program file {path} not found")
    task = load_task(args.task, **_bench_options(args))
    result = task.evaluate(path.read_text())
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        if result.valid:
            print(f"valid  score={result.metrics.get('score')!r}  fitness={result.fitness!r}")
        else:
            print(f"invalid  {result.error}")
        for k, v in sorted(result.metrics.items()):
            print(f"  {k}: {v:.10g}")
        if result.feedback:
            print(result.feedback[:2000])
    return 0 if result.valid else 1


# ---------------------------------------------------------------------------------- run
def _bench_options(args: argparse.Namespace) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for item in getattr(args, "option", None) or []:
        if "=" not in item:
            raise UserError(f"--option {item!r} must be KEY=VALUE")
        k, v = item.split("=", 1)
        import yaml

        try:  # typed like YAML: false -> False, 3 -> 3, 1e-5 -> 1e-05; anything else a string
            opts[k] = yaml.safe_load(v) if v.strip() else v
        except yaml.YAMLError:
            opts[k] = v
    return opts


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    o = {"stop.max_evals": args.max_evals, "stop.max_time_s": args.max_time,
         "stop.target_score": args.target, "stop.max_cost_usd": getattr(args, "max_cost", None),
         "population.islands": args.islands, "seed": args.seed,
         "pools.ray_address": args.ray_address, "pools.backend": args.backend,
         "pools.proposals_in_flight": args.inflight, "pools.evals_in_flight": args.eval_slots,
         "sampler.kind": args.sampler}
    if getattr(args, "model", None):
        o["llm"] = {"models": [{"name": m} for m in args.model]}
    return o


def _default_run_dir(task_id: str, seed: int) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{task_id.replace('/', '-')}-{stamp}-s{seed}"


def cmd_run(args: argparse.Namespace) -> int:
    from agent.config import RunConfig, load_config
    from agent.runstore import RunStore, provenance
    from harness.registry import load_task

    if args.resume:
        run_dir = Path(args.resume)
        if not (run_dir / "manifest.json").is_file():
            raise UserError(f"{run_dir} is not a run directory (no manifest.json); pass the "
                            "directory a previous `fmagent run` printed")
        manifest = json.loads((run_dir / "manifest.json").read_text())
        cfg = RunConfig.model_validate(manifest["config"])
        # only the stopping rules may change on resume (to extend a finished run)
        for k, v in _overrides(args).items():
            if v is not None and k.startswith("stop."):
                setattr(cfg.stop, k.split(".")[1], v)
        task_ref = manifest["task"]["ref"]
    else:
        if not args.task:
            raise UserError("fmagent run needs a TASK (e.g. math/circle_packing_26) or --resume RUN_DIR")
        cfg = load_config(args.config, _overrides(args))
        task_ref = args.task
        cfg.task = task_ref
        cfg.benchmark_options.update(_bench_options(args))
        run_dir = Path(args.out) if args.out else _default_run_dir(task_ref, cfg.seed)
        if (run_dir / "programs.db").exists():
            raise UserError(f"{run_dir} already holds a run; use --resume {run_dir} or another --out")
    task = load_task(task_ref, **cfg.benchmark_options)
    if args.resume and manifest["task"].get("version") != task.version:
        raise UserError(f"task {task.id} is now version {task.version}, the run used "
                        f"{manifest['task'].get('version')}; a resumed run must use the same task")
    from harness.proposers import ProposerSpec

    llm_cfg = cfg.llm
    if llm_cfg is not None and cfg.stop.max_cost_usd is not None:
        llm_cfg = {**llm_cfg, "max_cost_usd": llm_cfg.get("max_cost_usd", cfg.stop.max_cost_usd)}
    local_server = None
    if llm_cfg and any(m.get("name") == "local" for m in llm_cfg.get("models", [])):
        from agent.llm import load_llm_config
        from agent.llm.local import resolve_local

        try:
            resolved, local_server = resolve_local(load_llm_config(llm_cfg))
        except (ValueError, RuntimeError, OSError) as e:
            raise UserError(f"--model local: {e}") from e
        llm_cfg = resolved.model_dump(mode="json")
        if not args.inflight:  # one llama.cpp server answers one request at a time
            cfg.pools.proposals_in_flight = 2
    spec = ProposerSpec(offline=cfg.offline.model_dump(), llm=llm_cfg)
    store = RunStore(run_dir)
    _attach_run_log(run_dir)
    base = {"config": cfg.model_dump(), "task": {"ref": task_ref, "id": task.id,
                                                 "version": task.version,
                                                 "direction": task.direction,
                                                 "language": task.language,
                                                 "references": task.references,
                                                 "meta": _jsonable(task.meta)},
            "proposer": spec.describe(), "models": spec.models(), "seeds": [cfg.seed]}
    if args.resume:
        m = store.read_manifest()
        m.setdefault("sessions", []).append({"started_at": time.time(), "provenance": provenance()})
        m["status"] = "running"
        store.write_manifest(m)
    else:
        store.write_manifest({**base, "provenance": provenance(), "status": "running",
                              "created_at": time.time()})
    for doc in getattr(args, "knowledge", None) or []:
        from agent.knowledge import KnowledgeBase, KnowledgeError

        try:
            KnowledgeBase(run_dir).add(Path(doc).name, Path(doc).read_text(), source="run")
        except (OSError, UnicodeDecodeError, KnowledgeError) as e:
            raise UserError(f"--knowledge {doc}: {e}") from e
    store.close()
    from harness.display import RunDisplay

    display = RunDisplay(task.id, cfg.stop.max_evals, plain=args.plain)
    display.note(f"run directory: {run_dir}")
    display.note(f"proposer: {spec.describe()}")
    from agent.search import NoValidProgram, Search

    from agent.knowledge import KnowledgeRetriever

    kn = cfg.knowledge
    search = Search(task, cfg, run_dir, spec, on_progress=display.update,
                    knowledge=KnowledgeRetriever(run_dir, k=kn.k, stall_evals=kn.stall_evals)
                    if kn.enabled else None)
    status = "failed"
    try:
        with display:
            summary = search.run(resume=bool(args.resume))
        status = "stopped" if search.stop_reason and search.stop_reason.startswith("signal") else "finished"
    except NoValidProgram as e:
        raise UserError(str(e)) from e
    except KeyboardInterrupt:
        status = "stopped"
        summary = search.summary()
        search.store.write_summary(summary)
    finally:
        try:
            search.store.update_manifest(status=status, stop_reason=search.stop_reason,
                                         usage={"cost_usd": search.c.cost_usd,
                                                "tokens": search.c.tokens})
        finally:
            if local_server is not None:
                local_server.stop()
    _finalize(task_ref, task, run_dir, summary, cfg)
    display.final(summary, run_dir)
    return 0


def _finalize(task_ref: str, task: Any, run_dir: Path, summary: dict[str, Any], cfg: Any) -> None:
    """Benchmarks with a final step run it once on the best program; the answer -> final.json.

    Either the task names it (``task.meta["finalize"] = "module:function"``, called with the run
    directory, e.g. ALE's private evaluation) or the benchmark package has ``final_grade``
    (called with ``run_dir/final``, e.g. MLE grading of the best script's test submission).
    """
    if not summary.get("best_program"):
        return
    import importlib

    fin = task.meta.get("finalize") if isinstance(task.meta, dict) else None
    out_dir = run_dir
    if fin:
        mod_name, fn_name = fin.rsplit(":", 1)
        fn = getattr(importlib.import_module(mod_name), fn_name)
    else:
        from harness.registry import BENCHMARKS

        bench = task.id.split("/", 1)[0]
        fn = getattr(importlib.import_module(BENCHMARKS[bench]), "final_grade", None) \
            if bench in BENCHMARKS else None
        out_dir = run_dir / "final"
    if fn is None:
        return
    code = (run_dir / summary["best_program"]).read_text()
    try:
        report = fn(task.id.split("/", 1)[1], code, out_dir, **cfg.benchmark_options)
    except Exception as e:  # the search result stands even if the final grading fails
        log.error("final evaluation failed: %s", e)
        report = {"error": f"{type(e).__name__}: {e}"}
    from agent.runstore import atomic_write

    atomic_write(run_dir / "final.json", json.dumps(report, indent=2, default=str))


def _jsonable(d: Any) -> Any:
    try:
        json.dumps(d)
        return d
    except TypeError:
        return {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else repr(v))
                for k, v in dict(d).items()}


def _attach_run_log(run_dir: Path) -> None:
    h = logging.FileHandler(run_dir / "run.log")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(h)
    root.setLevel(logging.INFO)


# ---------------------------------------------------------------------------------- config
def cmd_config(args: argparse.Namespace) -> int:
    import yaml

    from agent.config import load_config

    cfg = load_config(args.config)
    print(yaml.safe_dump(cfg.model_dump(), sort_keys=False))
    return 0


# ---------------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fmagent", description="FM Agent: evolutionary program "
                                 "search with LLMs, and the harness that reproduces its results")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="benchmarks and their tasks")
    p.add_argument("benchmark", nargs="?")
    p.set_defaults(fn=cmd_list)

    p = sub.add_parser("run", help="run a search (or --resume one)")
    p.add_argument("task", nargs="?", help="benchmark/task, e.g. math/circle_packing_26, or a task folder")
    p.add_argument("--config", help="YAML run config")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped or killed run")
    p.add_argument("--max-evals", type=int)
    p.add_argument("--max-time", type=float, help="seconds")
    p.add_argument("--max-cost", type=float, help="USD (LLM spend)")
    p.add_argument("--target", type=float, help="stop when the best score reaches this")
    p.add_argument("--islands", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", help="run directory (default runs/<task>-<time>-s<seed>)")
    p.add_argument("--ray-address", help="join a Ray cluster (default: start a local one)")
    p.add_argument("--backend", choices=["ray", "local"], help="pools: ray (default) or local threads")
    p.add_argument("--inflight", type=int, help="proposals in flight")
    p.add_argument("--eval-slots", type=int, help="evaluations in flight")
    p.add_argument("--sampler", choices=["adaptive", "random", "topk", "fitness-proportional"])
    p.add_argument("--model", action="append", help="litellm model name (repeatable); 'local' "
                   "starts the embedded llama.cpp model")
    p.add_argument("--option", action="append", help="benchmark option KEY=VALUE (repeatable)")
    p.add_argument("--knowledge", action="append", metavar="FILE", help="add a Markdown/text "
                   "document to the run's knowledge base before it starts (repeatable)")
    p.add_argument("--plain", action="store_true", help="plain progress lines instead of rich")
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("eval", help="evaluate one program file through the sandbox and evaluator")
    p.add_argument("task")
    p.add_argument("program")
    p.add_argument("--json", action="store_true", help="print the EvalResult as JSON")
    p.add_argument("--option", action="append", help="benchmark option KEY=VALUE")
    p.set_defaults(fn=cmd_eval)

    p = sub.add_parser("config", help="print the resolved config")
    p.add_argument("action", choices=["show"])
    p.add_argument("--config")
    p.set_defaults(fn=cmd_config)

    for name in COMMAND_MODULES:  # each adds its subcommands: register(subparsers)
        import importlib

        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                continue
            raise
        mod.register(sub)
    return ap


# Modules that contribute subcommands. Each defines ``register(subparsers)`` and keeps its heavy
# imports inside the command functions, so `fmagent --help` stays fast.
COMMAND_MODULES = [
    "harness.commands.report",      # report, suite, compare, export
    "harness.commands.dashboard",   # dashboard, instruct, inject, kb
    "harness.commands.bench",       # bench engine
    "harness.commands.folder",      # init, baseline
    "harness.commands.ablate",      # ablate
]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from agent.config import ConfigError
    from harness.registry import UnknownTask

    try:
        return int(args.fn(args) or 0)
    except (UserError, ConfigError, UnknownTask) as e:
        print(f"fmagent: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    # `python -m harness.cli` runs this file as __main__; command modules import harness.cli,
    # so call that module's main, whose UserError is the one they raise.
    from harness.cli import main as _main

    sys.exit(_main())
