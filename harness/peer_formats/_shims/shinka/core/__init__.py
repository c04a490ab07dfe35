"""``shinka.core.run_shinka_eval`` for unmodified ShinkaEvolve ``evaluate.py`` files."""

from .wrap_eval import load_program, run_shinka_eval, save_json_results

__all__ = ["load_program", "run_shinka_eval", "save_json_results"]
