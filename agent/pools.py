"""Generation and evaluation pools: asynchronous, decoupled, neither blocks the other.

The controller submits proposal contexts and programs and polls for whatever finished. Two
implementations behind one interface:

- :class:`RayPools` — proposals run on an async Ray actor (many in flight on one actor, since
  they wait on the network); evaluations run on a pool of actors, each reserving the resources
  its Task declares (CPUs, GPUs), so a cluster spreads them. A worker that dies costs the one
  evaluation it held (it comes back as an invalid result), never the run.
- :class:`LocalPools` — the same contract on threads and one asyncio loop, no Ray: for tests
  and for machines where Ray cannot start.

Workers are stateless: they receive the small frozen context or the code, never the population.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from agent.proposer import Proposal, ProposalContext, Proposer, warm_up
from agent.records import EvalResult, Resources
from agent.task import Task

log = logging.getLogger(__name__)

ProposerFactory = Callable[[], Proposer]


@dataclass
class Done:
    kind: Literal["proposal", "eval"]
    key: str
    value: Any  # Proposal or EvalResult


@dataclass
class Utilisation:
    """Busy-time accounting, for throughput and pool utilisation in reports."""

    gen_busy_s: float = 0.0
    eval_busy_s: float = 0.0
    started: float = field(default_factory=time.monotonic)


def _failed_proposal(e: BaseException) -> Proposal:
    return Proposal(code=None, proposer="?", error=f"proposer failed: {type(e).__name__}: {e}")


def evaluate_program(task: Task, code: str, seed: int, program_id: str) -> EvalResult:
    """What an evaluation worker runs: the task's evaluator (which sandboxes the candidate)."""
    try:
        return task.evaluate(code, seed=seed, program_id=program_id)
    except BaseException as e:  # even a broken evaluator must come back as data
        return EvalResult.invalid(f"evaluation worker error: {type(e).__name__}: {e}",
                                  feedback=traceback.format_exc()[-2000:])


class LocalPools:
    """Threads for evaluations (each runs a sandboxed subprocess), one event loop for proposals."""

    def __init__(self, task: Task, make_proposer: ProposerFactory, evals_in_flight: int) -> None:
        self.task = task
        self.proposer = make_proposer()
        warm_up(self.proposer)
        self.max_evals = evals_in_flight
        self._exec = cf.ThreadPoolExecutor(max_workers=evals_in_flight, thread_name_prefix="eval")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="gen")
        self._thread.start()
        self._futs: dict[cf.Future, tuple[str, str, float]] = {}
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self.util = Utilisation()

    def _track(self, fut: cf.Future, kind: str, key: str) -> None:
        with self._lock:
            self._futs[fut] = (kind, key, time.monotonic())
        fut.add_done_callback(lambda _f: self._notify())

    def _notify(self) -> None:
        with self._cv:
            self._cv.notify_all()

    def submit_proposal(self, key: str, ctx: ProposalContext) -> None:
        fut = asyncio.run_coroutine_threadsafe(self.proposer.propose(ctx), self._loop)
        self._track(fut, "proposal", key)

    def submit_eval(self, key: str, code: str, seed: int) -> None:
        fut = self._exec.submit(evaluate_program, self.task, code, seed, key)
        self._track(fut, "eval", key)

    def wait(self, timeout: float) -> list[Done]:
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                done = [f for f in self._futs if f.done()]
                if done or not self._futs:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            items = [(f, self._futs.pop(f)) for f in done]
        out = []
        now = time.monotonic()
        for f, (kind, key, t0) in items:
            if kind == "proposal":
                self.util.gen_busy_s += now - t0
                try:
                    out.append(Done(kind, key, f.result()))
                except BaseException as e:
                    out.append(Done(kind, key, _failed_proposal(e)))
            else:
                self.util.eval_busy_s += now - t0
                try:
                    out.append(Done(kind, key, f.result()))
                except BaseException as e:
                    out.append(Done(kind, key, EvalResult.invalid(f"evaluation lost: {e}")))
        return out

    def inflight(self) -> tuple[int, int]:
        with self._lock:
            kinds = [k for k, _, _ in self._futs.values()]
        return kinds.count("proposal"), kinds.count("eval")

    def shutdown(self) -> None:
        for f in list(self._futs):
            f.cancel()
        self._exec.shutdown(wait=False, cancel_futures=True)
        self._loop.call_soon_threadsafe(self._loop.stop)


