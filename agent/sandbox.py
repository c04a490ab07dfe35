"""Run untrusted candidate code in a child process that cannot hurt the run.

Every run gets: its own temporary directory (the only writable place), a wall-clock timeout that
kills the whole process group, rlimits on CPU time, address space, file size and open files, a
process-count limit (a pids cgroup when root, RLIMIT_NPROC otherwise), stdout/stderr capped, an
environment scrubbed of secrets, and, where the kernel has it, Landlock: reads only from system
and interpreter roots plus paths the evaluator grants, writes only in its directory, no TCP, no
signals or ptrace (so no ``/proc/<pid>/environ``) outside its own tree. The child dies with its
parent (PDEATHSIG), and every process left in its cgroup or session is killed when it ends.

What the candidate produces comes back as data (stdout, files); trusted code scores it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from agent.forkserver import ForkedChild, forkable, spawn_forked

log = logging.getLogger(__name__)
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])

_SAFE_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
_BASE_READ_ROOTS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt",
                    "/proc", "/sys", "/dev", "/run/shm")
_DEV_RW = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random", "/dev/tty")
_CG_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run. ``None`` switches a limit off."""

    timeout_s: float = 60.0
    memory_mb: int | None = 2048
    memory_mode: str = "as"  # "as": RLIMIT_AS (hard); "rss": poll resident memory (GPU/JIT code)
    cpu_s: float | None = None  # default: timeout * (cpus + 0.5) + 1
    cpus: float = 1.0
    max_output_bytes: int = 1 << 20
    max_file_mb: int = 64
    max_procs: int = 64
    max_open_files: int = 256
    network: bool = False
    allow_read: tuple[str, ...] = ()
    allow_write: tuple[str, ...] = ()
    require_landlock: bool = False
    fork_server: bool = True  # Python runs fork from a warm server (see agent._forkserver)
    preload: tuple[str, ...] = ()  # modules that server imports once (e.g. "numpy", "torch")
    preload_env: tuple[tuple[str, str], ...] = ()  # the environment they are imported under


@dataclass
class SandboxResult:
    returncode: int | None
    stdout: str
    stderr: str
    wall_s: float
    timed_out: bool = False
    killed_reason: str | None = None
    output_truncated: bool = False
    max_rss_mb: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.killed_reason is None

    def describe_failure(self) -> str:
        """A one-line reason, for EvalResult.error."""
        if self.killed_reason:
            return self.killed_reason
        if self.returncode and self.returncode < 0:
            sig = -self.returncode
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
            hint = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)",
                    "SIGKILL": " (killed)", "SIGSEGV": " (segmentation fault)"}.get(str(name), "")
            return f"killed by {name}{hint}"
        tail = (self.stderr.strip().splitlines() or [""])[-1][:300]
        if "MemoryError" in self.stderr or "bad_alloc" in self.stderr:
            return f"memory limit exceeded: {tail}"
        return f"exit code {self.returncode}: {tail}"


def scrubbed_env(extra: Mapping[str, str] | None = None, home: str = "/tmp") -> dict[str, str]:
    """A minimal environment: no API keys, tokens or credentials can leak through it."""
    env = {k: os.environ[k] for k in _SAFE_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({"HOME": home, "TMPDIR": home, "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"})
    if extra:
        env.update(extra)
    return env


def _python_roots() -> list[str]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable),
             os.path.dirname(os.path.realpath(sys.executable))}
    for p in sys.path:
        if p and ("site-packages" in p or p.endswith("dist-packages")):
            roots.add(p)
    return sorted(r for r in roots if r)


def read_roots() -> list[str]:
    """Paths every sandbox may read: hidden answers must never live under any of them."""
    return [*_BASE_READ_ROOTS, *_python_roots()]


def _pids_cgroup_root() -> Path | None:
    if os.geteuid() != 0:
        return None
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (base / "cgroup.procs").exists() and (base == Path("/sys/fs/cgroup/pids") or
                                                  (base / "cgroup.subtree_control").exists()):
            root = base / "fmagent"
            try:
                root.mkdir(exist_ok=True)
                if base == Path("/sys/fs/cgroup"):
                    ctl = (base / "cgroup.subtree_control")
                    if "pids" not in ctl.read_text():
                        continue
                    (root / "cgroup.subtree_control").write_text("+pids")
                return root
            except OSError:
                continue
    return None


_CG_ROOT: Path | None | bool = False


