import KVortexCore

// Target `object`: the binary encoding of stored objects (Versioning/VersionedObject+Binary.swift) and
// `supersedes(encoded:mode:)`, which reads a stored clock without decoding the rest. The first input
// byte splits the rest into an incoming object and the encoding of a stored one. Properties: decoding
// never traps, and decoding from an array and from raw memory agree; a decoded object re-encodes to
// `encodedByteCount` bytes that decode to an equal object; `supersedes(encoded:)` never traps, is false
// in LWW mode, and agrees with `supersedes(clock:)` whenever the stored bytes decode; merging decoded
// objects either way never traps and gives an object that round-trips too. `EncodedObject`, which
// peers' objects stay as, validates what decodes (a canonical encoding at least), and what it
// validates decodes (its `decoded()` traps otherwise) to what the decoder gives. The stored bytes are
// also read as a context token (`X-Context`, from clients; its clock is encoded alike), raw and as
// the body of a well-formed token: a token decodes or is refused, and what decodes round-trips.

func fuzzSeeds() -> [[UInt8]] {
    let objects = sampleObjects()
    let encodings = objects.map { $0.encoded() }
    let pairs = encodings.indices.map { index in
        let incoming = encodings[(index + 1) % encodings.count]
        return [UInt8(incoming.count)] + incoming + encodings[index]
    }
    // Context tokens without their checksum, which the harness adds.
    let tokens = objects.map { [0] + Base64URL.decode(Array(CausalContext.token(for: $0).utf8))!.dropLast(4) }
    return pairs + tokens
}

func fuzzOne(_ input: [UInt8]) {
    guard let split = input.first else { return }
    let incomingCount = min(Int(split), input.count - 1)
    let incomingBytes = Array(input[1..<(1 + incomingCount)])
    let storedBytes = Array(input[(1 + incomingCount)...])
    let incoming = decoded(incomingBytes) ?? VersionedObject()
    let stored = decoded(storedBytes)
    checkEncodedObject(storedBytes, decoded: stored, incoming: incoming)
    checkContextTokens(storedBytes)
    let supersedes = storedBytes.withUnsafeBytes { raw in
        require(!incoming.supersedes(encoded: raw, mode: .lww), "supersedes in lww mode: \(hex(storedBytes))")
        return incoming.supersedes(encoded: raw, mode: .siblings)
    }
    guard let stored else { return }
    require(supersedes == incoming.supersedes(clock: stored.clock, mode: .siblings),
            "supersedes(encoded:) \(supersedes) for stored \(stored) but not by its clock; incoming \(incoming)")
    for mode in [ConflictMode.siblings, .lww] {
        var merged: VersionedObject? = stored
        _ = VersionedObject.merge(incoming, into: &merged, mode: mode, siblingsMax: 4)
        if let merged { _ = roundTripped(merged) }
    }
}

/// The object `bytes` encode, or nil; checks that both decoders agree and that it round-trips.
func decoded(_ bytes: [UInt8]) -> VersionedObject? {
    let fromArray = Result { () throws(DecodeError) in try VersionedObject(decoding: bytes) }
    let fromRaw = bytes.withUnsafeBytes { raw in Result { () throws(DecodeError) in try VersionedObject(decoding: raw) } }
    require(fromArray == fromRaw, "array decoder \(fromArray), raw decoder \(fromRaw): \(hex(bytes))")
    guard case .success(let object) = fromArray else { return nil }
    return roundTripped(object)
}

/// Checks that `object` encodes to `encodedByteCount` bytes, the same both ways, decoding to itself.
func roundTripped(_ object: VersionedObject) -> VersionedObject {
    let encoded = object.encoded()
    require(encoded.count == object.encodedByteCount, "encoded \(encoded.count) bytes, counted \(object.encodedByteCount)")
    var writer = ByteWriter(capacity: 0)
    object.encode(into: &writer)
    require(writer.bytes == encoded, "encode(into:) wrote \(hex(writer.bytes)), encoded() \(hex(encoded))")
    let again = Result { () throws(DecodeError) in try VersionedObject(decoding: encoded) }
    require(again == .success(object), "\(object)\n  encodes as \(hex(encoded))\n  decodes to \(again)")
    return object
}

func checkContextTokens(_ bytes: [UInt8]) {
    _ = CausalContext.context(fromToken: bytes)
    let token = Base64URL.encode(bytes + littleEndianBytes(CRC32C.checksum(bytes)))
    guard let context = CausalContext.context(fromToken: Array(token.utf8)) else { return }
    let again = CausalContext.context(fromToken: Array(CausalContext.token(for: context).utf8))
    require(again == context, "context \(context) from \(token) comes back as \(String(describing: again))")
}

func checkEncodedObject(_ bytes: [UInt8], decoded object: VersionedObject?, incoming: VersionedObject) {
    var reader = ByteReader(bytes)
    guard let encoded = try? EncodedObject(from: &reader) else {
        require(object == nil || object!.encoded() != bytes, "EncodedObject refuses the canonical encoding \(hex(bytes))")
        return
    }
    let validated = encoded.decoded()
    require(encoded.clock == validated.clock, "clock \(encoded.clock) read, \(validated.clock) decoded: \(hex(bytes))")
    require(!reader.isAtEnd || validated == object, "validated \(validated), decoded \(String(describing: object)): \(hex(bytes))")
    let incomingEncoded = EncodedObject(incoming)
    let supersedes = bytes.withUnsafeBytes { incomingEncoded.supersedes(encoded: $0, mode: .siblings) }
    require(supersedes == incoming.supersedes(clock: validated.clock, mode: .siblings),
            "EncodedObject.supersedes(encoded:) \(supersedes) for stored \(validated), incoming \(incoming)")
}
