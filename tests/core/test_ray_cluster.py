"""``--ray-address``: a run joins a Ray cluster it did not start (a head node on this machine)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head():
    """A head node of its own (own port, own temp dir), stopped by signalling its group only,
    so parallel tests' Ray instances are left alone."""
    port = _free_port()
    temp = Path(tempfile.mkdtemp(prefix="fmray", dir="/tmp"))  # Ray needs short socket paths
    log = open(temp / "head.log", "wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
         f"--port={port}", "--num-cpus=2", f"--temp-dir={temp}", "--include-dashboard=false",
         "--disable-usage-stats", f"--ray-client-server-port={_free_port()}",
         f"--node-manager-port={_free_port()}", f"--object-manager-port={_free_port()}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "RAY_AUTH_MODE": "disabled"})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if list(temp.glob("session_*/logs/raylet.out")):
                break
            if proc.poll() is not None:
                pytest.fail(f"ray start exited: {(temp / 'head.log').read_text()[-2000:]}")
            time.sleep(0.5)
        time.sleep(2)
        yield f"127.0.0.1:{port}", temp
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=30)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.ray
@pytest.mark.slow
def test_a_run_joins_an_existing_cluster(tmp_path, ray_head):
    address, temp = ray_head
    out = tmp_path / "run"
    r = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "math/circle_packing_26", "--ray-address",
         address, "--max-evals", "20", "--out", str(out), "--plain"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "RAY_AUTH_MODE": "disabled"})
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["evaluations"] == 20 and summary["best_score"] >= summary["seed_score"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["pools"]["ray_address"] == address
    # the work ran on the head's workers: their logs are in its session, not a new one
    workers = list(temp.glob("session_*/logs/worker-*"))
    assert workers, "no worker of the existing cluster ran anything"
    assert len(list(temp.glob("session_*"))) <= 2  # session_latest and one session
