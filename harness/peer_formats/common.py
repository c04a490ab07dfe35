"""What every task folder format shares: running a folder's evaluator in the sandbox, reading its
answer back as data, turning that answer into an EvalResult, and checking requirements.

Trust: the folder's evaluator never runs in the controller. Its files, the candidate, a small
trusted runner (``_runner.py``) and the shims (``_shims/``: the few ``openevolve`` and ``shinka``
names folders import) are copied into a fresh sandbox directory; the runner calls the evaluator
and writes a JSON answer that the controller reads as data. Same limits as any candidate: wall
clock timeout killing the process group, memory, CPU, file size, process count, scrubbed env,
Landlock.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from agent.records import EvalResult, Resources
from agent.sandbox import Limits, Sandbox, SandboxResult
from agent.task import EvalContext, Task

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "_runner.py"
SHIMS = HERE / "_shims"
SHIMMED = frozenset({"openevolve", "shinka"})  # provided by _shims/, never pip-installed
ANSWER = "__fm_answer__.json"
SHIM_DIR = "__fm_shims__"
# Never copied into the sandbox: run outputs, caches, VCS and environments.
EXCLUDE = frozenset({".git", "__pycache__", ".venv", "venv", "node_modules", ".ipynb_checkpoints",
                     "openevolve_output", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
LINK_ABOVE = 32 << 20  # files bigger than this are linked read-only instead of copied
COPY_BUDGET = 256 << 20  # past this many copied bytes, files over 1 MB are linked too
MAX_FEEDBACK = 8000
MAX_ARTIFACT = 4000

LANGUAGES = {".py": "python", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".c": "c",
             ".rs": "rust", ".r": "r", ".go": "go", ".jl": "julia", ".f90": "fortran",
             ".sv": "systemverilog", ".v": "verilog", ".wl": "wolfram", ".js": "javascript",
             ".ts": "typescript", ".java": "java", ".txt": "text", ".md": "text",
             ".mlir": "mlir", ".cu": "cuda", ".sh": "bash"}


def language_of(path: Path) -> str:
    return LANGUAGES.get(path.suffix.lower(), path.suffix.lstrip(".") or "text")


def folder_version(folder: Path, names: Sequence[str]) -> str:
    """A short content hash of the files that define scoring: runs of a changed evaluator differ."""
    h = hashlib.sha256()
    for n in sorted(names):
        p = folder / n
        if p.is_file():
            h.update(n.encode() + b"\0" + p.read_bytes() + b"\0")
    return "sha-" + h.hexdigest()[:10]


def limits_for(ctx: EvalContext, timeout_s: float | None = None,
               allow_tmp: bool = False) -> Limits:
    r = ctx.resources
    # rss mode: folders use numpy/jax/torch whose address-space reservations break RLIMIT_AS.
    return Limits(timeout_s=float(timeout_s or r.timeout_s), memory_mb=int(r.memory_mb),
                  memory_mode="rss", cpus=max(1.0, float(r.cpus)), max_procs=128,
                  allow_write=("/tmp", "/dev/shm") if allow_tmp else ())


TMP_HINT = ("; it writes outside its sandbox directory (a fixed /tmp path, or multiprocessing "
            "locks in /dev/shm): use tempfile and threads, or load the folder with allow_tmp=1 "
            "(`--option allow_tmp=1`) to let it write /tmp and /dev/shm, which weakens "
            "isolation between concurrent evaluations")


def named_config(folder: Path, name: str | None) -> Path | None:
    """The config file the user named (``config=``), or None when none was named."""
    if not name:
        return None
    p = folder / name
    if not p.is_file():
        raise ValueError(f"{p}: config file not found; pass config= one of the folder's YAML files")
    return p


def readme(folder: Path, limit: int = 6000) -> str:
    for n in ("README.md", "README.txt", "README"):
        p = folder / n
        if p.is_file():
            return p.read_text(errors="replace")[:limit].strip()
    return ""


def peer_statement(folder: Path, seed_name: str, evaluator_file: str, fitness_key: str,
                   system_message: str | None = None, note: str = "") -> str:
    """The LLM's statement for a peer folder: its system message or README, plus how it is scored."""
    statement = system_message or readme(folder) or f"Improve the program {seed_name}."
    return statement + (f"\n\nThe program is scored by the task's {evaluator_file}; fitness is its "
                        f"{fitness_key} (higher is better){note}.")


