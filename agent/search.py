"""The controller: cold start, then the evolve stage, with stopping rules and resume.

One loop, one writer. It keeps ``proposals_in_flight`` proposals and up to ``evals_in_flight``
evaluations running at all times (backpressure, not batches): a finished proposal becomes an
evaluation as soon as a slot is free; a finished evaluation is committed to the database before
anything else happens, then enters the population, which may trigger migration and statistics.

Cold start: the seeds are evaluated, then the proposer builds ``variants_per_island`` x islands
variants (``kind="cold_start"``, cycling through strategy directives); the valid ones are
clustered by embedding into as many groups as islands, and each island starts from its own
group, so islands begin in different regions. Resume replays the database in insertion order
(programs, cold-start assignment, migrations) and continues the controller's RNG stream.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from agent.config import RunConfig
from agent.embedding import make_embedder
from agent.pools import LocalPools
from agent.population import Population, _kmeans, code_hash
from agent.proposer import ProgramView, Proposal, ProposalContext
from agent.records import EvalResult, Program, new_id
from agent.runstore import RunStore
from agent.sampler import Sampler, SamplerConfig
from agent.task import Task

log = logging.getLogger(__name__)

COLD = -1  # island of a cold-start program until the cold start assigns it
COPIES = ("migration", "cold_start_copy")  # stored programs that were not evaluated again


class NoValidProgram(RuntimeError):
    """The cold start produced no valid program: the seed itself fails."""


@dataclass
class Pending:
    program: Program  # not yet evaluated
    submitted: float = 0.0


@dataclass
class Counters:
    n_evals: int = 0  # evaluations (stored programs minus migration/cold-start copies)
    n_valid: int = 0
    n_proposals: int = 0
    n_proposal_failures: int = 0
    n_duplicates: int = 0
    n_migrations: int = 0
    cost_usd: float = 0.0
    tokens: int = 0
    last_improvement_eval: int = 0
    elapsed_before_s: float = 0.0  # wall time of earlier sessions of this run
    cold_start_done: bool = False
    evolve_evals: int = 0
    last_migration_gen: int = 0
    next_island: int = 0
    cold_submitted: int = 0
    rng_step: int = 0  # the controller's random stream is (seed, step): resume continues it
    proposal_errors: dict[str, int] = field(default_factory=dict)  # reason -> count

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Progress:
    n_evals: int
    n_valid: int
    best_score: float | None
    best_fitness: float | None
    evals_per_min: float
    elapsed_s: float
    gen_inflight: int
    eval_inflight: int
    phase: str
    cost_usd: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


PoolsFactory = Callable[[Task, Callable[[], Any], RunConfig], Any]


def default_pools(task: Task, make_proposer: Callable[[], Any], cfg: RunConfig) -> Any:
    m = evals_in_flight(task, cfg)
    # Evaluators with per-process state (a real ALE-Bench session and its budget) stay in-process.
    if cfg.pools.backend == "local" or task.meta.get("single_process"):
        return LocalPools(task, make_proposer, m)
    from agent.pools import RayPools

    return RayPools(task, make_proposer, cfg.pools.proposals_in_flight, m,
                    cfg.pools.ray_address, cfg.pools.ray_num_cpus)


def evals_in_flight(task: Task, cfg: RunConfig) -> int:
    if cfg.pools.evals_in_flight:
        return cfg.pools.evals_in_flight
    import os

    cpus = cfg.pools.ray_num_cpus or os.cpu_count() or 1
    return max(1, int(cpus // max(task.resources.cpus, 1e-9)))


class Search:
    """Runs one task to a stopping rule; safe to kill at any moment and resume."""

    def __init__(self, task: Task, cfg: RunConfig, run_dir: Path,
                 make_proposer: Callable[[], Any], *, pools_factory: PoolsFactory = default_pools,
                 on_progress: Callable[[Progress], None] | None = None,
                 knowledge: Callable[[int, str], tuple[str, ...]] | None = None,
                 usage_exceeded: Callable[[], bool] | None = None) -> None:
        self.task, self.cfg = task, cfg
        self.store = RunStore(run_dir)
        self.db = self.store.db
        self.make_proposer = make_proposer
        self.pools_factory = pools_factory
        self.on_progress = on_progress
        self.knowledge = knowledge
        self.usage_exceeded = usage_exceeded
        pc = cfg.population
        self.pop = Population(pc.islands, make_embedder(pc.embedding), pc.island_capacity,
                              pc.max_clusters, pc.recluster_every, pc.elite_size)
        self.sampler = Sampler(SamplerConfig(**cfg.sampler.model_dump(),
                                             use_elites=pc.elite_size > 0))
        self.c = Counters()
        self.pending: dict[str, Pending] = {}  # proposal key -> child awaiting its proposal
        self.eval_queue: list[Program] = []  # children with code, awaiting an eval slot
        self.evaluating: dict[str, Program] = {}
        self.stop_reason: str | None = None
        self._stop_requested = threading.Event()
        self._t0 = time.monotonic()
        self._last_stats = 0
        self._instr_cache: tuple[float, dict[int, tuple[str, ...]]] = (0.0, {})
        self._seed_score: float | None = None
        self._stopped_at: float | None = None

    # ------------------------------------------------------------------ state and resume
    def _state(self) -> dict[str, Any]:
        return {"counters": {**self.c.to_dict(), "elapsed_before_s": self.elapsed()},
                "d_ref": self.sampler.d_ref}

    def _rng(self) -> random.Random:
        """The next random stream: a pure function of (seed, step), so resume continues it and
        the state to store is one integer."""
        self.c.rng_step += 1
        return random.Random(f"{self.cfg.seed}:{self.c.rng_step}")

    def elapsed(self) -> float:
        return self.c.elapsed_before_s + (time.monotonic() - self._t0)

    def resume(self) -> None:
        """Rebuild the population from the database and continue the RNG stream."""
        counters = self.db.get_state("counters")
        if counters:
            self.c = Counters(**{k: v for k, v in counters.items() if k in Counters.__dataclass_fields__})
        self.sampler.d_ref = float(self.db.get_state("d_ref", 1e-9))
        assign = self.db.get_state("cold_assignment") or {}
        cold: list[Program] = []
        n = n_valid = 0
        for p in self.db.programs():
            if p.proposer not in COPIES:
                n += 1
                n_valid += int(p.valid)
            if p.meta.get("seed_program") is not None and p.valid and self._seed_score is None:
                self._seed_score = p.result.metrics.get("score")  # type: ignore[union-attr]
            if p.island == COLD:
                if p.id in assign:
                    self.pop.add(p.with_(island=int(assign[p.id])))
                else:
                    self.pop.all_hashes.add(code_hash(p.code))
                    cold.append(p)
            else:
                self.pop.add(p)
        self.c.n_evals, self.c.n_valid = n, n_valid  # the database is the truth
        self._cold_unassigned = cold
        self.store.event("resume", self.c.n_evals, programs=n)
        log.info("resumed: %d programs, best %s", n, self.pop.best.fitness if self.pop.best else None)

    # ------------------------------------------------------------------ main entry
    def run(self, resume: bool = False) -> dict[str, Any]:
        self._cold_unassigned: list[Program] = []
        if resume:
            self.resume()
        self.pools = self.pools_factory(self.task, self.make_proposer, self.cfg)
        self.m_evals = evals_in_flight(self.task, self.cfg)
        restore = self._install_signal_handlers()
        try:
            if not self.c.cold_start_done:
                self._cold_start()
            if self.stop_reason is None:
                self._evolve()
        finally:
            self.pools.shutdown()
            restore()
            summary = self.summary()
            self.store.write_summary(summary)
            self.store.event("stop", self.c.n_evals, reason=self.stop_reason)
            self.db.set_state("counters", self._state()["counters"])
        return summary

    def request_stop(self, reason: str = "stopped by user") -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop_requested.set()

    def _install_signal_handlers(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

        def handler(signum: int, _frame: Any) -> None:
            if self._stop_requested.is_set():  # second Ctrl-C: leave now
                raise KeyboardInterrupt
            self.request_stop(f"signal {signal.Signals(signum).name}")

        for s in old:
            signal.signal(s, handler)
        return lambda: [signal.signal(s, h) for s, h in old.items()]  # type: ignore[func-returns-value]

    # ------------------------------------------------------------------ cold start
    def _cold_start(self) -> None:
        cs = self.cfg.cold_start
        k = len(self.pop.islands)
        seeds = list(self.task.seeds)
        n_variants = cs.variants_per_island * k if cs.enabled else 0
        if self.c.n_evals == 0:
            self.store.event("cold_start", 0, seeds=len(seeds), variants=n_variants)
        # 1. seeds (resume: those not evaluated yet)
        seed_progs = [Program(code=s, island=COLD, proposer="seed", meta={"seed_program": i})
                      for i, s in enumerate(seeds) if not self.pop.seen(s)]
        for p in seed_progs:
            self._submit_eval(p)
        self._drain(lambda: not self.evaluating and not self.eval_queue)
        cold_valid = [p for p in self._cold_unassigned if p.valid]
        if not cold_valid and not self.pop.best:
            errs = [p.result.error for p in self._cold_unassigned if p.result]
            raise NoValidProgram(f"no seed program of {self.task.id} is valid: "
                                 f"{errs[0] if errs else 'no result'}; fix the seed or evaluator "
                                 f"(try `fmagent eval {self.task.id} SEED_FILE`)")
        # 2. proposer variants of the seeds, cycling through strategy directives
        strategies = cs.strategies or [None]
        while (self.c.cold_submitted < n_variants and self.stop_reason is None) or self.pending \
                or self.evaluating or self.eval_queue:
            while (self.c.cold_submitted < n_variants and len(self.pending) <
                   self.cfg.pools.proposals_in_flight and self.stop_reason is None):
                i = self.c.cold_submitted
                valid = [p for p in self._cold_unassigned if p.valid] or cold_valid
                parent = valid[i % len(valid)]
                ctx = self._context(parent, kind="cold_start",
                                    strategy=strategies[i % len(strategies)], island=i % k)
                self._submit_proposal(parent, ctx, island=COLD)
                self.c.cold_submitted += 1
            self._step()
            if self._check_stop():
                break
        self._assign_islands()

    def _assign_islands(self) -> None:
        """Cluster the valid cold-start programs into one group per island."""
        k = len(self.pop.islands)
        valid = [p for p in self._cold_unassigned if p.valid]
        if not valid:
            self.c.cold_start_done = True
            return
        valid.sort(key=lambda p: -float(p.fitness))  # type: ignore[arg-type]
        assign: dict[str, int] = {}
        if len(valid) >= k and k > 1:
            X = np.stack([self.pop.embedder(p.code) for p in valid]).astype(np.float64)
            labels = _kmeans(X, k)
            # biggest group -> island 0, etc.; group of the best program first on ties
            groups = sorted(set(labels.tolist()), key=lambda g: (-(labels == g).sum(), g))
            order = {g: i for i, g in enumerate(groups)}
            for p, lab in zip(valid, labels):
                assign[p.id] = order[int(lab)]
        else:
            for i, p in enumerate(valid):
                assign[p.id] = i % k
        for p in valid:
            self.pop.add(p.with_(island=assign[p.id]))
        # islands left empty (fewer groups than islands) start from a copy of the best
        copies = []
        for isl in self.pop.islands:
            if len(isl) == 0:
                src = valid[0]
                cp = src.with_(id=new_id(), island=isl.index, parents=(src.id,),
                               proposer="cold_start_copy", created_at=time.time())
                copies.append(cp)
        self.db.set_state("cold_assignment", assign)
        self.c.cold_start_done = True
        for cp in copies:
            self._commit(cp)
        self.store.event("cold_start_done", self.c.n_evals,
                         islands={i: len(isl) for i, isl in enumerate(self.pop.islands)})
        self.db.set_state("counters", self._state()["counters"])
        self._cold_unassigned = []

    # ------------------------------------------------------------------ evolve
    def _evolve(self) -> None:
        n_prop = self.cfg.pools.proposals_in_flight
        while not self._check_stop():
            self._poll_inbox()
            # backpressure: never queue more finished proposals than eval slots can absorb soon
            while (len(self.pending) < n_prop and len(self.eval_queue) < self.m_evals
                   and self._budget_left() > 0):
                self._propose_next()
            self._step()
        # stopping: drain evaluations already running (they are paid for), drop proposals
        grace = time.monotonic() + (0 if self._stop_requested.is_set() else
                                    self.task.resources.timeout_s + 30)
        self.pending.clear()
        self.eval_queue.clear()
        while self.evaluating and time.monotonic() < grace and not self._stop_requested.is_set():
            self._step(submit=False)

    def _budget_left(self) -> int:
        left = 1 << 30
        mp = self.cfg.stop.max_proposals
        if mp is not None:
            left = mp - self.c.n_proposals
        me = self.cfg.stop.max_evals
        if me is None:
            return left
        inflight = len(self.pending) + len(self.eval_queue) + len(self.evaluating)
        return min(left, me - self.c.n_evals - inflight)

    def _propose_next(self) -> None:
        k = len(self.pop.islands)
        island = self.c.next_island % k
        self.c.next_island += 1
        if not self.pop.islands[island].ranked:
            island = max(range(k), key=lambda i: len(self.pop.islands[i]))
        rng = self._rng()
        choice = self.sampler.sample(self.pop, island, rng)
        parent = self.pop.programs[choice.parent]
        insp = [self.pop.programs[i] for i in choice.inspirations if i in self.pop.programs]
        second = self.pop.programs.get(choice.second_parent) if choice.second_parent else None
        kind = "crossover" if second is not None else "mutation"
        ctx = self._context(parent, kind=kind, island=island, inspirations=insp, second=second,
                            temperature=choice.temperature, rng=rng)
        self._submit_proposal(parent, ctx, island=island, extra_parent=second)

    def _context(self, parent: Program, *, kind: str, island: int, strategy: str | None = None,
                 inspirations: list[Program] | None = None, second: Program | None = None,
                 temperature: float | None = None,
                 rng: random.Random | None = None) -> ProposalContext:
        instr = self._instructions(island)
        know: tuple[str, ...] = ()
        query = ""
        if self.knowledge is not None and island >= 0:
            # the hook decides when to answer (island stalled, or a human asked on demand)
            query = f"{self.task.statement[:500]}\n{parent.result.feedback if parent.result else ''}"
            try:
                know = tuple(self.knowledge(island, query))
            except Exception as e:  # retrieval is advisory
                log.warning("knowledge retrieval failed: %s", e)
        elites = [p for p in self.pop.elite_programs()[:3] if p.id != parent.id]
        return ProposalContext(
            task_id=self.task.id, statement=self.task.statement, language=self.task.language,
            direction=self.task.direction, parent=self._view(parent), kind=kind,  # type: ignore[arg-type]
            second_parent=self._view(second) if second else None,
            inspirations=tuple(self._view(p) for p in (inspirations or [])),
            elites=tuple(self._view(p) for p in elites), instructions=instr, knowledge=know,
            strategy=strategy, island=island, generation=parent.generation + 1,
            seed=(rng or self._rng()).getrandbits(63),
            meta={"temperature": temperature, "template_dir": self.task.meta.get("template_dir"),
                  **({"knowledge_query": query} if know else {})})

    def _view(self, p: Program) -> ProgramView:
        r = p.result
        return ProgramView(id=p.id, code=p.code, fitness=p.fitness,
                           score=r.metrics.get("score") if r else None,
                           metrics=dict(r.metrics) if r else {}, feedback=r.feedback if r else "",
                           error=r.error if r else None, island=p.island, generation=p.generation)

    def _instructions(self, island: int) -> tuple[str, ...]:
        t, cache = self._instr_cache
        if time.monotonic() - t > 2.0:
            cache = {}
            self._instr_cache = (time.monotonic(), cache)
        if island not in cache:
            cache[island] = self.db.active_instructions(island)
        return cache[island]

    def _poll_inbox(self) -> None:
        """Code-level interventions (from the dashboard or CLI): evaluate and insert."""
        if self.c.n_evals % 5:
            return
        for item in self.db.take_inbox():
            if item["kind"] == "inject" and isinstance(item["payload"].get("code"), str):
                isl = item["island"] if item["island"] is not None else 0
                p = Program(code=item["payload"]["code"], island=int(isl) % len(self.pop.islands),
                            proposer="human", meta={"intervention": item["seq"]})
                self._submit_eval(p)
                self.store.event("intervention", self.c.n_evals, island=p.island, action="inject",
                                 program_id=p.id)

    # ------------------------------------------------------------------ plumbing
    def _submit_proposal(self, parent: Program, ctx: ProposalContext, island: int,
                         extra_parent: Program | None = None) -> None:
        key = new_id()
        if ctx.knowledge:  # what was retrieved, recorded with the program it informs
            self.db.add_retrieval(key, ctx.island, ctx.meta.get("knowledge_query", ""),
                                  list(ctx.knowledge))
        parents = (parent.id,) + ((extra_parent.id,) if extra_parent else ())
        child = Program(code="", id=key, parents=parents, island=island,
                        generation=parent.generation + 1, proposer="?",
                        meta={"kind": ctx.kind, **({"strategy": ctx.strategy} if ctx.strategy else {}),
                              **({"temperature": ctx.meta.get("temperature")}
                                 if ctx.meta.get("temperature") is not None else {})})
        self.pending[key] = Pending(child, time.monotonic())
        self.c.n_proposals += 1
        self.pools.submit_proposal(key, ctx)

    def _submit_eval(self, p: Program) -> None:
        self.pop.all_hashes.add(code_hash(p.code))  # reserved: an identical proposal is a duplicate
        if len(self.evaluating) < self.m_evals:
            self.evaluating[p.id] = p
            self.pools.submit_eval(p.id, p.code, self.cfg.seed)
        else:
            self.eval_queue.append(p)

    def _drain(self, done: Callable[[], bool]) -> None:
        while not done() and not self._check_stop():
            self._step()

    def _step(self, submit: bool = True) -> None:
        for d in self.pools.wait(timeout=0.2):
            if d.kind == "proposal":
                self._on_proposal(d.key, d.value)
            else:
                self._on_eval(d.key, d.value)
        while submit and self.eval_queue and len(self.evaluating) < self.m_evals:
            p = self.eval_queue.pop(0)
            self.evaluating[p.id] = p
            self.pools.submit_eval(p.id, p.code, self.cfg.seed)
        self._report()

    def _on_proposal(self, key: str, prop: Proposal) -> None:
        pend = self.pending.pop(key, None)
        if pend is None:
            return
        self.c.cost_usd += prop.cost
        self.c.tokens += prop.tokens_in + prop.tokens_out
        if prop.code is None or not prop.code.strip():
            self.c.n_proposal_failures += 1
            reason = (prop.error or "empty proposal").splitlines()[0][:120]
            if len(self.c.proposal_errors) < 50 or reason in self.c.proposal_errors:
                self.c.proposal_errors[reason] = self.c.proposal_errors.get(reason, 0) + 1
            return
        if self.pop.seen(prop.code):  # evaluated, queued or evaluating: novelty before cost
            self.c.n_duplicates += 1
            return
        child = pend.program.with_(code=prop.code, proposer=prop.proposer, model=prop.model,
                                   prompt_id=prop.prompt_id, llm_cost=prop.cost,
                                   llm_tokens=prop.tokens_in + prop.tokens_out,
                                   meta={**pend.program.meta, **{k: v for k, v in prop.meta.items()
                                                                 if isinstance(v, (int, float, str, bool))}})
        self._submit_eval(child)

    def _on_eval(self, key: str, result: EvalResult) -> None:
        p = self.evaluating.pop(key, None)
        if p is None:
            return
        if not isinstance(result, EvalResult):
            result = EvalResult.invalid(f"evaluation returned {type(result).__name__}")
        self._commit(p.evaluated(result))

    def _commit(self, p: Program) -> None:
        """Store first (durable), then update the population, events and counters."""
        if p.proposer not in COPIES:
            self.c.n_evals += 1
            self.c.n_valid += int(p.valid)
            if p.island >= 0:
                self.c.evolve_evals += 1
        if p.meta.get("seed_program") is not None and p.valid and self._seed_score is None:
            self._seed_score = p.result.metrics.get("score")  # type: ignore[union-attr]
        prev_best = self.pop.best.fitness if self.pop.best else None
        self.db.add_program(p, self._state())
        if p.island == COLD:
            self._cold_unassigned.append(p)
            improved = p.valid and (prev_best is None or p.fitness > prev_best)  # type: ignore[operator]
            best_p = p if improved else None
            if improved:
                self.pop.best = p
        else:
            out = self.pop.add(p)
            best_p = p if out["new_best"] else None
        if best_p is not None:
            self.c.last_improvement_eval = self.c.n_evals
            self.store.write_best(p.code, self.task.language)
            self.store.event("new_best", self.c.n_evals, island=p.island, program_id=p.id,
                             fitness=p.fitness, score=p.result.metrics.get("score"))  # type: ignore[union-attr]
        if p.island >= 0 and self.c.cold_start_done:
            self._maybe_migrate()
        if self.c.n_evals - self._last_stats >= self.cfg.stats_every and self.c.cold_start_done:
            self._write_stats()

    def _maybe_migrate(self) -> None:
        pc = self.cfg.population
        if pc.migration_interval <= 0 or len(self.pop.islands) < 2:
            return
        gen = self.c.evolve_evals // (len(self.pop.islands) * pc.generation_size)
        if gen - self.c.last_migration_gen < pc.migration_interval:
            return
        self.c.last_migration_gen = gen
        plan = self.pop.migrants(pc.migration_count)
        for dest, src in plan:
            cp = src.with_(id=new_id(), island=dest, parents=(src.id,), proposer="migration",
                           created_at=time.time(), meta={"migrated_from": src.island})
            self.c.n_migrations += 1
            self._commit(cp)
        self.store.event("migration", self.c.n_evals, generation=gen, moved=len(plan))

    def _write_stats(self) -> None:
        self._last_stats = self.c.n_evals
        gi, ei = self.pools.inflight() if hasattr(self, "pools") else (0, 0)
        self.sampler.observe(self.pop)
        rows = []
        for isl in self.pop.islands:
            rows.append({"t": time.time(), "n_evals": self.c.n_evals, "island": isl.index,
                         "size": len(isl), "n_clusters": sum(1 for c in isl.clusters if c.members),
                         "diversity": isl.diversity(),
                         "temperature": self.sampler.temperature(isl) if len(isl) else None,
                         "best": isl.best_fitness, "gen_inflight": gi, "eval_inflight": ei})
        self.db.add_island_stats(rows)

    def _check_stop(self) -> bool:
        if self.stop_reason is None:
            self.stop_reason = self._stop_rule()
        if self.stop_reason is not None and self._stopped_at is None:
            self._stopped_at = time.time()  # the decision; draining and shutdown come after
        return self.stop_reason is not None

    def _stop_rule(self) -> str | None:
        """The first stopping rule the run now meets, as the reason to record."""
        s = self.cfg.stop
        idle = not self.pending and not self.eval_queue and not self.evaluating
        if s.max_evals is not None and self.c.n_evals >= s.max_evals:
            return f"max_evals {s.max_evals} reached"
        if (s.max_evals is not None and self._budget_left() <= 0 and idle
                and self.c.cold_start_done):
            return f"max_evals {s.max_evals} reached"
        if (s.max_proposals is not None and self.c.n_proposals >= s.max_proposals and idle
                and self.c.cold_start_done):
            return f"max_proposals {s.max_proposals} reached"
        if s.max_time_s is not None and self.elapsed() >= s.max_time_s:
            return f"max_time {s.max_time_s:g}s reached"
        if (s.target_score is not None and self.pop.best is not None and
                self.pop.best.fitness >= self.task.to_fitness(s.target_score)):  # type: ignore[operator]
            return f"target score {s.target_score:g} reached"
        if (s.stagnation_evals is not None and self.c.cold_start_done and
                self.c.n_evals - self.c.last_improvement_eval >= s.stagnation_evals):
            return f"no improvement in {s.stagnation_evals} evaluations"
        if s.max_cost_usd is not None and (self.c.cost_usd >= s.max_cost_usd or
                                           (self.usage_exceeded and self.usage_exceeded())):
            return f"max_cost ${s.max_cost_usd:g} reached"
        return None

    def _report(self) -> None:
        if self.on_progress is None:
            return
        el = self.elapsed()
        gi, ei = self.pools.inflight()
        best = self.pop.best
        self.on_progress(Progress(
            n_evals=self.c.n_evals, n_valid=self.c.n_valid,
            best_score=best.result.metrics.get("score") if best and best.result else None,
            best_fitness=best.fitness if best else None,
            evals_per_min=60.0 * self.c.n_evals / el if el > 0 else 0.0, elapsed_s=el,
            gen_inflight=gi, eval_inflight=ei,
            phase="evolve" if self.c.cold_start_done else "cold start", cost_usd=self.c.cost_usd))

    def summary(self) -> dict[str, Any]:
        best = self.pop.best
        el = self.elapsed()
        util = getattr(getattr(self, "pools", None), "util", None)
        wall = max(el - self.c.elapsed_before_s, 1e-9)
        return {
            "task_id": self.task.id, "task_version": self.task.version,
            "direction": self.task.direction, "seed": self.cfg.seed,
            "evaluations": self.c.n_evals, "valid": self.c.n_valid,
            "valid_rate": self.c.n_valid / self.c.n_evals if self.c.n_evals else 0.0,
            "best_score": best.result.metrics.get("score") if best and best.result else None,
            "best_fitness": best.fitness if best else None,
            "best_program_id": best.id if best else None,
            "best_program": next((p.name for p in self.store.root.glob("best_program.*")), None),
            "seed_score": self._seed_score, "wall_s": el, "stop_reason": self.stop_reason,
            "stopped_at": self._stopped_at,
            "proposals": self.c.n_proposals, "proposal_failures": self.c.n_proposal_failures,
            "proposal_errors": dict(sorted(self.c.proposal_errors.items(),
                                           key=lambda kv: -kv[1])[:10]),
            "duplicates": self.c.n_duplicates, "migrations": self.c.n_migrations,
            "cost_usd": self.c.cost_usd, "tokens": self.c.tokens,
            "evals_per_min": 60.0 * self.c.n_evals / el if el > 0 else 0.0,
            "pool_utilisation": ({"generation": util.gen_busy_s / wall /
                                  max(self.cfg.pools.proposals_in_flight, 1),
                                  "evaluation": util.eval_busy_s / wall / max(self.m_evals, 1)}
                                 if util else None),
            "islands": [{"index": i.index, "size": len(i), "best": i.best_fitness,
                         "diversity": i.diversity()} for i in self.pop.islands],
            "references": self.task.references,
        }
