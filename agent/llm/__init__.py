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