def peer_task(folder: Path, seed: Path, *, fmt: str, evaluator: Any, evaluator_file: str,
              fitness_key: str, timeout_s: float, cpus: float, memory_mb: int,
              language: str | None = None, system_message: str | None = None, note: str = "",
              meta: Mapping[str, Any] | None = None) -> Task:
    """The Task every peer-folder loader returns: statement, version, resources and meta
    (format, folder, seed, peer and ignored config, missing packages) built one way."""
    missing = missing_packages(folder, (evaluator_file,))
    full_meta = {"format": fmt, "folder": str(folder), "seed_file": seed.name,
                 "peer_config": {}, "ignored_config": [], **(meta or {}),
                 "missing_packages": missing_message(missing) if missing else None}
    return Task(id=f"folder/{folder.name}",
                statement=peer_statement(folder, seed.name, evaluator_file, fitness_key,
                                         system_message, note),
                seeds=(seed.read_text(errors="replace"),), evaluator=evaluator, direction="max",
                language=str(language) if language else language_of(seed),
                version=folder_version(folder, [evaluator_file, seed.name]),
                resources=Resources(cpus=cpus, memory_mb=memory_mb, timeout_s=timeout_s),
                tags=("folder", fmt), meta=full_meta)


def _needs_tmp(text: str) -> bool:
    return "Permission denied: '/tmp" in text or "SemLock" in text


def _stage_folder(folder: Path, work: Path, skip: Sequence[str]) -> tuple[str, ...]:
    """Copy the folder into ``work``; link big files read-only. Returns paths to allow reading."""
    allow: list[str] = []
    skip_set, copied = set(skip), 0
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDE and str(rel_root / d) not in skip_set
                         and not d.startswith("results_"))
        (work / rel_root).mkdir(parents=True, exist_ok=True)
        for name in files:
            rel = rel_root / name
            if str(rel) in skip_set or name.endswith(".pyc"):
                continue
            src, dst = Path(root) / name, work / rel
            try:
                size = src.stat().st_size
                if src.is_symlink() or size > LINK_ABOVE or (
                        copied > COPY_BUDGET and size > 1 << 20):
                    real = src.resolve()
                    dst.symlink_to(real)
                    allow.append(str(real))
                else:
                    shutil.copy2(src, dst)
                    copied += size
            except OSError:
                continue
    return tuple(allow)


