"""The engine's decision log and the herding monitor from Python (issues 17 and 20): the log is
the CLI's `--decision-log` file value for value, and the monitor's rule tells the documented
twins apart (docs/monitor.md: shared-model excess above 0.06 for 2 quarters fires in the east of
regional-monoculture and nowhere in regional-monoculture-diverse). One path each, no bootstrap
(`resamples=0`) where no interval is needed, so the file runs in a few seconds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import herdlab

MONO = "regional-monoculture"
DIVERSE = "regional-monoculture-diverse"

COLUMNS = [
    "path", "quarter", "bank", "applicant", "approved", "region", "family", "amount",
    "creditworthy", "position", "funded",
]


@pytest.fixture(scope="session")
def mono_log() -> pd.DataFrame:
    return herdlab.decision_log(MONO, 0)


@pytest.fixture(scope="session")
def log_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Path 0's decision log of each twin, as CSV and Parquet."""
    root = tmp_path_factory.mktemp("logs")
    return {name: herdlab.write_decision_log(name, 0, root / name) for name in (MONO, DIVERSE)}


@pytest.fixture(scope="session")
def mono_monitor(log_files: dict[str, list[Path]]) -> herdlab.MonitorResult:
    return herdlab.monitor(log_files[MONO][1], resamples=0)


def test_decision_log_has_the_cli_columns_and_dtypes(mono_log: pd.DataFrame) -> None:
    d = mono_log
    assert list(d.columns) == COLUMNS
    assert len(d) > 10_000
    for c in ("approved", "creditworthy", "funded"):
        assert d[c].dtype == bool, c
    for c in ("path", "quarter", "position"):
        assert pd.api.types.is_integer_dtype(d[c]), c
    assert d["amount"].dtype == "float64"
    for c in ("bank", "applicant", "region", "family"):
        assert pd.api.types.is_string_dtype(d[c]), c
    assert (d["path"] == 0).all()
    assert d["quarter"].min() == 1 and d["quarter"].is_monotonic_increasing
    assert set(d["region"]) == {"east", "west", "north"}
    assert d["applicant"].str.match(r"^f\d+$").all()
    # A parallel-application log: at most one funding decision per firm and quarter, and it is
    # an approval.
    funded = d[d["funded"]]
    assert funded["approved"].all()
    assert not funded.duplicated(["quarter", "applicant"]).any()


def test_decision_log_is_the_cli_decision_log_bit_for_bit(
    mono_log: pd.DataFrame, log_files: dict[str, list[Path]], cli: str, tmp_path: Path
) -> None:
    out = tmp_path / "cli"
    subprocess.run(
        [cli, "run", MONO, "--paths", "1", "--out", str(out), "--decision-log", "0"],
        check=True,
        capture_output=True,
    )
    cli_csv = out / "decision-log" / "path-0.csv"
    cli_parquet = out / "decision-log" / "path-0.parquet"
    csv, parquet = log_files[MONO]
    assert (csv.name, parquet.name) == ("path-0.csv", "path-0.parquet")
    # write_decision_log goes through the same service call: the same bytes.
    assert csv.read_bytes() == cli_csv.read_bytes()
    # decision_log's table is the CLI's Parquet file, schema and values.
    ours = herdlab.decision_log(MONO, 0, output="arrow")
    assert ours.equals(pq.read_table(cli_parquet))
    # ... and the CLI's CSV read back exactly (Rust writes floats in shortest round-trip form;
    # Python's float() reads them back correctly rounded).
    expected = pd.read_csv(cli_csv, dtype={"amount": str})
    expected["amount"] = expected["amount"].map(float)
    assert list(expected.columns) == COLUMNS
    for c in ("approved", "creditworthy", "funded"):
        expected[c] = expected[c].astype(bool)
    for c in COLUMNS:
        assert (mono_log[c].to_numpy() == expected[c].to_numpy()).all(), c


