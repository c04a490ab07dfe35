"""Peer task folder formats, detected from a folder's contents and run unmodified.

=============  ==========================================  ===========================
format         seed                                        evaluator
=============  ==========================================  ===========================
openevolve     ``initial_program.*``                       ``evaluator.py``: ``evaluate(path)``
shinka         ``initial.*``                               ``evaluate.py --program_path --results_dir``
fmagent        ``init.*``                                  ``evaluator.py``: ``evaluate(path)``
=============  ==========================================  ===========================

Our own format (``task.yaml``) lives in :mod:`harness.task_folder`.
"""

from __future__ import annotations

from pathlib import Path

from agent.blocks import has_markers


def _pick(folder: Path, stem: str) -> Path | None:
    """The seed file named ``stem.*``: the one with EVOLVE markers, else .py, else the first."""
    cands = sorted(p for p in folder.glob(f"{stem}.*") if p.is_file() and p.suffix not in
                   (".pyc", ".json", ".yaml", ".yml", ".md"))
    if not cands:
        return None
    for p in cands:
        try:
            if has_markers(p.read_text(errors="replace")):
                return p
        except OSError:
            continue
    return next((p for p in cands if p.suffix == ".py"), cands[0])


def detect(folder: Path) -> tuple[str, Path | None]:
    """(format name, seed file) from the folder's contents; ("", None) when none matches."""
    if (folder / "task.yaml").is_file():
        return "fmagent-folder", None
    if (folder / "evaluator.py").is_file():
        seed = _pick(folder, "initial_program")
        if seed:
            return "openevolve", seed
        seed = _pick(folder, "init")
        if seed:
            return "fmagent", seed
    if (folder / "evaluate.py").is_file():
        seed = _pick(folder, "initial")
        if seed:
            return "shinka", seed
    return "", None


NOT_A_FOLDER = ("{path} is not a task folder: it holds none of task.yaml (fmagent), "
                "initial_program.* + evaluator.py (OpenEvolve), initial.* + evaluate.py "
                "(ShinkaEvolve), init.* + evaluator.py (FM Agent examples). "
                "`fmagent init NAME` writes a new one.")
