/// The opaque token a client sees in `X-Context`: a version vector, versioned and checksummed.
///
/// Layout before base64url: `version u8 (1)`, the clock as in `VersionedObject+Binary`, then a
/// CRC-32C of the preceding bytes. A token that fails any check is `malformedContext` (HTTP 400),
/// never ignored: ignoring it would turn a resolving write into a blind one.
public enum CausalContext {
    static let tokenVersion: UInt8 = 1
    /// Longest token accepted, in characters; larger ones are rejected before decoding. Derived from the
    /// largest clock the decoder accepts (entries of at most 8 + 10 bytes), so every token this node can
    /// issue is accepted back. (A token also has to fit the HTTP header limit; clocks are not pruned yet.)
    public static let tokenCharactersMax =
        (1 + 10 + VersionedObject.decodeClockEntriesMax * 18 + 4 + 2) / 3 * 4

    public static func token(for clock: VersionVector) -> String {
        var writer = ByteWriter(capacity: 8 + clock.entries.count * 12)
        writer.write(tokenVersion)
        clock.encode(into: &writer)
        writer.writeFixed32(CRC32C.checksum(writer.bytes))
        return Base64URL.encode(writer.bytes)
    }

    /// The clock inside `token`, or nil when the token is not one this version of KVortex issued.
    public static func clock(fromToken token: some Collection<UInt8>) -> VersionVector? {
        guard token.count <= tokenCharactersMax, let raw = Base64URL.decode(token), raw.count >= 6 else {
            return nil
        }
        let body = raw[..<(raw.count - 4)]
        var checksumReader = ByteReader(Array(raw[(raw.count - 4)...]))
        guard let stored = try? checksumReader.readFixed32(), stored == CRC32C.checksum(body) else { return nil }
        var reader = ByteReader(Array(body))
        guard (try? reader.readByte()) == tokenVersion,
            let clock = try? VersionVector(from: &reader), reader.isAtEnd
        else { return nil }
        return clock
    }
}
