"""herdlab.run and Result: tables, manifest, save, equality with the CLI, bad input."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import herdlab
from conftest import PATHS, SEED


def test_summary_is_tidy_with_intervals_around_the_mean(monoculture: herdlab.Result) -> None:
    s = monoculture.summary
    assert isinstance(s, pd.DataFrame)
    assert list(s.columns) == ["measure", "region", "n", "mean", "se", "lo", "hi", "unit"]
    assert (s["n"] == PATHS).all()
    assert (s["lo"] <= s["mean"]).all() and (s["mean"] <= s["hi"]).all()
    east = s[(s["measure"] == "credit_gap") & (s["region"] == "east")]
    assert len(east) == 1
    whole = s[(s["measure"] == "credit_gap") & s["region"].isna()]
    assert len(whole) == 1


def test_paths_have_one_row_per_path_and_summary_means_match(
    monoculture: herdlab.Result,
) -> None:
    p = monoculture.paths
    assert list(p["path"]) == list(range(PATHS))
    s = monoculture.summary
    gap = s[(s["measure"] == "credit_gap") & s["region"].isna()]["mean"].iloc[0]
    # The summary's mean is the mean of the paths' values: equal up to summation order.
    assert p["credit_gap"].mean() == pytest.approx(gap, rel=1e-12, abs=1e-12)
    se = s[(s["measure"] == "credit_gap") & s["region"].isna()]["se"].iloc[0]
    assert se == pytest.approx(p["credit_gap"].std(ddof=1) / PATHS**0.5, rel=1e-9)


def test_quarters_are_long_and_sum_to_the_paths_regional_gap(
    monoculture: herdlab.Result,
) -> None:
    q = monoculture.quarters
    assert list(q.columns) == ["path", "quarter", "measure", "region", "family", "value", "unit"]
    assert pd.api.types.is_integer_dtype(q["quarter"]) and q["quarter"].min() == 1
    east = q[(q["measure"] == "credit_gap") & (q["region"] == "east")]
    per_path = east.groupby("path")["value"].sum()
    paths = monoculture.paths.set_index("path")["credit_gap[east]"]
    assert per_path.to_numpy() == pytest.approx(paths.to_numpy(), rel=1e-9, abs=1e-9)


def test_banks_are_long_per_path_quarter_and_bank_when_bank_detail_is_on(
    monoculture: herdlab.Result,
) -> None:
    b = monoculture.banks
    assert b is not None
    assert list(b.columns[:4]) == ["path", "quarter", "bank", "equity"]
    n_banks = len(monoculture.scenario["banks"])
    quarters = monoculture.scenario["run"]["quarters"]
    assert len(b) == len(monoculture.paths) * quarters * n_banks
    assert list(b["bank"].iloc[:n_banks]) == [x["id"] for x in monoculture.scenario["banks"]]
    # Lending and decisions per bank: counts are integers, approvals never exceed applications,
    # and every bank's new lending of a quarter sums to the credit the banks granted.
    assert list(b.columns[-4:]) == ["loans", "new_lending", "applications", "approvals"]
    assert pd.api.types.is_integer_dtype(b["applications"])
    assert pd.api.types.is_integer_dtype(b["approvals"])
    assert (b["approvals"] <= b["applications"]).all() and b["applications"].sum() > 0
    assert (b["loans"] >= 0).all() and (b["new_lending"] >= 0).all()
    lent = b.groupby(["path", "quarter"])["new_lending"].sum()
    q = monoculture.quarters
    supply = q[(q["measure"] == "supply") & q["region"].isna()].set_index(["path", "quarter"])
    assert lent.to_numpy() == pytest.approx(
        supply.loc[lent.index, "value"].to_numpy(), rel=1e-9, abs=1e-6
    )
    off = herdlab.scenario("regional-monoculture").set("run.bank_detail", False)
    assert herdlab.run(off, paths=2, seed=1, progress=False).banks is None


def test_manifest_records_scenario_seed_and_paths(monoculture: herdlab.Result) -> None:
    m = monoculture.manifest
    assert m["scenario_name"] == "regional-monoculture"
    assert m["seed"] == SEED and m["paths"] == PATHS
    assert m["version"] == herdlab.__version__
    assert "run.seed = 11" in m["overrides"]


def test_arrow_and_polars_outputs() -> None:
    r = herdlab.run("baseline", paths=5, seed=1, progress=False, output="arrow")
    assert isinstance(r.summary, pa.Table)
    pl = pytest.importorskip("polars")
    r = herdlab.run("baseline", paths=5, seed=1, progress=False, output="polars")
    assert isinstance(r.paths, pl.DataFrame)


def test_results_do_not_depend_on_the_thread_count() -> None:
    a = herdlab.run("regional-monoculture", paths=24, seed=3, threads=1, progress=False)
    b = herdlab.run("regional-monoculture", paths=24, seed=3, threads=2, progress=False)
    pd.testing.assert_frame_equal(a.paths, b.paths, check_exact=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)


def test_save_writes_the_cli_result_folder_and_load_reads_it_back(
    monoculture: herdlab.Result, tmp_path: Path
) -> None:
    folder = monoculture.save(tmp_path / "run")
    for name in ["manifest.json", "summary.json", "paths.csv", "paths.parquet", "quarters.csv"]:
        assert (folder / name).is_file(), name
    with pytest.raises(herdlab.FileError):
        monoculture.save(folder)
    monoculture.save(folder, force=True)
    back = herdlab.load(folder)
    assert isinstance(back, herdlab.Result)
    pd.testing.assert_frame_equal(back.paths, monoculture.paths, check_exact=True)
    pd.testing.assert_frame_equal(back.summary, monoculture.summary, check_exact=True)


def test_parquet_files_carry_integer_counts_units_and_provenance(
    monoculture: herdlab.Result, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    folder = monoculture.save(tmp_path / "run")
    paths = pq.read_table(folder / "paths.parquet")
    meta = {k.decode(): v.decode() for k, v in paths.schema.metadata.items()}
    assert meta["herdlab.scenario"] == monoculture.manifest["scenario_name"]
    assert meta["herdlab.seed"] == str(SEED)
    assert meta["herdlab.paths"] == f"0..{PATHS}"
    assert meta["herdlab.version"] == monoculture.manifest["version"]
    units = json.loads(meta["herdlab.units"])
    currency = monoculture.scenario["currency"]
    assert units["credit_gap"] == currency and units["firm_defaults"] == "firms"
    assert paths.schema.field("credit_gap").metadata[b"unit"] == currency.encode()
    # Counts are integers, shares and money stay doubles.
    for col in ["firm_defaults", "bank_failures", "alarm_quarter", "systemic_event"]:
        assert pd.api.types.is_integer_dtype(monoculture.paths[col]), col
    for col in ["credit_gap", "firm_default_share", "final_effective_families"]:
        assert monoculture.paths[col].dtype == "float64", col
    # The long per-quarter table on disk is the one Result.quarters gives.
    long = pq.read_table(folder / "path_quarters.parquet").to_pandas()
    pd.testing.assert_frame_equal(long, monoculture.quarters, check_exact=True)
    assert set(long.loc[long["measure"] == "credit_gap", "unit"]) == {currency}
    shares = long[long["measure"] == "family_share"]
    assert set(shares["family"]) == {f["name"] for f in monoculture.scenario["models"]["families"]}
    # The family shares of a quarter sum to one while any bank lends (at most one otherwise).
    sums = shares.groupby(["path", "quarter"])["value"].sum()
    assert (sums <= 1 + 1e-9).all() and ((sums - 1).abs() < 1e-9).mean() > 0.9


def test_python_run_equals_the_cli_run_number_for_number(cli: str, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    subprocess.run(
        [cli, "run", "regional-monoculture", "--paths", str(PATHS), "--seed", str(SEED),
         "--threads", "2", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    with open(out / "paths.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    py = herdlab.run("regional-monoculture", paths=PATHS, seed=SEED, threads=1, progress=False)
    p = py.paths
    assert len(rows) == len(p) == PATHS
    assert list(rows[0].keys()) == list(p.columns)
    for row, (_, mine) in zip(rows, p.iterrows()):
        for col, text in row.items():
            assert float(text) == float(mine[col]), (col, text, mine[col])  # bit-identical
    # Result.save writes the CLI's folder: every file byte for byte but the manifest (its
    # command line and times differ).
    saved = py.save(tmp_path / "python")
    for name in ["paths.csv", "paths.jsonl", "paths.parquet", "path_quarters.csv",
                 "path_quarters.parquet", "quarters.csv", "summary.json"]:
        assert (saved / name).read_bytes() == (out / name).read_bytes(), name
    cli_summary = json.loads((out / "summary.json").read_text())
    ours = py.summary
    for m in cli_summary["path_measures"]:
        got = ours[(ours["measure"] == m["name"]) & ours["region"].isna()]
        assert got["mean"].iloc[0] == m["mean"], m["name"]


def test_bad_run_arguments_raise_clear_errors() -> None:
    with pytest.raises(herdlab.UsageError, match="paths=0"):
        herdlab.run("baseline", paths=0)
    with pytest.raises(herdlab.UsageError, match="threads"):
        herdlab.run("baseline", paths=2, threads=0)
    with pytest.raises(herdlab.UsageError, match="seed"):
        herdlab.run("baseline", paths=2, seed=-1)
    with pytest.raises(herdlab.UsageError, match="seed"):
        herdlab.run("baseline", paths=2, seed=2**63)
    with pytest.raises(herdlab.UsageError, match="max-memory"):
        herdlab.run("baseline", paths=2, max_memory="lots")
    with pytest.raises(herdlab.UsageError, match="output"):
        herdlab.run("baseline", paths=2, output="excel")
    with pytest.raises(herdlab.UsageError, match="progress"):
        herdlab.run("baseline", paths=2, progress="yes")  # type: ignore[arg-type]
    bad = herdlab.scenario("baseline").set("models.similarity", 2.0)
    with pytest.raises(herdlab.ScenarioError, match="models.similarity"):
        herdlab.run(bad, paths=2)
    with pytest.raises(herdlab.FileError, match="not a result folder"):
        herdlab.load("/nonexistent/folder")


def test_an_empty_shard_has_no_invented_statistics(cli: str, tmp_path: Path) -> None:
    # Issue 22 item 12 in Python: a shard that holds no path has n = 0 and no mean, se or
    # interval (not 0); one path has a mean but no standard error or interval.
    empty, one = tmp_path / "empty", tmp_path / "one"
    # Shard I/K of N paths holds paths [(I-1)N/K, IN/K): 1/2 of 1 path is empty, 1/2 of 2 is one.
    for out, paths in [(empty, "1"), (one, "2")]:
        subprocess.run(
            [cli, "-q", "run", "baseline", "--paths", paths, "--seed", "3", "--shard", "1/2",
             "--out", str(out)],
            check=True,
            capture_output=True,
        )
    s = herdlab.load(empty).summary
    assert (s["n"] == 0).all()
    assert s[["mean", "se", "lo", "hi"]].isna().all().all()
    s = herdlab.load(one).summary
    assert (s["n"] == 1).all() and s["mean"].notna().all()
    assert s[["se", "lo", "hi"]].isna().all().all()
