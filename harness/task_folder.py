"""Bring-your-own task folders: our ``task.yaml`` format, peer formats, and ``fmagent init``.

:func:`load_folder` turns a directory into a :class:`~agent.task.Task`. A folder with
``task.yaml`` is ours (documented in ``harness/templates/TASK_FOLDER.md``); otherwise the format
is detected from the files (OpenEvolve, ShinkaEvolve, FM Agent examples; see
:mod:`harness.peer_formats`) and the folder runs unmodified.

Our format scores in two sandboxed steps, so the candidate and the evaluator never share a
process: (1) the candidate runs alone with only the files ``entry.inputs`` names, and its output
(the entry function's JSON return value, or a script's stdout) comes back as data; (2) the
folder's ``evaluator.py`` runs in a second sandbox holding the folder and that output, and
returns a dict with the raw ``score``. Hidden answers in the folder are never readable by the
candidate.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.config import first_problem
from agent.records import EvalResult, Resources
from agent.sandbox import Limits, Sandbox, run_python_function
from agent.task import EvalContext, Task
from harness import peer_formats
from harness.registry import UnknownTask
from harness.peer_formats.common import (
    failure, folder_version, limits_for, missing_message, missing_packages, one_line,
    requirements, run_python_evaluator, to_result)

MANIFEST = "task.yaml"
TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAMES = ("math", "script", "ml")
OPTIONS = ("timeout_s", "memory_mb", "cpus", "config", "format", "allow_tmp", "fitness_key")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResourcesSpec(_Strict):
    """What one evaluation of a candidate may use."""

    cpus: float = Field(1.0, gt=0)
    gpus: float = Field(0.0, ge=0)
    memory_mb: int = Field(2048, ge=64)
    timeout_s: float = Field(60.0, gt=0, description="wall clock for the candidate's run")


class EntrySpec(_Strict):
    """How the candidate is run and what it hands the evaluator."""

    kind: Literal["function", "script"] = "function"
    function: str = "run"  # function kind: called with ``args``; returns JSON-able data
    args: list[Any] = Field(default_factory=list)
    run: list[str] = Field(default_factory=lambda: ["python", "{program}"])  # script kind
    build: list[str] | None = None  # script kind: run once before ``run`` (e.g. a compiler)
    stdin: str | None = None  # script kind: a folder file fed to stdin
    inputs: list[str] = Field(default_factory=list)  # folder files the candidate may read
    outputs: list[str] = Field(default_factory=list)  # files the candidate writes for the evaluator


class EvaluatorSpec(_Strict):
    file: str = "evaluator.py"
    function: str = "evaluate"
    timeout_s: float = Field(60.0, gt=0)


class Manifest(_Strict):
    """``task.yaml``. Unknown fields are errors naming the field."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
    version: str = "1"
    statement: str = Field(min_length=1)
    direction: Literal["max", "min"]
    language: str = "python"
    seed: str = "seed.py"
    resources: ResourcesSpec = Field(default_factory=ResourcesSpec)
    references: dict[str, Any] = Field(default_factory=dict)
    entry: EntrySpec = Field(default_factory=EntrySpec)
    evaluator: EvaluatorSpec = Field(default_factory=EvaluatorSpec)
    tags: list[str] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> str:
        return str(v)


class TaskFolderError(UnknownTask):
    """A folder that cannot be loaded; the message names the file and what to do.

    A kind of UnknownTask, so every CLI command that loads tasks reports it as one line."""


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise TaskFolderError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from e
    if not isinstance(data, dict):
        raise TaskFolderError(f"{path}: must hold a mapping (id, statement, direction, ...)")
    try:
        m = Manifest.model_validate(data)
    except ValidationError as e:
        loc, msg = first_problem(e)
        raise TaskFolderError(f"{path}: field {loc or '(top level)'!r}: {msg} ({len(e.errors())} "
                              "problem(s); harness/templates/TASK_FOLDER.md lists the fields)"
                              ) from e
    need = [("seed", m.seed), ("evaluator.file", m.evaluator.file),
            *(("entry.inputs", f) for f in m.entry.inputs)]
    if m.entry.stdin:
        need.append(("entry.stdin", m.entry.stdin))
    reserved = {"candidate.py", "__runner__.py", "__result__.json", "__fm_output__.json"}
    for rel in (*m.entry.inputs, *m.entry.outputs):
        if rel in reserved:
            raise TaskFolderError(f"{path}: entry names {rel!r}, a file name fmagent uses "
                                  "itself; rename the file")
    for field, rel in need:
        p = (folder / rel).resolve()
        if folder.resolve() not in p.parents or not p.is_file():
            raise TaskFolderError(f"{path}: {field} names {rel!r}, which is not a file inside "
                                  f"{folder}; add the file or fix the name")
    return m


