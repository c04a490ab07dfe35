"""The run directory: everything a report, a dashboard, a re-grade or a comparison needs.

```
<run>/manifest.json     schema version, resolved config, task (id, version, direction),
                        provenance (git commit + dirty flag, packages, python, machine,
                        sandbox isolation), seeds, models, status, usage
<run>/programs.db       SQLite (WAL): programs, events, island stats, state
<run>/events.jsonl      the same events as text, one JSON object per line
<run>/best_program.<ext> the best valid program so far (atomically replaced)
<run>/summary.json      final figures (also written on every stop)
```
Files are written atomically (write to a temporary name, then rename), so a ``kill -9`` never
leaves a half-written file behind.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from agent.store import RunDB

MANIFEST_SCHEMA = 1
_EXT = {"python": "py", "cpp": "cpp", "cpp17": "cpp", "cpp20": "cpp", "cpp23": "cpp",
        "rust": "rs", "c": "c", "cuda": "cu"}
_PACKAGES = ("fmagent", "numpy", "scipy", "scikit-learn", "pydantic", "ray", "litellm", "torch",
             "pandas", "matplotlib", "mlebench", "ale-bench")


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def git_info(root: Path | None = None) -> dict[str, Any]:
    root = root or Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                    cwd=root, capture_output=True, text=True,
                                    timeout=10).stdout.strip())
        return {"commit": commit or None, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def provenance() -> dict[str, Any]:
    from agent.sandbox import isolation_report

    return {"git": git_info(), "packages": package_versions(),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "machine": {"host": socket.gethostname(), "cpus": os.cpu_count(),
                        "processor": platform.processor() or platform.machine()},
            "sandbox": isolation_report(), "argv": sys.argv}


class RunStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = RunDB(self.root / "programs.db")

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {"schema_version": MANIFEST_SCHEMA, **manifest, "updated_at": time.time()}
        atomic_write(self.manifest_path, json.dumps(manifest, indent=2, default=str))

    def update_manifest(self, **fields: Any) -> None:
        m = self.read_manifest()
        m.update(fields)
        self.write_manifest(m)

    def event(self, kind: str, n_evals: int, island: int | None = None, **data: Any) -> None:
        self.db.add_event(kind, n_evals, island, data)
        with open(self.root / "events.jsonl", "a") as f:
            f.write(json.dumps({"t": time.time(), "n_evals": n_evals, "kind": kind,
                                "island": island, **data}, default=str) + "\n")

    def write_best(self, code: str, language: str) -> Path:
        path = self.root / f"best_program.{_EXT.get(language, 'txt')}"
        atomic_write(path, code)
        return path

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write(self.root / "summary.json", json.dumps(summary, indent=2, default=str))

    def close(self) -> None:
        self.db.close()
