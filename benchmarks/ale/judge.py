"""The offline judge: compile once in the sandbox, run every case in the sandbox, score it here.

Verdict names are ALE-Bench's ``JudgeResult`` values. A case's time is the sandbox's wall clock
(measured by the trusted parent); its memory is the peak resident set reported by
``/usr/bin/time`` when the machine has it (0 otherwise). The memory limit itself is enforced
by the sandbox (address-space limit), the time limit by the verdict (and a hard kill at twice
the limit). The score is computed by the problem's trusted scorer from the program's output.
"""

from __future__ import annotations

import os
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

from agent.sandbox import Limits, Sandbox, SandboxResult
from benchmarks.ale.problem import LANGUAGES, AleProblem, WrongAnswer

ACCEPTED = "ACCEPTED"
COMPILATION_ERROR = "COMPILATION_ERROR"
MEMORY_LIMIT_EXCEEDED = "MEMORY_LIMIT_EXCEEDED"
TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
RUNTIME_ERROR = "RUNTIME_ERROR"
OUTPUT_LIMIT_EXCEEDED = "OUTPUT_LIMIT_EXCEEDED"
INTERNAL_ERROR = "INTERNAL_ERROR"
WRONG_ANSWER = "WRONG_ANSWER"
VERDICTS = (ACCEPTED, WRONG_ANSWER, TIME_LIMIT_EXCEEDED, RUNTIME_ERROR, MEMORY_LIMIT_EXCEEDED,
            OUTPUT_LIMIT_EXCEEDED, COMPILATION_ERROR, INTERNAL_ERROR)

CXX = ("g++", "-O2", "-std=gnu++20")
COMPILE_TIMEOUT_S = 30.0
TIME_BIN = "/usr/bin/time"
MAX_OUTPUT_BYTES = 4 << 20
_MEM_HINTS = ("bad_alloc", "MemoryError", "Cannot allocate memory", "out of memory")


@dataclass(frozen=True)
class CaseResult:
    """One case, named like ALE-Bench's CaseResult (memory in MB rather than bytes)."""

    seed: int
    judge_result: str
    absolute_score: int = 0
    execution_time: float = 0.0
    memory_mb: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class JudgeReport:
    language: str
    cases: tuple[CaseResult, ...] = ()
    compile_error: str | None = None
    compile_time_s: float = 0.0

    @property
    def accepted(self) -> list[CaseResult]:
        return [c for c in self.cases if c.judge_result == ACCEPTED]

    @property
    def overall_absolute_score(self) -> int:
        """Sum of case scores over ACCEPTED cases (ALE-Bench's ``overall_absolute_score``)."""
        return sum(c.absolute_score for c in self.accepted)

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in VERDICTS}
        for c in self.cases:
            out[c.judge_result] = out.get(c.judge_result, 0) + 1
        return out


@dataclass(frozen=True)
class Prepared:
    """A compiled (or checked) program, ready to run on cases."""

    files: dict[str, bytes] = field(default_factory=dict)
    argv: tuple[str, ...] = ()


class CompileError(Exception):
    pass


def _launcher(argv: list[str], chmod: str | None = None) -> list[str]:
    """A shell line: make ``chmod`` executable, lift the stack limit (judges allow deep
    recursion up to the memory limit, which the address-space limit still enforces), then run
    ``argv`` under ``/usr/bin/time`` (peak RSS into ``.mem``) when the machine has it."""
    timed = [TIME_BIN, "-f", "%M", "-o", ".mem", *argv] if os.access(TIME_BIN, os.X_OK) else argv
    pre = f"chmod 700 {shlex.quote(chmod)} && " if chmod else ""
    return ["/bin/sh", "-c", f"{pre}ulimit -s unlimited 2>/dev/null || ulimit -s 1048576 "
            f"2>/dev/null; exec {shlex.join(timed)}"]


def prepare(code: str, language: str) -> tuple[Prepared, float]:
    """Compile C++ (or syntax-check Python) in the sandbox; raise CompileError with the log."""
    if language not in LANGUAGES:
        raise ValueError(f"offline judge language must be one of {', '.join(LANGUAGES)}, not "
                         f"{language!r}")
    lim = Limits(timeout_s=COMPILE_TIMEOUT_S, memory_mb=4096, max_procs=32, max_file_mb=64)
    if language == "cpp20":
        res = Sandbox(lim).run([*CXX, "-o", "main", "main.cpp"], files={"main.cpp": code},
                               collect=["main"])
        if not res.ok or "main" not in res.files:
            raise CompileError(_compile_log(res))
        argv = _launcher(["./main"], chmod="./main")
        return Prepared({"main": res.files["main"]}, tuple(argv)), res.wall_s
    res = Sandbox(lim).run([sys.executable, "-c", "import sys; compile(open('main.py').read(), "
                            "'main.py', 'exec')"], files={"main.py": code})
    if not res.ok:
        raise CompileError(_compile_log(res))
    argv = _launcher([sys.executable, "main.py"])
    return Prepared({"main.py": code.encode()}, tuple(argv)), res.wall_s


