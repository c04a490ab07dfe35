"""KernelBench-format problems: in-repo ones and those of a user's KernelBench checkout.

A problem is a Python file defining ``class Model(nn.Module)``, module-level sizes,
``get_inputs()`` and ``get_init_inputs()``. Candidates define ``class ModelNew`` with the same
constructor. Nothing here imports torch: listing tasks stays cheap.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROBLEMS_DIR = Path(__file__).parent / "problems"
ENV_DIR = "KERNELBENCH_DIR"
REPO_URL = "https://github.com/ScalingIntelligence/KernelBench"
_LEVEL = re.compile(r"^level([1-9])/([A-Za-z0-9_.\-]+)$")


class KernelBenchError(ValueError):
    """A missing checkout, an unknown problem or a malformed problem file; says what to do."""


@dataclass(frozen=True)
class KernelProblem:
    name: str  # task name without the benchmark prefix: "mlp" or "level3/1_MLP"
    path: Path
    title: str
    level: int | None = None  # None for in-repo problems
    checkout: Path | None = None
    commit: str | None = None

    @property
    def task_id(self) -> str:
        return f"kernel/{self.name}"

    def source(self) -> str:
        return self.path.read_text()


def _title(path: Path) -> str:
    try:
        doc = ast.get_docstring(ast.parse(path.read_text()))
    except (SyntaxError, OSError, ValueError):
        doc = None
    return (doc or "").strip().splitlines()[0] if doc else path.stem.replace("_", " ")


def in_repo_problems() -> dict[str, KernelProblem]:
    return {p.stem: KernelProblem(p.stem, p, _title(p))
            for p in sorted(PROBLEMS_DIR.glob("*.py")) if not p.name.startswith("_")}


# ---- a user's KernelBench checkout -------------------------------------------------------------
def resolve_checkout(kernelbench_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding ``level1..level4``: the repository root or its KernelBench/ folder."""
    raw = kernelbench_dir if kernelbench_dir is not None else os.environ.get(ENV_DIR)
    if not raw:
        raise KernelBenchError(f"no KernelBench checkout: pass kernelbench_dir=... or set "
                               f"{ENV_DIR} to a clone of {REPO_URL}")
    root = Path(raw).expanduser()
    for cand in (root / "KernelBench", root):
        if cand.is_dir() and any(cand.glob("level[1-9]")):
            return cand
    raise KernelBenchError(f"{root} is not a KernelBench checkout: expected "
                           f"{root}/KernelBench/level3/*.py (clone {REPO_URL})")


def git_commit(path: Path) -> str | None:
    """The commit checked out in the git repository containing ``path`` (read from .git)."""
    for d in (path, *path.parents):
        git = d / ".git"
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = git.read_text().strip()
            if text.startswith("gitdir:"):
                git = (d / text.split(":", 1)[1].strip()).resolve()
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text().strip()
        except OSError:
            return None
        if not head.startswith("ref:"):
            return head or None
        ref = head.split(":", 1)[1].strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text().strip()).resolve()
        for base in (git, common):
            if (base / ref).is_file():
                return (base / ref).read_text().strip() or None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0]
        return None
    return None


def checkout_problems(kernelbench_dir: str | os.PathLike | None = None,
                      levels: tuple[int, ...] = (3,)) -> dict[str, KernelProblem]:
    root = resolve_checkout(kernelbench_dir)
    commit = git_commit(root)
    out = {}
    for level in levels:
        for p in sorted((root / f"level{level}").glob("*.py"), key=_problem_order):
            name = f"level{level}/{p.stem}"
            out[name] = KernelProblem(name, p, p.stem.replace("_", " "), level, root, commit)
    return out


def _problem_order(p: Path) -> tuple[int, str]:
    head = p.stem.split("_", 1)[0]
    return (int(head) if head.isdigit() else 10**9, p.stem)


