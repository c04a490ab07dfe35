"""Two MobileNet-style depthwise-separable stages (depthwise 3x3, pointwise 1x1, BN, ReLU6)."""
import torch
import torch.nn as nn


def separable(c_in, c_out, stride):
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, groups=c_in, bias=False),
        nn.BatchNorm2d(c_in),
        nn.ReLU6(),
        nn.Conv2d(c_in, c_out, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU6(),
    )


class Model(nn.Module):
    def __init__(self, c_in, c_mid, c_out):
        super().__init__()
        self.stage1 = separable(c_in, c_mid, 1)
        self.stage2 = separable(c_mid, c_out, 2)

    def forward(self, x):
        return self.stage2(self.stage1(x))


batch = 4
c_in = 24
c_mid = 48
c_out = 64
size = 28


def get_inputs():
    return [torch.randn(batch, c_in, size, size)]


def get_init_inputs():
    return [c_in, c_mid, c_out]
