"""herdlab.compare, herdlab.sweep and herdlab.load on comparison and sweep folders."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import herdlab


def test_compare_gives_paired_differences_and_load_reads_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    d = herdlab.compare(
        "regional-monoculture-diverse", "regional-monoculture",
        paths=20, seed=5, out=out, progress=False,
    )
    assert isinstance(d, pd.DataFrame)
    for col in ["scenario", "reference", "measure", "difference", "std_error", "low", "high"]:
        assert col in d.columns
    east = d[d["measure"] == "credit_gap[east]"]
    assert len(east) == 1
    row = east.iloc[0]
    assert row["difference"] == pytest.approx(row["mean_scenario"] - row["mean_reference"])
    assert row["low"] <= row["difference"] <= row["high"]
    back = herdlab.load(out)
    assert isinstance(back, herdlab.Comparison)
    pd.testing.assert_frame_equal(back.differences, d)
    runs = back.results
    assert len(runs) == 2
    # Common random numbers: both scenarios ran the same paths with the same seed.
    seeds = {r.manifest["seed"] for r in runs.values()}
    assert seeds == {5}


def test_compare_of_an_edited_scenario_runs_the_edit(tmp_path: Path) -> None:
    a = herdlab.scenario("regional-monoculture")
    b = a.copy().set("models.similarity", 0.0)
    d = herdlab.compare(a, b, paths=10, seed=2, out=tmp_path / "c", progress=False)
    assert (d["scenario"] != d["reference"]).all()


def test_sweep_is_tidy_with_a_column_per_parameter(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    g = herdlab.sweep(
        "regional-monoculture", {"models.similarity": [0, 0.5, 1]},
        paths=8, seed=4, out=out, progress=False,
    )
    assert "models.similarity" in g.columns
    assert sorted(set(g["models.similarity"])) == [0.0, 0.5, 1.0]
    assert {"measure", "mean", "se", "lo", "hi"} <= set(g.columns)
    assert "credit_gap" in set(g["measure"])
    cells = g.groupby("cell").size()
    assert len(cells) == 3 and cells.nunique() == 1
    back = herdlab.load(out)
    assert isinstance(back, herdlab.Sweep)
    pd.testing.assert_frame_equal(back.grid, g)
    one = back.result(3)
    assert one.scenario["models"]["similarity"] == pytest.approx(1.0)
    with pytest.raises(herdlab.UsageError, match="cell"):
        back.result(99)


def test_sweep_and_compare_refuse_bad_input(tmp_path: Path) -> None:
    with pytest.raises(herdlab.UsageError):
        herdlab.sweep("baseline", {}, paths=2, out=tmp_path / "a", progress=False)
    with pytest.raises(herdlab.UsageError, match="numbers"):
        herdlab.sweep("baseline", {"models.similarity": ["high"]}, paths=2, progress=False)
    with pytest.raises(herdlab.HerdlabError, match="models.nothing"):
        herdlab.sweep("baseline", {"models.nothing": [1, 2]}, paths=2,
                      out=tmp_path / "b", progress=False)
    with pytest.raises(herdlab.ScenarioError, match="nope"):
        herdlab.compare("baseline", "nope", paths=2, out=tmp_path / "c", progress=False)
