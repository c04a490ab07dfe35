"""Trusted evaluation of ML-script candidates: validation fitness and the final graded run.

A candidate is a Python script run as ``python solution.py INPUT_DIR OUTPUT_DIR`` that reads the
public data from INPUT_DIR and writes OUTPUT_DIR/submission.csv.

During search, every evaluation builds a fresh input folder outside the sandbox's working
directory holding the public training rows minus a fixed held-out validation split (train file),
the validation rows' features without their targets (test file), a matching
sample_submission.csv and description.md. The script runs in :mod:`agent.sandbox` with that
folder as its only extra readable path; trusted code scores its predictions against the held-out
targets with the competition's metric. The private answers are never in the input folder or in
any path the sandbox may read.

:func:`run_final` runs the best script once on the full public data (read-only) and grades its
test submission: offline with this package's grader and reference leaderboard, real with
``mlebench.grade.grade_csv``.
"""

from __future__ import annotations

import glob
import io
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agent.records import EvalResult, Resources
from agent.sandbox import Limits, Sandbox, SandboxResult
from agent.task import EvalContext

SCRIPT = "solution.py"
SUBMISSION = "submission.csv"


@dataclass(frozen=True)
class CompetitionRef:
    """Picklable pointer to a prepared competition and how to split its training data."""

    competition_id: str
    mode: Literal["offline", "real"]
    data_dir: str
    train_file: str = "train.csv"
    test_file: str = "test.csv"
    id_column: str = "id"
    target_columns: tuple[str, ...] = ("target",)
    val_fraction: float = 0.2
    val_seed: int = 0

    @property
    def public_dir(self) -> Path:
        return Path(self.data_dir) / self.competition_id / "prepared" / "public"


class InvalidPrediction(ValueError):
    """The candidate's predictions cannot be scored; the message says why."""


# ---- validation split ---------------------------------------------------------------------------

def read_csv(src: Any) -> Any:
    """pandas.read_csv with exact float round trips (mlebench's default; pandas 3's own)."""
    import pandas as pd

    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.read_csv(src)
    return pd.read_csv(src, float_precision="round_trip")


def build_validation_input(ref: CompetitionRef, dest: Path) -> Any:
    """Write the validation input folder into ``dest``; return the held-out answers (trusted)."""
    pub = ref.public_dir
    train = read_csv(pub / ref.train_file)
    need = [ref.id_column, *ref.target_columns]
    missing = [c for c in need if c not in train.columns]
    if missing:
        raise ValueError(f"{ref.train_file} of {ref.competition_id} lacks column(s) {missing}; "
                         "set the id_column / target_columns options")
    n = len(train)
    n_val = int(round(n * ref.val_fraction))
    if not 1 <= n_val < n:
        raise ValueError(f"val_fraction {ref.val_fraction} leaves no rows to train or validate on "
                         f"({n} training rows)")
    order = np.random.RandomState(ref.val_seed).permutation(n)
    val, fit = train.iloc[np.sort(order[:n_val])], train.iloc[np.sort(order[n_val:])]
    dest.mkdir(parents=True, exist_ok=True)
    fit.to_csv(dest / ref.train_file, index=False)
    val.drop(columns=list(ref.target_columns)).to_csv(dest / ref.test_file, index=False)
    sample = read_csv(pub / "sample_submission.csv")
    filler = {c: (sample[c].iloc[0] if len(sample) else 0) for c in sample.columns[1:]}
    sample_val = val[[ref.id_column]].copy()
    for c, v in filler.items():
        sample_val[c] = v
    sample_val.to_csv(dest / "sample_submission.csv", index=False)
    _mirror_extras(pub, dest, {ref.train_file, ref.test_file, "sample_submission.csv"})
    return val[need].reset_index(drop=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # same file system: instant, and the candidate cannot write it
    except OSError:
        shutil.copy2(src, dst)


def _mirror_extras(pub: Path, dest: Path, skip: set[str]) -> None:
    """Every other public file (description.md, side tables, media folders) into ``dest``."""
    for entry in pub.iterdir():
        if entry.name in skip or entry.is_symlink():
            continue
        target = dest / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, copy_function=_link_or_copy)
        elif entry.is_file():
            _link_or_copy(str(entry), str(target))


def _scratch_dir(ref: CompetitionRef) -> Path:
    """A fresh folder for one evaluation's input, next to the data when it is writable (so
    large public files are hard-linked, not copied), else in the system temp folder."""
    near = Path(ref.data_dir) / ref.competition_id / ".fmagent-val"
    try:
        near.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="input-", dir=near))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="fmagent-mle-input-"))


