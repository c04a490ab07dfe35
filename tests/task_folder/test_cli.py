"""`init` and `baseline` subcommands (registered by harness/commands/folder.py)."""

from __future__ import annotations

import argparse

import pytest

from harness.cli import UserError
from harness.peer_formats.cli import register
from harness.registry import UnknownTask, load_task


def _parse(argv):
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers(dest="cmd"))
    return ap.parse_args(argv)


def test_init_then_load_through_the_registry(tmp_path, capsys):
    args = _parse(["init", "demo", "--template", "script", "--dest", str(tmp_path)])
    assert args.fn(args) == 0
    assert "fmagent run" in capsys.readouterr().out
    task = load_task(str(tmp_path / "demo"))
    assert task.id == "demo" and task.direction == "min"
    with pytest.raises(UserError, match="already exists"):
        args.fn(args)


def test_folder_errors_are_unknown_task_lines(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(UnknownTask, match="not a task folder"):
        load_task(str(tmp_path / "x"))


def test_baseline_refuses_a_folder_it_cannot_run(tmp_path):
    _parse(["init", "demo", "--dest", str(tmp_path)]).fn(
        _parse(["init", "demo", "--dest", str(tmp_path)]))
    args = _parse(["baseline", "openevolve", str(tmp_path / "demo"), "--max-evals", "3",
                   "--out", str(tmp_path / "run")])
    with pytest.raises(UserError, match="needs an OpenEvolve or FM Agent folder"):
        args.fn(args)
