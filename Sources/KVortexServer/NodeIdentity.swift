import Glibc
import KVortexCore

/// The node ID and actor epoch kept in a durable data directory (DESIGN.md "Actors are epoch-stamped").
///
/// A restart on intact data keeps its epoch, so the node keeps counting its dots where it left off; a
/// new, foreign or damaged directory gets a new random epoch, so a node that lost its data never mints
/// a dot it used before (Riak's key amnesia).
enum NodeIdentity {
    static let fileName = "identity"

    /// The epoch to run with in `directory`, writing a new identity file when needed.
    static func epoch(for node: NodeID, in directory: String) throws(ConfigurationError) -> UInt64 {
        let path = directory + "/" + fileName
        if let text = read(path) {
            let fields = text.split(separator: " ")
            if fields.count == 2, fields[0] == node.rawValue, let epoch = UInt64(fields[1]) { return epoch }
            Log.line("\(path) belongs to another node or is damaged: starting a new epoch")
        }
        let epoch = UInt64.random(in: 1...UInt64.max)
        try write("\(node.rawValue) \(epoch)\n", to: path)
        return epoch
    }

    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self).trimmingNewline()
    }

    /// Writes through a temporary file and a rename, so a crash leaves the old or the new identity.
    private static func write(_ text: String, to path: String) throws(ConfigurationError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .invalid("cannot write \(temporary): errno \(errno)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw .invalid("cannot write \(path): errno \(errno)")
        }
    }
}

extension String {
    func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
