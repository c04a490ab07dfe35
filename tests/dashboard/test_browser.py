"""A real headless Chromium (Debian's, driven by Playwright) on the dashboard of a running search.

Checks what a person sees: the charts render, a new program appears without a reload, and an
instruction typed into the page reaches the database and the next ProposalContext. Skips with
the reason when Playwright or /usr/bin/chromium is missing (install lines in the module below).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time

import pytest

from agent.config import load_config
from agent.runstore import RunStore
from agent.search import Search
from tests.core.toytask import toy_task
from tests.dashboard.helpers import TOKEN, LiveServer
from tests.dashboard.recording import RecordingProposer

CHROMIUM = os.environ.get("FMAGENT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip "
                       "install playwright; no `playwright install`: Debian's chromium is used)"),
    pytest.mark.skipif(not (os.path.isfile(CHROMIUM) or shutil.which("chromium")),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"),
]


def _count(run, sql):
    conn = sqlite3.connect(run / "programs.db", timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _wait(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_dashboard_in_a_real_browser(tmp_path):
    run = tmp_path / "run"
    RunStore(run).close()
    (run / "manifest.json").write_text(
        '{"status": "running", "task": {"id": "toy/fit5", "direction": "min"}, "config": '
        '{"population": {"islands": 2}, "pools": {"proposals_in_flight": 2, "evals_in_flight": 1},'
        ' "stop": {"max_evals": 5000}}}')
    cfg = load_config(None, {"stop.max_evals": 5000, "pools.backend": "local",
                             "pools.evals_in_flight": 1, "pools.proposals_in_flight": 2,
                             "population.islands": 2, "cold_start.variants_per_island": 1,
                             "stats_every": 2})
    rec = RecordingProposer()
    search = Search(toy_task(), cfg, run, lambda: rec)
    errors: list[BaseException] = []

    def go():
        try:
            search.run()
        except BaseException as e:  # surfaced in the main thread
            errors.append(e)

    th = threading.Thread(target=go, daemon=True)
    th.start()
    try:
        _wait(lambda: _count(run, "SELECT COUNT(*) FROM island_stats") >= 4, 120,
              "the search to write island statistics")
        with LiveServer(run) as srv, sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                page = ctx.new_page()
                page_errors: list[str] = []
                page.on("pageerror", lambda e: page_errors.append(str(e)))
                page.goto(f"{srv.url}/#token={TOKEN}")
                # charts render: SVG paths for every island in the best and diversity charts
                for chart in ("best", "diversity", "temperature", "throughput", "util"):
                    page.wait_for_selector(f"#chart-{chart} path.series", state="attached",
                                           timeout=30000)
                assert page.locator("#chart-best path.series").count() >= 2
                assert int(page.get_attribute("#chart-best", "data-points")) > 0
                assert page.locator("#programs tbody tr").count() > 0
                # a new program appears without a reload
                page.evaluate("window.__noReload = 42")
                first = int(page.get_attribute("#programs tbody tr >> nth=0", "data-seq"))
                page.wait_for_function(
                    f"() => Number(document.querySelector('#programs tbody tr')"
                    f".getAttribute('data-seq')) > {first}", timeout=60000)
                assert page.evaluate("window.__noReload") == 42
                # program view: code, diff, lineage
                page.click("#programs tbody tr >> nth=0")
                page.wait_for_selector("#program-view:not(.hidden)", timeout=15000)
                assert "def run" in page.text_content("#pv-code")
                assert page.locator("#pv-lineage li").count() >= 1
                # an instruction typed into the page reaches the database and the next context
                text = "browser says: try a smaller fourth number"
                page.fill("#instr-text", text)
                page.click("#instr-submit")
                page.wait_for_function("() => document.querySelector('#instr-status')"
                                       ".textContent.includes('stored as instruction')",
                                       timeout=15000)
                assert _count(run, f"SELECT COUNT(*) FROM instructions WHERE text='{text}' "
                                   "AND source='dashboard'") == 1
                assert _count(run, "SELECT COUNT(*) FROM events WHERE kind='instruction'") == 1
                _wait(lambda: any(text in c.instructions for c in list(rec.contexts)), 60,
                      "the instruction to reach a ProposalContext")
                page.wait_for_selector("#chart-best line.marker", state="attached", timeout=15000)
                assert text in page.text_content("#timeline")
                assert text in page.text_content("#instr-list")
                # a document added through the page is chunked into the knowledge base
                doc = tmp_path / "hints.md"
                doc.write_text("# Hints\n\nThe fourth target is tiny.\n\n## More\nThe last is big.")
                page.set_input_files("#kb-files", str(doc))
                page.click("#kb-form button[type=submit]")
                page.wait_for_function("() => document.querySelector('#kb-status')"
                                       ".textContent.includes('hints.md: 2 chunks')", timeout=15000)
                assert _count(run, "SELECT COUNT(*) FROM kb_chunks") == 2
                # a pasted program is queued for the controller (stop it first: nothing takes it)
                search.request_stop("test over")
                th.join(60)
                page.fill("#inject-code", "def run():\n    return [0.3, -1.2, 2.5, 0.05, 7.0]\n")
                page.select_option("#inject-island", "1")
                page.click("#inject-form button[type=submit]")
                page.wait_for_function("() => document.querySelector('#inject-status')"
                                       ".textContent.includes('queued')", timeout=15000)
                assert _count(run, "SELECT COUNT(*) FROM inbox WHERE island=1 AND taken=0") == 1
                assert not page_errors, page_errors
            finally:
                ctx.close()
    finally:
        search.request_stop("test over")
        th.join(60)
    assert not errors, errors