class RayPools:
    """Ray: one async generation actor (max_concurrency = proposals in flight) and a pool of
    evaluation actors, each holding the Task once and reserving the CPUs/GPUs it declares.

    Actors, not tasks: a task pays for a worker lease and the Task's deserialisation on every
    call, which on a small machine costs more than a short evaluation. An evaluation actor that
    dies (a crash, an out-of-memory kill) loses the one evaluation it held, which comes back as
    an invalid result; Ray restarts the actor for the next one.
    """

    def __init__(self, task: Task, make_proposer: ProposerFactory, proposals_in_flight: int,
                 evals_in_flight: int, ray_address: str | None = None,
                 num_cpus: int | None = None) -> None:
        import ray

        self.ray = ray
        if not ray.is_initialized():
            kw: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False,
                                  "include_dashboard": False, "configure_logging": False}
            if ray_address:
                kw["address"] = ray_address
            else:
                kw["num_cpus"] = num_cpus or os.cpu_count() or 1
                kw["runtime_env"] = {"env_vars": {"PYTHONPATH": _project_root()}}
            ray.init(**kw)
        task_ref = ray.put(task)
        res: Resources = task.resources
        eval_cls = ray.remote(_EvalActor).options(
            num_cpus=res.cpus, num_gpus=res.gpus or 0, max_restarts=-1, max_task_retries=0)
        self._free = [eval_cls.remote(task_ref) for _ in range(max(1, evals_in_flight))]
        self._actors = list(self._free)
        gen_cls = ray.remote(_GenerationActor).options(
            num_cpus=0, max_concurrency=max(1, proposals_in_flight))
        self.gen = gen_cls.remote(make_proposer)
        try:
            ray.get([self.gen.ready.remote(), *[a.ready.remote() for a in self._actors]],
                    timeout=float(os.environ.get("FMAGENT_RAY_START_TIMEOUT", "600")))
        except ray.exceptions.GetTimeoutError:
            self.shutdown()
            raise RuntimeError(
                f"Ray could not start {len(self._actors)} evaluation workers needing "
                f"{res.cpus:g} CPU and {res.gpus:g} GPU each; lower --eval-slots or add "
                "resources to the cluster") from None
        self._refs: dict[Any, tuple[str, str, float, Any]] = {}
        self._backlog: list[tuple[str, str, int]] = []
        self.util = Utilisation()

    def submit_proposal(self, key: str, ctx: ProposalContext) -> None:
        self._refs[self.gen.propose.remote(ctx)] = ("proposal", key, time.monotonic(), None)

    def submit_eval(self, key: str, code: str, seed: int) -> None:
        if not self._free:  # the controller keeps within the slots; this is only a safety net
            self._backlog.append((key, code, seed))
            return
        actor = self._free.pop()
        self._refs[actor.evaluate.remote(code, seed, key)] = ("eval", key, time.monotonic(), actor)

    def wait(self, timeout: float) -> list[Done]:
        if not self._refs:
            time.sleep(min(timeout, 0.05))
            return []
        refs = list(self._refs)
        # return as soon as one is ready, then take everything else already done
        first, rest = self.ray.wait(refs, num_returns=1, timeout=timeout, fetch_local=True)
        if not first:
            return []
        more, _ = self.ray.wait(rest, num_returns=len(rest), timeout=0, fetch_local=True) \
            if rest else ([], [])
        out = []
        now = time.monotonic()
        for ref in first + more:
            kind, key, t0, actor = self._refs.pop(ref)
            try:
                value = self.ray.get(ref)
            except Exception as e:  # worker died (OOM kill, crash): that one result is lost
                msg = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
                value = (_failed_proposal(e) if kind == "proposal" else
                         EvalResult.invalid(f"evaluation worker died: {type(e).__name__}: {msg}"))
            if kind == "proposal":
                self.util.gen_busy_s += now - t0
            else:
                self.util.eval_busy_s += now - t0
                self._free.append(actor)
                if self._backlog:
                    self.submit_eval(*self._backlog.pop(0))
            out.append(Done(kind, key, value))
        return out

    def inflight(self) -> tuple[int, int]:
        kinds = [v[0] for v in self._refs.values()]
        return kinds.count("proposal"), kinds.count("eval")

    def shutdown(self) -> None:
        for ref in list(self._refs):
            try:
                self.ray.cancel(ref)
            except Exception:
                pass
        self._refs.clear()
        for a in [*self._actors, self.gen]:
            try:
                self.ray.kill(a)  # kills the worker process; its sandboxes die with it
            except Exception:
                pass


class _EvalActor:
    def __init__(self, task: Task) -> None:
        self.task = task

    def ready(self) -> bool:
        return True

    def evaluate(self, code: str, seed: int, key: str) -> EvalResult:
        return evaluate_program(self.task, code, seed, key)


class _GenerationActor:
    def __init__(self, make_proposer: ProposerFactory) -> None:
        self.proposer = make_proposer()
        warm_up(self.proposer)

    def ready(self) -> bool:
        return True

    async def propose(self, ctx: ProposalContext) -> Proposal:
        try:
            return await self.proposer.propose(ctx)
        except Exception as e:
            return _failed_proposal(e)


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
