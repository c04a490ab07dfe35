"""PNG figures from run data (matplotlib, Agg backend; imported only when a report is built).

- :func:`run_figure` — one run, four panels: best score against evaluations and against wall
  time (one line per island, plus the whole run), diversity and sampling temperature over
  evaluations (island_stats), throughput and pools in flight over wall time.
- :func:`reference_bars` — one panel per task: seed, our best, and the task's references.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from harness.report.rundata import Run


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _island_label(i: int) -> str:
    return "cold start" if i < 0 else f"island {i}"


def run_figure(run: Run, path: Path) -> Path:
    plt = _plt()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    (a_ev, a_t), (a_div, a_thr) = axes
    progs = run.programs
    t0 = run.t0 or 0.0
    x_evals = np.arange(1, len(progs) + 1)
    times = np.array([(p.evaluated_at or np.nan) - t0 for p in progs], dtype=float)
    whole = run.best_curve()
    direction = run.direction
    if len(whole):
        a_ev.step(x_evals, run.sign * whole, where="post", color="black", lw=2.5, alpha=.6,
                  label="whole run")
        a_t.step(times, run.sign * whole, where="post", color="black", lw=2.5, alpha=.6,
                 label="whole run")
    for isl in run.islands():
        mask = np.array([p.island == isl for p in progs])
        curve = run.best_curve(isl)[mask]
        if not np.isfinite(curve).any():
            continue
        a_ev.step(x_evals[mask], run.sign * curve, where="post", label=_island_label(isl), lw=1)
        a_t.step(times[mask], run.sign * curve, where="post", label=_island_label(isl), lw=1)
    a_ev.set(xlabel="evaluations", ylabel=f"best score ({direction})",
             title="best score vs evaluations")
    a_t.set(xlabel="wall time (s)", ylabel=f"best score ({direction})",
            title="best score vs wall time")
    for a in (a_ev, a_t):
        a.legend(fontsize=7, loc="best")
        a.grid(alpha=.3)
    stats = run.island_stats
    if stats:
        tw = a_div.twinx()
        for isl in sorted({s["island"] for s in stats}):
            rows = [s for s in stats if s["island"] == isl]
            n = [s["n_evals"] for s in rows]
            a_div.plot(n, [s["diversity"] if s["diversity"] is not None else np.nan
                           for s in rows], label=f"diversity, island {isl}")
            tw.plot(n, [s["temperature"] if s["temperature"] is not None else np.nan
                        for s in rows], ls="--", label=f"temperature, island {isl}")
        a_div.set(xlabel="evaluations", ylabel="diversity (solid)",
                  title="diversity and sampling temperature")
        tw.set_ylabel("temperature (dashed)")
        h1, l1 = a_div.get_legend_handles_labels()
        h2, l2 = tw.get_legend_handles_labels()
        a_div.legend(h1 + h2, l1 + l2, fontsize=6, loc="best")
    else:
        a_div.text(0.5, 0.5, "no island statistics recorded\n(run shorter than stats_every?)",
                   ha="center", va="center", transform=a_div.transAxes)
        a_div.set_title("diversity and sampling temperature")
    ok = np.isfinite(times)
    if ok.sum() >= 2:
        span = max(float(np.nanmax(times)), 1e-9)
        bins = np.linspace(0, span, min(30, max(2, int(ok.sum() // 3))) + 1)
        counts, edges = np.histogram(times[ok], bins=bins)
        width = np.diff(edges)
        a_thr.bar(edges[:-1], counts / width * 60.0, width=width, align="edge", alpha=.4,
                  color="tab:blue", label="evaluations / min")
        a_thr.set(xlabel="wall time (s)", ylabel="evaluations / min")
    if stats:
        tw2 = a_thr.twinx()
        first = sorted({(s["n_evals"], s["t"], s["gen_inflight"], s["eval_inflight"])
                        for s in stats})
        ts = [x[1] - t0 for x in first]
        tw2.plot(ts, [x[2] for x in first], color="tab:orange", label="proposals in flight")
        tw2.plot(ts, [x[3] for x in first], color="tab:green", label="evaluations in flight")
        tw2.set_ylabel("in flight")
        tw2.legend(fontsize=7, loc="upper right")
    a_thr.set_title("throughput and pool occupancy")
    a_thr.grid(alpha=.3)
    fig.suptitle(f"{run.task_id}  seed {run.seed}  ({run.n_evals} evaluations)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=70)
    plt.close(fig)
    return path


def reference_bars(items: Sequence[dict[str, Any]], path: Path, title: str) -> Path:
    """``items``: {task, direction, bars: [(label, value)]}; one small panel per task."""
    plt = _plt()
    n = max(1, len(items))
    cols = min(4, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(max(3.4 * cols, 7.0), 2.8 * rows + 0.4),
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, it in zip(axes.flat, items):
        bars = [(lab, v) for lab, v in it["bars"] if v is not None and np.isfinite(v)]
        if not bars:
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        else:
            labels, vals = zip(*bars)
            colors = ["tab:green" if lab.startswith("ours") else
                      "tab:gray" if lab == "seed" else "tab:blue" for lab in labels]
            ax.bar(range(len(vals)), vals, color=colors)
            ax.set_xticks(range(len(vals)))
            ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=6)
            lo, hi = min(vals), max(vals)
            pad = (hi - lo) * 0.15 or abs(hi) * 0.05 or 1.0
            ax.set_ylim(min(lo - pad, 0) if lo >= 0 and lo - pad < 0 else lo - pad, hi + pad)
        ax.set_title(f"{it['task']} ({it['direction']})", fontsize=7)
        ax.tick_params(axis="y", labelsize=6)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=70)
    plt.close(fig)
    return path
