"""Human-in-the-loop commands: dashboard, instruct, inject, kb add, kb search, kb retrieve.

They work on a run directory, while its run goes on or after it: the dashboard reads the run
database read-only; the others add one row (an instruction, a program for the controller to
evaluate in its sandbox, a document, a retrieval request). Nothing here executes a program.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def _user_error(msg: str) -> Exception:
    from harness.cli import UserError

    return UserError(msg)


def _run_dir(path: str) -> Path:
    d = Path(path)
    if not (d / "programs.db").is_file():
        raise _user_error(f"{d} is not a run directory (no programs.db); pass the directory that "
                          "`fmagent run` printed (--out)")
    return d


def cmd_dashboard(args: argparse.Namespace) -> int:
    from harness.dashboard.db import RunDirError

    try:
        from harness.dashboard.server import serve
    except ImportError as e:
        raise _user_error(f"the dashboard needs fastapi and uvicorn ({e}); install them with "
                          "pip install 'fmagent[dashboard]'") from e
    run_dir = _run_dir(args.run_dir)
    token = args.token or os.environ.get("FMAGENT_DASHBOARD_TOKEN") or None
    try:
        serve(run_dir, args.host, args.port, token,
              on_ready=lambda url: print(f"dashboard of {run_dir}: {url}", flush=True))
    except RunDirError as e:
        raise _user_error(str(e)) from e
    except OSError as e:
        raise _user_error(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}; "
                          "choose another --port") from e
    return 0


def cmd_instruct(args: argparse.Namespace) -> int:
    from harness.dashboard.db import RunDirError, add_instruction

    run_dir = _run_dir(args.run_dir)
    try:
        seq = add_instruction(run_dir, args.text, args.island, source="cli")
    except RunDirError as e:
        raise _user_error(str(e)) from e
    where = "all islands" if args.island is None else f"island {args.island}"
    print(f"instruction {seq} stored for {where}; prompts use it from the next proposal on")
    return 0


def cmd_inject(args: argparse.Namespace) -> int:
    from harness.dashboard.db import RunDirError, add_injection

    run_dir = _run_dir(args.run_dir)
    path = Path(args.program)
    if not path.is_file():
        raise _user_error(f"program file {path} not found")
    try:
        code = path.read_text()
    except UnicodeDecodeError as e:
        raise _user_error(f"{path} is not a text file ({e.reason})") from e
    try:
        seq = add_injection(run_dir, code, args.island, source="cli")
    except RunDirError as e:
        raise _user_error(str(e)) from e
    print(f"program queued as inbox item {seq}; the run evaluates it in its sandbox and adds it to "
          f"island {args.island if args.island is not None else 0}")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    from agent.knowledge import KnowledgeBase, KnowledgeError

    run_dir = _run_dir(args.run_dir)
    kb = KnowledgeBase(run_dir)
    try:
        if args.kb_action == "add":
            for f in args.files:
                p = Path(f)
                if not p.is_file():
                    raise _user_error(f"document {p} not found")
                try:
                    text = p.read_text()
                except UnicodeDecodeError as e:
                    raise _user_error(f"{p} is not a text file ({e.reason}); add Markdown or "
                                      "plain text") from e
                r = kb.add(p.name, text, source="cli")
                state = "added" if r["added"] else "already in the knowledge base"
                print(f"{p}: {state} as {r['name']} ({r['chunks']} chunks)")
        elif args.kb_action == "search":
            hits = kb.search(args.query, args.k)
            if not hits:
                print("no matching chunk" if kb.documents() else
                      "the knowledge base is empty; add documents with `fmagent kb add`")
            for i, h in enumerate(hits, 1):
                print(f"{i}. [{h.score:.3f}] {h.doc}" + (f" § {h.heading}" if h.heading else ""))
                print("   " + h.text[:400].replace("\n", "\n   "))
        else:  # retrieve
            island = args.island
            if island is not None:
                from harness.dashboard.db import RunDirError, check_island

                try:
                    check_island(run_dir, island)
                except RunDirError as e:
                    raise _user_error(str(e)) from e
            seq = kb.request(args.query, island, source="cli")
            print(f"retrieval request {seq}: the next proposal"
                  f"{'' if island is None else f' of island {island}'} gets the top chunks")
    except KnowledgeError as e:
        raise _user_error(str(e)) from e
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="web dashboard of a run (live while it runs)")
    p.add_argument("run_dir")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; "
                   "any other needs --token)")
    p.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    p.add_argument("--token", help="access token (default: $FMAGENT_DASHBOARD_TOKEN, else a "
                   "random one printed in the address)")
    p.set_defaults(fn=cmd_dashboard)

    p = sub.add_parser("instruct", help="give the run a natural-language instruction")
    p.add_argument("run_dir")
    p.add_argument("text")
    p.add_argument("--island", type=int, help="only this island (default: all)")
    p.set_defaults(fn=cmd_instruct)

    p = sub.add_parser("inject", help="queue a program for the run to evaluate and adopt")
    p.add_argument("run_dir")
    p.add_argument("program", help="program file")
    p.add_argument("--island", type=int, help="island to add it to (default 0)")
    p.set_defaults(fn=cmd_inject)

    p = sub.add_parser("kb", help="the run's expert knowledge base")
    ks = p.add_subparsers(dest="kb_action", required=True)
    a = ks.add_parser("add", help="add Markdown or text documents")
    a.add_argument("run_dir")
    a.add_argument("files", nargs="+")
    a.set_defaults(fn=cmd_kb)
    s = ks.add_parser("search", help="the chunks most relevant to a query")
    s.add_argument("run_dir")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.set_defaults(fn=cmd_kb)
    r = ks.add_parser("retrieve", help="put the top chunks into the next prompt (on demand)")
    r.add_argument("run_dir")
    r.add_argument("query", nargs="?")
    r.add_argument("--island", type=int)
    r.set_defaults(fn=cmd_kb)
