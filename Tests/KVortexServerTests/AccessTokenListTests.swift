import Foundation
@testable import KVortexServer
import Testing

/// Several tokens per role in `--auth-token-file` (docs/decisions.md "Client authentication"): the file
/// lists them, the bound on how many, and the check accepting each listed token and no other.
@Suite struct AccessTokenListTests {
    /// A distinct token of 24 bytes for `role` and `index`.
    static func token(_ role: AccessTokens.Role, _ index: Int) -> [UInt8] {
        Array("\(role.rawValue)-\(index)-0123456789abcdef".utf8)
    }

    /// The file's lines for `tokens`, in order, each `role TOKEN`.
    static func file(_ tokens: [(AccessTokens.Role, [UInt8])]) -> [UInt8] {
        Array(tokens.map { "\($0.0.rawValue) \(String(decoding: $0.1, as: UTF8.self))\n" }.joined().utf8)
    }

    /// The status `control` answers for `route` with `Bearer token`.
    static func status(_ control: AccessControl, _ route: Route, _ token: [UInt8]) -> Int {
        (Array("Bearer ".utf8) + token).withUnsafeBytes { control.refusal(for: route, authorization: $0)?.status ?? 200 }
    }

    @Test func severalLinesPerRoleKeepTheirOrder() throws {
        let text = "client \(String(decoding: Self.token(.client, 1), as: UTF8.self))\n# the new one\n"
            + "admin \(String(decoding: Self.token(.admin, 1), as: UTF8.self))\n"
            + "CLIENT \(String(decoding: Self.token(.client, 2), as: UTF8.self))\r\n"
            + "admin\t\(String(decoding: Self.token(.admin, 2), as: UTF8.self))\n"
            + "client \(String(decoding: Self.token(.client, 3), as: UTF8.self))"
        let tokens = try AccessTokens.parse(Array(text.utf8))
        #expect(tokens.client == [Self.token(.client, 1), Self.token(.client, 2), Self.token(.client, 3)])
        #expect(tokens.admin == [Self.token(.admin, 1), Self.token(.admin, 2)])
        #expect("\(tokens)" == "AccessTokens(client: 3, admin: 2)")
    }

    /// Exactly `tokensMax` lines (both roles) are accepted; one more is refused on its line.
    @Test func theBoundIsTokensMaxLines() throws {
        let full = (0..<AccessTokens.tokensMax).map { index in
            index.isMultiple(of: 3) ? (AccessTokens.Role.admin, Self.token(.admin, index)) : (.client, Self.token(.client, index))
        }
        let tokens = try AccessTokens.parse(Self.file(full))
        #expect(tokens.client.count + tokens.admin.count == AccessTokens.tokensMax)
        do throws(AccessTokens.Refusal) {
            let over = try AccessTokens.parse(Self.file(full + [(.client, Self.token(.client, 999))]))
            Issue.record("accepted \(over)")
        } catch {
            #expect(error.description == "line \(AccessTokens.tokensMax + 1): more than \(AccessTokens.tokensMax) token lines "
                + "(client and admin together); remove the tokens no longer in use")
        }
    }

    /// A file of `tokensMax` tokens as `openssl rand -hex 32` makes them fits the file bound, read from disk.
    @Test func aFullFileOfHexTokensIsRead() throws {
        let files = try TokenFiles()
        let text = (0..<AccessTokens.tokensMax).map { "client " + String(repeating: String(format: "%02x", $0), count: 32) + "\n" }
            .joined()
        #expect(text.utf8.count > SecretFile.fileBytesMax, "the token file needs its own, larger bound")
        let tokens = try AccessTokens.read(try files.write("full.tokens", "# rotated weekly\n" + text))
        #expect(tokens.client.count == AccessTokens.tokensMax && tokens.admin.isEmpty)
        let tooLong = try files.write("long.tokens", String(repeating: "#", count: AccessTokens.fileBytesMax + 1))
        #expect(throws: ConfigurationError.invalid("--auth-token-file \(tooLong) is longer than \(AccessTokens.fileBytesMax) bytes")) {
            try AccessTokens.read(tooLong)
        }
    }

    @Test func everyListedTokenOpensItsRoutesAndNoOtherDoes() {
        let clients = (1...3).map { Self.token(.client, $0) }
        let admins = (1...2).map { Self.token(.admin, $0) }
        let control = AccessControl(tokens: AccessTokens(client: clients, admin: admins), protectsOperationalRoutes: false)
        for token in clients + admins {
            #expect(Self.status(control, .get, token) == 200, "\(String(decoding: token, as: UTF8.self))")
        }
        for token in admins { #expect(Self.status(control, .clusterJoin, token) == 200) }
        for token in clients { #expect(Self.status(control, .clusterJoin, token) == 403) }
        let unlisted = [Self.token(.client, 4), Self.token(.admin, 3), Array(clients[0].dropLast()), clients[1] + [0x41], []]
        for token in unlisted {
            #expect(Self.status(control, .get, token) != 200, "'\(String(decoding: token, as: UTF8.self))'")
            #expect(Self.status(control, .clusterJoin, token) != 200)
        }
        #expect(control.failureCount(.notAdmin) == UInt64(clients.count))
        #expect(control.failureCount(.wrong) == UInt64(2 * (unlisted.count - 1)), "the empty token is missing (401)")
    }

    /// The first and the last token of a full file are both accepted: none is left unchecked.
    @Test func theFirstAndLastOfAFullRoleAreAccepted() {
        let clients = (0..<AccessTokens.tokensMax).map { Self.token(.client, $0) }
        let control = AccessControl(tokens: AccessTokens(client: clients, admin: []), protectsOperationalRoutes: false)
        #expect(Self.status(control, .get, clients[0]) == 200)
        #expect(Self.status(control, .get, clients[AccessTokens.tokensMax - 1]) == 200)
        #expect(Self.status(control, .get, Self.token(.client, AccessTokens.tokensMax)) == 403)
        #expect(Self.status(control, .clusterLeave, clients[0]) == 403, "no admin token: no token opens the admin routes")
    }
}
