"""A normalisation-heavy head: RMSNorm, gated projection, LayerNorm, softmax, log-softmax."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, dim, vocab, eps):
        super().__init__()
        self.eps = eps
        self.rms_weight = nn.Parameter(torch.ones(dim))
        self.gate = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, x):
        rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        h = x * rms * self.rms_weight
        h = h * torch.softmax(self.gate(h), dim=-1) * h.shape[-1]
        h = self.norm(h)
        return torch.log_softmax(self.head(h), dim=-1)


batch = 16
tokens = 32
dim = 128
vocab = 512
eps = 1e-6


def get_inputs():
    return [torch.randn(batch, tokens, dim)]


def get_init_inputs():
    return [dim, vocab, eps]