def test_decision_log_seed_overrides_the_scenario_and_path_must_be_in_the_run() -> None:
    s = herdlab.scenario(MONO).set("run.paths", 1).set("firms.count", 500)
    s.set("run.quarters", 4)
    a = herdlab.decision_log(s, 0)
    assert a.equals(herdlab.decision_log(s, 0, seed=s["run.seed"]))
    assert not a.equals(herdlab.decision_log(s, 0, seed=s["run.seed"] + 1))
    with pytest.raises(herdlab.UsageError, match=r"path=1: .*allowed: 0 to 0"):
        herdlab.decision_log(s, 1)
    with pytest.raises(herdlab.UsageError, match="path=-1"):
        herdlab.decision_log(s, -1)


def test_the_monoculture_raises_an_alarm_in_the_east(mono_monitor: herdlab.MonitorResult) -> None:
    m = mono_monitor
    assert m.alarm_raised
    a = m.alarms
    assert list(a.columns) == [
        "region", "measure", "first_quarter_over", "raised_quarter", "response_quarter", "value",
    ]
    assert "east" in set(a["region"])
    assert (a["measure"] == "shared-model-excess").all()
    assert (a["value"] > 0.06).all()
    assert (a["raised_quarter"] - a["first_quarter_over"] == 1).all()  # persistence 2
    assert (a["response_quarter"] - a["raised_quarter"] == 1).all()  # lag 1


def test_the_diverse_twin_raises_none(log_files: dict[str, list[Path]]) -> None:
    m = herdlab.monitor(log_files[DIVERSE][0], resamples=0)  # the CSV copy
    assert not m.alarm_raised
    assert len(m.alarms) == 0
    assert not m.quarters["alarm"].any() and not m.regions["alarm"].any()


def test_quarters_hold_every_measure_with_their_dtypes(
    mono_monitor: herdlab.MonitorResult, mono_log: pd.DataFrame
) -> None:
    m = mono_monitor
    q, r = m.quarters, m.regions
    summary = m.summary
    assert list(q.columns) == list(summary["quarters"][0].keys())
    assert list(r.columns) == list(q.columns)
    assert m.rows == summary["rows"] == len(mono_log)
    assert list(q["quarter"]) == sorted(set(mono_log["quarter"]))
    assert q["region"].isna().all()
    assert set(r["region"]) == {"east", "west", "north"}
    assert pd.api.types.is_integer_dtype(q["quarter"]) and pd.api.types.is_integer_dtype(q["rows"])
    assert q["alarm"].dtype == bool
    assert q["over_threshold"].dtype == "boolean"
    # Undefined measures are NaN: LSV in the first quarter, intervals without a bootstrap.
    assert q["lsv"].dtype == "float64" and pd.isna(q["lsv"].iloc[0])
    assert q["ratio_ci_low"].isna().all()
    assert q["shared_model_excess"].notna().all()
    assert q["rows"].sum() == m.rows
    for got, want in zip(q.to_dict("records"), summary["quarters"]):
        for k, v in want.items():
            if v is None:
                assert pd.isna(got[k]), k
            else:
                assert got[k] == v, k


def test_csv_and_parquet_logs_and_output_kinds_agree(
    mono_monitor: herdlab.MonitorResult, log_files: dict[str, list[Path]]
) -> None:
    from_csv = herdlab.monitor(log_files[MONO][0], resamples=0, output="arrow")
    assert isinstance(from_csv.quarters, pa.Table)
    assert from_csv.quarters.to_pandas()["shared_model_excess"].equals(
        mono_monitor.quarters["shared_model_excess"]
    )
    assert from_csv.alarms.to_pandas().equals(mono_monitor.alarms)