def score_predictions(ref: CompetitionRef, submission: Any, answers: Any) -> float:
    """Trusted score of a submission frame against answers; raises InvalidPrediction."""
    if ref.mode == "offline":
        from benchmarks.mle import mini
        from benchmarks.mle.metrics import InvalidSubmission

        try:
            return mini.load(ref.competition_id, ref.data_dir).grade(submission, answers)
        except InvalidSubmission as e:
            raise InvalidPrediction(str(e)) from None
    from benchmarks.mle import real

    comp = real.get_competition(ref.data_dir, ref.competition_id)
    score = real.grade_validation(comp, submission, answers)
    if score is None or not np.isfinite(score):
        raise InvalidPrediction("mlebench's grader rejected the submission (wrong ids, columns "
                                "or values; compare with sample_submission.csv)")
    return float(score)


# ---- running a script ---------------------------------------------------------------------------

def sandbox_read_roots() -> list[str]:
    """Paths every sandboxed run may read (system and interpreter roots)."""
    from agent import sandbox

    return sandbox.read_roots()


def exposed_by(path: Path, roots: list[str]) -> str | None:
    """The first root that ``path`` lies beneath (so a sandbox could read it), else None."""
    p = Path(os.path.realpath(path))
    for r in roots:
        rp = Path(os.path.realpath(r))
        if p == rp or rp in p.parents:
            return r
    return None


def check_private_hidden(ref: CompetitionRef) -> None:
    """Refuse a data dir whose private answers a candidate could read through a system root."""
    private = Path(ref.data_dir) / ref.competition_id / "prepared" / "private"
    root = exposed_by(private, sandbox_read_roots())
    if root is not None:
        raise ValueError(f"the private answers {private} lie under {root}, which every sandboxed "
                         "program may read; move the data directory elsewhere (for example "
                         "~/.cache) and pass it as data_dir")


def candidate_limits(res: Resources, read_dir: Path, max_file_mb: int = 64) -> Limits:
    gpu = res.gpus > 0
    devs = tuple(p for p in glob.glob("/dev/nvidia*") + glob.glob("/dev/dri/*")) if gpu else ()
    return Limits(timeout_s=res.timeout_s, memory_mb=res.memory_mb,
                  memory_mode="rss" if gpu else "as", cpus=max(1.0, res.cpus),
                  allow_read=(str(read_dir),), allow_write=devs, max_file_mb=max_file_mb,
                  # the usual stack, imported once in the fork server (about 2 s a run here)
                  # under the candidate's own thread and joblib settings; not with a GPU
                  preload=() if gpu else PRELOAD,
                  preload_env=() if gpu else tuple(sorted(_env(res).items())))


# What most tabular candidates import; a missing one is skipped by the fork server.
PRELOAD = ("numpy", "pandas", "sklearn", "sklearn.ensemble", "sklearn.linear_model",
           "sklearn.model_selection")


def _env(res: Resources) -> dict[str, str]:
    threads = str(max(1, int(res.cpus)))
    env = {"OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
           "JOBLIB_MULTIPROCESSING": "0"}
    if res.gpus > 0 and "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


def run_script(code: str, input_dir: Path, res: Resources,
               max_file_mb: int = 64) -> SandboxResult:
    """Run the candidate in the sandbox: INPUT_DIR read-only, its own folder as OUTPUT_DIR."""
    lim = candidate_limits(res, input_dir, max_file_mb)
    return Sandbox(lim).run([sys.executable, SCRIPT, str(input_dir), "."], files={SCRIPT: code},
                            collect=[SUBMISSION], env=_env(res))


def _tail(text: str, n: int = 1500) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


@dataclass(frozen=True)
class MLEEvaluator:
    """Validation-split fitness of an ML script. Picklable: holds names and paths only."""

    ref: CompetitionRef
    reference_note: str = ""  # e.g. the test leaderboard's thresholds, for feedback

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        try:
            check_private_hidden(self.ref)
        except ValueError as e:
            return EvalResult.invalid(str(e))
        tmp = _scratch_dir(self.ref)
        try:
            try:
                answers = build_validation_input(self.ref, tmp / "input")
            except (OSError, ValueError) as e:
                return EvalResult.invalid(f"cannot build the validation input: {e}")
            res = run_script(code, tmp / "input", ctx.resources)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        metrics = {"runtime_s": res.wall_s, "n_val": float(len(answers))}
        logs = _tail(res.stdout) + ("\n[stderr]\n" + _tail(res.stderr) if res.stderr.strip() else "")
        if not res.ok:
            return EvalResult.invalid(f"script failed: {res.describe_failure()}",
                                      metrics=metrics, feedback=logs)
        if SUBMISSION not in res.files:
            return EvalResult.invalid(f"the script wrote no {SUBMISSION} in its output directory",
                                      metrics=metrics, feedback=logs)
        try:
            sub = read_csv(io.BytesIO(res.files[SUBMISSION]))
            score = score_predictions(self.ref, sub, answers)
        except InvalidPrediction as e:
            return EvalResult.invalid(f"invalid submission: {e}", metrics=metrics,
                                      feedback=f"invalid submission: {e}\n{logs}")
        except Exception as e:  # unreadable CSV and the like: this candidate's fault
            return EvalResult.invalid(f"unreadable submission: {type(e).__name__}: {e}",
                                      metrics=metrics, feedback=logs)
        fb = (f"validation score {score:.6g} on {len(answers)} held-out training rows "
              f"(runtime {res.wall_s:.1f}s). {self.reference_note}".strip())
        return EvalResult(valid=True, fitness=score, metrics={**metrics, "val_score": score},
                          feedback=fb + ("\n" + logs if logs else ""))


