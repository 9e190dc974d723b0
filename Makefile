# KVortex. `make run` starts one node in memory on 127.0.0.1:8080; `make test` installs what is
# missing, builds and runs every test. Long work (bench, soak, fuzz) stays out of `make test`.
SWIFT ?= swift
HTTP ?= 127.0.0.1:8080

.PHONY: all deps build release run cluster cluster-stop test bench soak fuzz clean

all: build

# Installs system packages a fresh Debian machine lacks (apt-get; root or sudo).
deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product kvortex

# One node, in memory, N=R=W=1. Ctrl-C stops it gracefully.
run: release
	exec .build/release/kvortex serve --http $(HTTP)

# A local cluster on loopback: NODES nodes (default 3), node i on HTTP 127.0.0.1:800i and peer
# 127.0.0.1:900i, each seeded with the others. Prints how to reach it; Ctrl-C stops every node it
# started. Knobs: NODES=5, STORAGE=log (data in out/cluster/n<i>), NODE_FLAGS="--enable-fault-injection ..."
# (with --auth-token-file F, export KVORTEX_TOKEN=<a client token of F> first),
# DETACH=1 (return once ready). Logs and PIDs in out/cluster/.
cluster: release
	scripts/cluster.sh start

# Stops the nodes of a cluster started in the background (make cluster &, DETACH=1), by PID.
cluster-stop:
	scripts/cluster.sh stop

# Every test: unit, property, parser, storage conformance, end to end against the real binary.
# The output is kept in out/test.log; a failure ends with a summary of it (failed tests, a crash's
# reason and frames), since CI shows only the end of the output.
test: deps
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/run-tests.sh

# Release build, node pinned to core 0, anchors (nginx, Hummingbird) in the same run, ratio table.
bench: release
	scripts/bench.sh

# Every simulation scenario over thousands of seeds (SEEDS, default 1000), in a release build, JOBS
# seeds at a time (default: one per core; the reports are the same for any JOBS).
SEEDS ?= 1000
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
soak: release
	.build/release/kvortex simulate --seeds $(SEEDS) --jobs $(JOBS) --out out/soak

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer, built apart in .build/fuzz) of the HTTP
# parser, the peer wire codec, the object encoding and log recovery: FUZZ_SECONDS per target (default
# 60; 0 builds only), one after the other; FUZZ_TARGETS="http wire object log" picks some. Fails when
# a target finds a crash, printing the input (out/fuzz/<target>/crash-*) and the command replaying it.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= http wire object log
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" scripts/fuzz.sh

clean:
	rm -rf .build
