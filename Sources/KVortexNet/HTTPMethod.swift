/// The request methods KVortex routes on; anything else is `.other` (answered 405 by routes).
public enum HTTPMethod: Sendable, CaseIterable, CustomStringConvertible {
    case get, head, post, put, delete, options, patch, other

    /// Parses the method token of a request line.
    static func parse(_ token: UnsafeRawBufferPointer) -> HTTPMethod {
        switch token.count {
        case 3:
            if token.equals("GET") { return .get }
            if token.equals("PUT") { return .put }
        case 4:
            if token.equals("POST") { return .post }
            if token.equals("HEAD") { return .head }
        case 5:
            if token.equals("PATCH") { return .patch }
        case 6:
            if token.equals("DELETE") { return .delete }
        case 7:
            if token.equals("OPTIONS") { return .options }
        default:
            break
        }
        return .other
    }

    /// The method as written on a request line.
    public var token: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other: "OTHER"
        }
    }

    public var description: String { self == .other ? "this method" : token }
}
