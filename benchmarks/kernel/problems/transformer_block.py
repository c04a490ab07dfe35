"""A pre-norm transformer decoder block: causal attention and a GELU feed-forward."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, embed_dim, num_heads, ffn_mult):
        super().__init__()
        self.heads = num_heads
        self.ln1 = nn.LayerNorm(embed_dim)
        self.ln2 = nn.LayerNorm(embed_dim)
        self.wq = nn.Linear(embed_dim, embed_dim)
        self.wk = nn.Linear(embed_dim, embed_dim)
        self.wv = nn.Linear(embed_dim, embed_dim)
        self.wo = nn.Linear(embed_dim, embed_dim)
        self.up = nn.Linear(embed_dim, ffn_mult * embed_dim)
        self.down = nn.Linear(ffn_mult * embed_dim, embed_dim)

    def attention(self, x):
        b, t, c = x.shape
        d = c // self.heads
        q = self.wq(x).view(b, t, self.heads, d).transpose(1, 2)
        k = self.wk(x).view(b, t, self.heads, d).transpose(1, 2)
        v = self.wv(x).view(b, t, self.heads, d).transpose(1, 2)
        s = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(d))
        causal = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        s = s.masked_fill(causal, float("-inf"))
        y = torch.softmax(s, dim=-1) @ v
        return self.wo(y.transpose(1, 2).reshape(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


batch = 2
seq_len = 48
embed_dim = 96
num_heads = 6
ffn_mult = 4


def get_inputs():
    return [torch.randn(batch, seq_len, embed_dim)]


def get_init_inputs():
    return [embed_dim, num_heads, ffn_mult]
