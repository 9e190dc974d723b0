import Glibc

/// Unbuffered standard streams for the CLI: a line written here is out before the next action
/// (tests wait for the ready line), and no global `FILE*` is shared across threads.
enum Terminal {
    static func error(_ message: String) {
        write(2, message.hasSuffix("\n") ? message : message + "\n")
    }

    static func output(_ message: String) {
        write(1, message.hasSuffix("\n") ? message : message + "\n")
    }

    static func output(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { return }
            offset += written
        }
    }

    static func readStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, $0.count) }
            guard count > 0 else { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func write(_ fd: Int32, _ text: String) {
        output(fd: fd, Array(text.utf8))
    }

    private static func output(fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { return }
            offset += written
        }
    }
}
