"""Stand-in for the parts of OpenEvolve that task folders import (fmagent, not OpenEvolve).

Copied into the sandbox so an unmodified OpenEvolve ``evaluator.py`` can
``from openevolve.evaluation_result import EvaluationResult``.
"""
