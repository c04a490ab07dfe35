"""Multi-head causal self-attention written with explicit matmuls, mask and softmax."""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, embed_dim, num_heads, max_len):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)
        self.out = nn.Linear(embed_dim, embed_dim)
        mask = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, max_len, max_len))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        d = c // self.heads
        q = q.view(b, t, self.heads, d).transpose(1, 2)
        k = k.view(b, t, self.heads, d).transpose(1, 2)
        v = v.view(b, t, self.heads, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        scores = scores.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
        attn = torch.softmax(scores, dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(b, t, c)
        return self.out(y)


batch = 4
seq_len = 64
embed_dim = 128
num_heads = 4


def get_inputs():
    return [torch.randn(batch, seq_len, embed_dim)]


def get_init_inputs():
    return [embed_dim, num_heads, seq_len]
