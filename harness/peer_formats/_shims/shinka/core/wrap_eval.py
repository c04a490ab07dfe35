"""fmagent's own implementation of ShinkaEvolve's evaluation wrapper contract.

``run_shinka_eval`` loads the program, calls its experiment function ``num_runs`` times with
``get_experiment_kwargs(i)`` (default ``{"seed": i + 1}``), validates each result, aggregates
the metrics, and writes ``metrics.json`` and ``correct.json`` ({"correct", "error"}) into
``results_dir``. Runs are sequential here (the sandbox bounds the whole evaluation); the early
stopping and parallel-run arguments are accepted and ignored.
"""

import importlib.util
import json
import math
import os
import pickle
import statistics
import time

_ON_ERROR = {"combined_score": 0.0, "execution_time_mean": 0.0, "execution_time_std": 0.0,
             "num_successful_runs": 0, "num_valid_runs": 0, "num_invalid_runs": 0,
             "all_validation_errors": []}


def load_program(program_path):
    spec = importlib.util.spec_from_file_location("program", program_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load a module from {program_path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def save_json_results(results_dir, metrics, correct, error=None, verbose=True):
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "correct.json"), "w") as f:
        json.dump({"correct": bool(correct), "error": error}, f, indent=2)
    with open(os.path.join(results_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, default=repr)


def run_shinka_eval(program_path, results_dir, experiment_fn_name, num_runs,
                    get_experiment_kwargs=None, aggregate_metrics_fn=None, validate_fn=None,
                    plotting_fn=None, default_metrics_on_error=None, **_ignored):
    correct, first_error = True, None
    results, times, errors = [], [], []
    n_valid = n_invalid = 0
    try:
        module = load_program(program_path)
        fn = getattr(module, experiment_fn_name, None)
        if fn is None:
            raise AttributeError(f"experiment function {experiment_fn_name!r} not found in "
                                 f"{program_path}")
        for i in range(num_runs):
            kwargs = get_experiment_kwargs(i) if get_experiment_kwargs else {"seed": i + 1}
            t0 = time.perf_counter()
            out = fn(**kwargs)
            times.append(time.perf_counter() - t0)
            results.append(out)
            if validate_fn:
                ok, msg = validate_fn(out)
                if ok:
                    n_valid += 1
                else:
                    n_invalid += 1
                    correct = False
                    if msg and first_error is None:
                        first_error = f"Validation failed: {msg}"
                    if msg and msg not in errors:
                        errors.append(msg)
        if aggregate_metrics_fn:
            metrics = aggregate_metrics_fn(results)
        else:
            metrics = {"num_successful_runs": len(results)}
        metrics["execution_time_mean"] = statistics.fmean(times) if times else 0.0
        metrics["execution_time_std"] = statistics.pstdev(times) if times else 0.0
        if validate_fn:
            metrics["num_valid_runs"] = n_valid
            metrics["num_invalid_runs"] = n_invalid
            metrics["all_validation_errors"] = errors
        score = metrics.get("combined_score")
        if isinstance(score, (int, float)) and not math.isfinite(float(score)):
            correct = False
            first_error = first_error or f"combined_score is {score}"
    except Exception as e:
        base = dict(default_metrics_on_error or _ON_ERROR)
        metrics = {k: base.get(k, v) for k, v in _ON_ERROR.items()}
        if validate_fn:
            metrics["num_invalid_runs"] = len(results) or num_runs
            metrics["all_validation_errors"] = [str(e)]
        first_error, correct = str(e), False
    if "extra_data" in metrics:
        os.makedirs(results_dir, exist_ok=True)
        with open(os.path.join(results_dir, "extra.pkl"), "wb") as f:
            pickle.dump(metrics.pop("extra_data"), f)
    save_json_results(results_dir, metrics, correct, first_error)
    return metrics, correct, first_error
