"""The engine's decision log from Python (issues 17 and 20): the CLI's `--decision-log` file
value for value. One path each, so the file runs in a few seconds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
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
