#!/usr/bin/env bash
# `make cluster` / `make cluster-stop`: a local cluster on loopback.
#
#   scripts/cluster.sh start   starts NODES nodes (default 3): node i serves HTTP on 127.0.0.1:800i and
#                              peers on 127.0.0.1:900i as n<i>, seeded with the peer addresses of all the
#                              others; waits for every ready line, prints how to reach the cluster, then
#                              waits in the foreground until Ctrl-C (or SIGTERM), which stops exactly the
#                              nodes it started. DETACH=1 returns once the cluster is ready instead.
#   scripts/cluster.sh stop    stops the nodes listed in out/cluster/pids (a cluster started in the
#                              background or with DETACH=1).
#
# Knobs: NODES (1..99), STORAGE (memory, the default, or log or sqlite: data in out/cluster/n<i>),
# NODE_FLAGS (extra flags for every node, e.g. --enable-fault-injection, or --auth-token-file F: then
# export KVORTEX_TOKEN=<a client token of F> so this script can see the cluster form, as the kvortex
# commands do; it is sent from a header file, never on a command line), DETACH=1, KVORTEX_BIN (default
# .build/release/kvortex), STOP_SECONDS (how long a stop waits after SIGTERM before SIGKILL, default 15).
# Each node's log (out/cluster/n<i>.log) starts with the exact command line it was started with.
# With STORAGE=log or sqlite the data stays in out/cluster/n<i> from one run to the next (rm -rf
# out/cluster to start empty).
# Nodes are stopped by PID only, never by name.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-lib.sh

NODES=${NODES:-3}
STORAGE=${STORAGE:-memory}
NODE_FLAGS=${NODE_FLAGS:-}
DETACH=${DETACH:-0}
BIN=${KVORTEX_BIN:-.build/release/kvortex}
STOP_SECONDS=${STOP_SECONDS:-15}
OUT=out/cluster
PIDS_FILE=$OUT/pids
HOST=127.0.0.1

http_address() { echo "$HOST:$((8000 + $1))"; }

# members JSON of node I, with KVORTEX_TOKEN as the bearer token when it is set (for nodes started with
# --auth-token-file); the header goes through a file descriptor, so the token is on no command line.
members_of() {
  if [[ -n ${KVORTEX_TOKEN:-} ]]; then
    curl -s -H @<(printf 'Authorization: Bearer %s\n' "$KVORTEX_TOKEN") "http://$(http_address "$1")/cluster/members"
  else
    curl -s "http://$(http_address "$1")/cluster/members"
  fi
}
peer_address() { echo "$HOST:$((9000 + $1))"; }

# wait_formed: waits (up to 30 s) until every node sees all NODES members up, so the first request
# finds the whole cluster; says so and goes on (the nodes keep trying) when it takes longer.
wait_formed() {
  local i up
  for _ in $(seq 300); do
    up=0
    for ((i = 1; i <= NODES; i++)); do
      [[ $(members_of "$i" | grep -o '"state":"up"' | wc -l) == "$NODES" ]] && up=$((up + 1))
    done
    if [[ $up == "$NODES" ]]; then echo "every node sees all $NODES members up"; return; fi
    sleep 0.1
  done
  echo "warning: after 30 s not every node sees all $NODES members up (see kvortex cluster status)" >&2
  if [[ $NODE_FLAGS == *--auth-token-file* && -z ${KVORTEX_TOKEN:-} ]]; then
    echo "  (the nodes need a token: export KVORTEX_TOKEN=<a client token of the --auth-token-file> and run again)" >&2
  fi
}