def _argv(cmd: list[str], program: str) -> list[str]:
    out = [c.replace("{program}", program) for c in cmd]
    if out and out[0] in ("python", "python3"):
        out[0] = sys.executable
    return out


@dataclass(frozen=True)
class FolderEvaluator:
    """Our format: candidate alone in one sandbox, then the folder's evaluator in another."""

    folder: str
    manifest: Manifest

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        folder, m = Path(self.folder), self.manifest
        src = m.evaluator.file
        missing = missing_packages(folder, (src,))
        if missing:
            return EvalResult.invalid(missing_message(missing))
        lim = Limits(timeout_s=ctx.resources.timeout_s, memory_mb=ctx.resources.memory_mb,
                     memory_mode="rss", cpus=max(1.0, ctx.resources.cpus))
        inputs = {f: (folder / f).read_bytes() for f in m.entry.inputs}
        out_files: dict[str, bytes] = {}
        if m.entry.kind == "function":
            value, res = run_python_function(code, m.entry.function, m.entry.args, limits=lim,
                                             extra_files=inputs)
            if value is None:
                return EvalResult.invalid(f"program failed: {res.describe_failure()}",
                                          metrics={"runtime_s": res.wall_s},
                                          feedback=res.stderr[-3000:])
            output: Any = value
        else:
            prog = m.seed.rsplit("/", 1)[-1]
            run = shlex.join(_argv(m.entry.run, prog))
            argv = ["/bin/sh", "-c", run if not m.entry.build else
                    f"{shlex.join(_argv(m.entry.build, prog))} && {run}"]
            stdin = (folder / m.entry.stdin).read_bytes() if m.entry.stdin else None
            res = Sandbox(lim).run(argv, files={prog: code, **inputs}, stdin=stdin,
                                   collect=m.entry.outputs)
            if not res.ok:
                return EvalResult.invalid(f"program failed: {res.describe_failure()}",
                                          metrics={"runtime_s": res.wall_s},
                                          feedback=res.stderr[-3000:])
            missing_out = [f for f in m.entry.outputs if f not in res.files]
            if missing_out:
                return EvalResult.invalid(f"program wrote no {missing_out[0]!r} (task.yaml "
                                          "entry.outputs)", metrics={"runtime_s": res.wall_s})
            output, out_files = res.stdout, dict(res.files)
        runtime = res.wall_s
        ev_lim = limits_for(ctx, m.evaluator.timeout_s)
        spec = {"mode": "score", "evaluator": src, "function": m.evaluator.function,
                "output_file": "__fm_output__.json"}
        answer, eres = run_python_evaluator(
            folder, spec, limits=ev_lim,
            files={**out_files, "__fm_output__.json": json.dumps(output, allow_nan=True)})
        if not answer or answer.get("status") != "ok":
            r = failure(src, answer, eres, requirements(folder), ev_lim.timeout_s)
            return r.with_(metrics={**r.metrics, "runtime_s": runtime})
        metrics = answer.get("metrics") or {}
        key = "score" if "score" in metrics or "combined_score" not in metrics else \
            "combined_score"
        invalid = None
        if metrics.get("valid") is False or metrics.get("valid") == 0:
            invalid = f"candidate rejected: {one_line(metrics.get('error') or 'valid is false')}"
        return to_result(metrics, src=src, fitness_key=key, invalid=invalid,
                         stages=("run", "score"), extra_metrics={"runtime_s": runtime})


def _load_own(folder: Path, timeout_s: float | None = None, memory_mb: int | None = None,
              cpus: float | None = None) -> Task:
    m = read_manifest(folder)
    r = m.resources
    res = Resources(cpus=cpus or r.cpus, gpus=r.gpus, memory_mb=memory_mb or r.memory_mb,
                    timeout_s=timeout_s or r.timeout_s)
    missing = missing_packages(folder, (m.evaluator.file,))
    return Task(id=m.id, statement=m.statement, seeds=((folder / m.seed).read_text(),),
                evaluator=FolderEvaluator(str(folder), m), direction=m.direction,
                language=m.language, version=m.version, resources=res,
                references=dict(m.references), tags=("folder", *m.tags),
                meta={"format": "fmagent-folder", "folder": str(folder), "seed_file": m.seed,
                      "peer_config": {}, "ignored_config": [],
                      "evaluator_version": folder_version(folder, [m.evaluator.file]),
                      "missing_packages": missing_message(missing) if missing else None})


