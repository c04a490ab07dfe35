"""Baseline: a shallow gradient-boosted tree ensemble for a numeric target.

Run as `python solution.py INPUT_DIR OUTPUT_DIR`: reads train.csv, test.csv and
sample_submission.csv from INPUT_DIR and writes OUTPUT_DIR/submission.csv.
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

INPUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("input")
OUTPUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")


# EVOLVE-BLOCK-START
def build_model():
    return GradientBoostingRegressor(n_estimators=20, learning_rate=0.05, max_depth=2,
                                     subsample=0.8, random_state=0)
# EVOLVE-BLOCK-END


def main():
    train = pd.read_csv(INPUT / "train.csv")
    test = pd.read_csv(INPUT / "test.csv")
    sample = pd.read_csv(INPUT / "sample_submission.csv")
    id_col = sample.columns[0]
    features = [c for c in test.columns if c != id_col]
    model = build_model().fit(train[features], train["target"])
    sub = pd.DataFrame({id_col: test[id_col], "target": model.predict(test[features])})
    sub.to_csv(OUTPUT / "submission.csv", index=False)


if __name__ == "__main__":
    main()
