/// A key as a dictionary key, hashed as one buffer of bytes; equal when the bytes are.
///
/// `[UInt8]`'s own `Hashable` feeds the hasher one byte at a time: for the 10-byte keys of the
/// benchmarks a dictionary lookup cost ~460 instructions, and hashing 39 % of a log engine's restart
/// with 1 M keys (callgrind). Wraps the array without copying it.
struct HashedKey: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: HashedKey, rhs: HashedKey) -> Bool {
        lhs.bytes == rhs.bytes
    }
}
