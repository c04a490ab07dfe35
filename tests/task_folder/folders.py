"""Small task folders of each format, written into tmp_path by the tests (our own code)."""

from __future__ import annotations

import textwrap
from pathlib import Path

SEED = textwrap.dedent('''\
    # EVOLVE-BLOCK-START
    def value():
        return 3.0
    # EVOLVE-BLOCK-END
    ''')

# A plain OpenEvolve evaluator: imports the program, returns a dict.
OE_EVALUATOR = textwrap.dedent('''\
    import importlib.util

    def _load(path):
        spec = importlib.util.spec_from_file_location("program", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    def evaluate(program_path):
        v = _load(program_path).value()
        return {"combined_score": v / 4.0, "raw_value": v, "note": "value/4"}
    ''')


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return folder


def openevolve(tmp: Path, evaluator: str = OE_EVALUATOR, seed: str = SEED,
               name: str = "oe", **extra: str) -> Path:
    return write(tmp / name, {"initial_program.py": seed, "evaluator.py": evaluator, **extra})


def fmagent(tmp: Path, evaluator: str, seed: str = SEED, name: str = "fm") -> Path:
    return write(tmp / name, {"init.py": seed, "evaluator.py": evaluator})


SHINKA_WRAPPED = textwrap.dedent('''\
    import argparse
    from shinka.core import run_shinka_eval

    def validate(out):
        return (out > 0, None if out > 0 else "value must be positive")

    def aggregate(results):
        v = results[0]
        return {"combined_score": v * 2.0, "public": {"doubled": v * 2.0, "label": "x2"},
                "private": {"secret_margin": v - 1.0}, "text_feedback": "doubled the value"}

    def main(program_path, results_dir):
        run_shinka_eval(program_path=program_path, results_dir=results_dir,
                        experiment_fn_name="value", num_runs=1,
                        get_experiment_kwargs=lambda i: {}, validate_fn=validate,
                        aggregate_metrics_fn=aggregate)

    if __name__ == "__main__":
        p = argparse.ArgumentParser()
        p.add_argument("--program_path", default="initial.py")
        p.add_argument("--results_dir", default="results")
        a = p.parse_args()
        main(a.program_path, a.results_dir)
    ''')

SHINKA_PLAIN = textwrap.dedent('''\
    import argparse, importlib.util, json, os

    p = argparse.ArgumentParser()
    p.add_argument("--program_path")
    p.add_argument("--results_dir")
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location("program", a.program_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    v = mod.value()
    os.makedirs(a.results_dir, exist_ok=True)
    ok = v < 100
    with open(os.path.join(a.results_dir, "metrics.json"), "w") as f:
        json.dump({"combined_score": v, "public": {"v": v}}, f)
    with open(os.path.join(a.results_dir, "correct.json"), "w") as f:
        json.dump({"correct": ok, "error": None if ok else "value too large"}, f)
    ''')


def shinka(tmp: Path, evaluate: str = SHINKA_WRAPPED, seed: str = SEED,
           name: str = "sh", **extra: str) -> Path:
    return write(tmp / name, {"initial.py": seed, "evaluate.py": evaluate, **extra})
