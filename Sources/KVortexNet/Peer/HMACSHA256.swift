/// HMAC-SHA256 (RFC 2104 with SHA-256, tested against RFC 4231): the message authentication code
/// the peer handshake uses to prove knowledge of the cluster secret without sending it.
enum HMACSHA256 {
    static let codeBytes = SHA256.digestBytes

    /// `H((K ^ opad) ‖ H((K ^ ipad) ‖ message))`, where `K` is `key` zero-padded to a block, or its
    /// digest first when it is longer than a block (RFC 2104 §2).
    static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        var block = key.count > SHA256.blockBytes ? SHA256.hash(key) : key
        block += repeatElement(0, count: SHA256.blockBytes - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
