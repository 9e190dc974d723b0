/// `HOST:PORT` as flags, seeds and peer addresses spell it: split at the last colon, the host not
/// empty, the port 0...65535. One parser for the command line, the configuration and the transport.
public enum HostPort {
    public static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        return (String(text[..<colon]), port)
    }
}
