/// Reads `--cluster-secret-file`: the bytes every node of a cluster must share to be let in (the peer
/// handshake proves them without sending them). Trailing newlines and spaces are not part of the
/// secret, so `openssl rand -hex 32 > F` and an editor's final newline give the same secret everywhere.
enum ClusterSecret {
    /// Shortest secret accepted: shorter ones can be guessed offline from one recorded handshake.
    static let bytesMin = 16

    static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let file = try SecretFile.read(path, flag: "--cluster-secret-file")
        if file.isAccessibleByOthers { Log.line(SecretFile.sharedFileWarning(flag: "--cluster-secret-file", path: path)) }
        var secret = file.bytes
        while let last = secret.last, [UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t")].contains(last) {
            secret.removeLast()
        }
        guard secret.count >= bytesMin else {
            throw .invalid("--cluster-secret-file \(path) holds \(secret.count) bytes; use at least \(bytesMin) random ones (openssl rand -hex 32)")
        }
        return secret
    }
}
