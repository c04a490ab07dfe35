"""One chat completion through litellm, with the retry policy every LLM caller shares.

Retries (exponential backoff from ``backoff_base_s``, capped at ``backoff_max_s``, full jitter)
cover rate limits (a server's Retry-After is respected), 5xx, timeouts and connection errors;
anything else (a bad request, a wrong key, a context overflow) fails at once. litellm's own and
the OpenAI client's retries are turned off so that the counters here are the truth.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from agent.llm.cache import ResponseCache, cache_key
from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.usage import UsageMeter

log = logging.getLogger(__name__)
_LITELLM: Any = None
_SECRETISH = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.I)
_SK = re.compile(r"\b(sk|pk|rk|ak)-[A-Za-z0-9_\-]{6,}")


def litellm() -> Any:
    """The litellm module, imported once, quiet and offline at import."""
    global _LITELLM
    if _LITELLM is None:
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm as _l

        _l.telemetry = False
        _l.suppress_debug_info = True
        _l.drop_params = True  # a provider that lacks a parameter ignores it instead of failing
        _l.num_retries = 0
        logging.getLogger("LiteLLM").setLevel(logging.WARNING)
        _LITELLM = _l
    return _LITELLM


def redact(text: str) -> str:
    """``text`` without any secret from the environment and without key-shaped tokens."""
    for k, v in os.environ.items():
        if v and len(v) >= 8 and _SECRETISH.search(k) and v in text:
            text = text.replace(v, "***")
    return _SK.sub(lambda m: m.group(1) + "-***", text)


class LLMCallError(Exception):
    """A call that failed for good (after its retries, or at once when not retryable)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class CallStats:
    """What happened on the wire for one proposal (all its calls)."""

    calls: int = 0  # replies received (cached ones included)
    cached: int = 0
    retries: int = 0
    http_errors: int = 0  # failed attempts of any kind: 4xx/5xx, timeouts, bad bodies
    timeouts: int = 0
    rate_limited: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    cost_known: bool = True
    latency_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_meta(self) -> dict[str, Any]:
        return {"calls": self.calls, "cached": self.cached > 0 and self.cached == self.calls,
                "cached_calls": self.cached, "retries": self.retries,
                "http_errors": self.http_errors, "timeouts": self.timeouts,
                "rate_limited": self.rate_limited, "cost_known": self.cost_known,
                "call_errors": self.errors[-5:]}


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    tokens_in: int
    tokens_out: int
    cost: float
    cost_known: bool
    latency_s: float
    cached: bool = False


def _route(spec: ModelSpec) -> tuple[str, dict[str, Any]]:
    """litellm model name and connection kwargs for a spec (no key unless a dummy is needed)."""
    kw: dict[str, Any] = {}
    name = spec.name
    if name == "local":
        if not spec.api_base:
            raise LLMCallError("config", "model 'local' has no server yet; start it with "
                               "agent.llm.local.resolve_local(config) before proposing")
        name = "openai/local"
    if spec.api_base:
        kw["api_base"] = spec.api_base
        if spec.name == "local" or (name.startswith("openai/")
                                    and not os.environ.get("OPENAI_API_KEY")):
            kw["api_key"] = "no-key"  # self-hosted servers take any key; this is not a secret
    return name, kw


def _retry_after(e: Exception) -> float | None:
    heads = []
    for attr in ("response", "litellm_response_headers", "headers"):
        h = getattr(e, attr, None)
        h = getattr(h, "headers", h)
        if h is not None:
            heads.append(h)
    for h in heads:
        try:
            ms = h.get("retry-after-ms")
            if ms is not None:
                return float(ms) / 1000.0
            s = h.get("retry-after")
            if s is not None:
                return float(s)
        except (TypeError, ValueError, AttributeError):
            continue
    return None


def classify(e: BaseException) -> tuple[str, bool]:
    """(kind, retryable) for an exception raised by a completion call."""
    if isinstance(e, (asyncio.TimeoutError, TimeoutError)):
        return "timeout", True
    ll = litellm()
    if isinstance(e, ll.Timeout):
        return "timeout", True
    if isinstance(e, ll.RateLimitError):
        return "rate_limit", True
    if isinstance(e, ll.ContextWindowExceededError):
        return "context_window", False
    if isinstance(e, (ll.AuthenticationError, ll.PermissionDeniedError)):
        return "auth", False
    if isinstance(e, (ll.InternalServerError, ll.ServiceUnavailableError, ll.BadGatewayError,
                      ll.APIConnectionError)):
        return "server", True
    status = getattr(e, "status_code", None)
    if isinstance(status, int):
        if status >= 500 or status in (408, 409, 425, 429):
            return "server", True
        return f"http_{status}", False
    if isinstance(e, ll.APIError):
        return "server", True
    return type(e).__name__, False