# alive PID: the process exists and is not a zombie (an exited child not yet reaped still answers kill -0).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# is_our_node PID: the process is a `kvortex serve`, so a PID reused since the pids file was written
# is never signalled.
is_our_node() {
  local -a argv
  mapfile -d '' -t argv 2>/dev/null <"/proc/$1/cmdline" || return 1
  [[ ${#argv[@]} -ge 2 && ${argv[0]##*/} == kvortex && ${argv[1]} == serve ]]
}

# stop_pids PID...: SIGTERM each, wait up to STOP_SECONDS for all to exit, then SIGKILL what is left.
stop_pids() {
  local pid deadline left
  for pid in "$@"; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_SECONDS))
  while :; do
    left=()
    for pid in "$@"; do alive "$pid" && left+=("$pid"); done
    [[ ${#left[@]} -eq 0 ]] && return 0
    if ((SECONDS >= deadline)); then
      echo "still running after ${STOP_SECONDS} s, sending SIGKILL: ${left[*]}" >&2
      kill -KILL "${left[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 0.05
  done
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

check_settings() {
  [[ $NODES =~ ^[0-9]+$ ]] && ((NODES >= 1 && NODES <= 99)) || { echo "NODES must be 1..99, got '$NODES'" >&2; exit 2; }
  case $STORAGE in
    memory | log | sqlite) ;;
    *) echo "STORAGE must be memory, log or sqlite, got '$STORAGE'" >&2; exit 2 ;;
  esac
  [[ -x $BIN ]] || { echo "no kvortex binary at $BIN (make release builds it)" >&2; exit 2; }
  if [[ -s $PIDS_FILE ]]; then
    local pid running=()
    while read -r pid; do
      [[ -n $pid ]] && is_our_node "$pid" && running+=("$pid")
    done <"$PIDS_FILE"
    if [[ ${#running[@]} -gt 0 ]]; then
      echo "a cluster is already running (PIDs ${running[*]} in $PIDS_FILE); stop it first: make cluster-stop" >&2
      exit 1
    fi
    rm -f "$PIDS_FILE"   # left by a cluster whose nodes are gone
  fi
  local i busy=()
  for ((i = 1; i <= NODES; i++)); do
    port_in_use $((8000 + i)) && busy+=("$(http_address "$i") (HTTP of n$i)")
    port_in_use $((9000 + i)) && busy+=("$(peer_address "$i") (peer of n$i)")
  done
  if [[ ${#busy[@]} -gt 0 ]]; then
    printf 'cannot start the cluster: these addresses are in use:\n' >&2
    printf '  %s\n' "${busy[@]}" >&2
    echo "stop what listens there (make cluster-stop if it is an earlier cluster) or pick fewer NODES" >&2
    exit 1
  fi
}

# node_arguments I: the `kvortex serve` arguments of node I, one per line.
node_arguments() {
  local i=$1 j seeds=() extra=()
  for ((j = 1; j <= NODES; j++)); do
    ((j != i)) && seeds+=("$(peer_address "$j")")
  done
  printf '%s\n' serve --node-id "n$i" --http "$(http_address "$i")" --peer "$(peer_address "$i")"
  if [[ ${#seeds[@]} -gt 0 ]]; then
    # Joined in a subshell: a `local IFS=,` here lasted to the end of the function, so NODE_FLAGS with
    # several words was not split below (each node got "--a --b" as one argument).
    printf '%s\n' --seeds "$(IFS=,; echo "${seeds[*]}")"
  fi
  if [[ $STORAGE != memory ]]; then
    printf '%s\n' --storage "$STORAGE" --data-dir "$OUT/n$i"
  fi
  read -r -a extra <<<"$NODE_FLAGS"
  [[ ${#extra[@]} -gt 0 ]] && printf '%s\n' "${extra[@]}"
  return 0
}

started=()
ready=0

# On any exit before the cluster is ready (a node failed, Ctrl-C during startup), stop what was started.
# Once ready, a detached cluster is left running; a foreground one is stopped.
on_exit() {
  local status=$?
  if [[ ${#started[@]} -gt 0 ]] && ! [[ $ready == 1 && $DETACH == 1 ]]; then
    echo "stopping the nodes this script started: ${started[*]}" >&2
    stop_pids "${started[@]}"
    wait 2>/dev/null || true
    rm -f "$PIDS_FILE"
    echo "cluster stopped" >&2
  fi
  exit "$status"
}

# shell_words WORD...: the words on one line, quoted only where the shell needs it (readable seed lists).
shell_words() {
  local word
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=,@+-]+$ ]]; then printf ' %s' "$word"; else printf ' %q' "$word"; fi
  done
  printf '\n'
}

start_node() {
  local i=$1 log=$OUT/n$1.log args
  mapfile -t args < <(node_arguments "$i")
  [[ $STORAGE != memory ]] && mkdir -p "$OUT/n$i"
  { printf '# started %s:' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; shell_words "$BIN" "${args[@]}"; } >"$log"
  "$BIN" "${args[@]}" >>"$log" 2>&1 &
  started+=("$!")
  echo "$!" >>"$PIDS_FILE"
}

print_how_to_reach() {
  local i other=$((NODES >= 2 ? 2 : 1))
  echo
  echo "KVortex cluster of $NODES node$( ((NODES > 1)) && echo s) on loopback ($STORAGE storage${NODE_FLAGS:+, flags: $NODE_FLAGS}); logs and PIDs in $OUT/"
  for ((i = 1; i <= NODES; i++)); do
    printf '  n%-3s http://%s   peer %s   pid %s   log %s\n' "$i" "$(http_address "$i")" "$(peer_address "$i")" \
      "${started[i - 1]}" "$OUT/n$i.log"
  done
  cat <<EOF

Dashboard: http://$(http_address 1)/dashboard (every node serves it)

Try:
  $BIN cluster status --node $(http_address 1)
  curl -i -X POST '$(http_address 1)/set?key=greeting' -H 'X-Consistency: quorum' --data-binary hello
  curl -i '$(http_address "$other")/get?key=greeting' -H 'X-Consistency: quorum'

Stop: $( [[ $DETACH == 1 ]] && echo "make cluster-stop" || echo "Ctrl-C here (or make cluster-stop from another shell)")
EOF
  if [[ $NODE_FLAGS == *--auth-token-file* ]]; then
    echo "The nodes need a token: kvortex commands read KVORTEX_TOKEN (or --token-file F); add"
    echo "  -H \"Authorization: Bearer \$KVORTEX_TOKEN\" to the curl lines above."
  fi
}

# Waits until every node has exited, polling every 0.2 s: each exit is reported (a node may be killed
# on purpose to watch the others cope, or stopped by `make cluster-stop`). Ctrl-C or SIGTERM stops the
# rest through the EXIT trap. (Polling, because `wait -n` loses track of children that exit together.)
wait_for_nodes() {
  local i pid status running=("${!started[@]}") still
  while [[ ${#running[@]} -gt 0 ]]; do
    still=()
    for i in "${running[@]}"; do
      pid=${started[i]}
      if alive "$pid"; then still+=("$i"); continue; fi
      status=0
      wait "$pid" 2>/dev/null || status=$?
      echo "n$((i + 1)) (pid $pid) exited with status $status; its log: $OUT/n$((i + 1)).log" >&2
    done
    running=("${still[@]}")
    [[ ${#running[@]} -gt 0 ]] && sleep 0.2
  done
  started=()
  rm -f "$PIDS_FILE"
  echo "every node of the cluster has exited"
}

start() {
  check_settings
  mkdir -p "$OUT"
  : >"$PIDS_FILE"
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local i
  for ((i = 1; i <= NODES; i++)); do start_node "$i"; done
  for ((i = 1; i <= NODES; i++)); do
    wait_ready "$OUT/n$i.log" "${started[i - 1]}"
    echo "n$i: $(grep -m1 '^kvortex ready' "$OUT/n$i.log")"
  done
  wait_formed
  ready=1
  print_how_to_reach
  [[ $DETACH == 1 ]] && exit 0
  wait_for_nodes
}

stop() {
  [[ -s $PIDS_FILE ]] || { echo "no cluster to stop ($PIDS_FILE is missing or empty)"; exit 0; }
  local pid ours=()
  while read -r pid; do
    [[ $pid =~ ^[0-9]+$ ]] || continue
    if is_our_node "$pid"; then ours+=("$pid"); else echo "pid $pid: already gone (or no longer a kvortex node), skipped"; fi
  done <"$PIDS_FILE"
  if [[ ${#ours[@]} -gt 0 ]]; then
    echo "stopping kvortex nodes: ${ours[*]}"
    stop_pids "${ours[@]}"
  fi
  rm -f "$PIDS_FILE"
  echo "cluster stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/cluster.sh start|stop   (make cluster, make cluster-stop)" >&2; exit 2 ;;
esac
