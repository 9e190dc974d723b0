// swift-tools-version:6.0
// KVortex: a Dynamo-style key-value store. No package dependencies (DESIGN.md "Hard constraints").
import PackageDescription

// Release builds skip exclusivity checks on the request path; debug builds keep them.
let fastRelease: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "KVortex",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kvortex", targets: ["kvortex"]),
        .library(name: "KVortexCore", targets: ["KVortexCore"]),
    ],
    targets: [
        // Pure and deterministic: no clock, socket, thread or random source.
        .target(name: "KVortexCore", swiftSettings: fastRelease),
        .target(name: "KVortexStorage", dependencies: ["KVortexCore", "CSQLite", "CCRC32C"], swiftSettings: fastRelease),
        // Our own C shim: CRC-32C by the processor's instruction for the log engine's records.
        .target(name: "CCRC32C"),
        // The system SQLite for `--storage sqlite`; `make test` installs libsqlite3-dev.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Our own C shim: exposes epoll and eventfd, which Swift's Glibc module does not.
        .target(name: "CEpoll"),
        .target(name: "KVortexNet", dependencies: ["CEpoll"], swiftSettings: fastRelease),
        .target(
            name: "KVortexServer",
            dependencies: ["KVortexCore", "KVortexStorage", "KVortexNet"],
            swiftSettings: fastRelease),
        // The other driver: seeded virtual time and network running the same core nodes.
        .target(name: "KVortexSimulation", dependencies: ["KVortexCore"], swiftSettings: fastRelease),
        // Our own C shim: an epoll wait with a nanosecond timeout and the timer slack, for the open-loop load.
        .target(name: "CTimedWait"),
        // `kvortex bench --rate`: the open-loop load generator (fixed schedule, latency from the intended
        // send time, log-linear histogram). Imports neither Core nor Net: it is a client like wrk.
        .target(name: "KVortexBench", dependencies: ["CEpoll", "CTimedWait"], swiftSettings: fastRelease),
        .executableTarget(
            name: "kvortex",
            dependencies: ["KVortexCore", "KVortexStorage", "KVortexNet", "KVortexServer", "KVortexSimulation", "KVortexBench"],
            swiftSettings: fastRelease),
        .testTarget(name: "KVortexCoreTests", dependencies: ["KVortexCore"]),
        .testTarget(name: "KVortexStorageTests", dependencies: ["KVortexCore", "KVortexStorage", "CSQLite"]),
        .testTarget(name: "KVortexNetTests", dependencies: ["KVortexNet"]),
        .testTarget(name: "KVortexSimulationTests", dependencies: ["KVortexCore", "KVortexSimulation"]),
        .testTarget(name: "KVortexBenchTests", dependencies: ["KVortexBench", "KVortexNet"]),
        .testTarget(name: "KVortexServerTests", dependencies: ["KVortexCore", "KVortexNet", "KVortexServer", "KVortexStorage"]),
    ]
)