def load_folder(path: str | Path, **options: Any) -> Task:
    """The Task a folder defines. Options: timeout_s, memory_mb, cpus, config (a peer config
    file name inside the folder), format (insist on one of fmagent-folder, openevolve, shinka,
    fmagent), allow_tmp (peer folders whose evaluator writes fixed /tmp paths), fitness_key
    (peer folders whose evaluator names its objective other than combined_score)."""
    folder = Path(path).resolve()
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TaskFolderError(f"unknown task folder option(s) {', '.join(unknown)}; known: "
                              f"{', '.join(OPTIONS)}")
    if not folder.is_dir():
        raise TaskFolderError(f"{folder} is not a directory; pass a task folder")
    fmt, seed = peer_formats.detect(folder)
    forced = options.get("format")
    if forced and forced != fmt:
        raise TaskFolderError(f"{folder}: format={forced!r} was asked for but the folder looks "
                              f"like {fmt or 'no known format'!r}")
    try:  # CLI options arrive as strings
        kw = {k: cast(options[k]) for k, cast in (("timeout_s", float), ("memory_mb", int),
                                                  ("cpus", float)) if options.get(k)}
    except ValueError as e:
        raise TaskFolderError(f"task folder option: {e}; timeout_s, memory_mb and cpus take "
                              "numbers") from e
    try:
        if fmt == "fmagent-folder":
            if options.get("config"):
                raise TaskFolderError(f"{folder}: config= is for peer folders; settings of a "
                                      "task.yaml folder live in task.yaml")
            for opt in ("allow_tmp", "fitness_key"):
                if options.get(opt):
                    raise TaskFolderError(f"{folder}: {opt}= is for peer folders; a task.yaml "
                                          "folder sets its scoring in evaluator.py")
            return _load_own(folder, **kw)
        if not fmt or seed is None:
            raise TaskFolderError(peer_formats.NOT_A_FOLDER.format(path=folder))
        mod = {"openevolve": "openevolve", "shinka": "shinka", "fmagent": "fmagent"}[fmt]
        loader = __import__(f"harness.peer_formats.{mod}", fromlist=["load"]).load
        allow_tmp = str(options.get("allow_tmp", "")).lower() in ("1", "true", "yes", "on")
        return loader(folder, seed, config=options.get("config"), allow_tmp=allow_tmp,
                      fitness_key=str(options.get("fitness_key") or "combined_score"), **kw)
    except TaskFolderError:
        raise
    except ValueError as e:
        raise TaskFolderError(str(e)) from e


def init_task(name: str, template: str = "math", dest: Path | None = None) -> Path:
    """Write a working task folder ``dest/name`` from a template (math, script or ml)."""
    if template not in TEMPLATE_NAMES:
        raise TaskFolderError(f"unknown template {template!r}; choose one of "
                              f"{', '.join(TEMPLATE_NAMES)}")
    if not _NAME.match(name):
        raise TaskFolderError(f"task name {name!r} must start with a letter or digit and hold "
                              "only letters, digits, '_', '-' and '.'")
    target = Path(dest or Path.cwd()) / name
    if target.exists() and any(target.iterdir()):
        raise TaskFolderError(f"{target} already exists and is not empty; choose another name "
                              "or remove it")
    shutil.copytree(TEMPLATES / template, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for f in (target / MANIFEST, target / "README.md"):
        if f.is_file():
            f.write_text(f.read_text().replace("{{name}}", name))
    return target


def run_openevolve_baseline(folder: Path, out_dir: Path, model: str | None, max_evals: int,
                            **kw: Any) -> Path:
    """Run OpenEvolve itself on ``folder`` (keywords: api_base, timeout_s, venv); the run
    directory format is documented in :mod:`harness.peer_formats.baseline`."""
    from harness.peer_formats.baseline import run_openevolve_baseline as run

    return run(Path(folder), Path(out_dir), model, max_evals, **kw)
