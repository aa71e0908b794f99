#!/usr/bin/env bash
# Runs every test in the repository, installing what it needs on a fresh
# machine (Rust components and targets, the pinned wasm-bindgen CLI, a Python
# venv with maturin/pytest, node packages, Debian's Chromium). Idempotent:
# installs are skipped when already present.
#
#   bash scripts/test-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

section() { printf '\n==== %s ====\n' "$*"; }

section "Rust components and targets"
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
for target in wasm32-unknown-unknown wasm32-wasip1; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done

section "MSRV: cargo +<rust-version> check -p replica-router"
# The core's minimum supported Rust version, read from [workspace.package]
# in Cargo.toml (1.88: let-chains); its toolchain is installed when missing.
msrv="$(awk -F'"' '/^rust-version *=/{print $2; exit}' Cargo.toml)"
rustup toolchain list | grep -q "^$msrv" || rustup toolchain install "$msrv" --profile minimal
cargo "+$msrv" check -p replica-router --locked

section "cargo fmt --check"
cargo fmt --all --check

section "cargo clippy (all targets, warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

section "cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

section "cargo test (core: unit, behaviour, property, statistical and doc tests)"
cargo test -p replica-router --locked

section "gateway example: HTTP round trips against a mock upstream on 127.0.0.1 (examples/gateway)"
cargo test -p gateway --locked

section "wasm32: value-stability and shared-vector tests built for wasm32-wasip1, run under Node"
CARGO_TARGET_WASM32_WASIP1_RUNNER="node $ROOT/tools/wasi-runner.mjs" \
  cargo test -p replica-router --locked --target wasm32-wasip1 --test s1_value_stability --test vectors

section "shared test vectors are up to date (scripts/check-vectors.sh)"
bash scripts/check-vectors.sh

section "fuzzing: every cargo-fuzz target for a bounded time (scripts/fuzz.sh)"
bash scripts/fuzz.sh

for part in scripts/test-python.sh scripts/test-js.sh; do
  if [ -f "$part" ]; then
    section "$part"
    bash "$part"
  fi
done

section "all test suites passed"
