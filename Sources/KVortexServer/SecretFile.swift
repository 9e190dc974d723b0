import Glibc

/// Reads a small file holding secrets (`--cluster-secret-file`, `--auth-token-file`, the CLI's
/// `--token-file`): bounded, and telling whether users other than the owner may access it, so the
/// caller can warn as ssh does about a private key. Never logs or returns the bytes in an error.
public enum SecretFile {
    /// Longest file read unless the caller names another bound; a secret is a line, not a document.
    public static let fileBytesMax = 4096

    public struct Contents: Sendable {
        public let bytes: [UInt8]
        /// Group or others have any permission on the file (`chmod 600` clears it).
        public let isAccessibleByOthers: Bool
    }

    /// The file's bytes. Errors name `flag` and `path`: unreadable, or longer than `bytesMax`.
    public static func read(_ path: String, flag: String, bytesMax: Int = fileBytesMax) throws(ConfigurationError) -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalid("\(flag) \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        let isAccessibleByOthers = fstat(fd, &status) == 0 && status.st_mode & 0o077 != 0
        var bytes = [UInt8](repeating: 0, count: bytesMax + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if got > 0 { count += got; continue }
            if got < 0 && errno == EINTR { continue }
            guard got == 0 else { throw .invalid("\(flag) \(path): \(String(cString: strerror(errno)))") }
            break
        }
        guard count <= bytesMax else { throw .invalid("\(flag) \(path) is longer than \(bytesMax) bytes") }
        bytes.removeSubrange(count...)
        return Contents(bytes: bytes, isAccessibleByOthers: isAccessibleByOthers)
    }

    /// The lines of a token file (`--auth-token-file`, the CLI's `--token-file`) that hold something:
    /// each line's number (from 1) and its words, split at spaces, tabs and the CR of a CRLF ending;
    /// blank lines and lines whose first word starts with `#` are skipped.
    public static func wordLines(_ bytes: [UInt8]) -> [(line: Int, words: [ArraySlice<UInt8>])] {
        var lines: [(line: Int, words: [ArraySlice<UInt8>])] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let words = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            guard let first = words.first, first.first != UInt8(ascii: "#") else { continue }
            lines.append((index + 1, words))
        }
        return lines
    }

    /// Whether `bytes` are all printable ASCII without spaces (0x21...0x7E): what a header carries as
    /// it is, so what a token may hold.
    public static func isHeaderToken(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The warning line for a file others may read, naming the flag and the file, never its contents.
    public static func sharedFileWarning(flag: String, path: String) -> String {
        "warning: \(flag) \(path) is readable by other users (chmod 600 it)"
    }
}
