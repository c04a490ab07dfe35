"""Baseline for a tabular competition: gradient-boosted trees on the numeric and encoded columns.

Run as `python solution.py INPUT_DIR OUTPUT_DIR`: reads train.csv, test.csv and
sample_submission.csv from INPUT_DIR and writes OUTPUT_DIR/submission.csv with the sample's
columns (the first is the id; every other one is predicted from the training column of that name).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

INPUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("input")
OUTPUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")


# EVOLVE-BLOCK-START
def build_model(classify):
    kw = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
              l2_regularization=0.0, random_state=0)
    return HistGradientBoostingClassifier(**kw) if classify else HistGradientBoostingRegressor(**kw)


MAX_CATEGORIES = 50
# EVOLVE-BLOCK-END


def encode(train, test, features):
    X, Xt = pd.DataFrame(index=train.index), pd.DataFrame(index=test.index)
    for c in features:
        if pd.api.types.is_numeric_dtype(train[c]):
            X[c], Xt[c] = train[c].astype(float), test[c].astype(float)
        elif train[c].nunique() <= MAX_CATEGORIES:
            cats = {v: i for i, v in enumerate(train[c].dropna().unique())}
            X[c] = train[c].map(cats).astype(float)
            Xt[c] = test[c].map(cats).astype(float)
    return X, Xt


def main():
    train = pd.read_csv(INPUT / "train.csv")
    test = pd.read_csv(INPUT / "test.csv")
    sample = pd.read_csv(INPUT / "sample_submission.csv")
    id_col, targets = sample.columns[0], list(sample.columns[1:])
    features = [c for c in test.columns if c != id_col and c in train.columns and c not in targets]
    X, Xt = encode(train, test, features)
    sub = pd.DataFrame({id_col: test[id_col]})
    for t in targets:
        y = train[t]
        numeric = pd.api.types.is_numeric_dtype(y)
        classify = not numeric or y.nunique() <= 20 and np.allclose(y, np.round(y))
        model = build_model(classify).fit(X, y)
        probs = pd.api.types.is_float_dtype(sample[t]) and y.nunique() == 2
        if classify and probs:
            sub[t] = model.predict_proba(Xt)[:, 1]
        else:
            sub[t] = model.predict(Xt)
    sub.to_csv(OUTPUT / "submission.csv", index=False)


if __name__ == "__main__":
    main()
