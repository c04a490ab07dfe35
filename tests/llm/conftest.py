import logging
import os

import pytest

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

SECRET = "sk-test-DO-NOT-LEAK-0123456789abcdef"
PRICE_IN, PRICE_OUT = 1e-6, 3e-6


@pytest.fixture(scope="session")
def litellm_fake():
    """litellm, imported once per worker, with a price for the model 'openai/fake'."""
    from agent.llm.client import litellm

    ll = litellm()
    logging.getLogger("LiteLLM").setLevel(logging.ERROR)
    ll.register_model({"openai/fake": {"input_cost_per_token": PRICE_IN,
                                       "output_cost_per_token": PRICE_OUT,
                                       "litellm_provider": "openai", "mode": "chat",
                                       "max_tokens": 8192, "max_input_tokens": 32768}})
    return ll


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return SECRET


@pytest.fixture
def server(litellm_fake, secret_env):
    from agent.llm.fake_server import FakeLLMServer

    srv = FakeLLMServer(seed=1).start()
    yield srv
    srv.stop()
