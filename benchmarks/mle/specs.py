"""The offline mini competitions, declared: cheap to import (no numpy, pandas or sklearn)."""

from __future__ import annotations

from dataclasses import dataclass

LOWER_IS_BETTER = {"accuracy": False, "auc": False, "logloss": True, "rmse": True, "mae": True}


@dataclass(frozen=True)
class MiniSpec:
    id: str
    title: str
    dataset: str
    metric: str
    problem: str  # "classification" or "regression"
    seed: str  # seed script file under seeds/
    about: str
    test_fraction: float = 0.3
    gpus: float = 0.0
    timeout_s: float = 120.0
    memory_mb: int = 3072


MINIS: dict[str, MiniSpec] = {s.id: s for s in [
    MiniSpec("mini-breast-cancer", "Breast cancer diagnosis (binary, ROC AUC)", "breast_cancer",
             "auc", "classification", "classification_proba.py",
             "Predict whether a breast mass is malignant (target 0) or benign (target 1) from 30 "
             "features computed from a digitised image of a fine needle aspirate."),
    MiniSpec("mini-wine", "Wine cultivar (3 classes, multi-class log loss)", "wine", "logloss",
             "classification", "classification_proba.py",
             "Predict which of three cultivars (target 0, 1 or 2) a wine comes from, given 13 "
             "results of a chemical analysis."),
    MiniSpec("mini-digits", "Handwritten digits (10 classes, accuracy)", "digits", "accuracy",
             "classification", "classification_labels.py",
             "Predict the digit (target 0-9) shown in an 8x8 greyscale image, given as 64 pixel "
             "intensities (0-16)."),
    MiniSpec("mini-diabetes", "Diabetes progression (regression, RMSE)", "diabetes", "rmse",
             "regression", "regression.py",
             "Predict a quantitative measure of disease progression one year after baseline from "
             "ten baseline variables (age, sex, BMI, blood pressure, six serum measurements; "
             "already centred and scaled)."),
    MiniSpec("mini-friedman", "Friedman #1 synthetic regression (MAE)", "friedman1", "mae",
             "regression", "regression.py",
             "Predict a noisy non-linear function of ten uniform features (only five of them "
             "matter)."),
]}
