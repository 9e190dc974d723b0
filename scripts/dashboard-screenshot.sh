#!/usr/bin/env bash
# Screenshots of /dashboard with real data, outside `make test`:
#   1. out/dashboard.png            a healthy 3-node cluster under light load (kvortex bench, open loop),
#                                   with blind writes that leave siblings and a hot key past the sibling cap;
#   2. out/dashboard-node-down.png  the same after n3 is killed (-9), in the dark palette: n3 unreachable,
#                                   hints piling up for it on n1 and n2, strict writes (X-Consistency: all,
#                                   X-Sloppy-Quorum: false) failing with 503.
# Each page is n1's /dashboard?every=1, left running for SHOT_SECONDS (default 25) of real time in headless
# Chromium driven by scripts/headless-screenshot.py, which fails the run if the page throws or logs an error.
# The nodes listen on free ports (127.0.0.1:0), so nothing else on the machine is disturbed.
# Knobs: RATE (requests/s of the load, default 300), SHOT_SECONDS, KVORTEX_BIN (default
# .build/release/kvortex), OUT (default out), CHROMIUM (path). Logs in $OUT/dashboard/.
# AUTH=1: the protected mode. The nodes start with --auth-token-file (fresh random tokens in
# $OUT/dashboard/auth/, mode 600) and --protect-metrics; every curl and bench sends the client token (from
# files, never on a command line); and the shots are
#   0. out/dashboard-auth-needed.png  the page without a token for 6 s: the token field, 401 from this node;
#   1. out/dashboard-auth.png         as 1 above, the token in the tab's sessionStorage (set over DevTools
#                                     before the page's scripts run, as if the operator had pasted it);
#   2. out/dashboard-auth-node-down.png as 2 above, with the token.
# Needs chromium (apt-get install -y chromium), python3 and curl. Everything started here is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-lib.sh

BIN=${KVORTEX_BIN:-.build/release/kvortex}
OUT=${OUT:-out}
RATE=${RATE:-300}
SHOT_SECONDS=${SHOT_SECONDS:-25}
AUTH=${AUTH:-0}
WORK=$OUT/dashboard
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}

[[ -x $BIN ]] || { echo "no kvortex binary at $BIN (make release builds it)" >&2; exit 2; }
[[ -n $CHROMIUM ]] || { echo "chromium is missing: apt-get install -y chromium (or set CHROMIUM)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is missing (it drives Chromium)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 2; }
mkdir -p "$WORK"

# AUTH=1: a token file for the nodes, the client token alone for bench (--token-file) and the page, and
# a curl header file (-H @FILE), so that no token is ever on a command line.
serve_auth=() curl_auth=() bench_auth=() shot_auth=() suffix=
if [[ $AUTH == 1 ]]; then
  auth=$WORK/auth
  rm -rf "$auth"
  mkdir -m 700 -p "$auth"
  client_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  admin_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077
   printf 'client %s\nadmin %s\n' "$client_token" "$admin_token" >"$auth/node.tokens"
   printf '%s\n' "$client_token" >"$auth/client.token"
   printf 'Authorization: Bearer %s\n' "$client_token" >"$auth/curl-header")
  unset client_token admin_token
  serve_auth=(--auth-token-file "$auth/node.tokens" --protect-metrics)
  curl_auth=(-H "@$auth/curl-header")
  bench_auth=(--token-file "$auth/client.token")
  shot_auth=(--session-storage-file "kvortex.dashboard.token=$auth/client.token")
  suffix=-auth
fi

pids=()  # every process started here: nodes, load, writers
declare -A http=() peer=() node_pid=()

