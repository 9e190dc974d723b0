import Glibc
import KVortexCore

/// Owned by exactly one shard and touched only under its lock (hence `@unchecked Sendable`).
/// One key's record in the memory engine: a single malloc'd block
/// `[u32 total][u16 keyCount][u8 flags][key][object][digest u64, with flag keepsDigest]`.
///
/// One allocation per key, no Swift object header, no separate key array: this is what keeps a 100-byte
/// value near 200 bytes of resident memory (the target is 1.2 × redis, BENCH.md).
struct EntryBlock: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    static let headerBytes = 7
    /// Flag: the object holds a tombstone or a TTL, so it may become reapable; the sweep decodes
    /// only such blocks.
    static let mayBecomeReapable: UInt8 = 1

    /// Flag: the block ends with its object's digest (`ObjectDigest`), set with anti-entropy on, so a
    /// change reads the old digest instead of walking the old encoding (~40 % of a change's cost at 16
    /// siblings) and a rebuild's visit reads it too. 8 bytes a key, only with anti-entropy on.
    static let keepsDigest: UInt8 = 2
    static let digestBytes = 8

    static func flags(mayBecomeReapable: Bool, keepsDigest: Bool) -> UInt8 {
        (mayBecomeReapable ? Self.mayBecomeReapable : 0) | (keepsDigest ? Self.keepsDigest : 0)
    }

    /// Allocates a block holding `key` and the encoding of `object`, encoded in place (no array between).
    static func make(key: UnsafeRawBufferPointer, object: VersionedObject, flags: UInt8) -> EntryBlock {
        let objectBytes = object.encodedByteCount
        return make(key: key, objectBytes: objectBytes, flags: flags) { destination in
            let written = object.encode(to: destination)
            precondition(written == objectBytes, "encoded \(written) bytes into a block sized for \(objectBytes)")
        }
    }

    /// Allocates a block holding `key` and an object's encoding as it is (a replica's superseding write).
    static func make(key: UnsafeRawBufferPointer, encoded: UnsafeRawBufferPointer, flags: UInt8) -> EntryBlock {
        make(key: key, objectBytes: encoded.count, flags: flags) { destination in
            destination.copyMemory(from: encoded.baseAddress!, byteCount: encoded.count)
        }
    }

    /// Allocates the block and writes its header and key; `writeObject` fills the `objectBytes` after them.
    private static func make(key: UnsafeRawBufferPointer, objectBytes: Int, flags: UInt8,
                             writeObject: (UnsafeMutableRawPointer) -> Void) -> EntryBlock {
        precondition(key.count <= Int(UInt16.max), "key of \(key.count) bytes does not fit the block header")
        precondition(objectBytes > 0, "an object encoding is at least its version byte")
        let total = headerBytes + key.count + objectBytes + (flags & keepsDigest != 0 ? digestBytes : 0)
        precondition(total <= Int(UInt32.max), "entry of \(total) bytes does not fit the block header")
        guard let pointer = malloc(total) else { fatalError("out of memory allocating \(total) bytes") }
        pointer.storeBytes(of: UInt32(total), as: UInt32.self)
        pointer.storeBytes(of: UInt16(key.count), toByteOffset: 4, as: UInt16.self)
        pointer.storeBytes(of: flags, toByteOffset: 6, as: UInt8.self)
        if key.count > 0 { (pointer + headerBytes).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        writeObject(pointer + headerBytes + key.count)
        return EntryBlock(pointer: pointer)
    }

    func free() {
        Glibc.free(pointer)
    }

    var totalBytes: Int { Int(pointer.loadUnaligned(as: UInt32.self)) }
    var keyCount: Int { Int(pointer.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) }
    var flags: UInt8 { pointer.load(fromByteOffset: 6, as: UInt8.self) }

    var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer + Self.headerBytes, count: keyCount)
    }

    var objectBytes: UnsafeRawBufferPointer {
        let offset = Self.headerBytes + keyCount
        let digestSlot = flags & Self.keepsDigest != 0 ? Self.digestBytes : 0
        return UnsafeRawBufferPointer(start: pointer + offset, count: totalBytes - offset - digestSlot)
    }

    /// The digest kept at the block's end (nil without `keepsDigest`); set by the engine before the
    /// block is stored.
    var digest: ObjectDigest? {
        guard flags & Self.keepsDigest != 0 else { return nil }
        return ObjectDigest(value: pointer.loadUnaligned(fromByteOffset: totalBytes - Self.digestBytes, as: UInt64.self))
    }

    func setDigest(_ digest: ObjectDigest) {
        precondition(flags & Self.keepsDigest != 0, "a block without room for its digest")
        pointer.storeBytes(of: digest.value, toByteOffset: totalBytes - Self.digestBytes, as: UInt64.self)
    }

    func keyEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        let mine = key
        return mine.count == other.count && (mine.count == 0 || memcmp(mine.baseAddress!, other.baseAddress!, mine.count) == 0)
    }
}
