"""Reports from run directories: Markdown + static HTML per benchmark, PNG plots.

Everything is computed from run directories (manifest.json, programs.db, summary.json,
final.json) and from ``results/paper_reference.yaml``; nothing is typed in.

- :mod:`harness.report.reference` — the paper's numbers (both versions), validated.
- :mod:`harness.report.rundata` — read a run directory (read-only) into curves and figures.
- :mod:`harness.report.tables` — the per-benchmark tables in the paper's shape.
- :mod:`harness.report.plots` — matplotlib figures (Agg backend, PNG).
- :mod:`harness.report.render` — a small document model rendered to Markdown and HTML.
- :mod:`harness.report.build` — ``fmagent report``: ties them together.
"""
