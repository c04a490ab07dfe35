"""Retry policy, redaction, usage meter, and litellm's import staying offline."""

import pickle
import random
import subprocess
import sys
import threading

from agent.llm.client import backoff_s, redact
from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.usage import UsageMeter


def test_backoff_is_capped_jittered_and_honours_retry_after():
    cfg = LLMConfig(models=[ModelSpec(name="x")], backoff_base_s=1.0, backoff_max_s=8.0)
    rng = random.Random(0)
    ds = [backoff_s(a, cfg, rng) for a in range(10) for _ in range(20)]
    assert min(ds) >= 0 and max(ds) <= 8.0 and len(set(ds)) > 100
    assert all(backoff_s(0, cfg, rng, retry_after=5.0) >= 5.0 for _ in range(20))
    assert backoff_s(0, cfg, rng, retry_after=100.0) == 8.0


def test_redact_removes_env_secrets_and_key_shapes(monkeypatch):
    monkeypatch.setenv("MY_PROVIDER_API_KEY", "abcdefgh12345678")
    out = redact("Incorrect API key provided: abcdefgh12345678; also sk-proj-AAAABBBBCCCC")
    assert "abcdefgh12345678" not in out and "AAAABBBBCCCC" not in out and "***" in out


def test_usage_meter_threads_and_pickle():
    m = UsageMeter()

    def work():
        for _ in range(1000):
            m.add("a", tokens_in=2, tokens_out=1, cost=0.001)

    ts = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    snap = m.snapshot()["total"]
    assert snap["calls"] == 4000 and snap["tokens_in"] == 8000
    assert abs(m.cost - 4.0) < 1e-9 and m.exceeded(3.99) and not m.exceeded(4.01) and not m.exceeded(None)
    m2 = pickle.loads(pickle.dumps(m))
    m2.add("b", cost=1.0, cost_known=False)
    assert m2.snapshot()["total"]["unpriced_calls"] == 1 and m.snapshot()["total"]["calls"] == 4000


def test_importing_litellm_through_us_never_touches_the_network():
    code = (
        "import socket\n"
        "def refuse(self, addr, *a, **k):\n"
        "    host = addr[0] if isinstance(addr, tuple) else addr\n"
        "    if host not in ('127.0.0.1', 'localhost', '::1'):\n"
        "        raise SystemExit('network at import: ' + repr(addr))\n"
        "    return orig(self, addr, *a, **k)\n"
        "orig = socket.socket.connect\n"
        "socket.socket.connect = refuse\n"
        "orig_gai = socket.getaddrinfo\n"
        "def gai(host, *a, **k):\n"
        "    if host not in ('127.0.0.1', 'localhost', '::1'):\n"
        "        raise SystemExit('network at import: ' + repr(host))\n"
        "    return orig_gai(host, *a, **k)\n"
        "socket.getaddrinfo = gai\n"
        "import os; os.environ.pop('LITELLM_LOCAL_MODEL_COST_MAP', None)\n"
        "from agent.llm.client import litellm\n"
        "ll = litellm()\n"
        "assert len(ll.model_cost) > 100\n"
        "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-2000:]
