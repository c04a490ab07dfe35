"""Seed: 10 points on a 4 x 3 grid with two corners left out."""

# EVOLVE-BLOCK-START
def points():
    pts = [(i / 3, j / 2) for i in range(4) for j in range(3)]
    return pts[1:-1]  # drop two corners: 10 points
# EVOLVE-BLOCK-END


def run():
    return [[float(x), float(y)] for x, y in points()]