def backoff_s(attempt: int, cfg: LLMConfig, rng: random.Random,
              retry_after: float | None = None) -> float:
    """Full-jitter exponential backoff; a Retry-After is a floor (both capped)."""
    base = min(cfg.backoff_max_s, cfg.backoff_base_s * (2 ** attempt))
    d = rng.uniform(0.0, base)
    if retry_after is not None:
        d = max(d, min(retry_after, cfg.backoff_max_s))
    return d


def _cost(spec: ModelSpec, resp: Any, tin: int, tout: int) -> tuple[float, bool]:
    if spec.name == "local":
        return 0.0, True
    if spec.input_cost_per_token is not None or spec.output_cost_per_token is not None:
        return (tin * (spec.input_cost_per_token or 0.0)
                + tout * (spec.output_cost_per_token or 0.0)), True
    try:
        c = litellm().completion_cost(completion_response=resp)
    except Exception:  # a model litellm has no price for
        return 0.0, False
    if c is None:
        return 0.0, False
    return float(c), True


async def complete(spec: ModelSpec, messages: list[dict[str, str]], cfg: LLMConfig, *,
                   stats: CallStats, rng: random.Random, sem: asyncio.Semaphore | None = None,
                   cache: ResponseCache | None = None, sample: int = 0,
                   meter: UsageMeter | None = None, temperature: float | None = None,
                   purpose: str = "propose") -> Completion:
    """One reply for ``messages`` from ``spec``, retried per ``cfg``; updates ``stats``."""
    temp = spec.temperature if temperature is None else temperature
    name, route = _route(spec)
    params = {"temperature": temp, "max_tokens": spec.max_tokens, "sample": sample,
              "purpose": purpose}
    key = cache_key(spec.name, messages, params) if cache is not None else ""
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            stats.calls += 1
            stats.cached += 1
            if meter is not None:
                meter.add(spec.name, cached=True)
            return Completion(hit["reply"], spec.name, int(hit.get("tokens_in", 0)),
                              int(hit.get("tokens_out", 0)), 0.0, True, 0.0, cached=True)
        if cache.replay:
            raise LLMCallError("replay_miss", f"replay: no cached reply for model {spec.name} "
                               f"(key {key[:12]}); record it with cache_mode 'readwrite'")
    ll = litellm()
    attempt = 0
    while True:
        t0 = time.monotonic()
        try:
            if sem is not None:
                async with sem:
                    t0 = time.monotonic()
                    resp = await _call(ll, name, messages, temp, spec, route)
            else:
                resp = await _call(ll, name, messages, temp, spec, route)
            break
        except asyncio.CancelledError:
            raise
        except Exception as e:
            kind, retryable = classify(e)
            reason = redact(f"{kind}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")[:300]
            stats.http_errors += 1
            stats.timeouts += kind == "timeout"
            stats.rate_limited += kind == "rate_limit"
            stats.errors.append(reason)
            if meter is not None:
                meter.add(spec.name, errors=1, calls=0)
            if not retryable or attempt >= cfg.max_retries:
                why = "not retryable" if not retryable else f"after {attempt} retries"
                raise LLMCallError(kind, f"{spec.name}: {reason} ({why})") from None
            delay = backoff_s(attempt, cfg, rng, _retry_after(e) if kind == "rate_limit" else None)
            log.info("LLM call to %s failed (%s); retry %d in %.2fs", spec.name, kind,
                     attempt + 1, delay)
            stats.retries += 1
            attempt += 1
            await asyncio.sleep(delay)
    latency = time.monotonic() - t0
    text = _text(resp)
    usage = getattr(resp, "usage", None)
    tin = int(getattr(usage, "prompt_tokens", 0) or 0)
    tout = int(getattr(usage, "completion_tokens", 0) or 0)
    cost, known = _cost(spec, resp, tin, tout)
    stats.calls += 1
    stats.tokens_in += tin
    stats.tokens_out += tout
    stats.cost += cost
    stats.cost_known &= known
    stats.latency_s += latency
    if meter is not None:
        meter.add(spec.name, tokens_in=tin, tokens_out=tout, cost=cost, cost_known=known,
                  latency_s=latency)
    if cache is not None:
        cache.put(key, spec.name, text, {"tokens_in": tin, "tokens_out": tout, "cost": cost})
    return Completion(text, spec.name, tin, tout, cost, known, latency)


async def _call(ll: Any, name: str, messages: list[dict[str, str]], temp: float,
                spec: ModelSpec, route: dict[str, Any]) -> Any:
    # wait_for is a backstop: a connection that hangs past the client's own timeout still ends.
    return await asyncio.wait_for(
        ll.acompletion(model=name, messages=messages, temperature=temp,
                       max_tokens=spec.max_tokens, timeout=spec.timeout_s, num_retries=0,
                       max_retries=0, **route),
        timeout=spec.timeout_s + 2.0)


def _text(resp: Any) -> str:
    try:
        content = resp.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""
    return content if isinstance(content, str) else ""
