"""A two-layer GRU sequence encoder; returns the projected final hidden state of each layer."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, out_size):
        super().__init__()
        self.rnn = nn.GRU(input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.proj = nn.Linear(hidden_size, out_size)

    def forward(self, x, h0):
        _, h_n = self.rnn(x, h0)
        return self.proj(h_n)


batch = 4
seq_len = 24
input_size = 32
hidden_size = 64
num_layers = 2
out_size = 16


def get_inputs():
    return [torch.randn(batch, seq_len, input_size), torch.randn(num_layers, batch, hidden_size)]


def get_init_inputs():
    return [input_size, hidden_size, num_layers, out_size]