def test_a_dataframe_log_is_monitored_as_its_file_is(
    mono_monitor: herdlab.MonitorResult, mono_log: pd.DataFrame
) -> None:
    m = herdlab.monitor(mono_log, resamples=0)
    pd.testing.assert_frame_equal(m.quarters, mono_monitor.quarters, check_exact=True)
    pd.testing.assert_frame_equal(m.alarms, mono_monitor.alarms, check_exact=True)
    t = herdlab.monitor(pa.Table.from_pandas(mono_log, preserve_index=False), resamples=0)
    pd.testing.assert_frame_equal(t.regions, mono_monitor.regions, check_exact=True)
    # A bad table is refused like a bad file, naming the table's row and column.
    bad = pd.DataFrame(
        {"quarter": [1, 1, 1], "bank": ["A", "B", "B"], "applicant": ["f1", "f1", "f1"],
         "approved": [True, False, True]}
    )
    with pytest.raises(herdlab.MonitorError, match="<DataFrame>") as e:
        herdlab.monitor(bad)
    assert e.value.file is None and "herdlab-log-" not in str(e.value)
    assert e.value.row == 3, str(e.value)


def test_no_alarm_and_other_rules(log_files: dict[str, list[Path]]) -> None:
    log = log_files[MONO][1]
    off = herdlab.monitor(log, alarm=False, resamples=0)
    assert not off.alarm_raised and off.quarters["over_threshold"].isna().all()
    assert off.summary["settings"]["alarm"] is None
    never = herdlab.monitor(log, threshold=10.0, resamples=0)
    assert not never.alarm_raised
    assert never.summary["settings"]["alarm"]["threshold"] == 10.0


def test_save_writes_the_cli_monitor_folder(
    mono_monitor: herdlab.MonitorResult, tmp_path: Path
) -> None:
    folder = mono_monitor.save(tmp_path / "m")
    assert folder == tmp_path / "m"
    for f in ("summary.json", "quarters.csv", "quarters.parquet", "report.html", "manifest.json"):
        assert (folder / f).is_file(), f
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["alarms"] == mono_monitor.summary["alarms"]
    assert "east" in (folder / "report.html").read_text()
    assert json.loads((folder / "manifest.json").read_text())["alarm_raised"] is True
    with pytest.raises(herdlab.FileError):
        mono_monitor.save(folder)
    assert mono_monitor.save(folder, force=True) == folder


def test_a_log_without_a_column_raises_monitor_error_naming_it(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("quarter,bank,applicant\n1,A,f1\n1,B,f1\n")
    with pytest.raises(herdlab.MonitorError, match="no column `approved`") as e:
        herdlab.monitor(log)
    err = e.value
    assert isinstance(err, herdlab.FileError) and isinstance(err, herdlab.HerdlabError)
    assert str(log) in str(err) and "found: quarter, bank, applicant" in str(err)
    assert (err.file, err.column, err.row, err.value) == (str(log), "approved", None, None)


def test_a_bad_value_names_file_row_line_column_and_value(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("quarter,bank,applicant,approved\n1,A,f1,1\n1,B,f1,maybe\n")
    with pytest.raises(herdlab.MonitorError, match=r"row 2 \(line 3\), column `approved`") as e:
        herdlab.monitor(log)
    err = e.value
    assert (err.row, err.line, err.column, err.value) == (2, 3, "approved", "maybe")


def test_a_missing_log_and_bad_settings_raise_clearly(
    tmp_path: Path, log_files: dict[str, list[Path]]
) -> None:
    with pytest.raises(herdlab.FileError, match="nope.csv"):
        herdlab.monitor(tmp_path / "nope.csv")
    log = log_files[DIVERSE][1]
    with pytest.raises(herdlab.UsageError, match="alarm.measure"):
        herdlab.monitor(log, measure="herding")
    with pytest.raises(herdlab.UsageError, match="alarm.threshold"):
        herdlab.monitor(log, threshold=float("nan"))
    with pytest.raises(herdlab.UsageError, match="persistence=0"):
        herdlab.monitor(log, persistence=0)
    with pytest.raises(herdlab.UsageError, match="min_shared=1"):
        herdlab.monitor(log, min_shared=1)
    with pytest.raises(herdlab.UsageError, match="log="):
        herdlab.monitor(42)  # type: ignore[arg-type]
