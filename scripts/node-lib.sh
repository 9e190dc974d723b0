# Sourced by the benchmark scripts.
# wait_ready LOG PID [SECONDS]: waits (polling every 10 ms, default up to 60 s) for the node's
# "kvortex ready" line in LOG; exits with the log shown if the node dies or never gets ready.
wait_ready() {
  local log=$1 pid=$2 seconds=${3:-60}
  for _ in $(seq $((seconds * 100))); do
    grep -q '^kvortex ready' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.01
  done
  echo "node did not become ready" >&2
  exit 1
}
