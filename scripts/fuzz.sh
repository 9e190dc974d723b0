#!/usr/bin/env bash
# make fuzz: coverage-guided fuzzing with libFuzzer. Compiles the modules the harnesses in Fuzz/ need
# straight from Sources/ with -sanitize=fuzzer,address into .build/fuzz (SwiftPM's builds are left
# alone), then runs each target for FUZZ_SECONDS (0: build only), one at a time in one process.
# Exit status 1 when a target finds a crash; the input and the command that replays it are printed.
#   FUZZ_SECONDS=60  FUZZ_TARGETS="http wire object log"  FUZZ_FLAGS="-only_ascii=1" scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/.build/fuzz
out=$root/out/fuzz
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-http wire object log}
swiftc=${SWIFTC:-swiftc}
clang=${CLANG:-$(dirname "$(command -v "$swiftc")")/clang}
swift_flags=(-O -g -sanitize=fuzzer,address -parse-as-library -I "$build")
mkdir -p "$build" "$out"
# The Swift runtime's backtracer would race the sanitizer's and libFuzzer's own reports.
export SWIFT_BACKTRACE=enable=no

# What each target compiles: its harness, the libraries it links (dependents first), extra flags.
declare -A harness=([http]=HTTPParserFuzz [wire]=WireFuzz [object]=ObjectFuzz [log]=LogFuzz)
declare -A libraries=([http]="KVortexNet CEpoll" [wire]="KVortexCore" [object]="KVortexCore"
                      [log]="KVortexStorage KVortexCore CCRC32C")
declare -A samples=([http]="" [wire]=Samples.swift [object]=Samples.swift [log]=Samples.swift)
# The HTTP harness takes streams of up to 8 KiB, to reach the connection's buffer bound, and a dictionary
# of the tokens the parser looks for; the log harness closes standard error, where recovery reports
# every damaged segment.
declare -A run_flags=([http]="-max_len=8192 -dict=$root/Fuzz/http.dict" [wire]="" [object]="" [log]="-close_fd_mask=2")
# Swift modules: name and the modules it imports, which are built first.
swift_modules=("KVortexCore:" "KVortexNet:CEpoll" "KVortexStorage:KVortexCore CCRC32C")

# True when $1 is missing or older than any of the other paths (files or directories searched).
stale() {
    local output=$1; shift
    [[ ! -e $output ]] || [[ -n $(find "$@" -newer "$output" -print -quit) ]]
}

# A C target of Sources/ as a static library, with a module map so Swift can import it.
build_c_module() {
    local name=$1 library=$build/lib$1.a
    mkdir -p "$build/$name"
    printf 'module %s {\n    umbrella "%s/Sources/%s/include"\n    export *\n}\n' "$name" "$root" "$name" \
        > "$build/$name/module.modulemap"
    stale "$library" "Sources/$name" || return 0
    echo "fuzz: building $name"
    "$clang" -O2 -g -fsanitize=address,fuzzer-no-link -I "Sources/$name/include" \
        -c Sources/"$name"/*.c -o "$build/$name/$name.o"
    ar rcs "$library" "$build/$name/$name.o"
}

# A Swift target of Sources/ as a static library and module, testable so harnesses reach its internals.
build_swift_module() {
    local name=$1 dependencies=$2 library=$build/lib$1.a inputs=("Sources/$1") includes=()
    for dependency in $dependencies; do
        inputs+=("$build/lib$dependency.a")
        [[ -d $build/$dependency ]] && includes+=(-I "$build/$dependency")
    done
    stale "$library" "${inputs[@]}" || return 0
    echo "fuzz: building $name"
    mapfile -t sources < <(find "Sources/$name" -name '*.swift' | sort)
    # The SQLite engine is part of KVortexStorage: its system module map is in Sources/CSQLite.
    "$swiftc" "${swift_flags[@]}" "${includes[@]}" -I Sources/CSQLite -wmo -enable-testing \
        -module-name "$name" -emit-module -emit-module-path "$build/$name.swiftmodule" \
        -emit-library -static -o "$library" "${sources[@]}"
}

build_target() {
    local target=$1 binary=$build/fuzz-$1 sources=(Fuzz/Support.swift "Fuzz/${harness[$1]}.swift")
    local links=() includes=() inputs=()
    [[ -n ${samples[$target]} ]] && sources+=("Fuzz/${samples[$target]}")
    for library in ${libraries[$target]}; do
        links+=(-l"$library")
        inputs+=("$build/lib$library.a")
        [[ -d $build/$library ]] && includes+=(-I "$build/$library")
    done
    stale "$binary" "${sources[@]}" "${inputs[@]}" || return 0
    echo "fuzz: building fuzz-$target"
    "$swiftc" "${swift_flags[@]}" "${includes[@]}" -I Sources/CSQLite -module-name "${harness[$target]}" \
        -use-ld=lld "${sources[@]}" -L "$build" "${links[@]}" -o "$binary"
}

# Runs one target; returns 1 when it found a crash (or libFuzzer failed), after printing what to replay.
# -jobs=1 runs the fuzzer in one child process whose output goes to fuzz-0.log in the target's folder.
run_target() {
    local target=$1 binary=$build/fuzz-$1 directory=$out/$1
    mkdir -p "$directory/corpus" "$directory/seeds"
    KVORTEX_FUZZ_SEEDS=$directory/seeds "$binary"
    local marker=$directory/.started log=$directory/fuzz-0.log
    touch "$marker"
    echo "fuzz: $target for ${seconds}s (corpus ${directory#"$root"/}/corpus, log ${log#"$root"/})"
    local status=0
    # shellcheck disable=SC2086  # run_flags and FUZZ_FLAGS are lists of flags
    (cd "$directory" && "$binary" corpus seeds -max_total_time="$seconds" -workers=1 -jobs=1 -timeout=10 \
        -malloc_limit_mb=512 -rss_limit_mb=2048 -artifact_prefix="$directory/" -print_final_stats=1 \
        ${run_flags[$target]} ${FUZZ_FLAGS:-} > /dev/null 2>&1) || status=$?
    # The last status line (executions, coverage `cov`, features `ft`, exec/s) and the totals.
    grep -aE '^#[0-9]+' "$log" | tail -n 1 || true
    grep -aE '^stat::(number_of_executed_units|average_exec_per_sec)' "$log" | sort -u || true
    local found
    found=$(find "$directory" -maxdepth 1 -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) | sort)
    [[ $status -eq 0 && -z $found ]] && return 0
    grep -avE '^(#[0-9]+\s+(NEW|REDUCE|RELOAD|pulse|INITED)|INFO:|\s+NEW_FUNC)' "$log" | tail -n 60
    echo "fuzz: $target FAILED (libFuzzer exit status $status)"
    for artifact in $found; do
        echo "  reproducer: ${artifact#"$root"/}"
        echo "  replay:     SWIFT_BACKTRACE=enable=no .build/fuzz/fuzz-$target ${artifact#"$root"/}"
    done
    return 1
}

for target in $targets; do
    [[ -n ${harness[$target]:-} ]] || { echo "fuzz: no target $target (there are: ${!harness[*]})"; exit 2; }
done
for module in CEpoll CCRC32C; do build_c_module "$module"; done
for module in "${swift_modules[@]}"; do build_swift_module "${module%%:*}" "${module#*:}"; done
for target in $targets; do build_target "$target"; done
[[ $seconds -gt 0 ]] || exit 0
failed=()
for target in $targets; do run_target "$target" || failed+=("$target"); done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: crashes found in: ${failed[*]}"
    exit 1
fi
echo "fuzz: no crash in $targets (${seconds}s each)"
