#!/usr/bin/env bash
# Instructions per client request of a 3-node cluster (N=3 R=2 W=2), every node under callgrind:
# repeatable on a loaded machine, unlike requests per second. Load goes through n1 only, so n1
# coordinates and n2, n3 are replicas; prints instructions per request for each node and in all.
#   scripts/cluster-profile.sh get|set [KEYS] [WRITES_PER_KEY]
# KEYS (default 200) are written WRITES_PER_KEY times first (default 20 for set: blind writes, so each
# object reaches the 16-sibling cap as in `make bench`; 1 for get), then wrk runs 10 s (8 connections).
# The callgrind files stay in OUT (default /tmp/kvortex-cluster-profile) for callgrind_annotate.
# Nodes listen on 127.0.0.1:8750-8753 / 9750-9753 and are stopped by PID, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKLOAD=${1:-set}
KEYS=${2:-200}
WRITES=${3:-$([[ $WORKLOAD == set ]] && echo 20 || echo 1)}
SHARED=$(cd "${SHARED:-../shared}" && pwd)
OUT=${OUT:-/tmp/kvortex-cluster-profile}
mkdir -p "$OUT"; rm -f "$OUT"/callgrind.*
[[ -x .build/release/kvortex ]] || { echo "build first: swift build -c release" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 2; }
# valgrind 3.19 cannot read the DWARF of the C shims: profile a copy without debug info (symbols stay).
BIN=$OUT/kvortex
objcopy --strip-debug .build/release/kvortex "$BIN"

pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill -KILL "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
start_node() {
  local i=$1; shift
  local seeds; seeds=$(IFS=,; echo "$*")
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.n$i" "$BIN" serve --node-id "n$i" \
    --http "127.0.0.1:$((8750 + i))" --peer "127.0.0.1:$((9750 + i))" --loops 1 ${seeds:+--seeds "$seeds"} \
    >"$OUT/n$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1200); do grep -q '^kvortex ready' "$OUT/n$i.log" && return; sleep 0.05; done
  echo "n$i did not get ready" >&2; cat "$OUT/n$i.log" >&2; exit 1
}
metric() { curl -s "127.0.0.1:$((8750 + $1))/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
start_node 1
start_node 2 127.0.0.1:9751
start_node 3 127.0.0.1:9751 127.0.0.1:9752
for _ in $(seq 1200); do
  [[ $(curl -s 127.0.0.1:8753/cluster/members | grep -o '"state":"up"' | wc -l) == 3 ]] && break; sleep 0.05
done
for _ in $(seq "$WRITES"); do
  .build/release/kvortex bench --node 127.0.0.1:8751 --preload --keys "$KEYS" --value-size 100 --connections 4 >/dev/null
done
# Ownership transfers from the joins must be over, or they are counted as request work.
for _ in $(seq 1200); do
  settled=1
  for i in 1 2 3; do
    [[ $(metric "$i" 'kvortex_ownership_transfers_total{event="enqueued"}') == \
       $(metric "$i" 'kvortex_ownership_transfers_total{event="completed"}') ]] || settled=0
  done
  [[ $settled == 1 ]] && break; sleep 0.1
done
if [[ $WORKLOAD == get ]]; then script=kv-get.lua; args=("$KEYS" /get); else script=kv-post.lua; args=("$KEYS" 100 /set); fi
for pid in "${pids[@]}"; do callgrind_control -z "$pid" >/dev/null; done
wrk -t1 -c8 -d10s -s "$SHARED/bench/lua/$script" http://127.0.0.1:8751 -- "${args[@]}" >"$OUT/wrk.txt"
for pid in "${pids[@]}"; do callgrind_control -d "$pid" >/dev/null; done
requests=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
total=0
for i in 1 2 3; do
  file=$(ls -t "$OUT"/callgrind.n$i.* | head -1)
  instructions=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  role=$([[ $i == 1 ]] && echo coordinator || echo replica)
  echo "n$i ($role): $((instructions / requests)) instructions per request  ($file)"
  total=$((total + instructions))
done
echo "PROFILE $WORKLOAD requests=$requests instructions_per_request=$((total / requests))"
