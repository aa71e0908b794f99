#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 60 s each; set
# FUZZ_SECONDS for longer runs by hand), after replaying the saved
# regression inputs in fuzz/regressions/<target>/. Installs cargo-fuzz when
# missing. The stable toolchain grants cargo-fuzz its nightly flags through
# RUSTC_BOOTSTRAP=1.
#
#   bash scripts/fuzz.sh                 # every target, 60 s each
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh registry_ops
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(parse_names authorize registry_json registry_ops plan_json json_differential platform_import)
fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
cargo fuzz build -O

for target in "${TARGETS[@]}"; do
  printf '\n---- fuzz %s (%s s) ----\n' "$target" "$SECONDS_EACH"
  if [ -d "regressions/$target" ]; then
    cargo fuzz run -O "$target" "regressions/$target" -- -runs=0
  fi
  mkdir -p "corpus/$target"
  log=$(mktemp)
  if ! cargo fuzz run -O "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target FAILED: the crashing input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
  rm -f "$log"
done
printf '\nfuzz: %s targets ran clean\n' "${#TARGETS[@]}"
