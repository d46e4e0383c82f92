#!/usr/bin/env bash
# Runs every test of herdlab: the Rust workspace in release mode (the engine's statistics need it),
# then the Python package, built as a wheel, installed in a fresh virtualenv and tested there with
# pytest (never the source tree). This is the README's test command; `.ci/run` runs it after
# `cargo fmt --check` and clippy.
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo test --workspace --release --locked"
cargo test --workspace --release --locked

echo "== Python package (python/): build the wheel, install it in a fresh venv, pytest against it"
# Tests import the installed package, never python/herdlab/ itself (pytest runs from /tmp).
# HERDLAB_CLI is the CLI binary, for the test that a Python run equals a CLI run.
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet maturin pytest pandas pyarrow
wheels="$(mktemp -d)"
(cd python && "$venv/bin/maturin" build --release --locked --out "$wheels")
"$venv/bin/pip" install --quiet "$wheels"/herdlab-*.whl
# `cargo test --workspace --release` above built the CLI already; build it only if it is missing
# (with the same workspace-wide feature set, so nothing else is rebuilt).
export HERDLAB_CLI="${CARGO_TARGET_DIR:-$PWD/target}/release/herdlab"
if [ ! -x "$HERDLAB_CLI" ]; then
  cargo build --release --locked --workspace --bin herdlab
fi
root="$PWD"
set +e
(cd "$(mktemp -d)" && "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  --rootdir "$root/python" "$root/python/tests")
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "pytest failed with exit code $status"
  exit "$status"
fi
