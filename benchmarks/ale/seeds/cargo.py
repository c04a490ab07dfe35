"""Cargo loading seed: greedy by value density, then fill what still fits."""
import sys

# EVOLVE-BLOCK-START
WEIGHT_SHARE = 0.5  # how much the weight counts in an item's size
SIZE_EXPONENT = 1.0  # density = value / size ** SIZE_EXPONENT
# EVOLVE-BLOCK-END


def main():
    data = list(map(int, sys.stdin.read().split()))
    n, cap_w, cap_v = data[:3]
    items = [tuple(data[3 + 3 * i: 6 + 3 * i]) for i in range(n)]

    def key(i):
        w, v, p = items[i]
        size = WEIGHT_SHARE * w / cap_w + (1.0 - WEIGHT_SHARE) * v / cap_v
        return p / max(size, 1e-12) ** SIZE_EXPONENT

    tw = tv = 0
    chosen = []
    for i in sorted(range(n), key=key, reverse=True):
        w, v, _ = items[i]
        if tw + w <= cap_w and tv + v <= cap_v:
            tw, tv = tw + w, tv + v
            chosen.append(i)
    print(len(chosen))
    print(" ".join(map(str, chosen)))


main()
