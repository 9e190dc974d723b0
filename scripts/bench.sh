#!/usr/bin/env bash
# `make bench`: KVortex (release, one node in memory, pinned to core 0) against the nginx and
# Hummingbird anchors in the same invocation (../shared/BENCH.md). Prints the raw ANCHOR lines and
# a table of ratios. Knobs: SHARED (default ../shared), PORT, RUNS, DURATION, CONNS, PIN,
# ANCHORS (default "nginx hummingbird", plus etcd with the durable engines; "" skips them), LOOPS (event
# loops, default 1 pinned), DURABLE (default 1: also the log and sqlite engines, with and without a read
# cache), LOG_FIGURES (1: also scripts/log-figures.sh, compaction and restart with 1 M keys), CLUSTER (default
# 1: also scripts/cluster-bench.sh, three nodes against one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-lib.sh
SHARED=$(cd "${SHARED:-../shared}" && pwd)
BIN=$PWD/.build/release/kvortex
PORT=${PORT:-8095}
PIN=${PIN:-1}
ANCHORS=${ANCHORS-"nginx hummingbird"}
OUT=${OUT:-/tmp/kvortex-bench}
mkdir -p "$OUT"
export PIN RUNS="${RUNS:-3}" DURATION="${DURATION:-10}" CONNS="${CONNS:-64}"

[[ -x "$BIN" ]] || { echo "build first: swift build -c release" >&2; exit 2; }
results="$OUT/anchors.txt"
: >"$results"

pin=()
[[ "$PIN" == 1 ]] && pin=(taskset -c 0)
loops=${LOOPS:-$([[ "$PIN" == 1 ]] && echo 1 || echo 0)}
node_pid=""
trap '[[ -n "$node_pid" ]] && kill -TERM $node_pid 2>/dev/null; wait 2>/dev/null || true' EXIT

# measure NAME [serve flags...]: starts a node, preloads 10 000 keys, runs the harness (GET then SET),
# reports RSS, stops the node by PID.
measure() {
  local name=$1; shift
  local log="$OUT/$name-node.log"
  : >"$log"  # truncated here, not by the background redirection: wait_ready must not read the last run's ready line
  "${pin[@]}" "$BIN" serve --http "127.0.0.1:$PORT" --loops "$loops" "$@" >"$log" 2>&1 &
  node_pid=$!
  wait_ready "$log" "$node_pid"
  echo "node $name: $(grep '^kvortex ready' "$log") pid=$node_pid loops=$loops $*"
  "$BIN" bench --node "127.0.0.1:$PORT" --preload --keys 10000 --value-size 100 --connections 8
  SERVER_PID=$node_pid "$SHARED/bench/target.sh" "$name" "http://127.0.0.1:$PORT" | tee -a "$results"
  rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$node_pid/status")
  echo "$name RSS after the run: $((rss_kb / 1024)) MiB"
  kill -TERM "$node_pid"; wait "$node_pid" 2>/dev/null || true
  node_pid=""
}

measure kvortex
# Durable engines (issue 5): SET is acknowledged after fsync (group commit); GET with a warm cache.
if [[ "${DURABLE:-1}" == 1 ]]; then
  for engine in log sqlite; do
    dir=$(mktemp -d /tmp/kvortex-bench-$engine.XXXXXX)
    measure "kvortex-$engine" --storage "$engine" --data-dir "$dir" --fsync batch
    rm -rf "$dir"; dir=$(mktemp -d /tmp/kvortex-bench-$engine.XXXXXX)
    measure "kvortex-$engine-cache" --storage "$engine" --data-dir "$dir" --fsync batch --cache-bytes 64M
    rm -rf "$dir"
  done
  [[ " $ANCHORS " == *" etcd "* ]] || ANCHORS="$ANCHORS etcd"
fi

for anchor in $ANCHORS; do
  "$SHARED/bench/anchor-$anchor.sh" | tee -a "$results"
done

echo
echo "== ratios (same run) =="
awk '
  /^ANCHOR/ {
    name = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); f[name, kv[1]] = kv[2] }
    names[name] = 1
  }
  function rps(n) { return f[n, "rps"] + 0 }
  END {
    printf "%-16s %10s %8s %8s\n", "workload", "req/s", "p50", "p99"
    for (n in names) printf "%-16s %10s %8s %8s\n", n, f[n, "rps"], f[n, "p50"], f[n, "p99"]
    ng = ""; hb = ""; hbset = ""
    for (n in names) { if (n ~ /^nginx/) ng = n; if (n ~ /^hummingbird.*get/) hb = n; if (n ~ /^hummingbird.*(set|post)/) hbset = n }
    print ""
    if (ng != "") {
      printf "GET / nginx static      = %.2f  (target >= 0.85)\n", rps("kvortex-get") / rps(ng)
      printf "SET / nginx static      = %.2f  (target >= 0.80)\n", rps("kvortex-set") / rps(ng)
    }
    if (hb != "") printf "GET / Hummingbird GET   = %.2f  (target >= 2.2)\n", rps("kvortex-get") / rps(hb)
    if (hbset != "") printf "SET / Hummingbird POST  = %.2f\n", rps("kvortex-set") / rps(hbset)
    printf "p99 GET %s, SET %s (target <= 2 ms)\n", f["kvortex-get", "p99"], f["kvortex-set", "p99"]
    et = ""
    for (n in names) if (n ~ /^etcd.*put/) et = n
    if (et != "" && rps("kvortex-log-set") > 0) {
      printf "durable SET log / etcd put    = %.2f  (target >= 4), p99 %s\n", rps("kvortex-log-set") / rps(et), f["kvortex-log-set", "p99"]
      printf "durable SET sqlite / etcd put = %.2f, p99 %s\n", rps("kvortex-sqlite-set") / rps(et), f["kvortex-sqlite-set", "p99"]
    }
    if (rps("kvortex-log-cache-get") > 0) {
      printf "GET log+cache / memory        = %.2f  (target >= 0.90)\n", rps("kvortex-log-cache-get") / rps("kvortex-get")
      printf "GET sqlite+cache / memory     = %.2f  (target >= 0.90)\n", rps("kvortex-sqlite-cache-get") / rps("kvortex-get")
    }
  }' "$results"

if [[ "${LOG_FIGURES:-0}" == 1 ]]; then
  echo
  echo "== log engine: write amplification and restart with 1 M keys =="
  scripts/log-figures.sh
fi

# The cluster (issue 6): three nodes on the same core against one node, failure detection, handoff.
if [[ "${CLUSTER:-1}" == 1 ]]; then
  echo
  SHARED="$SHARED" DURATION="$DURATION" scripts/cluster-bench.sh
fi
