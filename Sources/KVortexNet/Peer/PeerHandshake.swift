/// The first frame on every peer connection, from the connecting node: who it is and which cluster
/// and protocol it speaks. The listener answers with one byte (accepted or why not) and closes the
/// connection when it refuses. Layout inside a frame: `magic "KVXP"`, `version u8`, cluster name and
/// node ID (each `u16 LE` length + UTF-8).
struct PeerHandshake: Equatable {
    static let magic: [UInt8] = Array("KVXP".utf8)
    static let version: UInt8 = 1

    enum Answer: UInt8, Error {
        case accepted = 0
        case wrongCluster = 1
        case wrongVersion = 2
        case malformed = 3
    }

    var clusterName: String
    var nodeID: String

    func encode() -> [UInt8] {
        var body = Self.magic + [Self.version]
        for text in [clusterName, nodeID] {
            let bytes = Array(text.utf8.prefix(Int(UInt16.max)))
            body += [UInt8(truncatingIfNeeded: bytes.count), UInt8(truncatingIfNeeded: bytes.count >> 8)] + bytes
        }
        let length = UInt32(body.count)
        return [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)] + body
    }

    /// The handshake in `frame` (length included), or the answer that refuses it.
    static func decode(_ frame: [UInt8], clusterName expected: String) -> Result<PeerHandshake, Answer> {
        guard frame.count >= 4 + magic.count + 1, Array(frame[4..<(4 + magic.count)]) == magic else { return .failure(.malformed) }
        guard frame[4 + magic.count] == version else { return .failure(.wrongVersion) }
        var offset = 4 + magic.count + 1
        var texts: [String] = []
        for _ in 0..<2 {
            guard frame.count - offset >= 2 else { return .failure(.malformed) }
            let count = Int(frame[offset]) | Int(frame[offset + 1]) << 8
            offset += 2
            guard frame.count - offset >= count else { return .failure(.malformed) }
            texts.append(String(decoding: frame[offset..<(offset + count)], as: UTF8.self))
            offset += count
        }
        guard offset == frame.count, !texts[1].isEmpty else { return .failure(.malformed) }
        guard texts[0] == expected else { return .failure(.wrongCluster) }
        return .success(PeerHandshake(clusterName: texts[0], nodeID: texts[1]))
    }
}
