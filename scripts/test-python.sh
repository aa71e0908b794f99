#!/usr/bin/env bash
# Python package tests (bindings-python): builds and installs the package the
# way a user does (`pip install ./bindings-python`, maturin as the build
# backend) into the venv target/venv, then runs pytest (reference facts,
# errors, values, seeded streams vs Rust, hypothesis fuzzing, doc examples)
# and mypy's stubtest against the hand-written stubs.
#
#   bash scripts/test-python.sh
#
# Idempotent and fresh-machine safe: creates the venv and installs maturin,
# pytest, hypothesis, mypy and numpy only when missing. Needs python3 (3.9+)
# and cargo; on Debian without venv support it installs python3-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/target/venv
PY=$VENV/bin/python

section() { printf '\n==== %s ====\n' "$*"; }

section "Python venv ($VENV)"
if [ ! -x "$PY" ] || ! "$PY" -m pip --version >/dev/null 2>&1; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    # Debian ships venv/ensurepip separately.
    rm -rf "$VENV"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq python3-venv
    python3 -m venv "$VENV"
  fi
fi
"$PY" --version

section "Python test tools (installed only when missing)"
missing=()
for spec in "maturin>=1.9.4,<2:maturin" "pytest:pytest" "hypothesis:hypothesis" "mypy:mypy" "numpy:numpy"; do
  module=${spec##*:}
  "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$module') is None)" \
    || missing+=("${spec%:*}")
done
if [ ${#missing[@]} -gt 0 ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
else
  echo "maturin, pytest, hypothesis, mypy and numpy already installed"
fi

section "pip install ./bindings-python (maturin build backend, release profile)"
# --no-build-isolation reuses the venv's maturin instead of downloading it
# into a throwaway environment on every run; the build itself is the one a
# plain `pip install ./bindings-python` does (cargo's incremental target dir
# keeps reruns fast).
# The maturin backend runs the `maturin` binary found on PATH: the venv's.
PATH="$VENV/bin:$PATH" "$PY" -m pip install --quiet --disable-pip-version-check \
  --no-build-isolation --force-reinstall --no-deps ./bindings-python
"$PY" -c "import replica_router as rr; print('installed replica_router', rr.__version__, 'from', rr.__file__)"

section "pytest bindings-python/tests"
# Run from outside the source tree so the installed package is what is tested.
(cd "$ROOT/bindings-python/tests" && "$PY" -m pytest -q -p no:cacheprovider .)

section "mypy.stubtest replica_router._core (hand-written stubs vs the module)"
(cd /tmp && "$PY" -m mypy.stubtest replica_router._core)

section "Python: all passed"
