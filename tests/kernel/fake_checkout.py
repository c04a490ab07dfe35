"""A fake KernelBench checkout written by the tests (our own problem files, not copied)."""

from __future__ import annotations

from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"

TINY = '''\
import torch
import torch.nn as nn


class Model(nn.Module):
    """A two-layer perceptron whose output has the input's shape."""

    def __init__(self, dim, hidden):
        super(Model, self).__init__()
        self.inp = nn.Linear(dim, hidden)
        self.outp = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.outp(torch.tanh(self.inp(x)))


batch_size = 8
dim = 32
hidden = 64


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [dim, hidden]
'''

SLOW = '''\
import torch
import torch.nn as nn


class Model(nn.Module):
    """Recomputes the same small result many times: a legitimate 10x+ speedup is easy."""

    def __init__(self, dim, repeats):
        super().__init__()
        self.lin = nn.Linear(dim, dim)
        self.repeats = repeats

    def forward(self, x):
        y = None
        for _ in range(self.repeats):
            y = torch.tanh(self.lin(x))
        return y


batch_size = 4
dim = 64
repeats = 300


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [dim, repeats]
'''


def make_checkout(root: Path) -> Path:
    """root/KernelBench/level3/{1_TinyMLP,2_SlowRepeat}.py and a .git pointing at COMMIT."""
    lvl = root / "KernelBench" / "level3"
    lvl.mkdir(parents=True)
    (lvl / "1_TinyMLP.py").write_text(TINY)
    (lvl / "2_SlowRepeat.py").write_text(SLOW)
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(COMMIT + "\n")
    return root