# ---- the final graded run -----------------------------------------------------------------------

def run_final(ref: CompetitionRef, code: str, out_dir: str | Path, res: Resources,
              max_file_mb: int = 1024) -> dict[str, Any]:
    """Run ``code`` on the full public data, grade its test submission, store everything.

    Writes ``out_dir/code/solution.py``, ``out_dir/logs/run.log``,
    ``out_dir/submission/submission.csv`` (when produced), ``out_dir/report.json`` and
    ``out_dir/submission.jsonl`` (one grading line: competition_id, submission_path, logs_path,
    code_path). Returns the report: mlebench's CompetitionReport fields plus run details.
    """
    check_private_hidden(ref)
    out = Path(out_dir).resolve()
    for sub in ("code", "logs", "submission"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    code_path, log_path = out / "code" / SCRIPT, out / "logs" / "run.log"
    sub_path = out / "submission" / SUBMISSION
    code_path.write_text(code)
    sub_path.unlink(missing_ok=True)
    t0 = time.monotonic()
    r = run_script(code, ref.public_dir.resolve(), res, max_file_mb=max_file_mb)
    log_path.write_text(f"[stdout]\n{r.stdout}\n[stderr]\n{r.stderr}\n")
    run_error = None if r.ok else r.describe_failure()
    if SUBMISSION in r.files:
        sub_path.write_bytes(r.files[SUBMISSION])
    elif run_error is None:
        run_error = f"the script wrote no {SUBMISSION}"
    extra: dict[str, Any] = {"mode": ref.mode, "run_error": run_error,
                             "runtime_s": round(time.monotonic() - t0, 3),
                             "code_path": str(code_path), "logs_path": str(log_path)}
    if ref.mode == "offline":
        report = _grade_offline(ref, sub_path)
        from benchmarks.mle import mini

        comp = mini.load(ref.competition_id, ref.data_dir)
        extra.update(metric=comp.metric, n_teams=len(comp.leaderboard()),
                     leaderboard_source=f"{len(comp.leaderboard())} scikit-learn reference "
                                        "models built offline (not human teams)")
    else:
        from benchmarks.mle import real

        comp = real.get_competition(ref.data_dir, ref.competition_id)
        report = real.grade_final(comp, sub_path)
        extra.update(n_teams=real.leaderboard_size(comp), leaderboard_source="mlebench "
                     "(the competition's Kaggle leaderboard)")
    full = {**report, **extra}
    (out / "report.json").write_text(json.dumps(full, indent=2))
    line = {"competition_id": ref.competition_id,
            "submission_path": str(sub_path) if sub_path.is_file() else None,
            "logs_path": str(log_path), "code_path": str(code_path)}
    (out / "submission.jsonl").write_text(json.dumps(line) + "\n")
    return full


def _grade_offline(ref: CompetitionRef, sub_path: Path) -> dict[str, Any]:
    from benchmarks.mle import mini
    from benchmarks.mle.medals import make_report
    from benchmarks.mle.metrics import InvalidSubmission

    comp = mini.load(ref.competition_id, ref.data_dir)
    exists = sub_path.is_file() and sub_path.suffix.lower() == ".csv"
    score, why = None, None
    if exists:
        try:
            score = comp.grade(read_csv(sub_path), read_csv(comp.answers_path))
        except InvalidSubmission as e:
            why = str(e)
        except Exception as e:
            why = f"unreadable submission: {type(e).__name__}: {e}"
    report = make_report(ref.competition_id, score, comp.leaderboard()["score"].tolist(),
                         submission_exists=exists, submission_path=str(sub_path)).to_dict()
    if why:
        report["grading_error"] = why
    return report
