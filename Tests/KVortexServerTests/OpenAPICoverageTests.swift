import Foundation
import KVortexNet
@testable import KVortexServer
import Testing

/// `openapi.yaml` describes exactly the routes the router serves: every path of `Route.endpoints` and
/// the `/kv/{key}` prefix routes, each with the methods `Route.match` accepts there, and no path the
/// router does not know. Reads the file without a YAML library (`OpenAPIPaths`); that the document is
/// valid OpenAPI is `scripts/check-openapi.sh`'s job.
@Suite struct OpenAPICoverageTests {
    static let specification = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("openapi.yaml")

    /// The paths the router serves, as `openapi.yaml` must spell them.
    static var routerPaths: [String] {
        Route.endpoints.map(\.path.description) + [Route.keyPathPrefix.description + "{key}"]
    }

    /// The methods `Route.match` routes on `path` (a concrete path: `{key}` filled in).
    static func acceptedMethods(_ path: String) -> Set<String> {
        Set(HTTPMethod.allCases.filter { method in
            let (route, _) = Array(path.utf8).withUnsafeBytes { Route.match(method: method, path: $0) }
            return route != .notFound && route != .methodNotAllowed
        }.map(\.token))
    }

    /// The methods of the `Allow` header `Route.match` answers a method it does not know with on `path`;
    /// nil when that is not a 405.
    static func allowHeader(_ path: String) -> Set<String>? {
        let (route, allow) = Array(path.utf8).withUnsafeBytes { Route.match(method: .other, path: $0) }
        guard route == .methodNotAllowed else { return nil }
        return Set(allow.description.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    static func documented() throws -> OpenAPIPaths {
        try OpenAPIPaths(yaml: String(contentsOf: specification, encoding: .utf8))
    }

    @Test func everyRouterPathIsDocumented() throws {
        let paths = try Self.documented()
        for path in Self.routerPaths {
            #expect(paths.methods[path] != nil, "openapi.yaml has no \(path) under paths:")
        }
    }

    @Test func everyDocumentedPathIsServed() throws {
        let paths = try Self.documented()
        #expect(!paths.methods.isEmpty, "no paths found in \(Self.specification.path)")
        let served = Set(Self.routerPaths)
        for path in paths.methods.keys.sorted() {
            #expect(served.contains(path), "openapi.yaml documents \(path), which the router does not serve")
            let probe = path.replacingOccurrences(of: "{key}", with: "k")
            let route = Array(probe.utf8).withUnsafeBytes { Route.match(method: .get, path: $0) }.0
            #expect(route != .notFound, "\(path) answers 404 no_such_endpoint")
        }
    }

    @Test func documentedMethodsAreTheAcceptedOnes() throws {
        let paths = try Self.documented()
        for path in Self.routerPaths {
            guard let methods = paths.methods[path] else { continue }  // everyRouterPathIsDocumented reports it
            let probe = path.replacingOccurrences(of: "{key}", with: "k")
            #expect(methods == Self.acceptedMethods(probe), "\(path): documented \(methods.sorted()), served \(Self.acceptedMethods(probe).sorted())")
            #expect(methods == Self.allowHeader(probe), "\(path): documented \(methods.sorted()), Allow: \(Self.allowHeader(probe)?.sorted() ?? [])")
        }
    }

    @Test func eachEndpointAllowsWhatItAccepts() {
        for endpoint in Route.endpoints {
            let path = endpoint.path.description
            let preflight: Set<String> = endpoint.answersPreflight ? ["OPTIONS"] : []
            #expect(Set(endpoint.methods.map(\.token)).union(preflight) == Self.allowHeader(path), "\(path)")
            #expect(Self.acceptedMethods(path) == Self.allowHeader(path), "\(path)")
        }
    }

    /// The CORS preflight is `OPTIONS` on exactly the paths a page of another origin may read.
    @Test func preflightIsOptionsOnTheCrossOriginPathsOnly() {
        let crossOrigin = Set(Route.endpoints.filter(\.answersPreflight).map(\.path.description))
        #expect(crossOrigin == ["/health", "/ready", "/metrics", "/cluster/members"])
        for endpoint in Route.endpoints {
            #expect(endpoint.route.allowsAnyOrigin == endpoint.answersPreflight, "\(endpoint.path)")
        }
        #expect(Route.preflight.allowsAnyOrigin)
        for path in Self.routerPaths.map({ $0.replacingOccurrences(of: "{key}", with: "k") }) {
            let route = Array(path.utf8).withUnsafeBytes { Route.match(method: .options, path: $0) }.0
            #expect(route == (crossOrigin.contains(path) ? .preflight : .methodNotAllowed), "OPTIONS \(path)")
        }
    }

    /// Every operation lists 401 and 403 exactly when its route can need a token (`Route.access` is
    /// not `.open`): each served route on a node with `--auth-token-file` (the operational ones with
    /// `--protect-metrics`). The routes never checked list neither: `/dashboard` (a page without data)
    /// and the CORS preflights (`OPTIONS` on the cross-origin paths: a browser sends no token there).
    /// 404 and 405 are no operation.
    @Test func everyOperationDocumentsTheTokenRefusals() throws {
        let paths = try Self.documented()
        for (path, methods) in paths.methods {
            let probe = path.replacingOccurrences(of: "{key}", with: "k")
            for method in methods {
                let codes = paths.responseCodes["\(method) \(path)"] ?? []
                guard let httpMethod = HTTPMethod.allCases.first(where: { $0.token == method }) else { continue }
                let route = Array(probe.utf8).withUnsafeBytes { Route.match(method: httpMethod, path: $0) }.0
                if route.access == .open {
                    #expect(codes.isDisjoint(with: ["401", "403"]), "\(method) \(path) is never checked, yet lists \(codes.sorted())")
                } else {
                    #expect(codes.isSuperset(of: ["401", "403"]), "\(method) \(path) lists \(codes.sorted())")
                }
            }
        }
        let preflights = Route.endpoints.filter(\.answersPreflight).map { "OPTIONS \($0.path)" }
        for operation in preflights {
            #expect(paths.responseCodes[operation]?.contains("204") == true, "\(operation) documents its 204")
        }
    }

    @Test func noPathOrMethodIsListedTwice() throws {
        #expect(try Self.documented().duplicates == [])
    }

    @Test func readerFindsPathsAndMethodsOnly() {
        let yaml = """
            openapi: 3.1.0
            paths:
              /a:
                summary: x
                parameters:
                  - name: get
                get:
                  responses: {}
                head: {responses: {}}
              '/b/{key}':
                delete:
                  description: |
                    post:
            components:
              schemas:
                get: {}
            """
        let paths = OpenAPIPaths(yaml: yaml)
        #expect(paths.methods == ["/a": ["GET", "HEAD"], "/b/{key}": ["DELETE"]])
        #expect(paths.duplicates == [])
        let shared = """
            paths:
              /a:
                get:
                  responses: &shared
                    '200': {}
                    default: {}
                post:
                  responses: *shared
                put:
                  responses:
                    '204':
                      description: '403'
            """
        #expect(OpenAPIPaths(yaml: shared).responseCodes == ["GET /a": ["200", "default"], "POST /a": ["200", "default"], "PUT /a": ["204"]])
    }
}

/// The paths and their HTTP methods under `paths:` of an OpenAPI document written in block style, two
/// spaces per level (as `openapi.yaml` is): a path is a key indented 2 spaces, a method a key indented
/// 4 under it. Everything else, deeper or outside `paths:`, is skipped.
struct OpenAPIPaths {
    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Upper-case method tokens by path.
    private(set) var methods: [String: Set<String>] = [:]
    /// Paths, and `METHOD path`, that appear more than once.
    private(set) var duplicates: [String] = []
    /// The response codes (and `default`) of each operation, by `METHOD path`; a `responses: *alias`
    /// has those of the `responses: &alias` it names.
    private(set) var responseCodes: [String: Set<String>] = [:]

    init(yaml: String) {
        var inPaths = false
        var path: String?
        var operation: String?
        var inResponses = false
        var anchor: String?
        var anchored: [String: Set<String>] = [:]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: true) {
            let indent = line.prefix { $0 == " " }.count
            let text = line.dropFirst(indent)
            if text.hasPrefix("#") { continue }
            if indent == 0 {
                inPaths = text.hasPrefix("paths:")
                path = nil
                continue
            }
            guard inPaths, let key = Self.key(of: text) else { continue }
            if indent <= 6 { inResponses = false }
            if indent == 2 {
                path = key
                operation = nil
                if methods[key] != nil { duplicates.append(key) }
                methods[key, default: []].formUnion([])
            } else if indent == 4, let path, Self.operationKeys.contains(key) {
                let (inserted, _) = methods[path, default: []].insert(key.uppercased())
                if !inserted { duplicates.append("\(key.uppercased()) \(path)") }
                operation = "\(key.uppercased()) \(path)"
                responseCodes[operation!] = []
            } else if indent == 4 {
                operation = nil
            } else if indent == 6, key == "responses", let operation {
                let value = text.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)
                anchor = value.hasPrefix("&") ? String(value.dropFirst()) : nil
                if value.hasPrefix("*") { responseCodes[operation] = anchored[String(value.dropFirst())] ?? [] }
                inResponses = true
            } else if indent == 8, inResponses, let operation {
                responseCodes[operation, default: []].insert(key)
                if let anchor { anchored[anchor, default: []].insert(key) }
            }
        }
    }

    /// The key of a `key:` or `key: value` line, quotes removed; nil for other lines (list items…).
    private static func key(of text: Substring) -> String? {
        guard !text.hasPrefix("- "), let colon = text.firstIndex(of: ":") else { return nil }
        let afterColon = text[text.index(after: colon)...]
        guard afterColon.isEmpty || afterColon.hasPrefix(" ") else { return nil }
        var key = text[..<colon]
        if key.count >= 2, let quote = key.first, quote == "'" || quote == "\"", key.last == quote {
            key = key.dropFirst().dropLast()
        }
        return String(key)
    }
}
