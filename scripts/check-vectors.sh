#!/usr/bin/env bash
# SPEC S1: the shared test vectors (testdata/vectors/*.json) are exactly what
# the generator writes. Regenerates them into a temporary directory with
#
#   cargo run -p replica-router --example gen_vectors -- <dir>
#
# and fails, printing the diff, when they differ from the committed files: a
# change of behaviour must be a reviewed change of the vectors. To accept a
# change, regenerate in place (same command with testdata/vectors), review
# `git diff testdata/vectors`, and commit it with the change.
#
#   bash scripts/check-vectors.sh
#
# Needs only cargo (no network beyond crates.io); idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n==== %s ====\n' "$*"; }

section "vectors: regenerate into a temporary directory"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet --locked -p replica-router --example gen_vectors -- "$tmp"

section "vectors: compare with testdata/vectors"
if diff -ru testdata/vectors "$tmp"; then
  echo "testdata/vectors is up to date ($(ls testdata/vectors | wc -l) files)"
else
  echo
  echo "testdata/vectors differs from what core/examples/gen_vectors/ writes (diff above)." >&2
  echo "If the change is intended: cargo run -p replica-router --example gen_vectors -- testdata/vectors" >&2
  echo "then review and commit the new files." >&2
  exit 1
fi
