"""results/paper_reference.yaml: both versions, every table sourced, validated on load."""

import pytest

from harness.report.reference import DEFAULT_PATH, ReferenceError, load_reference


def test_both_versions_and_headline_numbers():
    ref = load_reference(DEFAULT_PATH)
    assert set(ref.versions) == {"v1", "tr"}
    mle_tr = ref.benchmarks["mle"].table("main", "tr").row("FM Agent")
    assert mle_tr.values["any_medal"] == 43.56 and mle_tr.sem["any_medal"] == 1.78
    mle_v1 = ref.benchmarks["mle"].table("main", "v1").row("FM Agent")
    assert (mle_v1.values["valid"], mle_v1.values["above_median"], mle_v1.values["any_medal"],
            mle_v1.values["gold"]) == (98.67, 65.33, 29.33, 8.00)
    assert ref.benchmarks["ale"].table("main", "tr").row("FM Agent").values["overall"] == 1976.3
    assert ref.benchmarks["ale"].table("main", "v1").row("FM Agent").values["overall"] == 1976.8
    assert ref.benchmarks["ale"].table("main", "tr").row("ALE-Agent").values["overall"] == 1879.3
    k = ref.benchmarks["kernel"].table("range", "tr").row("FM Agent").values
    assert (k["speedup_min"], k["speedup_max"]) == (2.08, 20.77)
    for bench in ref.benchmarks.values():
        for t in bench.tables:
            assert t.source and ref.source_of(t).startswith(ref.versions[t.version].title)


def test_unknown_column_and_missing_version_are_named(tmp_path):
    bad = tmp_path / "ref.yaml"
    bad.write_text(DEFAULT_PATH.read_text().replace("any_medal: 43.56}", "any_medals: 43.56}"))
    with pytest.raises(ReferenceError, match="any_medals"):
        load_reference(bad)
    text = DEFAULT_PATH.read_text()
    bad.write_text(text.replace("  v1: {title", "  v2: {title"))
    with pytest.raises(ReferenceError, match="versions"):
        load_reference(bad)
    with pytest.raises(ReferenceError, match="not found"):
        load_reference(tmp_path / "nope.yaml")
