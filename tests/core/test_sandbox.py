"""The trust boundary: hostile candidates are contained and reported, the caller goes on."""

import os
import sys
import time

import pytest

from agent import forkserver
from agent.sandbox import Limits, Sandbox, isolation_report, run_python_function

PY = sys.executable


@pytest.fixture(autouse=True, params=["fork", "exec"])
def mode(request, monkeypatch):
    """Every containment test runs on both paths: the warm fork server and a fresh exec."""
    monkeypatch.setenv("FMAGENT_FORKSERVER", "1" if request.param == "fork" else "0")
    return request.param


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
    marker = f"fmbomb{os.getpid() % 100000}"  # in /proc/PID/comm, whatever started the process
    code = ("import ctypes, os, time\n"
            f"ctypes.CDLL(None).prctl(15, b'{marker}', 0, 0, 0)\n"
            "for _ in range(10000):\n"
            "    try:\n        os.fork()\n    except OSError:\n        pass\n"
            "time.sleep(30)\n")
    t = time.monotonic()
    r = run(code, timeout_s=3, max_procs=32)
    assert not r.ok
    assert time.monotonic() - t < 20
    time.sleep(0.5)
    # nothing of it survives: no process of it still runs (zombies await their reaper)
    survivors = [p for p in os.listdir("/proc") if p.isdigit() and _comm(p) == marker
                 and _state(p) != "Z"]
    assert survivors == []


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def _comm(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
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


# ---------------------------------------------------------------- fork server specifics
def test_fork_server_children_look_like_fresh_interpreters(mode, tmp_path):
    code = ("import os, random, sys\n"
            "print(sys.argv)\n"
            "print(repr(sys.path[0]))\n"
            "print(random.random())\n"
            "print(sys.stdin.read())\n"
            "print(os.environ.get('FMAGENT_X'), os.getcwd() == os.path.dirname(os.path.abspath(sys.argv[0])))\n"
            "import agent\n")
    outs = []
    for _ in range(2):
        r = Sandbox(Limits(timeout_s=10)).run([PY, "c.py", "a", "b"], files={"c.py": code},
                                              stdin="from stdin", env={"FMAGENT_X": "y"})
        outs.append(r.stdout.splitlines())
        assert r.returncode == 1 and ("ModuleNotFoundError" in r.stderr or "PermissionError" in r.stderr)  # the project is out of reach
    a, b = outs
    assert a[0] == "['c.py', 'a', 'b']" and a[2] != b[2]  # fresh random state per run
    assert a[3] == "from stdin" and a[4] == "y True"


def test_exit_codes_signals_and_dash_c(mode):
    sb = Sandbox(Limits(timeout_s=10))
    assert sb.run([PY, "-c", "import sys; sys.exit(3)"]).returncode == 3
    assert sb.run([PY, "-c", "raise SystemExit('bye')"]).returncode == 1
    r = sb.run([PY, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    assert r.returncode == -11 and "SIGSEGV" in r.describe_failure()
    r = sb.run([PY, "-c", "import threading, time\n"
                "def late():\n    time.sleep(0.3); print('joined', flush=True)\n"
                "threading.Thread(target=late).start()"])
    assert r.ok and r.stdout == "joined\n"  # non-daemon threads finish, as at shutdown


def test_fork_server_restarts_after_being_killed(mode):
    if mode != "fork":
        pytest.skip("fork server only")
    sb = Sandbox(Limits(timeout_s=10))
    assert sb.run([PY, "-c", "print(1)"]).stdout == "1\n"
    first = forkserver.fork_server_pids()
    assert first
    for pid in first:
        os.kill(pid, 9)
    time.sleep(0.2)
    assert sb.run([PY, "-c", "print(2)"]).stdout == "2\n"
    assert not set(forkserver.fork_server_pids()) & set(first)


def test_preloaded_modules_get_their_own_server_and_fresh_random_state(mode):
    code = "import numpy as np\ndef run():\n    return float(np.random.rand())\n"
    lim = Limits(timeout_s=20, preload=("numpy",))
    values = [run_python_function(code, "run", limits=lim)[0] for _ in range(3)]
    assert None not in values and len(set(values)) == 3
    if mode == "fork":
        assert len(forkserver.fork_server_pids()) >= 1


def test_a_request_too_large_for_the_server_goes_through_exec(mode):
    r = Sandbox(Limits(timeout_s=10)).run([PY, "-c", "import sys; print(len(sys.argv[1]))",
                                           "x" * 100_000])
    assert r.ok and r.stdout == "100000\n"


def test_concurrent_runs_from_threads_each_get_their_own_result(mode):
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        r = Sandbox(Limits(timeout_s=20)).run(
            [PY, "c.py"], files={"c.py": f"import time\ntime.sleep(0.{i % 3})\nprint({i})\n"})
        return r.stdout.strip()

    with ThreadPoolExecutor(8) as ex:
        assert list(ex.map(one, range(16))) == [str(i) for i in range(16)]


def test_preloaded_modules_see_the_environment_the_candidate_runs_with(mode):
    """joblib reads JOBLIB_MULTIPROCESSING at import: preload_env makes the fork match exec."""
    pytest.importorskip("joblib")
    probe = [PY, "-c", "import joblib._multiprocessing_helpers as h; print(h.mp is None)"]
    env = {"JOBLIB_MULTIPROCESSING": "0"}
    lim = Limits(timeout_s=20, preload=("joblib",), preload_env=tuple(env.items()))
    assert Sandbox(lim).run(probe, env=env).stdout == "True\n"
    if mode == "fork":  # imported under another environment, the setting would not follow
        lim = Limits(timeout_s=20, preload=("joblib",))
        assert Sandbox(lim).run(probe, env=env).stdout == "False\n"


def test_dash_c_runs_in_a_fresh_main_module(mode):
    r = Sandbox(Limits(timeout_s=10)).run(
        [PY, "-c", "import sys\nx = 41\nprint(sys.modules['__main__'].x + 1, "
                   "sorted(k for k in vars(sys.modules['__main__']) if not k.startswith('__')))"])
    assert r.ok and r.stdout == "42 ['sys', 'x']\n"
