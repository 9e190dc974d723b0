import Testing
@testable import KVortexNet

/// Byte comparisons against literals, as the parser and the routes use them.
@Suite struct RawBytesStaticStringTests {
    static func check(_ bytes: String, equals: Bool, startsWith: Bool, _ text: StaticString) {
        Array(bytes.utf8).withUnsafeBytes { raw in
            #expect(raw.equals(text) == equals, "\(bytes) equals \(text)")
            #expect(raw.starts(with: text) == startsWith, "\(bytes) starts with \(text)")
        }
    }

    @Test func comparesWholeBytesAndPrefixes() {
        Self.check("GET", equals: true, startsWith: true, "GET")
        Self.check("GETS", equals: false, startsWith: true, "GET")
        Self.check("GE", equals: false, startsWith: false, "GET")
        Self.check("GEt", equals: false, startsWith: false, "GET")
        Self.check("", equals: true, startsWith: true, "")
        Self.check("x", equals: false, startsWith: true, "")
        Self.check("", equals: false, startsWith: false, "/kv/")
        Self.check("/kv/key", equals: false, startsWith: true, "/kv/")
    }

    @Test func everyMethodParses() {
        let methods: [(String, HTTPMethod)] = [
            ("GET", .get), ("PUT", .put), ("POST", .post), ("HEAD", .head), ("PATCH", .patch), ("DELETE", .delete),
            ("OPTIONS", .options), ("get", .other), ("GETX", .other), ("", .other), ("CONNECT", .other),
        ]
        for (token, method) in methods {
            let parsed = Array(token.utf8).withUnsafeBytes { HTTPMethod.parse($0) }
            #expect(parsed.token == method.token, "\(token)")
        }
    }
}
