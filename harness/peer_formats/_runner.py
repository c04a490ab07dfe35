"""Trusted runner, executed INSIDE the sandbox next to a task folder's files and the candidate.

It imports the folder's evaluator, calls it, and writes what it returned as JSON to
``__fm_answer__.json``. The controller only ever reads that file as data; it never imports the
folder's evaluator itself. Standard library only: this file is copied into the sandbox and run
with ``python __fm_runner__.py SPEC_JSON``.

spec keys: ``evaluator`` (file name), ``mode`` ("call": ``fn(program_path)`` with the optional
OpenEvolve cascade; "score": ``fn(output)`` where output is read from ``output_file``),
``function``, ``program``, ``cascade`` (bool), ``thresholds`` (list of floats).
"""

import asyncio
import importlib.util
import inspect
import json
import math
import os
import sys
import traceback

ANSWER = "__fm_answer__.json"
_MAX_TEXT = 20000


def _jsonable(x, depth=0):
    if depth > 6:
        return repr(x)[:_MAX_TEXT]
    if x is None or isinstance(x, (bool, int, str)):
        return x[:_MAX_TEXT] if isinstance(x, str) else x
    if isinstance(x, float):
        return x
    if isinstance(x, bytes):
        return f"<{len(x)} bytes>"
    if hasattr(x, "tolist") and hasattr(x, "dtype"):  # numpy scalars and arrays
        try:
            return _jsonable(x.tolist(), depth + 1)
        except Exception:
            return repr(x)[:_MAX_TEXT]
    if isinstance(x, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in list(x.items())[:1000]}
    if isinstance(x, (list, tuple, set)):
        return [_jsonable(v, depth + 1) for v in list(x)[:1000]]
    return repr(x)[:_MAX_TEXT]


def _write(answer):
    tmp = ANSWER + ".tmp"
    with open(tmp, "w") as f:
        json.dump(_jsonable(answer), f, allow_nan=True)
    os.replace(tmp, ANSWER)


class _Failure(Exception):
    def __init__(self, answer):
        super().__init__(answer.get("error", ""))
        self.answer = answer


def _normalise(out, where):
    """dict, or an object with .metrics (and .artifacts): OpenEvolve's EvaluationResult."""
    if isinstance(out, dict):
        return {"metrics": out, "artifacts": {}}
    metrics = getattr(out, "metrics", None)
    if isinstance(metrics, dict):
        arts = getattr(out, "artifacts", None)
        return {"metrics": metrics, "artifacts": arts if isinstance(arts, dict) else {}}
    raise _Failure({"status": "bad_return", "where": where, "type": type(out).__name__})


def _call(mod, name, arg):
    fn = getattr(mod, name, None)
    if not callable(fn):
        raise _Failure({"status": "no_function", "where": name})
    try:
        out = fn(arg)
        if inspect.iscoroutine(out):  # ``async def evaluate`` (OpenEvolve accepts it)
            out = asyncio.run(out)
    except BaseException as e:  # the evaluator (or the candidate inside it) failed
        if isinstance(e, ModuleNotFoundError) and e.name:
            raise _Failure({"status": "missing_module", "module": e.name, "where": name}) from e
        raise _Failure({"status": "raised", "where": name,
                        "error": f"{type(e).__name__}: {e}"[:2000],
                        "traceback": traceback.format_exc()[-6000:]}) from e
    return _normalise(out, name)


def _passes(metrics, threshold):
    score = metrics.get("combined_score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return float(score) >= threshold
    vals = [float(v) for k, v in metrics.items()
            if k != "error" and isinstance(v, (int, float)) and not isinstance(v, bool)
            and not math.isnan(float(v))]
    return bool(vals) and sum(vals) / len(vals) >= threshold


def _cascade(mod, program, thresholds):
    merged = _call(mod, "evaluate_stage1", program)
    stages = ["stage1"]
    for i, name in ((0, "evaluate_stage2"), (1, "evaluate_stage3")):
        if i >= len(thresholds) or not _passes(merged["metrics"], thresholds[i]):
            break
        if not callable(getattr(mod, name, None)):
            break
        nxt = _call(mod, name, program)
        merged = {"metrics": {**merged["metrics"], **nxt["metrics"]},
                  "artifacts": {**merged["artifacts"], **nxt["artifacts"]}}
        stages.append(name.replace("evaluate_", ""))
    merged["stages"] = stages
    return merged


def main():
    spec = json.loads(sys.argv[1])
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)  # the evaluator may import helper modules from its folder
    try:
        try:
            mspec = importlib.util.spec_from_file_location(
                "evaluation_module", os.path.abspath(spec["evaluator"]))
            mod = importlib.util.module_from_spec(mspec)
            sys.modules["evaluation_module"] = mod
            mspec.loader.exec_module(mod)
        except BaseException as e:
            if isinstance(e, ModuleNotFoundError) and e.name:
                raise _Failure({"status": "missing_module", "module": e.name,
                                "where": "import"}) from e
            raise _Failure({"status": "raised", "where": "import",
                            "error": f"{type(e).__name__}: {e}"[:2000],
                            "traceback": traceback.format_exc()[-6000:]}) from e
        if spec["mode"] == "score":
            with open(spec["output_file"]) as f:
                output = json.load(f)
            answer = _call(mod, spec.get("function", "evaluate"), output)
            answer["stages"] = ["score"]
        elif spec.get("cascade") and callable(getattr(mod, "evaluate_stage1", None)):
            answer = _cascade(mod, os.path.abspath(spec["program"]),
                              spec.get("thresholds") or [0.5, 0.75, 0.9])
        else:
            answer = _call(mod, spec.get("function", "evaluate"), os.path.abspath(spec["program"]))
            answer["stages"] = ["evaluate"]
        answer["status"] = "ok"
    except _Failure as f:
        answer = f.answer
    _write(answer)


if __name__ == "__main__":
    main()
