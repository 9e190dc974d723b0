import Glibc

/// Reads `--cluster-secret-file`: the bytes every node of a cluster must share to be let in (the peer
/// handshake proves them without sending them). Trailing newlines and spaces are not part of the
/// secret, so `openssl rand -hex 32 > F` and an editor's final newline give the same secret everywhere.
enum ClusterSecret {
    /// Longest secret file read; a secret is a random string, not a document.
    static let fileBytesMax = 4096
    /// Shortest secret accepted: shorter ones can be guessed offline from one recorded handshake.
    static let bytesMin = 16

    static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalid("--cluster-secret-file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & 0o077 != 0 {
            Log.line("warning: --cluster-secret-file \(path) is readable by other users (chmod 600 it)")
        }
        var bytes = [UInt8](repeating: 0, count: fileBytesMax + 1)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw .invalid("--cluster-secret-file \(path): \(String(cString: strerror(errno)))") }
        guard count <= fileBytesMax else { throw .invalid("--cluster-secret-file \(path) is longer than \(fileBytesMax) bytes") }
        var secret = Array(bytes[..<count])
        while let last = secret.last, [UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t")].contains(last) {
            secret.removeLast()
        }
        guard secret.count >= bytesMin else {
            throw .invalid("--cluster-secret-file \(path) holds \(secret.count) bytes; use at least \(bytesMin) random ones (openssl rand -hex 32)")
        }
        return secret
    }
}
