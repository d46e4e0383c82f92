#!/usr/bin/env bash
# Builds and installs everything herdlab offers, in one command:
# - the `herdlab` CLI and the `herdlab-gui` desktop app, into cargo's bin folder (~/.cargo/bin,
#   on the PATH of every rustup install);
# - the Python package `herdlab`, into the active virtualenv, or into ./.venv (made here) when
#   none is active.
# Everything builds in this checkout's target/ folder, so a second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-$PWD/target}"

echo "== the herdlab CLI and the desktop app (cargo install)"
cargo install --locked --force --path reports --bin herdlab --target-dir "$target"
cargo install --locked --force --path gui --target-dir "$target"

echo "== the Python package"
if [ -n "${VIRTUAL_ENV:-}" ]; then
  py="$VIRTUAL_ENV/bin/python"
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  py="$PWD/.venv/bin/python"
fi
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet "maturin>=1.16,<2" pytest
wheels="$target/wheels"
rm -f "$wheels"/herdlab-*.whl
(cd python && CARGO_TARGET_DIR="$target" "$py" -m maturin build --release --locked --out "$wheels")
"$py" -m pip install --quiet --force-reinstall "$wheels"/herdlab-*.whl

bin="${CARGO_HOME:-$HOME/.cargo}/bin"
echo
echo "Installed: $bin/herdlab, $bin/herdlab-gui, and the Python package herdlab in $("$py" -c 'import sys; print(sys.prefix)')."
case ":$PATH:" in *":$bin:"*) ;; *) echo "Add $bin to your PATH to call herdlab and herdlab-gui by name." ;; esac
[ -n "${VIRTUAL_ENV:-}" ] || echo "Activate the Python environment with: . .venv/bin/activate"
