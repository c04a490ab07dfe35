"""LLM proposers through litellm: prompts, edits, ensembles, budgets, cold start, review, cache.

Importing this package never imports litellm (it takes seconds); the modules that call a model
import it on first use through :func:`agent.llm.client.litellm`, which first forces litellm to
use its bundled price table so that no import ever reaches the network.

Public API (import from the submodules)::

    from agent.llm.config import LLMConfig, ModelSpec, GeneratorSpec, ReviewConfig
    from agent.llm.proposer import LLMProposer
    from agent.llm.usage import UsageMeter
    from agent.llm.cache import ResponseCache
    from agent.llm.coldstart import generate_initial, dedupe
    from agent.llm.review import review_stage
    from agent.llm.local import LocalServer, resolve_local
    from agent.llm.fake_server import FakeLLMServer, Behaviour
"""

import os

# litellm fetches its model price map from GitHub at import unless told otherwise.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

from typing import Any  # noqa: E402

_METER: Any = None


def process_meter() -> Any:
    """The UsageMeter shared by every proposer built in this process."""
    global _METER
    if _METER is None:
        from agent.llm.usage import UsageMeter

        _METER = UsageMeter()
    return _METER


def load_llm_config(llm: Any) -> Any:
    """An LLMConfig from a dict (YAML) or an LLMConfig; one-line ValueError naming the field."""
    from pydantic import ValidationError

    from agent.llm.config import LLMConfig

    if isinstance(llm, LLMConfig):
        return llm
    try:
        return LLMConfig.model_validate(llm)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "llm"
        raise ValueError(f"llm config: {where}: {err.get('msg', 'invalid')} "
                         f"(see agent/llm/config.py for the fields)") from None


def build_proposer(llm: Any, offline: dict[str, Any] | None = None, meter: Any = None) -> Any:
    """The run's proposer from its ``llm`` config (dict or LLMConfig).

    An LLMProposer over the ensemble, sharing :func:`process_meter` unless ``meter`` is given;
    mixed with an OfflineProposer (built from ``offline``) when ``offline_weight`` > 0.
    """
    from agent.llm.proposer import LLMProposer

    cfg = load_llm_config(llm)
    p = LLMProposer(cfg, meter=meter if meter is not None else process_meter())
    if cfg.offline_weight <= 0:
        return p
    from agent.offline import OfflineProposer
    from agent.proposer import MixedProposer

    return MixedProposer([p, OfflineProposer(**(offline or {}))],
                         [sum(m.weight for m in cfg.models), cfg.offline_weight])
