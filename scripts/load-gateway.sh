#!/usr/bin/env bash
# Load figures for the example gateway (issue 20, item 5). Not a test: it
# prints numbers. Everything binds 127.0.0.1 only, every run is bounded.
#
#   bash scripts/load-gateway.sh            # 10 s per run, 50 connections
#   SECONDS_PER_RUN=20 CONNECTIONS=50 bash scripts/load-gateway.sh
#
# 1. wrk directly against the mock upstream (the baseline),
# 2. wrk against the gateway in front of the same mock,
# 3. wrk against the gateway while the snapshot is changed and SIGHUP is sent
#    half-way through: the run must have no failed request (non-2xx or socket
#    error) and the gateway must report the new generation.
# Added latency = gateway percentile - mock percentile.
#
# Needs Debian's wrk (`apt-get install wrk`); builds the gateway in release.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${SECONDS_PER_RUN:-10}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${WRK_THREADS:-2}

command -v wrk >/dev/null || { echo "load-gateway: needs wrk (apt-get install wrk)" >&2; exit 1; }

cargo build --release --locked -p gateway --bins
BIN=target/release

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts "$@" with stdout to $1.out, waits (bounded) for its address line
# and sets ADDR to it and PID to its process id.
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 100); do
    if grep -q 'listening on http://' "$WORK/$name.out"; then
      ADDR=$(sed -n 's/.*listening on http:\/\///p' "$WORK/$name.out" | head -1)
      return
    fi
    sleep 0.1
  done
  echo "load-gateway: $name did not start:" >&2; cat "$WORK/$name.err" >&2; exit 1
}

start mock "$BIN/mock-upstream" 127.0.0.1:0
MOCK=$ADDR
cp examples/gateway/demo/registry.json "$WORK/registry.json"
cat >"$WORK/gateway.json" <<EOF
{
  "snapshot": "registry.json",
  "seed": 42,
  "api_keys": { "sk-demo": "my-account" },
  "upstreams": {
    "accounts/my-account/deployments/deployment-a": "http://$MOCK/a",
    "accounts/my-account/deployments/deployment-b": "http://$MOCK/b"
  }
}
EOF
start gateway "$BIN/gateway" "$WORK/gateway.json" 127.0.0.1:0
GATEWAY=$ADDR
GATEWAY_PID=$PID

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"model": "ab-test", "messages": [{"role": "user", "content": "hi"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-demo"
EOF

run() {
  local label=$1 url=$2
  echo "== $label: $url ($CONNECTIONS connections, $THREADS threads, ${DURATION}s)"
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$WORK/post.lua" "$url" | tee "$WORK/$label.txt"
}

# wrk prints e.g. "     50%  412.00us"; prints the value in microseconds.
percentile() {
  awk -v p="$2%" '$1 == p {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 0.001;
    printf "%.0f", v * f }' "$1"
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
failures() {
  awk '/Non-2xx or 3xx responses:/ { n += $NF }
       /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
       END { print n + 0 }' "$1"
}

run mock "http://$MOCK/a/inference/v1/chat/completions"
run gateway "http://$GATEWAY/inference/v1/chat/completions"

# Reload in the middle of a run: deployment-b goes from 2 to 4 replicas.
sed 's/"min_replicas": 2,/"min_replicas": 4,/; s/"max_replicas": 2,/"max_replicas": 4,/; s/"replicas": 2,/"replicas": 4,/' \
  "$WORK/registry.json" >"$WORK/registry.next"
( sleep $((DURATION / 2)); mv "$WORK/registry.next" "$WORK/registry.json"; kill -HUP "$GATEWAY_PID" ) &
PIDS+=($!)
run reload "http://$GATEWAY/inference/v1/chat/completions"
HEALTH=$(curl -s "http://$GATEWAY/healthz" 2>/dev/null || true)
GENERATION=$(printf '%s' "$HEALTH" | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')
grep -h 'reload' "$WORK/gateway.err" || true

echo
echo "== summary ($(nproc) CPUs, $CONNECTIONS connections; wrk, gateway and mock share them; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-10s %12s %10s %10s %9s\n' run requests/s p50_us p99_us failed
for r in mock gateway reload; do
  printf '%-10s %12s %10s %10s %9s\n' "$r" "$(rps "$WORK/$r.txt")" \
    "$(percentile "$WORK/$r.txt" 50)" "$(percentile "$WORK/$r.txt" 99)" "$(failures "$WORK/$r.txt")"
done
echo "added latency (gateway - mock): p50 $(( $(percentile "$WORK/gateway.txt" 50) - $(percentile "$WORK/mock.txt" 50) )) us," \
  "p99 $(( $(percentile "$WORK/gateway.txt" 99) - $(percentile "$WORK/mock.txt" 99) )) us"
echo "after the reload run: generation ${GENERATION:-?} (1 = the first load; the SIGHUP and the file watcher each reload once)"
FAILED=$(failures "$WORK/reload.txt")
if [ "$FAILED" != 0 ] || [ "${GENERATION:-0}" -lt 2 ]; then
  echo "load-gateway: FAILED: $FAILED failed requests across the reload, healthz: $HEALTH" >&2
  exit 1
fi
echo "no request failed across the reload"
