"""A ResNet basic block: two 3x3 convolutions with batch norm and an identity shortcut."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv_a = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm_a = nn.BatchNorm2d(channels)
        self.conv_b = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm_b = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = torch.relu(self.norm_a(self.conv_a(x)))
        y = self.norm_b(self.conv_b(y))
        return torch.relu(y + x)


batch = 4
channels = 16
height = 24
width = 24


def get_inputs():
    return [torch.randn(batch, channels, height, width)]


def get_init_inputs():
    return [channels]
