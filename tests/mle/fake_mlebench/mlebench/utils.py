import importlib
from pathlib import Path

import pandas as pd


def import_fn(fn_import_string: str):
    module_name, fn_name = fn_import_string.split(":")
    return getattr(importlib.import_module(module_name), fn_name)


def read_csv(*args, **kwargs) -> pd.DataFrame:
    if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 round-trips by default
        kwargs = {"float_precision": "round_trip", **kwargs}
    try:
        return pd.read_csv(*args, **kwargs)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def load_answers(path: Path):
    if path.suffix == ".csv":
        return read_csv(path)
    raise ValueError(f"Unsupported file format for answers: {path}")


def get_module_dir() -> Path:
    return Path(__file__).parent.resolve()
