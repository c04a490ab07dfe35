"""A small, faithful fake of the ``mlebench`` package's grading API, for tests only.

Same module names, classes, fields and call signatures as openai/mle-bench (783b15a):
``registry.registry.set_data_dir(p).get_competition(id)``, ``Competition``, ``grade_helpers.Grader``
(callable, ``is_lower_better``, ``rank_score``), ``grade_helpers.CompetitionReport``,
``data.get_leaderboard``, ``grade.grade_csv``. Written independently of benchmarks.mle.
"""
