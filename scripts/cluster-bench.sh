#!/usr/bin/env bash
# Cluster figures (issue 6, ../shared/BENCH.md "3 nodes on this machine"), all in one run:
#  1. one node in memory, pinned to core 0, GET and SET with wrk (64 connections) on core 1;
#  2. three nodes (N=3 R=2 W=2), all pinned to core 0 (the same CPU as the single node), GET and SET
#     through every node at once: one wrk on core 1 with one thread per node (64/3 connections each,
#     scripts/lua/spread.lua), so its latency figures are those of all requests together; peer frames
#     sent per client request; and wrk's same GET load against nginx on core 0 (when installed), the
#     saturated p50/p90/p99 the host gives in this run;
#  3. open loop below saturation: after each set of saturated runs, `kvortex bench --rate` (requests on a
#     fixed schedule, latency counted from each request's due time, so queueing behind a stall is not
#     hidden) at RATE_FRACTION (default 0.5) of the saturated throughput just measured for the same
#     workload, through the same nodes, CONNS connections, generator on core 1 like wrk; and the same
#     GET load at each of those rates against nginx on core 0 (when installed), what the host and the
#     generator give a server that does nothing;
#  4. failure detection: time until n1 sees n3 down after kill -9 (refused connections) and after
#     SIGSTOP (a silent node: only the phi-accrual detector notices), and time from n3's return to
#     the hints written meanwhile being delivered.
# Every saturated figure is the median of RUNS wrk runs (default 3, as ../shared/BENCH.md measures),
# the p99 of each run listed beside it (p99_runs).
# Knobs: RUNS, DURATION (s per wrk run, default 10), CONNS (default 64), HINT_KEYS (default 2000), BASE_PORT,
# RATE_FRACTION (default 0.5), GENERATOR_RT (1: the open-loop generator runs SCHED_FIFO, `chrt -f 10`,
# so that on a shared host other work cannot delay its wake-ups by milliseconds; the nodes keep their
# ordinary priority, as does wrk).
# Nodes are stopped by PID, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-lib.sh
source scripts/cpu-lib.sh
BIN=$PWD/.build/release/kvortex
SHARED=$(cd "${SHARED:-../shared}" && pwd)
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
HINT_KEYS=${HINT_KEYS:-2000}
RATE_FRACTION=${RATE_FRACTION:-0.5}
RUNS=${RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive whole number, got '$RUNS'" >&2; exit 2; }
generator_prefix=()
if [[ ${GENERATOR_RT:-0} == 1 ]]; then
  chrt -f 10 true 2>/dev/null || { echo "GENERATOR_RT=1 but chrt -f 10 is not permitted here" >&2; exit 2; }
  generator_prefix=(chrt -f 10)
fi
BASE=${BASE_PORT:-8400}
OUT=${OUT:-/tmp/kvortex-cluster-bench}
mkdir -p "$OUT"
[[ -x "$BIN" ]] || { echo "build first: swift build -c release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

pids=()
declare -A saturated=()  # "name-workload" -> summed wrk requests/s, for the fixed-rate phase
cleanup() { for pid in "${pids[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; done; wait 2>/dev/null || true; }
trap cleanup EXIT

http() { echo "127.0.0.1:$((BASE + $1))"; }
peer() { echo "127.0.0.1:$((BASE + 100 + $1))"; }

# start_node I SEEDS...: node n<I> pinned to core 0, one event loop; appends its PID to pids.
start_node() {
  local i=$1; shift
  local seeds; seeds=$(IFS=,; echo "$*")
  local log="$OUT/n$i.log"
  : >"$log"  # truncated here, not by the background redirection: wait_ready must not read the last run's ready line
  taskset -c 0 "$BIN" serve --node-id "n$i" --http "$(http "$i")" --peer "$(peer "$i")" --loops 1 \
    ${seeds:+--seeds "$seeds"} >"$log" 2>&1 &
  pids[$i]=$!
  wait_ready "$log" "${pids[$i]}"
}

stop_node() { kill -TERM "${pids[$1]}" 2>/dev/null || true; wait "${pids[$1]}" 2>/dev/null || true; pids[$1]=""; }

# wrk_run OUTFILE ADDRESSES SCRIPT ARGS...: one wrk on core 1, one thread per address (host:port,
# comma-separated; scripts/lua/spread.lua points each thread at its node), $conns connections per thread.
wrk_run() {
  local out=$1 addresses=$2 script=$3; shift 3
  local threads; threads=$(awk -F, '{print NF}' <<<"$addresses")
  KVORTEX_NODES=$addresses KVORTEX_LOAD="$SHARED/bench/lua/$script" taskset -c 1 wrk -t"$threads" -c$((conns * threads)) \
    -d"${DURATION}s" --latency -s scripts/lua/spread.lua "http://${addresses%%,*}" -- "$@" >"$out" 2>&1
}
# wrk_runs PREFIX ADDRESSES SCRIPT ARGS...: wrk_run RUNS times, into PREFIX.1.txt, PREFIX.2.txt, ...
# (../shared/BENCH.md: the median of 3 runs); prints nothing.
wrk_runs() {
  local prefix=$1 r; shift
  rm -f "$prefix".*.txt
  for r in $(seq "$RUNS"); do wrk_run "$prefix.$r.txt" "$@"; done
}
# median_over PREFIX FUNCTION [ARG]: the median over PREFIX's runs of FUNCTION FILE [ARG].
median_over() {
  local prefix=$1 fn=$2 file; shift 2
  for file in "$prefix".*.txt; do "$fn" "$file" "$@"; done | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# sum_over PREFIX FUNCTION: the sum over PREFIX's runs of FUNCTION FILE.
sum_over() {
  local prefix=$1 fn=$2 file
  for file in "$prefix".*.txt; do "$fn" "$file"; done | awk '{ n += $1 } END { printf "%.0f", n }'
}
# p99_runs PREFIX: each run's p99, as a/b/c.
p99_runs() { local file; for file in "$1".*.txt; do p99_of "$file"; done | paste -sd/; }
rps_of() { awk '/^Requests\/sec:/{print $2}' "$1"; }
requests_of() { awk '/requests in/{print $1}' "$1"; }
# percentile_of FILE 50|75|90|99: wrk's latency percentile in ms.
percentile_of() { awk -v p="$2%" '$1==p{v=$2; n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /s$/ && v !~ /ms$/) n*=1000; print n}' "$1"; }
p99_of() { percentile_of "$1" 99; }
errors_of() { awk '/Non-2xx or 3xx responses:/{n+=$NF} /Socket errors:/{gsub(",","");n+=$4+$6+$8+$10} END{print n+0}' "$1"; }
frames_sent() {  # total peer frames sent by the nodes given
  local total=0 i
  for i in "$@"; do
    total=$((total + $(curl -s "$(http "$i")/metrics" | awk '/kvortex_peer_events_total\{event="framesSent"\}/{print $2}')))
  done
  echo "$total"
}

# latency_buckets ROUTE NODES...: "bound count" per histogram bucket of ROUTE, summed over the nodes
# (cumulative counts, bounds in seconds, +Inf last): the nodes' own view of request latency.
latency_buckets() {
  local route=$1 i; shift
  for i in "$@"; do curl -s "$(http "$i")/metrics"; done | awk -v r="route=\"$route\"" '
    index($1, "kvortex_http_request_duration_seconds_bucket{") == 1 && index($1, r) > 0 {
      match($1, /le="[^"]*"/); le = substr($1, RSTART + 4, RLENGTH - 5); sum[le] += $2; if (!(le in seen)) { order[++n] = le; seen[le] = 1 }
    }
    END { for (k = 1; k <= n; k++) print order[k], sum[order[k]] }'
}
# server_p99 BEFORE AFTER: the bucket bound (ms) under which 99 % of the requests between two
# latency_buckets snapshots were answered, as the nodes measured them (from parsed to answered).
server_p99() {
  awk 'FILENAME == ARGV[1] { before[$1] = $2; next } { le[++n] = $1; count[n] = $2 - before[$1] }
    END { total = count[n]; for (k = 1; k <= n; k++) if (count[k] >= 0.99 * total) { print (le[k] == "+Inf") ? "inf" : le[k] * 1000; exit } }' "$1" "$2"
}

# measure NAME NODES...: GET then SET through the given nodes at once; prints one line per workload.
measure() {
  local name=$1; shift
  local nodes=("$@") workload script args total errors before after requests mark others nodes_cpu node_pids=() addresses="" out
  for i in "${nodes[@]}"; do node_pids+=("${pids[$i]}"); addresses+="${addresses:+,}$(http "$i")"; done
  conns=$((CONNS / ${#nodes[@]}))
  for workload in get set; do
    if [[ $workload == get ]]; then script=kv-get.lua; args=(10000 /get); else script=kv-post.lua; args=(10000 100 /set); fi
    before=$(frames_sent "${nodes[@]}")
    latency_buckets "$workload" "${nodes[@]}" >"$OUT/$name-$workload-buckets-before.txt"
    out="$OUT/$name-$workload-wrk"
    mark=$(cpu_mark "${node_pids[@]}")
    wrk_runs "$out" "$addresses" "$script" "${args[@]}"
    others=$(others_cpu "$mark" "${node_pids[@]}")
    nodes_cpu=$(pids_cpu "$mark" "${node_pids[@]}")
    after=$(frames_sent "${nodes[@]}")
    latency_buckets "$workload" "${nodes[@]}" >"$OUT/$name-$workload-buckets-after.txt"
    total=$(awk -v r="$(median_over "$out" rps_of)" 'BEGIN{printf "%.0f", r}')
    errors=$(sum_over "$out" errors_of)
    saturated[$name-$workload]=$total
    requests=$(sum_over "$out" requests_of)
    printf 'CLUSTER %s-%s rps=%s p50=%sms p90=%sms p99=%sms p99_runs=%s server_p99<=%sms errors=%s peer_frames_per_op=%s nodes_cpu=%s%% nodes_us_per_op=%s others_cpu=%s%%\n' "$name" "$workload" "$total" \
      "$(median_over "$out" percentile_of 50)" "$(median_over "$out" percentile_of 90)" "$(median_over "$out" p99_of)" \
      "$(p99_runs "$out")" \
      "$(server_p99 "$OUT/$name-$workload-buckets-before.txt" "$OUT/$name-$workload-buckets-after.txt")" "$errors" \
      "$(awk -v f="$((after - before))" -v r="$requests" 'BEGIN{printf "%.2f", (r>0)?f/r:0}')" "$nodes_cpu" \
      "$(us_per_op "$nodes_cpu" "$total")" "$others" | tee -a "$OUT/results.txt"
  done
}

# us_per_op CPU_PERCENT RPS: microseconds of CPU per request (the nodes' CPU over their requests/s).
us_per_op() { awk -v c="$1" -v r="$2" 'BEGIN { printf "%.1f", (r > 0) ? c * 10000 / r : 0 }'; }

# fixed_rate NAME NODES...: GET then SET through the given nodes at once with `kvortex bench --rate`
# (open loop; one generator, CONNS connections spread over the nodes, pinned to core 1 like wrk) at
# RATE_FRACTION x the saturated figure `measure NAME` found for the workload. Prints the generator's raw
# line and its warnings, then one CLUSTER line per workload with the nodes' own p99 beside it.
fixed_rate() {
  local name=$1; shift
  local nodes=("$@") workload rate out line addresses="" i mark others nodes_cpu node_pids=()
  for i in "${nodes[@]}"; do addresses+="${addresses:+,}$(http "$i")"; node_pids+=("${pids[$i]}"); done
  for workload in get set; do
    rate=$(awk -v r="${saturated[$name-$workload]:-0}" -v f="$RATE_FRACTION" 'BEGIN{printf "%d", r*f}')
    if (( rate < 1 )); then
      echo "CLUSTER $name-$workload-fixed skipped: no saturated figure for $name-$workload" | tee -a "$OUT/results.txt"
      continue
    fi
    out="$OUT/$name-$workload-fixed.txt"
    latency_buckets "$workload" "${nodes[@]}" >"$OUT/$name-$workload-fixed-buckets-before.txt"
    mark=$(cpu_mark "${node_pids[@]}")
    "${generator_prefix[@]}" taskset -c 1 "$BIN" bench --node "$addresses" --rate "$rate" --duration "$DURATION" --connections "$CONNS" \
      --ops "$workload" --keys 10000 --value-size 100 >"$out" 2>&1 || true
    others=$(others_cpu "$mark" "${node_pids[@]}")
    nodes_cpu=$(pids_cpu "$mark" "${node_pids[@]}")
    latency_buckets "$workload" "${nodes[@]}" >"$OUT/$name-$workload-fixed-buckets-after.txt"
    cat "$out"
    line=$(grep -m1 '^open-loop ' "$out") || { echo "CLUSTER $name-$workload-fixed failed: see $out" | tee -a "$OUT/results.txt"; continue; }
    awk -v name="$name-$workload-fixed" -v fraction="$RATE_FRACTION" -v others="$others" -v nodes_cpu="$nodes_cpu" -v server="$(server_p99 \
        "$OUT/$name-$workload-fixed-buckets-before.txt" "$OUT/$name-$workload-fixed-buckets-after.txt")" '{
      for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
      printf "CLUSTER %s rate=%s fraction=%s achieved=%s p50=%s p90=%s p99=%s p999=%s max=%s late=%s late_generator=%s gen_lag_p99=%s gen_cpu=%s unsent=%s errors=%s server_p99<=%sms nodes_cpu=%s%% nodes_us_per_op=%.1f others_cpu=%s%% verdict=%s\n",
        name, f["rate"], fraction, f["achieved"], f["p50"], f["p90"], f["p99"], f["p999"], f["max"], f["late"],
        f["late_generator"], f["gen_lag_p99"], f["gen_cpu"], f["unsent"], f["errors"], server, nodes_cpu, (f["achieved"] > 0) ? nodes_cpu * 10000 / f["achieved"] : 0, others, f["verdict"]
    }' <<<"$line" | tee -a "$OUT/results.txt"
  done
}

# nginx_start / nginx_stop: one nginx worker on core 0 serving a 100-byte file for every path (as
# ../shared/bench/anchor-nginx.sh serves it) on BASE+90; nginx_start fails when nginx is not installed
# (`make bench` installs it for its anchor).
nginx_port=$((BASE + 90))
nginx_start() {
  local dir="$OUT/nginx"
  command -v nginx >/dev/null || return 1
  mkdir -p "$dir/www" "$dir/tmp"
  head -c 100 /dev/zero | tr '\0' 'x' >"$dir/www/file"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nodelay on; keepalive_timeout 65; keepalive_requests 100000000;
  default_type application/octet-stream;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server { listen 127.0.0.1:$nginx_port reuseport; root $dir/www; location / { try_files /file =404; } }
}
CONF
  taskset -c 0 nginx -c "$dir/nginx.conf" -p "$dir" &
  pids[90]=$!
  for _ in $(seq 500); do curl -s -o /dev/null "127.0.0.1:$nginx_port/" && return 0; sleep 0.01; done
}
nginx_stop() { kill -TERM "${pids[90]}" 2>/dev/null || true; wait "${pids[90]}" 2>/dev/null || true; pids[90]=""; }

# anchor_saturated: wrk's closed-loop GET load ($CONNS connections, core 1) against nginx on core 0, in
# this run: the p99 the host gives a server that does nothing, beside the nodes' saturated p99.
anchor_saturated() {
  local out="$OUT/nginx-saturated"
  nginx_start || { echo "CLUSTER nginx-saturated skipped: nginx is not installed"; return; }
  conns=$CONNS wrk_runs "$out" "127.0.0.1:$nginx_port" kv-get.lua 10000 /get
  nginx_stop
  echo "CLUSTER nginx-saturated rps=$(median_over "$out" rps_of) p50=$(median_over "$out" percentile_of 50)ms p90=$(median_over "$out" percentile_of 90)ms p99=$(median_over "$out" p99_of)ms p99_runs=$(p99_runs "$out") errors=$(sum_over "$out" errors_of)" | tee -a "$OUT/results.txt"
}

# anchor_fixed_rate NAME RATE: the same open-loop GET load at RATE against nginx, generator on core 1:
# what this host and the generator give a server that does nothing, beside the nodes' figures at that
# rate. Skipped when nginx is not installed.
anchor_fixed_rate() {
  local name=$1 rate=$2 out line
  (( rate >= 1 )) || return
  nginx_start || { echo "CLUSTER $name skipped: nginx is not installed"; return; }
  out="$OUT/$name.txt"
  "${generator_prefix[@]}" taskset -c 1 "$BIN" bench --node "127.0.0.1:$nginx_port" --rate "$rate" --duration "$DURATION" --connections "$CONNS" \
    --ops get --keys 10000 >"$out" 2>&1 || true
  nginx_stop
  line=$(grep -m1 '^open-loop ' "$out") || { echo "CLUSTER $name failed: see $out" | tee -a "$OUT/results.txt"; return; }
  awk -v name="$name" '{
    for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
    printf "CLUSTER %s rate=%s achieved=%s p50=%s p90=%s p99=%s p999=%s max=%s gen_lag_p99=%s verdict=%s\n",
      name, f["rate"], f["achieved"], f["p50"], f["p90"], f["p99"], f["p999"], f["max"], f["gen_lag_p99"], f["verdict"]
  }' <<<"$line" | tee -a "$OUT/results.txt"
}

# ms_until CMD...: milliseconds until CMD succeeds (polled every 5 ms, at most 60 s).
ms_until() {
  local start; start=$(date +%s%N)
  for _ in $(seq 12000); do
    "$@" && { echo $(( ($(date +%s%N) - start) / 1000000 )); return; }
    sleep 0.005
  done
  echo "never"
}
n3_state_on_n1() { curl -s "$(http 1)/cluster/members" | grep -q "\"id\":\"n3\",\"state\":\"$1\""; }
hints_pending_zero() {
  local i
  for i in 1 2; do
    [[ $(curl -s "$(http "$i")/metrics" | awk '$1=="kvortex_hints_pending"{print $2}') == 0 ]] || return 1
  done
}

: >"$OUT/results.txt"
echo "== single node (memory, core 0) =="
start_node 0
"$BIN" bench --node "$(http 0)" --preload --keys 10000 --value-size 100 --connections 8 >/dev/null
measure single 0
fixed_rate single 0
stop_node 0
anchor_saturated
anchor_fixed_rate nginx-at-single-rate "$(awk -v r="${saturated[single-get]:-0}" -v f="$RATE_FRACTION" 'BEGIN{printf "%d", r*f}')"

echo "== three nodes, N=3 R=2 W=2 (all on core 0), requests through every node =="
start_node 1
start_node 2 "$(peer 1)"
start_node 3 "$(peer 1)" "$(peer 2)"
for _ in $(seq 500); do
  [[ $(curl -s "$(http 3)/cluster/members" | grep -o '"state":"up"' | wc -l) == 3 ]] && break; sleep 0.01
done
"$BIN" bench --node "$(http 1)" --preload --keys 10000 --value-size 100 --connections 8 >/dev/null
measure cluster 1 2 3
fixed_rate cluster 1 2 3
# The cluster is idle meanwhile (heartbeats only).
anchor_fixed_rate nginx-at-cluster-rate "$(awk -v r="${saturated[cluster-get]:-0}" -v f="$RATE_FRACTION" 'BEGIN{printf "%d", r*f}')"

echo "== failure detection and handoff =="
kill -STOP "${pids[3]}"
echo "FAILURE silent node (SIGSTOP) marked down by n1 after $(ms_until n3_state_on_n1 down) ms" | tee -a "$OUT/results.txt"
kill -CONT "${pids[3]}"
echo "FAILURE resumed node marked up again by n1 after $(ms_until n3_state_on_n1 up) ms" | tee -a "$OUT/results.txt"
kill -KILL "${pids[3]}"; wait "${pids[3]}" 2>/dev/null || true; pids[3]=""
echo "FAILURE killed node (kill -9) marked down by n1 after $(ms_until n3_state_on_n1 down) ms" | tee -a "$OUT/results.txt"
"$BIN" bench --node "$(http 1)" --preload --keys "$HINT_KEYS" --value-size 100 --connections 8 >/dev/null
echo "hints pending while n3 is down: n1 $(curl -s "$(http 1)/metrics" | awk '$1=="kvortex_hints_pending"{print $2}'), n2 $(curl -s "$(http 2)/metrics" | awk '$1=="kvortex_hints_pending"{print $2}')"
start_node 3 "$(peer 1)" "$(peer 2)"
echo "FAILURE hints of $HINT_KEYS writes delivered $(ms_until hints_pending_zero) ms after n3 was ready again" | tee -a "$OUT/results.txt"

echo
echo "== summary =="
awk '
  /^CLUSTER/ { split($3, r, "="); rps[$2] = r[2]; line[$2] = $0 }
  { print }
  END {
    if (rps["single-get"] > 0) printf "cluster GET / single node = %.2f  (target >= 0.35)\n", rps["cluster-get"] / rps["single-get"]
    if (rps["single-set"] > 0) printf "cluster SET / single node = %.2f  (target >= 0.35)\n", rps["cluster-set"] / rps["single-set"]
  }' "$OUT/results.txt"
awk '
  /^CLUSTER/ { for (i = 3; i <= NF; i++) if (split($i, kv, "=") == 2) { v = kv[2]; sub(/ms$/, "", v); f[$2, kv[1]] = v } }
  END {
    n = f["nginx-saturated", "p99"]
    if (n > 0) printf "saturated p99, same run: nginx %s ms, one node GET %s / SET %s ms, cluster GET %s / SET %s ms  (cluster target <= 5)\n",
      n, f["single-get", "p99"], f["single-set", "p99"], f["cluster-get", "p99"], f["cluster-set", "p99"]
    if (n > 0) printf "saturated p99 / nginx p99, same run: one node GET %.2f / SET %.2f, cluster GET %.2f / SET %.2f  (what the host adds is in both)\n",
      f["single-get", "p99"] / n, f["single-set", "p99"] / n, f["cluster-get", "p99"] / n, f["cluster-set", "p99"] / n
    split("nginx-saturated single-get single-set cluster-get cluster-set", names, " ")
    printf "saturated p50 / p90 / p99 (ms):"
    for (k = 1; k <= 5; k++) printf "%s %s %s / %s / %s", (k > 1) ? "," : "", names[k], f[names[k], "p50"], f[names[k], "p90"], f[names[k], "p99"]
    printf "\n"
  }' "$OUT/results.txt"
echo
echo "p99 (ms), client side: saturated = wrk closed loop, $CONNS connections; fixed = kvortex bench --rate at $RATE_FRACTION x saturated, from due times${generator_prefix[*]:+ (generator under ${generator_prefix[*]})}"
echo "(others cpu: % of one core other processes on this host used during the saturated / fixed run, 200 = both cores;"
echo " nodes us/op: the nodes' CPU per request, saturated / fixed: batching under saturation makes requests cheaper)"
awk '
  /^CLUSTER/ { for (i = 3; i <= NF; i++) if (split($i, kv, "=") == 2) { v = kv[2]; sub(/ms$/, "", v); f[$2, kv[1]] = v } }
  END {
    printf "%-14s %10s %10s %10s %10s %12s %14s %16s  %s\n", "workload", "saturated", "fixed", "fixed p999", "rate", "gen lag p99", "others cpu", "nodes us/op", "verdict"
    split("single-get single-set cluster-get cluster-set", names, " ")
    for (k = 1; k <= 4; k++) {
      n = names[k]
      printf "%-14s %10s %10s %10s %10s %12s %6s / %5s %7s / %6s  %s\n", n, f[n, "p99"], f[n "-fixed", "p99"], f[n "-fixed", "p999"], f[n "-fixed", "rate"],
        f[n "-fixed", "gen_lag_p99"], f[n, "others_cpu"], f[n "-fixed", "others_cpu"], f[n, "nodes_us_per_op"], f[n "-fixed", "nodes_us_per_op"],
        f[n "-fixed", "verdict"]
    }
    for (k = 1; k <= 2; k++) {
      n = (k == 1) ? "nginx-at-single-rate" : "nginx-at-cluster-rate"
      if ((n, "p99") in f) printf "%-22s fixed p99 %s ms, p999 %s ms at %s GET/s (nginx, same generator: what the host gives)\n", n, f[n, "p99"], f[n, "p999"], f[n, "rate"]
    }
    printf "cluster p99 at the fixed rate: GET %s ms, SET %s ms  (target <= 5)\n", f["cluster-get-fixed", "p99"], f["cluster-set-fixed", "p99"]
  }' "$OUT/results.txt"
