"""Configuration of the LLM side: models, retries, budgets, prompts, cache, cold start, review.

Every model is a plain litellm name (``openai/gpt-4o-mini``, ``anthropic/claude-...``,
``openai/<anything>`` with an ``api_base`` for an OpenAI-compatible server, or ``local`` for the
embedded llama.cpp server). Keys come only from the environment, through litellm's own variables
(``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ...): no field here can hold one, and ``extra="forbid"``
rejects an ``api_key`` written into a YAML file with the field's name, so a config dump never
carries a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_KEYISH = re.compile(r"(api[_-]?key|token|secret|password)=", re.I)


LOCAL_MAX_TOKENS = 256
LOCAL_TIMEOUT_S = 600.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(_Strict):
    """One model of the ensemble.

    name: litellm model name, or ``local`` for the embedded llama.cpp server (whose defaults
        are max_tokens 256 and timeout_s 600: a small CPU model is slow).
    weight: relative probability of drawing this model for a proposal.
    api_base: URL of an OpenAI-compatible server (no credentials in it).
    temperature, max_tokens: sampling parameters sent with every call.
    max_concurrency: calls to this model in flight at once (per process).
    timeout_s: one request's timeout; a call past it is retried like a server error.
    input_cost_per_token, output_cost_per_token: USD prices to use when litellm does not know
        the model (a self-hosted server); left out, litellm's price table is used, and a model it
        does not know costs 0 and is reported as ``cost_known=False``.
    """

    name: str
    weight: float = Field(1.0, ge=0.0)
    api_base: str | None = None
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(4096, ge=1)
    max_concurrency: int = Field(16, ge=1)
    timeout_s: float = Field(120.0, gt=0.0)
    input_cost_per_token: float | None = Field(None, ge=0.0)
    output_cost_per_token: float | None = Field(None, ge=0.0)

    @model_validator(mode="before")
    @classmethod
    def _local_defaults(cls, data: object) -> object:
        # the embedded 270M model is slow and rambles to max_tokens: shorter replies, longer wait
        if isinstance(data, dict) and str(data.get("name", "")).strip() == "local":
            data = {"max_tokens": LOCAL_MAX_TOKENS, "timeout_s": LOCAL_TIMEOUT_S, **data}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("model name is empty; give a litellm name such as "
                             "'openai/gpt-4o-mini' or 'local'")
        return v.strip()

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, v: str | None) -> str | None:
        if v is not None and (_KEYISH.search(v) or "@" in v.split("//", 1)[-1].split("/", 1)[0]):
            raise ValueError("api_base must not carry credentials; put the key in the "
                             "provider's environment variable instead")
        return v


class ReviewConfig(_Strict):
    """LLM-supervised feedback: an optional cascade stage where a model critiques a candidate.

    model: the reviewing model. max_code_chars: the candidate is cut to this many characters.
    criteria: the score names the reviewer must return (0..10 each), written to metrics as
    ``review_<name>``. template_dir: overrides of review_system.txt / review_user.txt.
    """

    model: ModelSpec
    max_code_chars: int = Field(12000, ge=200)
    criteria: tuple[str, ...] = ("correctness", "clarity", "promise")
    template_dir: str | None = None
    max_retries: int = Field(2, ge=0)


class GeneratorSpec(_Strict):
    """One cold-start generator agent.

    model: a model name (its spec is taken from LLMConfig.models when listed there).
    temperature: overrides the model's temperature. strategy: the directive, e.g. "simple
    baseline", "metaheuristic", "exact or mathematical construction". guidance_file: optional
    expert guidance (text) added to the prompt. count: programs this generator writes.
    """

    model: str
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    strategy: str = "simple baseline"
    guidance_file: str | None = None
    count: int = Field(1, ge=1)


class LLMConfig(_Strict):
    """The LLM proposer's whole configuration.

    models: the ensemble (drawn by weight from the proposal's seed).
    max_retries: retries of one request on rate limits (429), server errors (5xx), timeouts and
        connection errors; backoff is exponential from backoff_base_s, capped at backoff_max_s,
        with full jitter, and a server's Retry-After is respected (capped at backoff_max_s).
    edit_mode: ``diff`` (SEARCH/REPLACE blocks), ``full`` (a rewrite in a fenced block) or
        ``auto`` (diffs for mutations, rewrites for cold start and crossover). Both formats are
        accepted in every mode.
    max_prompt_tokens: prompt budget; inspirations are dropped first, then feedback is cut.
    template_dir: a folder whose files override the default templates in agent/prompts/.
    cache_dir, cache_mode: response cache on disk; ``replay`` never calls the network.
    max_cost_usd: stop proposing once the run's metered cost reaches this.
    max_parse_retries: a reply that does not parse or apply is sent back with its reason this
        many times before the proposal fails.
    review: optional LLM review stage of the evaluation cascade.
    generators: cold-start generator agents; a cold-start proposal uses the generator whose
        strategy matches the context's strategy (else one drawn from the seed): its model,
        temperature and guidance file. Empty: cold start uses the ensemble as is.
    offline_weight: weight of the no-LLM OfflineProposer mixed in with the ensemble (whose
        weight is the sum of the model weights); 0 = LLM only.
    """

    models: list[ModelSpec] = Field(min_length=1)
    max_retries: int = Field(4, ge=0)
    backoff_base_s: float = Field(1.0, ge=0.0)
    backoff_max_s: float = Field(60.0, ge=0.0)
    edit_mode: Literal["diff", "full", "auto"] = "auto"
    max_prompt_tokens: int = Field(12000, ge=256)
    template_dir: str | None = None
    cache_dir: str | None = None
    cache_mode: Literal["readwrite", "replay"] = "readwrite"
    max_cost_usd: float | None = Field(None, ge=0.0)
    max_parse_retries: int = Field(2, ge=0)
    review: ReviewConfig | None = None
    generators: list[GeneratorSpec] = Field(default_factory=list)
    offline_weight: float = Field(0.0, ge=0.0)

    @model_validator(mode="after")
    def _weights(self) -> "LLMConfig":
        if sum(m.weight for m in self.models) <= 0:
            raise ValueError("models: at least one model needs a positive weight")
        if self.cache_mode == "replay" and not self.cache_dir:
            raise ValueError("cache_mode 'replay' needs cache_dir (the cache to replay from)")
        for g in self.generators:
            if g.guidance_file and not Path(g.guidance_file).is_file():
                raise ValueError(f"generators: guidance_file {g.guidance_file} does not exist")
        return self

    def model(self, name: str) -> ModelSpec:
        """The ensemble's spec named ``name``; an unknown name gets a default spec."""
        for m in self.models:
            if m.name == name:
                return m
        return ModelSpec(name=name)
