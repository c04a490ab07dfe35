"""Offline AHC-style problems: generators, scorers, seeds, per-case verdicts, private eval."""

import pickle

import pytest

import benchmarks.ale as ale
from agent.blocks import find_blocks, has_markers
from agent.sandbox import isolation_report
from benchmarks.ale.judge import judge
from benchmarks.ale.problem import WrongAnswer, all_problems, get_problem

PROBLEMS = sorted(all_problems())


@pytest.mark.parametrize("name", PROBLEMS)
def test_generator_is_seeded_and_seed_sets_are_disjoint(name):
    p = get_problem(name)
    assert p.generate(3) == p.generate(3) and p.generate(3) != p.generate(4)
    assert not set(p.public_seeds) & set(p.private_seeds)
    assert 8 <= len(p.public_seeds) <= 16 and len(p.private_seeds) >= len(p.public_seeds)


@pytest.mark.parametrize("name", PROBLEMS)
def test_cpp_seed_compiles_runs_every_public_seed_and_scores(name):
    task = ale.load_task(name)
    assert task.language == "cpp20" and has_markers(task.seeds[0])
    assert any(ch.isdigit() for ch in find_blocks(task.seeds[0])[0].text(task.seeds[0]))
    pickle.loads(pickle.dumps(task.evaluator))
    r = task.evaluate(task.seeds[0])
    p = get_problem(name)
    n = len(p.public_seeds)
    assert r.valid, r.error
    assert r.metrics["cases_accepted"] == n and r.metrics["overall_absolute_score"] > 0
    assert r.fitness == (1 if p.score_type == "maximize" else -1) * r.metrics["score"]
    assert r.feedback.count("ACCEPTED") >= n
    # Same algorithm in the Python seed: it scores like the C++ one (exactly, unless a time
    # budget cut the Python search short on a loaded machine: route's 2-opt has one).
    py = judge(p, p.seed_code("python"), "python", p.public_seeds)
    assert [c.judge_result for c in py.cases] == ["ACCEPTED"] * n
    py_total = sum(c.absolute_score for c in py.cases)
    if "TIME_BUDGET" in task.seeds[0]:
        assert py_total == pytest.approx(r.metrics["overall_absolute_score"], rel=0.05)
    else:
        assert py_total == r.metrics["overall_absolute_score"]


# Python candidate for `route` whose behaviour depends on N mod 5: each verdict per case.
MIXED = """
import sys, time
n = int(sys.stdin.readline())
m = n % 5
if m == 0:
    t = time.monotonic()
    while time.monotonic() - t < 1.3:
        pass
    print(*range(n))
elif m == 1:
    print(0, *([1] * (n - 1)))
elif m == 2:
    raise RuntimeError("boom")
elif m == 3:
    x = bytearray(3000 * 2**20)
    print(len(x))
else:
    print(*range(n))
"""
EXPECTED = {0: "TIME_LIMIT_EXCEEDED", 1: "WRONG_ANSWER", 2: "RUNTIME_ERROR",
            3: "MEMORY_LIMIT_EXCEEDED", 4: "ACCEPTED"}


def test_each_failure_is_marked_per_case():
    p = get_problem("route")
    seeds = []
    for s in range(200):  # pick one seed per verdict
        m = int(p.generate(s).split()[0]) % 5
        if m not in [int(p.generate(x).split()[0]) % 5 for x in seeds]:
            seeds.append(s)
        if len(seeds) == 5:
            break
    rep = judge(p, MIXED, "python", seeds)
    got = {int(p.generate(c.seed).split()[0]) % 5: c for c in rep.cases}
    assert {m: c.judge_result for m, c in got.items()} == EXPECTED
    assert "visited twice" in got[1].message and "boom" in got[2].message
    assert got[0].execution_time > 1.0 and got[4].absolute_score > 0
    # Lower is better: a run with failed cases is invalid, and says which verdicts.
    from benchmarks.ale.offline import report_to_result
    r = report_to_result(p, rep)
    assert not r.valid and "WRONG_ANSWER" in r.error and "TIME_LIMIT_EXCEEDED" in r.feedback


