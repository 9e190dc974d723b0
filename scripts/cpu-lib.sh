# Sourced by the benchmark scripts: how much CPU other work took on this host while we measured, so a
# figure taken on a busy machine says so. Ticks are USER_HZ (100 a second) as /proc reports them.
#
# cpu_mark PIDS...: prints a mark to pass to others_cpu: the host's busy ticks (user, nice, system,
# irq, softirq and steal: time a VM's host gave to someone else counts as taken), its total ticks, the
# ticks used so far by PIDS (our nodes) and by this shell's reaped children (wrk, the generator, curl).
cpu_mark() {
  local host pids_ticks=0 pid children
  host=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
  for pid in "$@"; do
    pids_ticks=$((pids_ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  # cutime + cstime of the script's own shell ($$ even from a subshell; `times` in one would say 0).
  children=$(awk '{ print $16 + $17 }' "/proc/$$/stat")
  echo "$host $pids_ticks $children"
}

# others_cpu MARK PIDS...: the CPU that processes other than ours used since MARK, in % of one core
# (200 = both cores of this host busy with other work the whole time), never below 0.
others_cpu() {
  local mark=$1; shift
  awk -v before="$mark" -v after="$(cpu_mark "$@")" -v cores="$(nproc)" 'BEGIN {
    split(before, b, " "); split(after, a, " ")
    busy = a[1] - b[1]; total = a[2] - b[2]; ours = (a[3] - b[3]) + (a[4] - b[4])
    others = (total > 0) ? (busy - ours) * 100 * cores / total : 0
    printf "%d", (others > 0) ? others + 0.5 : 0
  }'
}

# pids_cpu MARK PIDS...: the CPU that PIDS (our nodes) used since MARK (taken with the same PIDS), in %
# of one core.
pids_cpu() {
  local mark=$1; shift
  awk -v before="$mark" -v after="$(cpu_mark "$@")" -v cores="$(nproc)" 'BEGIN {
    split(before, b, " "); split(after, a, " ")
    total = a[2] - b[2]
    printf "%d", (total > 0) ? (a[3] - b[3]) * 100 * cores / total + 0.5 : 0
  }'
}
