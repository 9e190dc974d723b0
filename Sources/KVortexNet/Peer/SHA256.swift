/// SHA-256 (FIPS 180-4 §6.2), our own because KVortex takes no package dependencies and the toolchain
/// has no hash: feed bytes with `update`, then read the 32-byte digest with `finalize`.
///
/// Used for the cluster-secret proofs of the peer handshake (through `HMACSHA256`), a few hundred
/// bytes per connection, so it favours plainness over speed.
struct SHA256 {
    static let digestBytes = 32
    static let blockBytes = 64

    /// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
    private var state: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    /// Bytes of an incomplete block, waiting for more input; always fewer than `blockBytes`.
    private var pending: [UInt8] = []
    private var messageBytes: UInt64 = 0

    init() {
        pending.reserveCapacity(Self.blockBytes)
    }

    /// The digest of `bytes` in one call.
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Hashes whole blocks straight from `bytes` and keeps the tail in `pending` for the next call.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        messageBytes &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            offset = min(Self.blockBytes - pending.count, bytes.count)
            pending += bytes[0..<offset]
            guard pending.count == Self.blockBytes else { return }
            pending.withUnsafeBytes { Self.compress(&state, block: $0) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= Self.blockBytes {
            Self.compress(&state, block: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Self.blockBytes)]))
            offset += Self.blockBytes
        }
        pending += bytes[offset...]
    }

    /// Pads the message (FIPS 180-4 §5.1.1: a 1 bit, zeros, the length in bits as `u64` big-endian)
    /// and returns the digest, big-endian.
    consuming func finalize() -> [UInt8] {
        let messageBits = messageBytes &* 8
        let zeroCount = (Self.blockBytes - 9 - Int(messageBytes % UInt64(Self.blockBytes)) + Self.blockBytes) % Self.blockBytes
        var padding: [UInt8] = [0x80] + repeatElement(0, count: zeroCount)
        padding += (0..<8).reversed().map { UInt8(truncatingIfNeeded: messageBits >> ($0 * 8)) }
        update(padding)
        precondition(pending.isEmpty, "\(pending.count) bytes left unhashed after padding")
        return state.flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
    }

    /// FIPS 180-4 §6.2.2: one 64-byte block folded into `state`.
    private static func compress(_ state: inout [UInt32], block: UnsafeRawBufferPointer) {
        precondition(block.count == blockBytes, "block of \(block.count) bytes")
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            for index in 0..<16 {
                schedule[index] = (0..<4).reduce(0) { $0 << 8 | UInt32(block[index * 4 + $1]) }
            }
            for index in 16..<64 {
                let w15 = schedule[index - 15], w2 = schedule[index - 2]
                let sigma0 = w15.rotatedRight(7) ^ w15.rotatedRight(18) ^ (w15 >> 3)
                let sigma1 = w2.rotatedRight(17) ^ w2.rotatedRight(19) ^ (w2 >> 10)
                schedule[index] = schedule[index - 16] &+ sigma0 &+ schedule[index - 7] &+ sigma1
            }
            var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
            for index in 0..<64 {
                let sum1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                let choice = (e & f) ^ (~e & g)
                let temp1 = h &+ sum1 &+ choice &+ roundConstants[index] &+ schedule[index]
                let sum0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                (h, g, f, e, d, c, b, a) = (g, f, e, d &+ temp1, c, b, a, temp1 &+ sum0 &+ majority)
            }
            for (index, value) in [a, b, c, d, e, f, g, h].enumerated() { state[index] &+= value }
        }
    }
}

extension UInt32 {
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        (self >> count) | (self << (32 - count))
    }
}
