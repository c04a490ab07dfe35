"""A small image classifier: two conv/ReLU/max-pool stages and a two-layer head."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, 16, kernel_size=5, padding=2)
        self.c2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.f1 = nn.Linear(32 * 8 * 8, 128)
        self.f2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        return self.f2(F.relu(self.f1(x)))


batch = 8
in_channels = 3
num_classes = 10
image = 32


def get_inputs():
    return [torch.randn(batch, in_channels, image, image)]


def get_init_inputs():
    return [in_channels, num_classes]