def run_in_folder(folder: Path, argv: Sequence[str], *, files: Mapping[str, str | bytes],
                  limits: Limits, collect: Sequence[str] = (), skip: Sequence[str] = (),
                  stage_folder: bool = True) -> SandboxResult:
    """Run ``argv`` in a sandbox directory holding the folder's files, the shims and ``files``."""
    work = Path(tempfile.mkdtemp(prefix="fmagent-folder-"))
    try:
        allow = _stage_folder(folder, work, skip) if stage_folder else ()
        shutil.copytree(SHIMS, work / SHIM_DIR,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        env = {"PYTHONPATH": f"{work / SHIM_DIR}:{work}", "SHINKA_EVAL_VERBOSE": "0",
               "ENABLE_ARTIFACTS": "true"}
        lim = dataclasses.replace(limits, allow_read=(*limits.allow_read, *allow))
        return Sandbox(lim).run(list(argv), files=files, collect=collect, env=env, keep_dir=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_python_evaluator(folder: Path, spec: dict[str, Any], *, files: Mapping[str, str | bytes],
                         limits: Limits) -> tuple[dict[str, Any] | None, SandboxResult]:
    """Run the trusted runner on ``spec`` in the sandbox; its JSON answer, or None."""
    res = run_in_folder(folder, [sys.executable, "__fm_runner__.py", json.dumps(spec)],
                        files={**files, "__fm_runner__.py": RUNNER.read_text()}, limits=limits,
                        collect=[ANSWER], skip=[ANSWER, "__fm_runner__.py"])
    raw = res.files.get(ANSWER)
    if raw is None:
        return None, res
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, res
    return (answer if isinstance(answer, dict) else None), res


# ---------------------------------------------------------------- requirements and imports

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(folder: Path) -> list[str]:
    """Distribution names listed in the folder's requirements.txt (options and URLs skipped)."""
    p = folder / "requirements.txt"
    if not p.is_file():
        return []
    out = []
    for line in p.read_text(errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-") or "://" in line:
            continue
        m = _REQ.match(line)
        if m:
            out.append(m.group(1))
    return out


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.distribution(dist)
        return True
    except importlib.metadata.PackageNotFoundError:
        return importlib.util.find_spec(dist.replace("-", "_")) is not None


def _top_imports(path: Path) -> list[str]:
    """Top-level module names imported unconditionally at module level of ``path``."""
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return list(dict.fromkeys(names))


def missing_packages(folder: Path, python_files: Sequence[str]) -> list[tuple[str, str]]:
    """(file, pip name) for every requirement or module-level import that is not installed.

    Nothing is imported: requirements are looked up in the installed distributions, imports with
    ``importlib.util.find_spec`` on the top-level name only.
    """
    reqs = requirements(folder)
    by_norm = {_norm(r): r for r in reqs}
    out: list[tuple[str, str]] = []
    for r in reqs:
        if _norm(r) not in {_norm(s) for s in SHIMMED} | {"shinka-evolve"} and not _installed(r):
            out.append(("requirements.txt", r))
    listed = {pkg for _, pkg in out}
    for fname in python_files:
        p = folder / fname
        if not p.is_file():
            continue
        for mod in _top_imports(p):
            if (mod in SHIMMED or mod in sys.stdlib_module_names or (folder / f"{mod}.py").exists()
                    or (folder / mod).is_dir()):
                continue
            if importlib.util.find_spec(mod) is None:
                pkg = by_norm.get(_norm(mod), mod)
                if pkg not in listed:
                    out.append((fname, pkg))
                    listed.add(pkg)
    return out


def missing_message(missing: list[tuple[str, str]]) -> str:
    file, _ = missing[0]
    pkgs = " ".join(p for _, p in missing)
    what = "lists" if file == "requirements.txt" else "imports"
    return (f"{file} {what} {', '.join(repr(p) for _, p in missing)}, not installed in this "
            f"environment; run: pip install {pkgs}")


# ---------------------------------------------------------------- answers -> EvalResult

def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def flatten_numbers(d: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, bool):
            out[name] = float(v)
        elif _is_num(v):
            out[name] = float(v)
        elif isinstance(v, dict):
            out.update(flatten_numbers(v, name + "."))
    return out


def texts(d: Mapping[str, Any], skip: Sequence[str] = ()) -> list[str]:
    """'name: value' lines for the non-numeric values of an answer (strings, lists, dicts)."""
    lines = []
    for k, v in d.items():
        if k in skip or _is_num(v) or isinstance(v, bool) or v is None or v == "" or v == {} \
                or v == []:
            continue
        s = v if isinstance(v, str) else json.dumps(v, default=str)
        lines.append(f"{k}: {s[:2000]}")
    return lines


def one_line(s: Any, limit: int = 300) -> str:
    if isinstance(s, dict):
        s = "; ".join(f"{k}: {v}" for k, v in s.items() if v)
    s = " ".join(str(s).split())
    return s[:limit]


def to_result(metrics: Mapping[str, Any], *, src: str, fitness_key: str = "combined_score",
              artifacts: Mapping[str, Any] | None = None, feedback: Sequence[str] = (),
              invalid: str | None = None, stages: Sequence[str] = (),
              extra_metrics: Mapping[str, float] | None = None) -> EvalResult:
    """The EvalResult for what a folder's evaluator returned.

    Fitness is ``metrics[fitness_key]`` (raw; Task.evaluate applies direction); every other
    number lands in metrics; text values and artifacts go into feedback. A missing, non-numeric
    or non-finite fitness is an invalid result naming ``src``.
    """
    nums = {**flatten_numbers(metrics), **(extra_metrics or {})}
    if fitness_key != "score" and "score" in nums:  # metrics["score"] is the raw objective here
        nums["evaluator.score"] = nums.pop("score")
    arts = {str(k): (v if isinstance(v, str) else json.dumps(v, default=str))[:MAX_ARTIFACT]
            for k, v in (artifacts or {}).items()}
    own = [str(metrics[k]) for k in ("feedback", "text_feedback")
           if isinstance(metrics.get(k), str) and metrics[k].strip()]
    fb_lines = [*feedback, *own, *texts(metrics, skip=(fitness_key, "feedback", "text_feedback")),
                *(f"artifact {k}: {v[:2000]}" for k, v in arts.items())]
    fb = "\n".join(fb_lines)[:MAX_FEEDBACK]
    kw = dict(metrics=nums, feedback=fb, artifacts=arts, stages=tuple(stages))
    if invalid:
        return EvalResult.invalid(f"{src}: {invalid}", **kw)
    if fitness_key not in metrics:
        keys = ", ".join(list(metrics)[:12]) or "nothing"
        other = next((k for k in ("combined_score", "score") if k != fitness_key and
                      _is_num(metrics.get(k))), None)
        alt = f", or pass --option fitness_key={other}" if other else ""
        return EvalResult.invalid(f"{src}: returned no {fitness_key!r} (it returned: {keys}); "
                                  f"make it return a numeric {fitness_key!r}{alt}", **kw)
    v = metrics[fitness_key]
    if not _is_num(v):
        return EvalResult.invalid(f"{src}: {fitness_key} is {v!r}, not a number; return a "
                                  "finite float", **kw)
    if not math.isfinite(float(v)):
        return EvalResult.invalid(f"{src}: {fitness_key} is {v}, not finite; return a finite "
                                  "float (guard divisions and failed runs)", **kw)
    return EvalResult(valid=True, fitness=float(v), **kw)


def failure(src: str, answer: dict[str, Any] | None, res: SandboxResult, folder_reqs: list[str],
            timeout_s: float) -> EvalResult:
    """The invalid result for a runner that produced no usable answer (or reported a failure)."""
    metrics = {"eval_wall_s": res.wall_s}
    tail = res.stderr[-3000:]
    a = answer or {}
    status, where = a.get("status"), a.get("where", "evaluate")
    if res.timed_out:
        return EvalResult.invalid(
            f"{src}: no answer within {timeout_s:g}s (the evaluator with the candidate hung or is "
            "too slow); the candidate is invalid. If the seed needs longer, raise timeout_s",
            metrics=metrics, feedback=f"evaluation timed out after {timeout_s:g}s\n{tail}")
    if res.killed_reason:
        return EvalResult.invalid(f"{src}: {res.killed_reason}", metrics=metrics, feedback=tail)
    if status == "missing_module":
        return _no_module(src, str(a.get("module", "?")), folder_reqs, metrics, tail)
    if status == "raised":
        where_s = "importing it" if where == "import" else f"{where}()"
        err, tb = one_line(a.get("error"), 240), str(a.get("traceback", ""))
        hint = TMP_HINT if _needs_tmp(err + tb) else (
            "; fix the evaluator or the candidate (traceback in feedback)")
        return EvalResult.invalid(f"{src}: {where_s} raised {err}{hint}", metrics=metrics,
                                  feedback=tb[-MAX_FEEDBACK:])
    if status == "no_function":
        return EvalResult.invalid(f"{src}: defines no function {where}(); define it",
                                  metrics=metrics)
    if status == "bad_return":
        return EvalResult.invalid(
            f"{src}: {where}() returned {a.get('type')}, not a dict or an object with .metrics; "
            "return a dict holding 'combined_score'", metrics=metrics)
    m = re.search(r"ModuleNotFoundError: No module named '([^']+)'", tail)
    if m:
        return _no_module(src, m.group(1), folder_reqs, metrics, tail)
    hint = TMP_HINT if _needs_tmp(tail) else ""
    return EvalResult.invalid(f"{src}: gave no answer ({res.describe_failure()}){hint}",
                              metrics=metrics, feedback=tail)


def _no_module(src: str, name: str, folder_reqs: list[str], metrics: dict[str, float],
               tail: str) -> EvalResult:
    mod = name.split(".")[0]
    if mod in SHIMMED:
        return EvalResult.invalid(
            f"{src}: imports {name!r}, which fmagent does not provide (only "
            "openevolve.evaluation_result and shinka.core); make the evaluator self-contained",
            metrics=metrics, feedback=tail)
    pkg = next((r for r in folder_reqs if _norm(r) == _norm(mod)), mod)
    return EvalResult.invalid(f"{src}: No module named {mod!r}; run: pip install {pkg}",
                              metrics=metrics, feedback=tail)