def get_problem(name: str, kernelbench_dir: str | os.PathLike | None = None) -> KernelProblem:
    m = _LEVEL.match(name)
    if m:
        level = int(m.group(1))
        probs = checkout_problems(kernelbench_dir, levels=(level,))
        if name not in probs:
            import difflib
            hint = difflib.get_close_matches(name, list(probs), n=1)
            more = f" Did you mean {hint[0]}?" if hint else ""
            raise KernelBenchError(f"no problem {name!r} in {resolve_checkout(kernelbench_dir)}"
                                   f".{more} ({len(probs)} problems in level{level})")
        return probs[name]
    probs = in_repo_problems()
    if name not in probs:
        raise KernelBenchError(f"unknown kernel problem {name!r}: in-repo problems are "
                               f"{', '.join(probs)}; KernelBench problems are named "
                               "level3/<file stem>, e.g. level3/1_MLP")
    return probs[name]


# ---- seeds and statements ----------------------------------------------------------------------
def check_format(source: str, where: str) -> ast.Module:
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise KernelBenchError(f"{where}: not valid Python ({e.msg}, line {e.lineno})") from e
    names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    missing = [n for n in ("Model", "get_inputs", "get_init_inputs") if n not in names]
    if missing:
        raise KernelBenchError(f"{where}: not a KernelBench problem file, it lacks "
                               f"{', '.join(missing)} (needs class Model, get_inputs(), "
                               "get_init_inputs())")
    return tree


def make_seed(source: str, where: str = "problem") -> str:
    """A ModelNew equal to the reference Model in plain PyTorch, its code in an EVOLVE block.

    The reference's test functions (get_inputs, get_init_inputs) are dropped: the evaluator
    always uses the reference's own. Module-level sizes stay, as the model may use them.
    """
    tree = check_format(source, where)
    lines = source.splitlines()
    drop: set[int] = set()
    body_nodes = []
    model_end = None
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if isinstance(node, ast.FunctionDef) and node.name in ("get_inputs", "get_init_inputs"):
            drop.update(range(first, node.end_lineno + 1))
            continue
        if isinstance(node, ast.ClassDef) and node.name == "Model":
            model_end = node.end_lineno
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            body_nodes.append(first)
    start = min(body_nodes)
    out = []
    for i, line in enumerate(lines, 1):
        if i in drop:
            continue
        if i == start:
            out.append("# EVOLVE-BLOCK-START")
        out.append(re.sub(r"\bModel\b", "ModelNew", line))
        if i == model_end:
            out.append("# EVOLVE-BLOCK-END")
    text = "\n".join(out)
    text = re.sub(r"\n{3,}(?=\S)", "\n\n\n", text).rstrip() + "\n"
    header = ("# Seed: ModelNew equal to the reference Model, in plain PyTorch. Make it faster\n"
              "# (custom CUDA via torch.utils.cpp_extension.load_inline, Triton, or PyTorch)\n"
              "# while keeping the constructor and the outputs the same.\n")
    return header + text


def statement(problem: KernelProblem, *, device: str, atol: float, rtol: float,
              correct_trials: int, timing_trials: int, compile_baseline: bool) -> str:
    timer = ("CUDA events (warm-up, L2 flush before each trial)" if device == "cuda" else
             "a CPU wall-clock timer (perf_counter; no GPU in this run)")
    return f"""\
Optimise this PyTorch model (KernelBench format{f', level {problem.level}' if problem.level else ''}) for speed on {device.upper()}.

Reference (trusted; the evaluator builds it itself):
```python
{problem.source().rstrip()}
```

Write a Python module defining `class ModelNew(nn.Module)` with the same constructor arguments
as `Model` and a `forward` returning the same outputs. You may use custom CUDA/C++ kernels via
`torch.utils.cpp_extension.load_inline`, Triton, or plain PyTorch.

How it is judged:
- Both models are built after `torch.manual_seed(seed)` from `get_init_inputs()`; parameters
  created in the same order get the same values.
- Correctness: {correct_trials} trials on fresh random inputs from `get_inputs()`; every output
  must match the reference in shape, dtype and `allclose(atol={atol:g}, rtol={rtol:g})`.
- Timing: {timing_trials} trials with {timer}; speedup = reference eager time / your time
  (the fitness){'; torch.compile of the reference is reported too' if compile_baseline else ''}.
- Not allowed (each makes the result invalid): modifying inputs in place, returning outputs that
  alias inputs or reuse memory/results across calls, patching torch functions or timers,
  falling back to the reference `Model`, running work on other streams or threads that escapes
  the timer, changing torch's thread count. Speedups above 10x are flagged for review.
"""
