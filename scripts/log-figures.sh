#!/usr/bin/env bash
# Log engine figures for issue 5 (part of `make bench`, or alone): write amplification of compaction
# and restart time with KEYS keys. Writes KEYS keys PASSES times (lww mode, so an overwrite replaces
# the value and the older records become dead), lets compaction run, then restarts the node on the
# same directory and times it to its ready line. Knobs: KEYS (default 1000000), PASSES (3), PORT,
# VALUE (bytes, 100), CONNS (preload connections, 8), DIR (default a fresh /tmp directory).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-lib.sh
BIN=$PWD/.build/release/kvortex
KEYS=${KEYS:-1000000} PASSES=${PASSES:-3} PORT=${PORT:-8101} VALUE=${VALUE:-100} CONNS=${CONNS:-8}
DIR=${DIR:-$(mktemp -d /tmp/kvortex-log-figures.XXXXXX)}
[[ -x "$BIN" ]] || { echo "build first: swift build -c release" >&2; exit 2; }
log="$DIR.node.log"
node_pid=""
trap '[[ -n "$node_pid" ]] && kill -TERM "$node_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT

start_node() {  # sets node_pid, and ready_s to the seconds from start to the ready line
  : >"$log"
  local begin; begin=$(date +%s.%N)
  "$BIN" serve --http "127.0.0.1:$PORT" --loops 1 --storage log --data-dir "$DIR" --fsync none --conflicts lww >>"$log" 2>&1 &
  node_pid=$!
  wait_ready "$log" "$node_pid"
  ready_s=$(echo "$(date +%s.%N) - $begin" | bc)
}
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v name="$1" '$1 == name {print $2}'; }

start_node
for pass in $(seq "$PASSES"); do
  echo "pass $pass: writing $KEYS keys of $VALUE bytes" >&2
  "$BIN" bench --node "127.0.0.1:$PORT" --preload --keys "$KEYS" --value-size "$VALUE" --connections "$CONNS" 2>/dev/null
done
live=$(metric kvortex_storage_bytes)
echo "waiting for compaction (the sweep runs it once dead bytes reach half the closed segments)" >&2
for _ in $(seq 600); do
  [[ "$(metric kvortex_storage_compactions_total)" != "0" ]] && break
  sleep 0.5
done
sleep 1
written=$(metric 'kvortex_storage_compaction_bytes_total{direction="written"}')
read_bytes=$(metric 'kvortex_storage_compaction_bytes_total{direction="read"}')
disk=$(metric kvortex_storage_disk_bytes)
compactions=$(metric kvortex_storage_compactions_total)
grep 'log compaction' "$log" >&2 || true
kill -TERM "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
size=$(du -sb "$DIR" | cut -f1)
start_node
echo "LOG keys=$KEYS passes=$PASSES live_bytes=$live compactions=$compactions compaction_read=$read_bytes compaction_written=$written write_amplification=$(echo "scale=2; $written / $live" | bc) disk_before_restart=$disk data_dir_bytes=$size restart_ready_s=$ready_s keys_after_restart=$(metric kvortex_storage_keys)"
