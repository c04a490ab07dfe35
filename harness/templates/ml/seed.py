"""Seed: nearest class centroid."""
import numpy as np


def load():
    train = np.loadtxt("train.csv", delimiter=",", skiprows=1)
    test = np.loadtxt("test.csv", delimiter=",", skiprows=1)
    return train[:, :-1], train[:, -1].astype(int), test


# EVOLVE-BLOCK-START
def predict(x, y, x_test):
    centroids = np.stack([x[y == c].mean(axis=0) for c in (0, 1)])
    d = ((x_test[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return d.argmin(axis=1)
# EVOLVE-BLOCK-END


def run():
    x, y, x_test = load()
    return [int(v) for v in predict(x, y, x_test)]
