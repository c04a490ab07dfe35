"""A fake OpenAI-compatible chat server on loopback, for tests and the engine benchmark.

``POST /v1/chat/completions`` answers from a script (a queue of :class:`Behaviour`) and, when the
script is empty, from a default behaviour. The built-in default reads the program from the
prompt (the first fenced block after a "Current program" heading, else the longest fenced block)
and returns one SEARCH/REPLACE edit that changes a number on a line inside an EVOLVE block: a
small valid mutation, so a whole run can go through the real LLM path with no model. Latency is
a constant, a ``(low, high)`` uniform range or a callable of a ``random.Random``. ``counters``
says what the server did (requests, replies by kind, status codes, tokens served).

    with FakeLLMServer(script=[Behaviour.status(429, retry_after=0.1)]) as srv:
        litellm.acompletion(model="openai/fake", api_base=srv.api_base, api_key="x", ...)
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from aiohttp import web

_FENCE = re.compile(r"```[\w+#.-]*[ \t]*\n(.*?)```", re.S)
_NUM = re.compile(r"(?<![\w.])(\d+\.\d+|\d+)(?![\w.])")
_START = re.compile(r"EVOLVE-BLOCK-START")
_END = re.compile(r"EVOLVE-BLOCK-END")


@dataclass(frozen=True)
class Behaviour:
    """What the server does for one request.

    kind: ``text`` (reply with ``text``), ``default`` (the server's default reply), ``status``
    (an error with ``status`` and optional Retry-After), ``garbage`` (200 with a body that is not
    JSON), ``hang`` (never answer). ``delay_s`` is added before answering.
    """

    kind: str
    text: str = ""
    status: int = 200
    retry_after: float | None = None
    delay_s: float = 0.0

    @classmethod
    def reply(cls, text: str, delay_s: float = 0.0) -> "Behaviour":
        return cls("text", text=text, delay_s=delay_s)

    @classmethod
    def error(cls, status: int, retry_after: float | None = None) -> "Behaviour":
        return cls("status", status=status, retry_after=retry_after)

    @classmethod
    def slow(cls, delay_s: float, text: str | None = None) -> "Behaviour":
        return cls("text" if text is not None else "default", text=text or "", delay_s=delay_s)


GARBAGE = Behaviour("garbage")
HANG = Behaviour("hang")
DEFAULT = Behaviour("default")


def mutate_reply(prompt: str, rng: random.Random) -> str:
    """A SEARCH/REPLACE edit changing one number inside the prompt's current program."""
    code = _program(prompt)
    if code is None:
        return "I could not find a program in the prompt."
    lines = code.splitlines()
    inside = not _START.search(code)
    cands: list[int] = []
    for i, ln in enumerate(lines):
        if _START.search(ln):
            inside = True
            continue
        if _END.search(ln):
            inside = False
            continue
        s = ln.strip()
        if inside and s and not s.startswith(("#", "//", "def ", "class ", "import ", "from ")) \
                and _NUM.search(ln.split("#")[0]):
            cands.append(i)
    if not cands:
        body = code if code.endswith("\n") else code + "\n"
        return f"```python\n{body}# revised\n```"
    i = rng.choice(cands)
    ln = lines[i]
    nums = list(_NUM.finditer(ln.split("#")[0]))
    m = rng.choice(nums)
    old = m.group(1)
    if "." in old:
        new = f"{float(old) * (1 + rng.uniform(-0.05, 0.05)) + rng.uniform(-0.01, 0.01):.4f}"
    else:
        new = str(max(0, int(old) + rng.choice((-1, 1))))
    if new == old:
        new = old + ("1" if "." in old else "0")
    new_line = ln[:m.start(1)] + new + ln[m.end(1):]
    return (f"Changing {old} to {new}.\n<<<<<<< SEARCH\n{ln}\n=======\n{new_line}\n"
            ">>>>>>> REPLACE\n")


_HEADING = re.compile(r"^#{1,6}[ \t]*current program\b[^\n]*$", re.I | re.M)


def _program(prompt: str) -> str | None:
    """The parent's code: the fenced block under the last "# Current program" heading (the
    layout of our prompts and OpenEvolve's), else after the phrase, else the longest block."""
    heads = list(_HEADING.finditer(prompt))
    if heads:
        m = _FENCE.search(prompt, heads[-1].end())
        if m:
            return m.group(1)
    k = prompt.lower().find("current program")
    if k >= 0:
        m = _FENCE.search(prompt, k)
        if m:
            return m.group(1)
    blocks = _FENCE.findall(prompt)
    return max(blocks, key=len) if blocks else None


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeLLMServer:
    def __init__(self, script: Iterable[Behaviour] = (), default: Behaviour | Callable[
            [str, random.Random], str] = DEFAULT,
                 latency: float | tuple[float, float] | Callable[[random.Random], float] = 0.0,
                 seed: int = 0, hang_s: float = 3600.0) -> None:
        self._script: deque[Behaviour] = deque(script)
        self.default = default
        self.latency = latency
        self.hang_s = hang_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counters: Counter[str] = Counter()
        self.log: list[dict[str, Any]] = []  # one entry per request: model, kind, status
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- control ---------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        if self.port is None:
            raise RuntimeError("the fake server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def start(self) -> "FakeLLMServer":
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-llm-server", daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the fake LLM server did not start in 30 s")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
        try:
            fut.result(10)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def _start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        me = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not me]
        for t in rest:  # hung handlers
            t.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    # -- handlers --------------------------------------------------------------------------
    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def _next(self) -> tuple[Behaviour, float, random.Random, int]:
        with self._lock:
            b = self._script.popleft() if self._script else None
            n = self.counters["requests"]
            self.counters["requests"] += 1
            lat = self.latency
            if callable(lat):
                d = float(lat(self._rng))
            elif isinstance(lat, tuple):
                d = self._rng.uniform(*lat)
            else:
                d = float(lat)
            rng = random.Random(self._rng.random())
        if b is None:
            b = self.default if isinstance(self.default, Behaviour) else Behaviour("callable")
        return b, d, rng, n

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        b, lat, rng, n = self._next()
        try:
            body = await request.json()
        except Exception:
            body = {}
        messages = body.get("messages") or []
        prompt = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        entry = {"n": n, "model": body.get("model"), "kind": b.kind, "status": 200,
                 "auth": bool(request.headers.get("Authorization")), "t": time.time(),
                 "n_messages": len(messages),
                 "last": str(messages[-1].get("content", ""))[:500] if messages else ""}
        with self._lock:
            self.log.append(entry)
        delay = lat + b.delay_s
        if b.kind == "hang":
            self._count("hang", entry)
            await asyncio.sleep(self.hang_s)
            return web.Response(status=504)
        if delay > 0:
            await asyncio.sleep(delay)
        if b.kind == "status":
            entry["status"] = b.status
            headers = {"Retry-After": f"{b.retry_after:g}"} if b.retry_after is not None else {}
            self._count(f"status_{b.status}", entry)
            return web.json_response({"error": {"message": f"fake error {b.status}",
                                                "type": "fake_error", "code": b.status}},
                                     status=b.status, headers=headers)
        if b.kind == "garbage":
            self._count("garbage", entry)
            return web.Response(status=200, text="<html>not json {{{", content_type=
                                "application/json")
        if b.kind == "text":
            text = b.text
        elif b.kind == "callable":
            text = self.default(prompt, rng)  # type: ignore[operator]
        else:
            text = mutate_reply(prompt, rng)
        tin, tout = _tokens(prompt), _tokens(text)
        with self._lock:
            self.counters["tokens_in"] += tin
            self.counters["tokens_out"] += tout
        self._count("ok", entry)
        return web.json_response({
            "id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": tin, "completion_tokens": tout,
                      "total_tokens": tin + tout}})

    def _count(self, what: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self.counters[what] += 1
            entry["outcome"] = what
