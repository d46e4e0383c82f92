"""Shared fixtures. The tests import the *installed* herdlab package (see .ci/run), never the
source tree: conftest refuses to run if `herdlab` resolves to python/herdlab/ without its
compiled module."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import herdlab

REPO = Path(__file__).resolve().parents[2]

#: Paths per test run: small, so every test takes well under a second in release mode.
PATHS = 40
SEED = 11


@pytest.fixture(scope="session")
def monoculture() -> herdlab.Result:
    """One small run of the documented case, shared by the read-only tests."""
    return herdlab.run("regional-monoculture", paths=PATHS, seed=SEED, progress=False)


@pytest.fixture(scope="session")
def cli() -> str:
    """The `herdlab` command line: $HERDLAB_CLI, `herdlab` on PATH, or target/release/herdlab."""
    candidates = [
        os.environ.get("HERDLAB_CLI"),
        shutil.which("herdlab"),
        str(Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "herdlab"),
    ]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    pytest.skip("no herdlab CLI binary (set HERDLAB_CLI or build it: cargo build --release)")
