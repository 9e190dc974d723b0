import Glibc

// What every harness shares: the two entry points libFuzzer calls, the seed writer and `require`.
// Each harness file defines `fuzzSeeds()` (valid encodings to start from) and `fuzzOne(_:)` (one input,
// checked against the target's properties). Built and run by scripts/fuzz.sh (`make fuzz`).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// With `KVORTEX_FUZZ_SEEDS=DIR` in the environment, writes the target's seeds into DIR and exits:
/// scripts/fuzz.sh builds each seed corpus this way, so the seeds follow the current encodings.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: OpaquePointer?, _ argv: OpaquePointer?) -> CInt {
    guard let directory = getenv("KVORTEX_FUZZ_SEEDS").map({ String(cString: $0) }) else { return 0 }
    for (index, seed) in fuzzSeeds().enumerated() {
        let path = directory + "/seed-\(index)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path): errno \(errno)")
        let written = seed.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        precondition(written == seed.count, "short write to \(path)")
        close(fd)
    }
    exit(0)
}

/// Stops the run when a property of the target does not hold; libFuzzer keeps the input as a crash.
/// The message goes to standard output, which stays open when a target closes standard error.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    var line = "fuzz property violated: " + message() + "\n"
    line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    abort()
}

/// A byte string for messages: hex, cut after `bytesMax` bytes.
func hex(_ bytes: some Collection<UInt8>, bytesMax: Int = 64) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    for byte in bytes.prefix(bytesMax) { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 15)]) }
    return bytes.count > bytesMax ? text + "…(\(bytes.count) bytes)" : text
}

/// `value` as 4 bytes, little-endian, as lengths and checksums are written.
func littleEndianBytes(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
}

/// The little-endian UInt32 at `offset` of `bytes`, which holds 4 bytes there.
func littleEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}