def _compile_log(res: SandboxResult) -> str:
    log = (res.stderr or res.stdout).strip()
    if res.killed_reason:
        log = f"{res.killed_reason}\n{log}"
    return log[-3000:] or res.describe_failure()


def _peak_mb(res: SandboxResult) -> float:
    raw = res.files.get(".mem", b"").decode("utf-8", "replace").split()
    for tok in reversed(raw):
        if tok.isdigit():
            return int(tok) / 1024.0
    return 0.0


def run_case(problem: AleProblem, prog: Prepared, seed: int) -> CaseResult:
    """Generate the case, run the program on it in the sandbox, judge and score the output."""
    inp = problem.generate(seed)
    tl = problem.time_limit_s
    lim = Limits(timeout_s=2 * tl + 0.5, memory_mb=problem.memory_mb, cpus=1.0,
                 max_output_bytes=MAX_OUTPUT_BYTES, max_procs=8, max_file_mb=16)
    res = Sandbox(lim).run(list(prog.argv), files=prog.files, stdin=inp, collect=[".mem"])
    t, mem = res.wall_s, _peak_mb(res)

    def case(verdict: str, msg: str, score: int = 0) -> CaseResult:
        return CaseResult(seed, verdict, score, round(t, 4), round(mem, 1), msg[:300])

    if res.killed_reason and "output limit" in res.killed_reason or res.output_truncated:
        return case(OUTPUT_LIMIT_EXCEEDED, f"output over {MAX_OUTPUT_BYTES} bytes")
    if res.timed_out or t > tl:
        return case(TIME_LIMIT_EXCEEDED, f"ran {t:.2f}s, limit {tl:g}s")
    if mem > problem.memory_mb:
        return case(MEMORY_LIMIT_EXCEEDED, f"peak {mem:.0f} MB, limit {problem.memory_mb} MB")
    if not res.ok:
        tail = res.stderr.strip()
        if any(h in tail for h in _MEM_HINTS):
            return case(MEMORY_LIMIT_EXCEEDED, f"allocation failed under the {problem.memory_mb} "
                                               "MB limit")
        if res.returncode == 128 + 24 or (res.killed_reason or "").startswith("CPU time"):
            return case(TIME_LIMIT_EXCEEDED, "CPU time limit")
        last = (tail.splitlines() or [""])[-1]
        if last.startswith("Command exited with non-zero status") or \
                last.startswith("Command terminated by signal"):
            last = (tail.splitlines()[-2:-1] or [last])[0]
        return case(RUNTIME_ERROR, f"{res.describe_failure()}; {last}"[:300])
    try:
        s = int(problem.score(inp, res.stdout))
    except WrongAnswer as e:
        return case(WRONG_ANSWER, str(e))
    except (ValueError, IndexError, TypeError, OverflowError) as e:
        return case(WRONG_ANSWER, f"unreadable output: {type(e).__name__}: {e}")
    return case(ACCEPTED, "", s)


def judge(problem: AleProblem, code: str, language: str, seeds: Sequence[int],
          workers: int = 2) -> JudgeReport:
    """Compile once, then run every seed's case (``workers`` at a time)."""
    try:
        prog, ct = prepare(code, language)
    except CompileError as e:
        return JudgeReport(language, tuple(CaseResult(s, COMPILATION_ERROR, message="compilation "
                                                      "error") for s in seeds), str(e))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        cases = list(pool.map(lambda s: _safe_case(problem, prog, s), seeds))
    return JudgeReport(language, tuple(cases), None, ct)


def _safe_case(problem: AleProblem, prog: Prepared, seed: int) -> CaseResult:
    try:
        return run_case(problem, prog, seed)
    except Exception as e:  # a judge bug costs the case, never the evaluation
        return CaseResult(seed, INTERNAL_ERROR, message=f"{type(e).__name__}: {e}"[:300])
