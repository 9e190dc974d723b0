#!/usr/bin/env bash
# Runs the built tests (`swift test --skip-build`), keeping the whole output in out/test.log, and on a
# failure ends with a short summary of it: the failed tests and issues, and for a crash of the test
# process its reason and the crashed thread's first frames. CI keeps only the end of a long output, so
# the cause has to be there, not thousands of lines above a register dump.
# Usage: scripts/run-tests.sh [swift test arguments...]   (SWIFT: the swift binary, default swift)
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
LOG=out/test.log
SUMMARY_LINES_MAX=80
mkdir -p out

"$SWIFT" test --skip-build "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
(( status == 0 )) && exit 0

{
  echo
  echo "== make test failed (exit $status); summary of $LOG =="
  # Swift Testing's failed tests and recorded issues, XCTest's failures, compiler-style errors.
  grep -E '✘|error:|: failed|Fatal error|Precondition failed|Assertion failed|Program crashed' "$LOG" | head -n 40
  # A crash of the test process: the runtime's backtrace names the crashed thread; its first frames.
  if grep -qE '^Thread [0-9]+.* crashed:' "$LOG"; then
    echo "-- crashed thread --"
    awk '/^Thread [0-9]+.* crashed:/ { on = 1 } /^Registers:/ { on = 0 } on && n < 25 { print; n++ }' "$LOG"
  fi
  # The test that was running last in each suite that started but never passed or failed.
  echo "-- tests started but not ended --"
  awk '
    /^◇ Test [^ ]+ started\./ { name = $3; open[name] = 1 }
    /^(✔|✘) Test [^ ]+ (with .* )?(passed|failed)/ { name = $3; delete open[name] }
    END { for (name in open) print "  " name }' "$LOG" | head -n 20
} | head -n "$SUMMARY_LINES_MAX"
exit "$status"
