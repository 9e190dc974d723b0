@testable import KVortexCore
import Testing

/// `ObjectDigest` (docs/anti-entropy.md §1): of a decoded object, the xxHash64 of the clock's entries
/// and the sorted dots, each list preceded by its count; of an encoding, read where it lies, the same
/// value, whatever the varints' form and however many values it skips.
@Suite struct ObjectDigestEncodingTests {
    /// The definition, written plainly (an array, a sort): what the stack-buffer version must equal.
    static func reference(_ object: VersionedObject) -> UInt64 {
        var words = [UInt64(object.clock.entries.count)]
        for entry in object.clock.entries { words += [entry.actor.rawValue, entry.counter] }
        let dots = object.siblings.map(\.dot).sorted()
        words.append(UInt64(dots.count))
        for dot in dots { words += [dot.actor.rawValue, dot.counter] }
        return words.map(\.littleEndian).withUnsafeBytes { StableHash.hash64($0) }
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func anEncodingsDigestIsItsObjectsAndTheDefinitions(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, mix: .concurrent)
        for _ in 0..<60 {
            history.run(steps: 1)
            for object in history.replicas {
                let digest = ObjectDigest(object)
                #expect(digest.value == Self.reference(object), "seed \(seed)")
                #expect(object.encoded().withUnsafeBytes { ObjectDigest(encoding: $0) } == digest, "seed \(seed)")
                #expect(ObjectDigest(EncodedObject(object)) == digest, "seed \(seed)")
            }
        }
    }

    @Test func theEmptyObjectHasADigest() {
        let empty = VersionedObject()
        #expect(ObjectDigest(empty).value == Self.reference(empty))
        #expect(empty.encoded().withUnsafeBytes { ObjectDigest(encoding: $0) } == ObjectDigest(empty))
    }

    /// Varints written with redundant continuation bytes (valid LEB128, not what our encoder writes)
    /// give the digest of the value they decode to, and a large value is skipped, not read.
    @Test func nonCanonicalVarintsAndLargeValues() throws {
        let actor: UInt64 = 0x0102_0304_0506_0708
        var bytes: [UInt8] = [VersionedObject.binaryVersion]
        bytes += [0x81, 0x00]  // one clock entry, as two bytes
        bytes += withUnsafeBytes(of: actor.littleEndian, Array.init)
        bytes += [0x82, 0x80, 0x00]  // counter 2, as three bytes
        bytes += [0x81, 0x00]  // one sibling
        bytes += withUnsafeBytes(of: actor.littleEndian, Array.init)
        bytes += [0x82, 0x00]  // dot counter 2
        bytes += [0x00, 0x85, 0x00]  // flags: a value without expiry; timestamp 5
        bytes += [0x80, 0x00]  // empty content type, as two bytes
        let value = [UInt8](repeating: 7, count: 100_000)
        bytes += [0xA0, 0x8D, 0x06]  // 100 000
        bytes += value
        let object = try VersionedObject(decoding: bytes)
        #expect(object.siblings.first?.value == value)
        #expect(bytes.withUnsafeBytes { ObjectDigest(encoding: $0) } == ObjectDigest(object))
        #expect(bytes.withUnsafeBytes { ObjectDigest(encoding: $0) } != ObjectDigest(VersionedObject()))
    }

    @Test func aTruncatedEncodingThrowsWhenChecked() {
        var history = HistoryGenerator(seed: 1)
        history.run(steps: 10)
        let bytes = history.replicas[0].encoded()
        for cut in [1, 2, 9, bytes.count / 2] where cut < bytes.count {
            #expect(Self.walkFails(Array(bytes[..<cut])), "cut at \(cut) of \(bytes.count)")
        }
    }

    static func walkFails(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            do {
                _ = try ObjectDigest(checkingEncoding: raw)
                return false
            } catch {
                return true
            }
        }
    }
}
