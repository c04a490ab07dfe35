"""Code embeddings for clustering: fast, deterministic, pluggable.

The default hashes code tokens (identifiers, numbers rounded to a few digits, operators) and
token bigrams into a fixed-size vector with scikit-learn's HashingVectorizer, L2-normalised.
No model, no network, the same vector on every machine. Any callable ``str -> np.ndarray`` of a
fixed dimension can replace it (for example a sentence-embedding model).
"""

from __future__ import annotations

import re
from typing import Callable, Protocol

import numpy as np

_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+\.?\d*(?:[eE][-+]?\d+)?|==|!=|<=|>=|\*\*|//|[-+*/%<>=()\[\]{}:,.]")
_NUM = re.compile(r"^\d")


class Embedder(Protocol):
    dim: int

    def __call__(self, code: str) -> np.ndarray: ...


def code_tokens(code: str) -> list[str]:
    """Tokens with comments dropped and numbers coarsened, so tiny numeric tweaks stay close."""
    code = re.sub(r"#[^\n]*|//[^\n]*", "", code)
    out = []
    for t in _TOKEN.findall(code):
        if _NUM.match(t):
            try:
                v = float(t)
                t = f"NUM:{v:.2g}"
            except ValueError:
                pass
        out.append(t)
    return out


class HashingEmbedder:
    """Token unigram+bigram counts hashed into ``dim`` buckets, sublinear tf, L2-normalised."""

    def __init__(self, dim: int = 256) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self._vec = HashingVectorizer(n_features=dim, analyzer=self._analyze, alternate_sign=False,
                                      norm=None)

    @staticmethod
    def _analyze(code: str) -> list[str]:
        toks = code_tokens(code)
        return toks + [a + " " + b for a, b in zip(toks, toks[1:])]

    def __call__(self, code: str) -> np.ndarray:
        v = self._vec.transform([code]).toarray()[0]
        v = np.log1p(v)
        n = np.linalg.norm(v)
        return (v / n if n > 0 else v).astype(np.float32)


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"hashing": HashingEmbedder}


def make_embedder(name: str = "hashing") -> Embedder:
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedding {name!r}; known: {', '.join(EMBEDDERS)}")
    return EMBEDDERS[name]()
