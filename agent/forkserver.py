"""The client side of the fork server (:mod:`agent._forkserver`): start it, hand it runs.

:func:`spawn_forked` returns a :class:`ForkedChild` (the slice of ``Popen`` the sandbox uses:
``pid``, ``wait``, ``returncode``) or None when the run should go through exec instead: not this
interpreter, ``FMAGENT_FORKSERVER=0``, a request too large, or a server that cannot start. One
server per process and preload set, restarted when it dies.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])


def forkable(argv: Sequence[str]) -> bool:
    """``python SCRIPT ...`` or ``python -c CODE ...`` with this interpreter: the fork server
    can run it (anything else, and FMAGENT_FORKSERVER=0, goes through a fresh exec)."""
    if os.environ.get("FMAGENT_FORKSERVER", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    if len(argv) < 2 or argv[0] != sys.executable:
        return False
    return (argv[1] == "-c" and len(argv) >= 3) or not argv[1].startswith("-")


class ForkServerError(Exception):
    pass


class ForkedChild:
    """A child of the fork server, with the slice of Popen's interface the sandbox uses."""

    def __init__(self, channel: socket.socket, pid: int) -> None:
        self.channel = channel
        self.pid = pid
        self.returncode: int | None = None
        self._buf = b""

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is not None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            self.channel.settimeout(left)
            try:
                chunk = self.channel.recv(4096)
            except socket.timeout:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0) from None
            except OSError:
                chunk = b""
            if not chunk:  # the server died; so did the child (PDEATHSIG)
                self.returncode = -signal.SIGKILL
                self.channel.close()
                return self.returncode
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            status = int(json.loads(line)["status"])
            self.returncode = (-os.WTERMSIG(status) if os.WIFSIGNALED(status)
                               else os.WEXITSTATUS(status))
        except (ValueError, KeyError, TypeError):
            self.returncode = -signal.SIGKILL
        self.channel.close()
        return self.returncode


class _ForkServer:
    """One warm server per process, started lazily from a thread that lives as long as it
    does (a parent-death signal follows the thread that forked, not the process)."""

    def __init__(self, preload: tuple[str, ...] = (),
                 env: tuple[tuple[str, str], ...] = ()) -> None:
        from agent import sandbox  # its environment scrubbing; imported here, not in a cycle

        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.lock = threading.Lock()
        started: dict[str, object] = {}
        ev = threading.Event()

        def hold() -> None:
            try:
                started["proc"] = p = subprocess.Popen(
                    [sys.executable, "-m", "agent._forkserver", str(theirs.fileno()),
                     str(os.getpid())],
                    pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True, cwd="/",
                    env=sandbox.scrubbed_env({**dict(env), "PYTHONPATH": _PROJECT_ROOT,
                                              "FMAGENT_FORKSERVER_PRELOAD": ",".join(preload)}))
            except OSError as e:
                started["error"] = e
                ev.set()
                return
            ev.set()
            p.wait()

        threading.Thread(target=hold, daemon=True, name="fmagent-forkserver").start()
        ev.wait()
        theirs.close()
        if "error" in started:
            raise ForkServerError(f"cannot start the fork server: {started['error']}")
        self.proc = started["proc"]
        self.sock.settimeout(60)
        try:
            ok = self.sock.recv(64) == b"ready\n"
        except OSError:
            ok = False
        if not ok:
            self.close()
            raise ForkServerError("the fork server did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None  # type: ignore[attr-defined]

    def spawn(self, data: bytes) -> ForkedChild:
        mine, theirs = socket.socketpair()
        try:
            with self.lock:
                self.sock.settimeout(30)
                socket.send_fds(self.sock, [data], [theirs.fileno()])
        except OSError as e:
            mine.close()
            raise ForkServerError(f"fork server unreachable: {e}") from None
        finally:
            theirs.close()
        child = ForkedChild(mine, -1)
        mine.settimeout(30)
        buf = b""
        try:
            while b"\n" not in buf:
                chunk = mine.recv(4096)
                if not chunk:
                    raise OSError("fork server closed the channel")
                buf += chunk
            line, child._buf = buf.split(b"\n", 1)
            answer = json.loads(line)
            child.pid = int(answer["pid"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            mine.close()
            raise ForkServerError(f"fork server failed: {e}") from None
        return child

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.kill()  # type: ignore[attr-defined]
        except (OSError, AttributeError):
            pass


_MAX_REQUEST = 60_000  # one SOCK_SEQPACKET message; larger requests exec instead
_SERVERS: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], _ForkServer] = {}
_FS_LOCK = threading.Lock()
_FS_FAILED_AT = 0.0


def fork_server_pids() -> list[int]:
    """The pids of this process's live fork servers (one per preload set and environment)."""
    return [fs.proc.pid for fs in list(_SERVERS.values()) if fs.alive()]  # type: ignore[attr-defined]


def _preload_set(preload: Sequence[str]) -> tuple[str, ...]:
    env = os.environ.get("FMAGENT_FORKSERVER_PRELOAD", "")
    return tuple(sorted({m.strip() for m in (*env.split(","), *preload) if m.strip()}))


def spawn_forked(req: dict, preload: Sequence[str] = (),
                 env: Sequence[tuple[str, str]] = ()) -> ForkedChild | None:
    """Start ``req`` on this process's fork server for ``preload`` imported under ``env`` (what
    preloaded modules read at import: thread counts, joblib settings); None (use exec) when it
    cannot. One server per (preload, env), the least recently started closed beyond eight."""
    global _FS_FAILED_AT
    data = json.dumps(req).encode()
    if len(data) > _MAX_REQUEST:  # one SOCK_SEQPACKET message at most
        return None
    key = (_preload_set(preload), tuple(sorted(env)) if preload else ())
    for _ in range(2):
        with _FS_LOCK:
            fs = _SERVERS.get(key)
            if fs is not None and not fs.alive():
                fs.close()
                fs = None
                del _SERVERS[key]
            if fs is None:
                if time.monotonic() - _FS_FAILED_AT < 30:
                    return None
                try:
                    if len(_SERVERS) >= 8:
                        _SERVERS.pop(next(iter(_SERVERS))).close()
                    fs = _SERVERS[key] = _ForkServer(*key)
                except ForkServerError as e:
                    log.warning("%s; running sandboxes by exec", e)
                    _FS_FAILED_AT = time.monotonic()
                    return None
        try:
            return fs.spawn(data)
        except ForkServerError as e:
            log.info("%s; restarting it", e)
            with _FS_LOCK:
                if _SERVERS.get(key) is fs:
                    fs.close()
                    del _SERVERS[key]
    return None
