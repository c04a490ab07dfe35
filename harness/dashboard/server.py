"""The dashboard web app: a static page and JSON endpoints over one run directory.

Security model (the process never executes submitted code; it only stores it for the controller):
- binds 127.0.0.1 by default; a non-loopback host needs an explicit token (``serve`` refuses);
- every ``/api`` endpoint needs the token in the ``X-FMAgent-Token`` header (the page takes it
  from the URL fragment, which browsers never send to a server);
- requests whose Host is not one the server answers to are refused (DNS rebinding);
- a request that changes anything must be JSON (``Content-Type: application/json``) and
  same-origin (``Origin`` equal to the Host, ``Sec-Fetch-Site`` same-origin or none);
- request bodies are capped (``MAX_BODY`` bytes), counted as they arrive.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from agent.knowledge import KnowledgeBase, KnowledgeError
from harness.dashboard import db as rdb

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
TOKEN_HEADER = "x-fmagent-token"
STATIC = Path(__file__).resolve().parent / "static"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


class _Guard:
    """Pure ASGI middleware: Host allowlist and a body-size cap counted as bytes arrive."""

    def __init__(self, app: Any, allowed_hosts: set[str] | None, max_body: int) -> None:
        self.app, self.allowed_hosts, self.max_body = app, allowed_hosts, max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").lower()
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            await _send_json(send, 421, {"detail": f"host {host!r} is not served here; open the "
                                         "address the dashboard printed"})
            return
        if scope["method"] in _UNSAFE:
            try:
                declared = int(headers.get("content-length", "0") or 0)
            except ValueError:
                declared = self.max_body + 1
            if declared > self.max_body:
                await _send_json(send, 413, {"detail": f"request body over {self.max_body} bytes"})
                return
            chunks, size = [], 0
            while True:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    return
                size += len(msg.get("body", b""))
                if size > self.max_body:
                    await _send_json(send, 413,
                                     {"detail": f"request body over {self.max_body} bytes"})
                    return
                chunks.append(msg.get("body", b""))
                if not msg.get("more_body"):
                    break
            body = b"".join(chunks)
            sent = False

            async def replay() -> dict:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


async def _send_json(send: Any, status: int, obj: Any) -> None:
    body = json.dumps(obj).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------------------- bodies
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InstructionIn(_Body):
    text: str = Field(min_length=1, max_length=rdb.MAX_INSTRUCTION_CHARS)
    island: int | None = None


class ActiveIn(_Body):
    active: bool


class InjectIn(_Body):
    code: str = Field(min_length=1, max_length=rdb.MAX_CODE_CHARS)
    island: int | None = None


class DocIn(_Body):
    name: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)


class RetrieveIn(_Body):
    query: str | None = Field(None, max_length=2000)
    island: int | None = None


# ---------------------------------------------------------------------------------- the app
def create_app(run_dir: Path, token: str, allowed_hosts: set[str] | None = None,
               max_body: int = MAX_BODY) -> Any:
    """The ASGI app for ``run_dir``. ``allowed_hosts``: Host header values to answer (None: any)."""
    if not token:
        raise ValueError("the dashboard needs a token")
    view = rdb.RunView(run_dir)  # raises RunDirError for a directory that holds no run
    kb = KnowledgeBase(run_dir)
    app = FastAPI(title="fmagent dashboard", docs_url=None, redoc_url=None, openapi_url=None)

    def need_token(request: Request) -> None:
        got = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(got.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong token (send it in the "
                                     f"{TOKEN_HEADER} header)")

    def same_origin(request: Request) -> None:
        need_token(request)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise HTTPException(415, "changes must be sent as application/json")
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise HTTPException(403, f"cross-site request refused (Sec-Fetch-Site: {site})")
        origin = request.headers.get("origin")
        if origin is not None:
            o = urlsplit(origin)
            if origin == "null" or o.netloc.lower() != request.headers.get("host", "").lower():
                raise HTTPException(403, f"cross-site request refused (Origin: {origin})")

    read = [Depends(need_token)]
    write = [Depends(same_origin)]

    @app.exception_handler(rdb.RunDirError)
    async def _bad(_r: Request, e: rdb.RunDirError) -> JSONResponse:
        return JSONResponse({"detail": str(e)}, status_code=400)

    @app.exception_handler(KnowledgeError)
    async def _badkb(_r: Request, e: KnowledgeError) -> JSONResponse:
        return JSONResponse({"detail": str(e)}, status_code=400)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=_PAGE_HEADERS)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        if name not in files:
            raise HTTPException(404, "no such file")
        return FileResponse(files[name], headers=_PAGE_HEADERS)

    @app.get("/api/overview", dependencies=read)
    def overview() -> dict[str, Any]:
        return view.overview()

    @app.get("/api/series", dependencies=read)
    def series(since_program: int = 0, since_stats: int = 0,
               since_event: int = 0) -> dict[str, Any]:
        return {"programs": view.best_series(since_program),
                "stats": view.island_stats(since_stats), "events": view.events(since_event)}

    @app.get("/api/programs", dependencies=read)
    def programs(since: int = 0, island: int | None = None, valid: bool | None = None,
                 q: str = "", sort: str = "seq", desc: bool = True, limit: int = 200,
                 offset: int = 0) -> dict[str, Any]:
        return view.programs(since, island, valid, q[:200], sort, desc, limit, offset)

    @app.get("/api/programs/{pid}", dependencies=read)
    def program(pid: str) -> dict[str, Any]:
        try:
            return view.program(pid)
        except rdb.RunDirError as e:
            raise HTTPException(404, str(e)) from e

    @app.get("/api/instructions", dependencies=read)
    def instructions() -> list[dict[str, Any]]:
        return view.instructions()

    @app.post("/api/instructions", dependencies=write)
    def post_instruction(body: InstructionIn) -> dict[str, Any]:
        seq = rdb.add_instruction(run_dir, body.text, body.island, source="dashboard")
        return {"seq": seq}

    @app.post("/api/instructions/{seq}", dependencies=write)
    def set_active(seq: int, body: ActiveIn) -> dict[str, Any]:
        rdb.set_instruction_active(run_dir, seq, body.active)
        return {"seq": seq, "active": body.active}

    @app.get("/api/inbox", dependencies=read)
    def inbox() -> list[dict[str, Any]]:
        return view.inbox()

    @app.post("/api/inject", dependencies=write)
    def inject(body: InjectIn) -> dict[str, Any]:
        return {"seq": rdb.add_injection(run_dir, body.code, body.island, source="dashboard")}

    @app.get("/api/knowledge", dependencies=read)
    def knowledge() -> dict[str, Any]:
        return {"documents": kb.documents(), "retrievals": view.retrievals()}

    @app.post("/api/knowledge", dependencies=write)
    def add_doc(body: DocIn) -> dict[str, Any]:
        return kb.add(body.name, body.text, source="dashboard")

    @app.get("/api/knowledge/search", dependencies=read)
    def kb_search(q: str, k: int = 5) -> list[dict[str, Any]]:
        return [h.to_dict() for h in kb.search(q[:2000], max(1, min(k, 20)))]

    @app.post("/api/knowledge/retrieve", dependencies=write)
    def kb_request(body: RetrieveIn) -> dict[str, Any]:
        island = rdb.check_island(run_dir, body.island)
        return {"seq": kb.request(body.query, island, source="dashboard")}

    return _Guard(app, allowed_hosts, max_body)


_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def host_names(host: str, port: int) -> set[str]:
    """Host header values a server bound to ``host:port`` answers to."""
    names = {host.lower()}
    if is_loopback(host):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host.lower()}]")
    return {f"{n}:{port}" for n in names} | (names if port == 80 else set())


def serve(run_dir: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          log_level: str = "warning", on_ready: Any = None) -> None:
    """Run the dashboard until interrupted. A non-loopback ``host`` requires ``token``."""
    import socket

    import uvicorn

    if not is_loopback(host) and not token:
        raise rdb.RunDirError(f"binding {host} exposes the run beyond this machine: pass --token "
                              "(a long random string) or keep the default 127.0.0.1")
    token = token or new_token()
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections made as soon as the address is printed wait in the backlog
    port = sock.getsockname()[1]
    app = create_app(run_dir, token, allowed_hosts=None if host in ("0.0.0.0", "::")
                     else host_names(host, port))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/#token={token}"
    if on_ready:
        on_ready(url)
    cfg = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    uvicorn.Server(cfg).run(sockets=[sock])
