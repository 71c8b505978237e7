"""Checks on the labelled data in ../shared/data (skipped, with a reason, without it)."""

from __future__ import annotations

from conftest import shared_data


def test_counter_find_groups_derived_pairs_without_giant_clusters() -> None:
    from benchmarks.counter_find import run

    fig = run(shared_data("counter"))
    share = {k: v["share"] for k, v in fig["pairs_in_shared_cluster"].items()}
    assert share["WD"] >= 0.9  # wholly derived stories must be found
    assert share["WD"] > share["PD"] > share["ND"]
    assert fig["largest_cluster"] <= 30  # 842 documents: no chained giant cluster
