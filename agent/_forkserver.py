"""The fork server: a warm, trusted Python process that forks one sandboxed child per run.

Started by :mod:`agent.sandbox` as ``python -m agent._forkserver CONTROL_FD`` with a scrubbed
environment. Starting a fresh interpreter (plus the sandbox launcher, plus ``site`` and the
runner's imports) costs 100-200 ms of CPU per evaluation, which on a small machine is more than
the evaluation itself; forking an interpreter that has already paid for that costs a few ms.

Protocol (one control socket, a socketpair shared only with the parent): the parent sends a JSON
request together with one end of a fresh socketpair (SCM_RIGHTS); the server forks, answers
``{"pid": N}`` on that private channel and, when the child has been reaped, ``{"status": S}``
(the raw wait status), then closes it. The child closes every inherited descriptor, puts its
stdio on the run's files, locks itself down exactly as the exec launcher does
(:func:`agent._sandbox_exec.lock_down`), replaces the environment, ``sys.argv`` and ``sys.path``
with what a fresh ``python SCRIPT ARGS`` would have, and runs the script as ``__main__``.

Only trusted code runs here before the fork; candidates only ever run in children, after the
lock-down. The server dies with its parent (PDEATHSIG) and its children die with it.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys

from agent._sandbox_exec import PR_SET_PDEATHSIG, libc, lock_down

PRELOAD = ("json", "asyncio", "inspect", "importlib.util", "traceback", "math", "random", "re",
           "runpy", "threading", "atexit", "io", "dataclasses", "typing", "collections",
           "itertools", "functools")
MAX_REQUEST = 1 << 16  # the client sends at most 60 000 bytes in one message


def _base_path() -> list[str]:
    """sys.path as a fresh interpreter with no PYTHONPATH would have it."""
    own = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [p for p in sys.path[1:] if p not in own]


def _run_child(req: dict, base_path: list[str]) -> None:
    """In the forked child: lock down, then behave like ``python argv[1:]``. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        fd_in = os.open(req.get("stdin") or os.devnull, os.O_RDONLY)
        fd_out = os.open(req["stdout"], os.O_WRONLY | os.O_APPEND)
        fd_err = os.open(req["stderr"], os.O_WRONLY | os.O_APPEND)
        for src, dst in ((fd_in, 0), (fd_out, 1), (fd_err, 2)):
            os.dup2(src, dst)
        os.closerange(3, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)
        lock_down(req["cfg"])
    except BaseException as e:  # the lock-down failed: never run the candidate unconfined
        try:
            os.write(2, f"sandbox: fork server could not lock down: {e}\n".encode())
        finally:
            os._exit(126)
    for name in [m for m in sys.modules if m == "agent" or m.startswith("agent.")]:
        del sys.modules[name]  # a fresh interpreter could not import the project either
    env = req["cfg"]["env"]
    os.environ.clear()
    os.environ.update(env)
    argv = req["argv"][1:]
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if argv[0] == "-c":
        sys.argv = ["-c", *argv[2:]]
        sys.path[:] = ["", *extra, *base_path]
    else:
        script = os.path.abspath(argv[0])
        sys.argv = argv
        sys.path[:] = [os.path.dirname(script), *extra, *base_path]
    if env.get("PYTHONUNBUFFERED"):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.reconfigure(write_through=True)  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass
    np = sys.modules.get("numpy")
    if np is not None:  # a preloaded numpy would otherwise hand every child the same stream
        try:
            np.random.seed()
        except Exception:
            pass
    try:
        import runpy

        if argv[0] == "-c":
            import builtins
            import types

            main = types.ModuleType("__main__")  # a fresh __main__, as `python -c` has
            main.__builtins__ = builtins  # type: ignore[attr-defined]
            sys.modules["__main__"] = main
            exec(compile(argv[1], "<string>", "exec"), main.__dict__)
        else:
            runpy.run_path(argv[0], run_name="__main__")
        code = 0
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code & 0xFF
        else:
            try:
                print(e.code, file=sys.stderr)
            except Exception:
                pass
            code = 1
    except BaseException:
        import traceback

        try:
            traceback.print_exc()
        except Exception:
            pass
        code = 1
    try:  # what interpreter shutdown would do: join threads, run atexit, flush
        import threading

        for t in threading.enumerate():
            if t is not threading.current_thread() and not t.daemon:
                t.join()
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def _send(ch: socket.socket, obj: dict) -> None:
    try:
        ch.sendall((json.dumps(obj) + "\n").encode())
    except OSError:
        pass


def serve(control: socket.socket) -> None:
    base_path = _base_path()
    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    signal.set_wakeup_fd(wfd)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(control, selectors.EVENT_READ, "control")
    sel.register(rfd, selectors.EVENT_READ, "chld")
    channels: dict[int, socket.socket] = {}
    while True:
        for key, _ in sel.select():
            if key.data == "chld":
                try:
                    os.read(rfd, 4096)
                except BlockingIOError:
                    pass
                _reap(channels)
                continue
            try:
                msg, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST, 1)
            except OSError:
                msg, fds = b"", []
            if not msg:  # the parent is gone: take every child with us
                for pid in list(channels):
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                os._exit(0)
            if not fds:
                continue
            ch = socket.socket(fileno=fds[0])
            try:
                req = json.loads(msg)
                req["cfg"]["parent"] = os.getpid()
            except (ValueError, KeyError, TypeError) as e:
                _send(ch, {"error": f"bad request: {e}"})
                ch.close()
                continue
            try:
                pid = os.fork()
            except OSError as e:  # out of processes or memory: this run fails, the server stays
                _send(ch, {"error": f"fork failed: {e}"})
                ch.close()
                continue
            if pid == 0:
                _run_child(req, base_path)
            channels[pid] = ch
            _send(ch, {"pid": pid})
        _reap(channels)


def _reap(channels: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ch = channels.pop(pid, None)
        if ch is not None:
            _send(ch, {"status": status})
            ch.close()


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != int(sys.argv[2]):
        os._exit(0)
    import importlib

    extra = [m for m in os.environ.get("FMAGENT_FORKSERVER_PRELOAD", "").split(",") if m]
    for name in (*PRELOAD, *extra):
        try:
            importlib.import_module(name)
        except Exception as e:  # an optional preload that is not installed
            sys.stderr.write(f"fork server: cannot preload {name}: {e}\n")
    sys.stdout.flush()
    control.sendall(b"ready\n")
    serve(control)


if __name__ == "__main__":
    main()