def test_compile_error_is_marked_on_every_case():
    task = ale.load_task("depots")
    r = task.evaluate("int main() { return undefined_name; }")
    assert not r.valid and r.error.startswith("compilation error")
    assert "undefined_name" in r.feedback
    assert r.metrics["n_compilation_error"] == len(get_problem("depots").public_seeds)


def test_maximise_problem_sums_accepted_cases_only():
    p = get_problem("cargo")
    seed = p.seed_code("python")
    broken = ("import io, sys\n_data = sys.stdin.read()\nif int(_data.split()[0]) % 2:\n"
              "    print('x')\n    sys.exit()\nsys.stdin = io.StringIO(_data)\n" + seed)
    seeds = p.public_seeds
    full = judge(p, seed, "python", seeds)
    part = judge(p, broken, "python", seeds)
    odd = {c.seed for c in part.cases if c.judge_result == "WRONG_ANSWER"}
    assert odd and len(odd) < len(seeds)
    expect = sum(c.absolute_score for c in full.cases if c.seed not in odd)
    task = ale.load_task("cargo", language="python")
    r = task.evaluate(broken)
    assert r.valid and r.fitness == expect == part.overall_absolute_score


def test_private_eval_uses_private_seeds_only(tmp_path):
    p = get_problem("cargo")
    task = ale.load_task("cargo", language="python")
    fn = task.meta["finalize"]
    assert fn == "benchmarks.ale:final_eval"
    # The harness calls final_eval(name, code, run_dir, **benchmark options).
    res = ale.final_eval("cargo", p.seed_code("python"), tmp_path, language="python")
    assert res["mode"] == "offline" and res["valid"] and res["cases_total"] == len(p.private_seeds)
    assert res["rank"] is None and res["verdicts"] == {"ACCEPTED": len(p.private_seeds)}
    public = judge(p, p.seed_code("python"), "python", p.public_seeds).overall_absolute_score
    assert res["overall_absolute_score"] != public


@pytest.mark.skipif(not isolation_report()["landlock_abi"], reason="needs Landlock")
def test_candidate_cannot_read_the_problem_files():
    import benchmarks.ale.problems.route as mod
    p = get_problem("route")
    spy = (f"import sys\nn = int(sys.stdin.readline())\ntry:\n    open({mod.__file__!r}).read()\n"
           "    print('LEAKED')\nexcept OSError:\n    print(*range(n))\n")
    rep = judge(p, spy, "python", p.public_seeds[:1])
    assert rep.cases[0].judge_result == "ACCEPTED"


def test_scorers_reject_bad_outputs():
    r = get_problem("route")
    inp = r.generate(0)
    n = int(inp.split()[0])
    with pytest.raises(WrongAnswer, match="start at depot 0"):
        r.score(inp, " ".join(map(str, range(1, n))) + " 0")
    with pytest.raises(WrongAnswer, match="out of range"):
        r.score(inp, "0 " + " ".join(map(str, range(2, n + 1))))
    c = get_problem("cargo")
    cin = c.generate(0)
    with pytest.raises(WrongAnswer, match="exceeds"):
        c.score(cin, f"{int(cin.split()[0])}\n" + " ".join(map(str, range(int(cin.split()[0])))))
    assert c.score(cin, "0\n") == 0
    d = get_problem("depots")
    din = d.generate(0)
    k = int(din.split()[1])
    with pytest.raises(WrongAnswer, match="outside"):
        d.score(din, "\n".join(["1001 0"] * k))
    with pytest.raises(WrongAnswer, match="not an integer"):
        d.score(din, "a b")


def test_unknown_language_and_option():
    with pytest.raises(ValueError, match="not supported"):
        ale.load_task("route", language="rust")
    with pytest.raises(ValueError, match="takes options"):
        ale.load_task("route", lite_version=True)
