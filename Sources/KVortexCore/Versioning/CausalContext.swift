/// The opaque token a client sees in `X-Context`: a `WriteContext`, versioned and checksummed.
///
/// Layout before base64url: `version u8 (2)`, the clock as in `VersionedObject+Binary`, the newest
/// timestamp (fixed 64 bits), then a CRC-32C of the preceding bytes. Version 1 tokens (no timestamp)
/// are still read, with a zero timestamp. A token that fails any check is `malformedContext` (HTTP
/// 400), never ignored: ignoring it would turn a resolving write into a blind one.
public enum CausalContext {
    static let tokenVersion: UInt8 = 2
    static let tokenVersionWithoutTimestamp: UInt8 = 1
    /// Longest token accepted, in characters; larger ones are rejected before decoding. Derived from the
    /// largest clock the decoder accepts (entries of at most 8 + 10 bytes), so every token this node can
    /// issue is accepted back. (A token also has to fit the HTTP header limit; clocks are not pruned yet.)
    public static let tokenCharactersMax =
        (1 + 10 + VersionedObject.decodeClockEntriesMax * 18 + 8 + 4 + 2) / 3 * 4

    public static func token(for context: WriteContext) -> String {
        withTokenBytes(of: context) { Base64URL.encode($0) }
    }

    /// Appends the token of `context` to `bytes` (a response's header lines), encoded straight onto
    /// them, with no array or string between.
    public static func appendToken(for context: WriteContext, to bytes: inout [UInt8]) {
        withTokenBytes(of: context) { Base64URL.append($0, to: &bytes) }
    }

    /// Calls `body` with the token's bytes before base64url (the layout above), written on the stack.
    private static func withTokenBytes<Result>(of context: WriteContext, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let size = 1 + context.clock.encodedByteCount + 8 + 4
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { raw in
            var writer = RawByteWriter(raw.baseAddress!)
            writer.write(tokenVersion)
            context.clock.encode(to: &writer)
            writer.writeFixed64(context.newest.rawValue)
            let checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<writer.offset])).littleEndian
            withUnsafeBytes(of: checksum) { writer.writeRaw($0) }
            precondition(writer.offset == size, "wrote \(writer.offset) token bytes, computed \(size)")
            return body(UnsafeRawBufferPointer(raw))
        }
    }

    /// The token for a read of `object` (nil: a key never written).
    public static func token(for object: VersionedObject?) -> String {
        token(for: object.map(WriteContext.init(of:)) ?? WriteContext())
    }

    /// The context inside `token`, or nil when the token is not one this version of KVortex issued.
    public static func context(fromToken token: some Collection<UInt8>) -> WriteContext? {
        guard token.count <= tokenCharactersMax, let raw = Base64URL.decode(token), raw.count >= 6 else {
            return nil
        }
        let body = raw[..<(raw.count - 4)]
        var checksumReader = ByteReader(Array(raw[(raw.count - 4)...]))
        guard let stored = try? checksumReader.readFixed32(), stored == CRC32C.checksum(body) else { return nil }
        var reader = ByteReader(Array(body))
        guard let version = try? reader.readByte(),
            version == tokenVersion || version == tokenVersionWithoutTimestamp,
            let clock = try? VersionVector(from: &reader)
        else { return nil }
        var newest = HybridTimestamp.zero
        if version == tokenVersion {
            guard let raw = try? reader.readFixed64() else { return nil }
            newest = HybridTimestamp(rawValue: raw)
        }
        guard reader.isAtEnd else { return nil }
        return WriteContext(clock: clock, newest: newest)
    }
}
