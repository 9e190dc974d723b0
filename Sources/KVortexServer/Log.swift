import Glibc

/// Operator-facing log lines on standard error (one line each, written with a single `write`).
public enum Log {
    public static func line(_ message: String) {
        var text = "kvortex: " + message + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
