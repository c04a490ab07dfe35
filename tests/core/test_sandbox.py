"""The trust boundary: hostile candidates are contained and reported, the caller goes on."""

import os
import sys
import time

import pytest

from agent.sandbox import Limits, Sandbox, isolation_report, run_python_function

PY = sys.executable


def run(code: str, **lim):
    return Sandbox(Limits(**{"timeout_s": 5, "memory_mb": 512, **lim})).run(
        [PY, "c.py"], files={"c.py": code})


def test_ok_program_runs_and_returns_output():
    r = run("print('hello')")
    assert r.ok and r.stdout == "hello\n"


def test_infinite_loop_is_killed_at_timeout():
    t = time.monotonic()
    r = run("while True: pass", timeout_s=1.5)
    assert not r.ok and r.timed_out and "timeout" in r.describe_failure()
    assert time.monotonic() - t < 10


def test_50gb_allocation_fails_with_memory_reason():
    r = run("x = bytearray(50 * 2**30)")
    assert not r.ok and "memory" in r.describe_failure().lower()


def test_fork_bomb_is_contained():
    code = ("import os, time\n"
            "for _ in range(10000):\n"
            "    try:\n        os.fork()\n    except OSError:\n        pass\n"
            "time.sleep(30)\n")
    t = time.monotonic()
    r = run(code, timeout_s=3, max_procs=32)
    assert not r.ok
    assert time.monotonic() - t < 20
    time.sleep(0.5)
    # nothing of it survives: no process still runs this code's sleep
    survivors = [p for p in os.listdir("/proc") if p.isdigit() and _cmd(p).endswith("c.py")]
    assert survivors == []


def _cmd(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def test_output_flood_is_capped_and_killed():
    r = run("import sys\nwhile True: sys.stdout.write('x' * 65536)", max_output_bytes=1 << 16)
    assert not r.ok and "output limit" in r.describe_failure()
    assert len(r.stdout) <= 1 << 16


def test_secrets_do_not_reach_the_candidate(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-must-not-leak")
    monkeypatch.setenv("HF_TOKEN", "hf-must-not-leak")
    code = ("import os\n"
            "print(sorted(os.environ))\n"
            "leak = [k for k, v in os.environ.items() if 'must-not-leak' in v]\n"
            "print('LEAK' if leak else 'clean')\n"
            "for p in os.listdir('/proc'):\n"
            "    try:\n        d = open(f'/proc/{p}/environ', 'rb').read()\n"
            "    except Exception:\n        continue\n"
            "    if b'must-not-leak' in d: print('LEAK via', p)\n")
    r = run(code)
    assert r.ok, r.stderr
    assert "LEAK" not in r.stdout and "clean" in r.stdout
    assert "OPENAI_API_KEY" not in r.stdout


def test_writes_outside_own_directory_are_refused(tmp_path):
    target = tmp_path / "pwned.txt"
    r = run(f"open({str(target)!r}, 'w').write('x')\n")
    if isolation_report()["landlock_abi"] == 0:
        pytest.skip("kernel without Landlock: filesystem isolation unavailable here")
    assert not r.ok and not target.exists()
    assert "Permission denied" in r.stderr or "PermissionError" in r.stderr


def test_own_directory_is_writable():
    r = run("open('out.txt', 'w').write('fine'); print(open('out.txt').read())")
    assert r.ok and r.stdout.strip() == "fine"


def test_hidden_files_of_the_evaluator_are_unreadable(tmp_path):
    if isolation_report()["landlock_abi"] == 0:
        pytest.skip("kernel without Landlock")
    secret = tmp_path / "answers.csv"
    secret.write_text("id,label\n1,42\n")
    r = run(f"print(open({str(secret)!r}).read())")
    assert not r.ok and "42" not in r.stdout


def test_cannot_signal_the_parent():
    r = run(f"import os, signal\nos.kill({os.getpid()}, signal.SIGTERM)\n")
    assert not r.ok  # and we are still alive to assert it


def test_run_python_function_returns_data_and_reports_crash():
    value, res = run_python_function("def f(a, b):\n    return [a, b, a + b]\n", "f", [1, 2])
    assert value == [1, 2, 3]
    value, res = run_python_function("def f():\n    raise RuntimeError('boom')\n", "f")
    assert value is None and "boom" in res.describe_failure()
