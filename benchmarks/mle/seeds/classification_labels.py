"""Baseline: a small random forest predicting class labels.

Run as `python solution.py INPUT_DIR OUTPUT_DIR`: reads train.csv, test.csv and
sample_submission.csv from INPUT_DIR and writes OUTPUT_DIR/submission.csv.
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

INPUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("input")
OUTPUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")


# EVOLVE-BLOCK-START
def build_model():
    return RandomForestClassifier(n_estimators=5, max_depth=3, min_samples_leaf=20,
                                  max_features=0.2, random_state=0)
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