def isolation_report() -> dict[str, object]:
    """What this machine's sandbox actually enforces; stored in every run manifest."""
    from agent._sandbox_exec import landlock_abi

    global _CG_ROOT
    with _CG_LOCK:
        if _CG_ROOT is False:
            _CG_ROOT = _pids_cgroup_root()
    return {"landlock_abi": landlock_abi(), "pids_cgroup": bool(_CG_ROOT),
            "process_limit": "cgroup" if _CG_ROOT else ("rlimit" if os.geteuid() else "none"),
            "root": os.geteuid() == 0}


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _proc_rss_mb(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def _session_pids(sid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid:
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _read_capped(path: Path, cap: int) -> tuple[str, bool]:
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            data = f.read(cap)
    except OSError:
        return "", False
    return data.decode("utf-8", "replace"), size > cap


class Sandbox:
    """Runs commands under :class:`Limits`. Stateless and thread-safe; one per worker is fine."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def run(self, argv: Sequence[str], *, files: Mapping[str, str | bytes] | None = None,
            stdin: str | bytes | None = None, collect: Sequence[str] = (),
            env: Mapping[str, str] | None = None, limits: Limits | None = None,
            keep_dir: Path | None = None) -> SandboxResult:
        """Run ``argv`` in a fresh directory holding ``files``; return output and ``collect``ed files.

        ``keep_dir``: use this (existing, empty or prepared) directory instead of a temporary one
        and leave it in place, for evaluators that need the candidate's files afterwards.
        """
        lim = limits or self.limits
        base = Path(tempfile.mkdtemp(prefix="fmagent-sbx-"))
        work = keep_dir or (base / "work")
        work.mkdir(parents=True, exist_ok=True)
        try:
            for name, content in (files or {}).items():
                p = work / name
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(content.encode() if isinstance(content, str) else content)
            return self._run(list(argv), base, work, stdin, collect, env, lim)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def _run(self, argv: list[str], base: Path, work: Path, stdin: str | bytes | None,
             collect: Sequence[str], env: Mapping[str, str] | None, lim: Limits) -> SandboxResult:
        global _CG_ROOT
        timeout = float(lim.timeout_s)
        cpu = lim.cpu_s if lim.cpu_s is not None else timeout * (lim.cpus + 0.5) + 1
        rl: dict[str, int] = {"RLIMIT_CORE": 0, "RLIMIT_NOFILE": lim.max_open_files,
                              "RLIMIT_CPU": max(1, int(cpu + 0.999)),
                              "RLIMIT_FSIZE": int(lim.max_file_mb) << 20}
        if lim.memory_mb and lim.memory_mode == "as":
            rl["RLIMIT_AS"] = int(lim.memory_mb) << 20
        with _CG_LOCK:
            if _CG_ROOT is False:
                _CG_ROOT = _pids_cgroup_root()
        cgroup: Path | None = None
        if _CG_ROOT and lim.max_procs:
            cgroup = Path(_CG_ROOT) / base.name
            try:
                cgroup.mkdir()
                (cgroup / "pids.max").write_text(str(lim.max_procs))
            except OSError as e:
                log.debug("pids cgroup unavailable: %s", e)
                cgroup = None
        if cgroup is None and lim.max_procs and os.geteuid() != 0:
            rl["RLIMIT_NPROC"] = _count_user_procs() + lim.max_procs
        home = str(work)
        cfg = {
            "rlimits": rl, "cwd": str(work), "parent": os.getpid(),
            "cgroup": str(cgroup) if cgroup else None,
            "env": scrubbed_env(env, home=home),
            "read": [*read_roots(), *lim.allow_read],
            "write": [str(work), *_DEV_RW, *lim.allow_write],
            "network": lim.network, "require_landlock": lim.require_landlock,
        }
        out_p, err_p = base / "stdout", base / "stderr"
        stdin_data = stdin.encode() if isinstance(stdin, str) else stdin
        t0 = time.monotonic()
        proc: subprocess.Popen | ForkedChild | None = None
        if lim.fork_server and forkable(argv):
            out_p.touch()
            err_p.touch()
            in_p = None
            if stdin_data is not None:
                in_p = base / "stdin"
                in_p.write_bytes(stdin_data)
            proc = spawn_forked({"cfg": cfg, "argv": argv, "stdout": str(out_p),
                                      "stderr": str(err_p),
                                      "stdin": str(in_p) if in_p else None},
                                     lim.preload, lim.preload_env)
        if proc is None:
            with open(out_p, "wb") as out_f, open(err_p, "wb") as err_f:
                proc = subprocess.Popen(
                    [sys.executable, "-S", "-m", "agent._sandbox_exec", json.dumps(cfg), "--",
                     *argv],
                    stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                    stdout=out_f, stderr=err_f, start_new_session=True, close_fds=True,
                    cwd=str(work), env={"PYTHONPATH": _PROJECT_ROOT, "PATH": cfg["env"]["PATH"]})
            if stdin_data is not None:
                threading.Thread(target=_feed, args=(proc, stdin_data), daemon=True).start()
        reason, timed_out, peak = None, False, 0.0
        try:
            while True:
                try:
                    proc.wait(timeout=0.02 if time.monotonic() - t0 < 1 else 0.05)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() - t0 > timeout:
                    reason, timed_out = f"timeout after {timeout:g}s (wall clock)", True
                    break
                try:
                    out_size = out_p.stat().st_size + err_p.stat().st_size
                except OSError:
                    out_size = 0
                if out_size > 2 * lim.max_output_bytes + 65536:
                    reason = f"output limit exceeded (> {lim.max_output_bytes} bytes)"
                    break
                if lim.memory_mb and lim.memory_mode == "rss":
                    rss = _proc_rss_mb(_group_pids(proc.pid, cgroup))
                    peak = max(peak, rss)
                    if rss > lim.memory_mb:
                        reason = f"memory limit exceeded ({rss:.0f} MB > {lim.memory_mb} MB)"
                        break
        finally:
            _kill_everything(proc, cgroup)
        wall = time.monotonic() - t0
        stdout, trunc1 = _read_capped(out_p, lim.max_output_bytes)
        stderr, trunc2 = _read_capped(err_p, lim.max_output_bytes)
        got: dict[str, bytes] = {}
        for name in collect:
            p = (work / name)
            try:
                if p.is_file() and not p.is_symlink() and p.stat().st_size <= (lim.max_file_mb << 20):
                    got[name] = p.read_bytes()
            except OSError:
                pass
        rc = proc.returncode
        if reason is None and rc == -signal.SIGXFSZ:
            reason = f"file size limit exceeded ({lim.max_file_mb} MB)"
        if reason is None and rc == -signal.SIGXCPU:
            reason = f"CPU time limit exceeded ({rl['RLIMIT_CPU']}s)"
        if reason is None and rc == -signal.SIGKILL and "RLIMIT_AS" not in rl and lim.memory_mb:
            reason = "killed (out of memory?)"
        return SandboxResult(returncode=rc, stdout=stdout, stderr=stderr, wall_s=wall,
                             timed_out=timed_out, killed_reason=reason,
                             output_truncated=trunc1 or trunc2, max_rss_mb=peak, files=got)


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    try:
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass


def _group_pids(pid: int, cgroup: Path | None) -> list[int]:
    if cgroup is not None:
        try:
            return [int(x) for x in (cgroup / "cgroup.procs").read_text().split()]
        except OSError:
            pass
    return _session_pids(pid) or [pid]


def _kill_everything(proc: subprocess.Popen | ForkedChild, cgroup: Path | None) -> None:
    """Kill the process group, everything left in the session, and everything in the cgroup."""
    _kill_group(proc.pid)
    for pid in _session_pids(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    if cgroup is not None:
        for _ in range(100):
            try:
                pids = [int(x) for x in (cgroup / "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)
        try:
            cgroup.rmdir()
        except OSError:
            pass


def _count_user_procs() -> int:
    uid, n = os.getuid(), 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.stat(f"/proc/{d}").st_uid == uid:
                    n += 1
            except OSError:
                continue
    return n


PYTHON_RUNNER = r'''
import json, sys, importlib.util, traceback
spec = importlib.util.spec_from_file_location("candidate", "candidate.py")
try:
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    fn = getattr(mod, sys.argv[1])
    out = fn(*json.loads(sys.argv[2]))
    if hasattr(out, "tolist"):
        out = out.tolist()
    def conv(x):
        if hasattr(x, "tolist"): return x.tolist()
        if isinstance(x, (list, tuple)): return [conv(v) for v in x]
        if isinstance(x, dict): return {str(k): conv(v) for k, v in x.items()}
        return x
    with open("__result__.json", "w") as f:
        json.dump(conv(out), f, allow_nan=True)
except BaseException:
    traceback.print_exc()
    sys.exit(1)
'''


def run_python_function(code: str, function: str, args: Sequence[object] = (), *,
                        limits: Limits | None = None,
                        extra_files: Mapping[str, str | bytes] | None = None
                        ) -> tuple[object | None, SandboxResult]:
    """Import ``code`` in the sandbox, call ``function(*args)``, return its JSON-able result.

    The value comes back as data through a file; the caller validates it. ``None`` plus the
    SandboxResult when the call failed.
    """
    files = {"candidate.py": code, "__runner__.py": PYTHON_RUNNER, **(extra_files or {})}
    res = Sandbox(limits).run([sys.executable, "__runner__.py", function, json.dumps(list(args))],
                              files=files, collect=["__result__.json"])
    if not res.ok or "__result__.json" not in res.files:
        return None, res
    try:
        return json.loads(res.files["__result__.json"]), res
    except (ValueError, UnicodeDecodeError) as e:
        res.killed_reason = f"unreadable result: {e}"
        return None, res