# alive PID: the process exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# stop_all: SIGTERM what is still running, wait up to 15 s, then SIGKILL what is left. By PID only.
stop_all() {
  local status=$? pid left deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=()
    for pid in "${pids[@]}"; do alive "$pid" && left+=("$pid"); done
    [[ ${#left[@]} -eq 0 ]] && break
    if ((SECONDS >= deadline)); then kill -KILL "${left[@]}" 2>/dev/null || true; break; fi
    sleep 0.1
  done
  wait 2>/dev/null || true
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_node NAME [SEEDS]: a node on free ports; records its HTTP and peer addresses from its ready line.
start_node() {
  local name=$1 seeds=${2:-} log=$WORK/$1.log line
  : >"$log"
  "$BIN" serve --node-id "$name" --http 127.0.0.1:0 --peer 127.0.0.1:0 --loops 1 ${seeds:+--seeds "$seeds"} \
    "${serve_auth[@]}" >>"$log" 2>&1 &
  pids+=("$!")
  node_pid[$name]=$!
  wait_ready "$log" "$!" 60
  line=$(grep -m1 '^kvortex ready' "$log")
  http[$name]=$(sed -E 's/.* http=([^ ]+).*/\1/' <<<"$line")
  peer[$name]=$(sed -E 's/.* peer=([^ ]+).*/\1/' <<<"$line")
  echo "$name: http ${http[$name]} peer ${peer[$name]} pid ${node_pid[$name]}"
}

# wait_formed: every node lists all three members up (up to 30 s).
wait_formed() {
  local name ok
  for _ in $(seq 300); do
    ok=0
    for name in n1 n2 n3; do
      [[ $(curl -s -m 2 "${curl_auth[@]}" "http://${http[$name]}/cluster/members" | grep -o '"state":"up"' | wc -l) == 3 ]] && ok=$((ok + 1))
    done
    [[ $ok == 3 ]] && { echo "the cluster is formed"; return; }
    sleep 0.1
  done
  echo "the cluster did not form within 30 s (logs in $WORK)" >&2
  exit 1
}

# load SECONDS NODES: open-loop mixed load (90% GET) over the given nodes, in the background.
load() {
  "$BIN" bench "${bench_auth[@]}" --node "$2" --ops mixed --rate "$RATE" --connections 6 --duration "$1" --keys 1000 >>"$WORK/bench.log" 2>&1 &
  pids+=("$!")
}

# sibling_writer SECONDS NODE NODE: blind writes (no context) of the same cart keys through two nodes, then
# reads of them (300 Multiple Choices), and blind writes to one hot key past the sibling cap (16).
sibling_writer() {
  local end=$((SECONDS + $1)) a=$2 b=$3 i=0
  (
    while ((SECONDS < end)); do
      i=$((i + 1))
      curl -s -m 2 -o /dev/null "${curl_auth[@]}" -X POST "http://$a/set?key=cart:$((i % 10))" --data-binary "apple $i" || true
      curl -s -m 2 -o /dev/null "${curl_auth[@]}" -X POST "http://$b/set?key=cart:$((i % 10))" --data-binary "pear $i" || true
      curl -s -m 2 -o /dev/null "${curl_auth[@]}" "http://$a/get?key=cart:$((i % 10))" || true
      curl -s -m 2 -o /dev/null "${curl_auth[@]}" -X POST "http://$b/set?key=hot" --data-binary "hot $i" || true
      sleep 0.1
    done
  ) &
  pids+=("$!")
}

# strict_writer SECONDS NODE: writes that need every primary replica, so each fails with 503 while one is down.
strict_writer() {
  local end=$((SECONDS + $1)) node=$2 i=0
  (
    while ((SECONDS < end)); do
      i=$((i + 1))
      curl -s -m 3 -o /dev/null "${curl_auth[@]}" -X POST -H 'X-Consistency: all' -H 'X-Sloppy-Quorum: false' \
        "http://$node/set?key=strict:$i" --data-binary "v$i" || true
      sleep 0.2
    done
  ) &
  pids+=("$!")
}

screenshot() {
  local out=$1; shift
  python3 scripts/headless-screenshot.py "http://${http[n1]}/dashboard?every=1" "$out" --seconds "$SHOT_SECONDS" \
    --chromium "$CHROMIUM" "$@"
}

: >"$WORK/bench.log"
start_node n1
start_node n2 "${peer[n1]}"
start_node n3 "${peer[n1]}"
wait_formed
"$BIN" bench "${bench_auth[@]}" --node "${http[n1]}" --preload --keys 1000 >>"$WORK/bench.log" 2>&1
all_nodes="${http[n1]},${http[n2]},${http[n3]}"

if [[ $AUTH == 1 ]]; then
  echo "0/2: protected nodes, the page without a token; open for 6 s"
  # Every poll is refused (401), which the browser logs as a failed load: expected here.
  python3 scripts/headless-screenshot.py "http://${http[n1]}/dashboard?every=1" "$OUT/dashboard-auth-needed.png" --seconds 6 \
    --chromium "$CHROMIUM" --allow-failed-loads
fi

echo "1/2: healthy cluster, $RATE requests/s, siblings; page open for $SHOT_SECONDS s"
load $((SHOT_SECONDS + 5)) "$all_nodes"
sibling_writer $((SHOT_SECONDS + 5)) "${http[n1]}" "${http[n2]}"
screenshot "$OUT/dashboard$suffix.png" "${shot_auth[@]}"

echo "2/2: n3 killed (-9); hints and 503s; dark palette; page open for $SHOT_SECONDS s"
kill -KILL "${node_pid[n3]}"
wait "${node_pid[n3]}" 2>/dev/null || true
load $((SHOT_SECONDS + 5)) "${http[n1]},${http[n2]}"
strict_writer $((SHOT_SECONDS + 5)) "${http[n2]}"
screenshot "$OUT/dashboard$suffix-node-down.png" --dark --allow-failed-loads "${shot_auth[@]}"
echo "wrote $OUT/dashboard$suffix.png and $OUT/dashboard$suffix-node-down.png (logs in $WORK/)"
