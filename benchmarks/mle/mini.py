"""Offline mini competitions, prepared here from data that ships with scikit-learn.

Each is laid out like an MLE-Bench prepared competition::

    <data_dir>/<id>/prepared/public/   description.md, train.csv, test.csv, sample_submission.csv
    <data_dir>/<id>/prepared/private/  test.csv (the answers: id, target)
    <data_dir>/<id>/leaderboard.csv    reference models' test scores, best first
    <data_dir>/<id>/meta.json          how it was made (version, metric, sizes, package versions)

The leaderboard is NOT human teams: it is built here from a fixed set of scikit-learn reference
models (every row has kind ``reference model``), fitted on the public train set and scored on
the private answers with the competition's grader; medal thresholds follow from it by
MLE-Bench's rules (:mod:`benchmarks.mle.medals`). Preparation is deterministic and atomic (built
in a temporary folder, then renamed), so parallel first uses are safe.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from benchmarks.mle.metrics import get_metric, grade, submission_columns
from benchmarks.mle.specs import MINIS, MiniSpec

PREP_VERSION = "1"
SPLIT_SEED = 2026
LEADERBOARD_KIND = "reference model"


def default_data_dir() -> Path:
    env = os.environ.get("FMAGENT_MLE_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "fmagent" / "mle"


def _load(dataset: str) -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn import datasets

    if dataset == "friedman1":
        X, y = datasets.make_friedman1(n_samples=1200, n_features=10, noise=1.0,
                                       random_state=SPLIT_SEED)
        return pd.DataFrame(X, columns=[f"x{i}" for i in range(10)]), y
    loader: Callable[..., Any] = getattr(datasets, f"load_{dataset}")
    X, y = loader(return_X_y=True, as_frame=True)
    X = X.rename(columns=lambda c: str(c).strip().replace(" ", "_"))
    return X.reset_index(drop=True), np.asarray(y)


# ---- reference models (the leaderboard) -------------------------------------------------------

def _reference_models(problem: str) -> list[tuple[str, Any]]:
    from sklearn import dummy, ensemble, linear_model, naive_bayes, neighbors, svm, tree
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def scaled(m: Any) -> Any:
        return make_pipeline(StandardScaler(), m)

    if problem == "classification":
        out: list[tuple[str, Any]] = [
            ("dummy(prior)", dummy.DummyClassifier(strategy="prior")),
            ("dummy(stratified)", dummy.DummyClassifier(strategy="stratified", random_state=0)),
            ("gaussian_nb", naive_bayes.GaussianNB())]
        out += [(f"knn(k={k})", scaled(neighbors.KNeighborsClassifier(k)))
                for k in (1, 3, 5, 9, 15, 25, 50)]
        out += [(f"tree(depth={d})", tree.DecisionTreeClassifier(max_depth=d, random_state=0))
                for d in (1, 2, 3, 5, 8, None)]
        out += [(f"logreg(C={c:g})", scaled(linear_model.LogisticRegression(C=c, max_iter=2000)))
                for c in (0.001, 0.01, 0.1, 1, 10, 100)]
        out += [(f"random_forest(n={n},depth={d})", ensemble.RandomForestClassifier(
            n_estimators=n, max_depth=d, random_state=0, n_jobs=1))
            for n, d in ((10, 3), (50, 6), (200, None))]
        out += [("extra_trees(n=200)", ensemble.ExtraTreesClassifier(200, random_state=0)),
                ("hist_gbm", ensemble.HistGradientBoostingClassifier(random_state=0))]
        out += [(f"svc_rbf(C={c:g},calibrated)",
                 scaled(CalibratedClassifierCV(svm.SVC(C=c), ensemble=False)))
                for c in (0.1, 1, 10)]
        return out
    out = [("dummy(mean)", dummy.DummyRegressor()),
           ("dummy(median)", dummy.DummyRegressor(strategy="median")),
           ("linear_regression", linear_model.LinearRegression())]
    out += [(f"ridge(alpha={a:g})", scaled(linear_model.Ridge(alpha=a)))
            for a in (0.1, 10, 100, 1000)]
    out += [(f"lasso(alpha={a:g})", scaled(linear_model.Lasso(alpha=a, max_iter=5000)))
            for a in (0.1, 1, 10)]
    out += [(f"knn(k={k})", scaled(neighbors.KNeighborsRegressor(k))) for k in (1, 3, 5, 10, 20, 50)]
    out += [(f"tree(depth={d})", tree.DecisionTreeRegressor(max_depth=d, random_state=0))
            for d in (1, 2, 3, 5, 8, None)]
    out += [(f"random_forest(n={n},depth={d})", ensemble.RandomForestRegressor(
        n_estimators=n, max_depth=d, random_state=0, n_jobs=1))
        for n, d in ((10, 3), (50, 6), (200, None))]
    out += [("extra_trees(n=200)", ensemble.ExtraTreesRegressor(200, random_state=0)),
            ("gbm(n=100)", ensemble.GradientBoostingRegressor(random_state=0)),
            ("gbm(n=300,lr=0.05,depth=2)", ensemble.GradientBoostingRegressor(
                n_estimators=300, learning_rate=0.05, max_depth=2, random_state=0)),
            ("hist_gbm", ensemble.HistGradientBoostingRegressor(random_state=0))]
    out += [(f"svr_rbf(C={c:g})", scaled(svm.SVR(C=c))) for c in (1, 10, 100)]
    return out


def _predict_frame(model: Any, X: pd.DataFrame, ids: pd.Series, metric: str,
                   classes: list[int]) -> pd.DataFrame:
    kind = get_metric(metric).kind
    if kind == "proba":
        p = model.predict_proba(X)
        cols = {f"class_{c}": p[:, list(model.classes_).index(c)] for c in classes}
        return pd.DataFrame({"id": ids.to_numpy(), **cols})
    if kind == "score":
        pred = model.predict_proba(X)[:, 1]
    else:
        pred = model.predict(X)
    return pd.DataFrame({"id": ids.to_numpy(), "target": pred})


def build_leaderboard(spec: MiniSpec, train: pd.DataFrame, test: pd.DataFrame,
                      answers: pd.DataFrame, classes: list[int]) -> pd.DataFrame:
    """Fit every reference model on the public train set; score it on the private answers."""
    from threadpoolctl import threadpool_limits

    feats = [c for c in test.columns if c != "id"]
    rows = []
    with threadpool_limits(1):
        for name, model in _reference_models(spec.problem):
            model.fit(train[feats], train["target"])
            sub = _predict_frame(model, test[feats], test["id"], spec.metric, classes)
            rows.append({"teamName": name, "score": grade(spec.metric, sub, answers,
                                                          classes=classes)})
    lb = pd.DataFrame(rows)
    lower = get_metric(spec.metric).lower_is_better
    lb = lb.sort_values(["score", "teamName"], ascending=[lower, True], kind="mergesort")
    lb.insert(0, "rank", range(1, len(lb) + 1))
    lb["kind"] = LEADERBOARD_KIND
    return lb.reset_index(drop=True)


# ---- preparation ------------------------------------------------------------------------------

def _description(spec: MiniSpec, n_train: int, n_test: int, features: list[str],
                 classes: list[int], n_teams: int) -> str:
    m = get_metric(spec.metric)
    cols = submission_columns(spec.metric, "id", classes)
    what = {"label": "the predicted class label (an integer) in `target`",
            "score": "a score for class 1 in `target` (higher = more likely class 1; "
                     "probabilities are fine)",
            "proba": "one probability per class in columns " + ", ".join(f"`{c}`" for c in cols[1:])
                     + " (each row is rescaled to sum to one; clipped at 1e-15)",
            "value": "the predicted value in `target`"}[m.kind]
    return (f"# {spec.title}\n\n{spec.about}\n\n"
            f"This is an offline mini competition of fmagent, prepared from scikit-learn's "
            f"`{spec.dataset}` data in MLE-Bench's layout.\n\n"
            f"## Evaluation\n\nSubmissions are scored with **{spec.metric}** "
            f"({'lower' if m.lower_is_better else 'higher'} is better) on the hidden test "
            f"answers.\n\n## Submission\n\n`submission.csv` with a header and one row per id of "
            f"`test.csv`, columns {', '.join(f'`{c}`' for c in cols)}: {what}. "
            f"`sample_submission.csv` shows the format.\n\n## Files\n\n"
            f"- `train.csv`: {n_train} rows; `id`, {len(features)} features, `target`.\n"
            f"- `test.csv`: {n_test} rows; `id` and the same features, no target.\n"
            f"- `sample_submission.csv`: a valid submission with constant predictions.\n\n"
            f"## Leaderboard\n\nMedals are awarded by MLE-Bench's rules against a leaderboard of "
            f"{n_teams} scikit-learn reference models (not human teams).\n")


def prepare(spec: MiniSpec, dest: Path) -> None:
    """Write the competition into ``dest`` (which must not exist yet)."""
    X, y = _load(spec.dataset)
    n = len(X)
    rng = np.random.RandomState(SPLIT_SEED)
    order = rng.permutation(n)
    ids = pd.Series(rng.permutation(n) + 10_000, name="id")
    n_test = int(round(n * spec.test_fraction))
    test_idx, train_idx = order[:n_test], order[n_test:]
    data = pd.concat([ids, X], axis=1)
    data["target"] = y
    train = data.iloc[train_idx].reset_index(drop=True)
    test_full = data.iloc[test_idx].reset_index(drop=True)
    test = test_full.drop(columns=["target"])
    answers = test_full[["id", "target"]]
    classes = sorted(int(c) for c in np.unique(y)) if spec.problem == "classification" else []
    kind = get_metric(spec.metric).kind
    if kind == "proba":
        sample = pd.DataFrame({"id": test["id"],
                               **{f"class_{c}": 1.0 / len(classes) for c in classes}})
    elif kind == "label":
        sample = pd.DataFrame({"id": test["id"], "target": classes[0]})
    elif kind == "score":
        sample = pd.DataFrame({"id": test["id"], "target": 0.5})
    else:
        sample = pd.DataFrame({"id": test["id"], "target": float(np.mean(train["target"]))})
    lb = build_leaderboard(spec, train, test, answers, classes)
    pub, priv = dest / "prepared" / "public", dest / "prepared" / "private"
    pub.mkdir(parents=True)
    priv.mkdir(parents=True)
    train.to_csv(pub / "train.csv", index=False)
    test.to_csv(pub / "test.csv", index=False)
    sample.to_csv(pub / "sample_submission.csv", index=False)
    feats = [c for c in test.columns if c != "id"]
    (pub / "description.md").write_text(_description(spec, len(train), len(test), feats,
                                                     classes, len(lb)))
    answers.to_csv(priv / "test.csv", index=False)
    lb.to_csv(dest / "leaderboard.csv", index=False)
    import sklearn

    meta = {"prep_version": PREP_VERSION, "id": spec.id, "dataset": spec.dataset,
            "metric": spec.metric, "lower_is_better": get_metric(spec.metric).lower_is_better,
            "problem": spec.problem, "classes": classes, "id_column": "id",
            "n_train": len(train), "n_test": len(test), "n_teams": len(lb),
            "leaderboard_source": f"{len(lb)} scikit-learn reference models (not human teams)",
            "split_seed": SPLIT_SEED, "sklearn": sklearn.__version__,
            "numpy": np.__version__, "pandas": pd.__version__}
    (dest / "meta.json").write_text(json.dumps(meta, indent=2))


def _is_ready(path: Path) -> bool:
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return (meta.get("prep_version") == PREP_VERSION and
            (path / "prepared" / "private" / "test.csv").is_file() and
            (path / "leaderboard.csv").is_file())


def ensure_prepared(competition_id: str, data_dir: str | Path | None = None) -> Path:
    """The competition's folder under ``data_dir``, prepared on first use; returns its path."""
    if competition_id not in MINIS:
        raise ValueError(f"unknown mini competition {competition_id!r}; known: "
                         f"{', '.join(MINIS)}")
    root = Path(data_dir).expanduser() if data_dir else default_data_dir()
    path = root / competition_id
    if _is_ready(path):
        return path
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{competition_id}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        prepare(MINIS[competition_id], tmp)
        if path.exists() and not _is_ready(path):  # stale version or a broken earlier attempt
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.rename(tmp, path)
        except OSError:
            if not _is_ready(path):  # lost a race to a broken folder: report, never guess
                raise RuntimeError(f"could not prepare {path}; remove it and retry") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


@dataclass(frozen=True)
class MiniCompetition:
    """A prepared mini competition: where its files are and how it is graded."""

    id: str
    root: Path
    metric: str
    lower_is_better: bool
    classes: tuple[int, ...]
    id_column: str = "id"

    @property
    def public_dir(self) -> Path:
        return self.root / "prepared" / "public"

    @property
    def answers_path(self) -> Path:
        return self.root / "prepared" / "private" / "test.csv"

    @property
    def leaderboard_path(self) -> Path:
        return self.root / "leaderboard.csv"

    def leaderboard(self) -> pd.DataFrame:
        return pd.read_csv(self.leaderboard_path)

    def grade(self, submission: pd.DataFrame, answers: pd.DataFrame) -> float:
        """Trusted score; raises InvalidSubmission."""
        return grade(self.metric, submission, answers, id_column=self.id_column,
                     classes=list(self.classes))


def load(competition_id: str, data_dir: str | Path | None = None) -> MiniCompetition:
    root = ensure_prepared(competition_id, data_dir)
    meta = json.loads((root / "meta.json").read_text())
    return MiniCompetition(competition_id, root, meta["metric"], bool(meta["lower_is_better"]),
                           tuple(meta["classes"]), meta["id_column"])
