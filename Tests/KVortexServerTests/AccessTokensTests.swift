import KVortexServer
import Testing

/// The token file of `--auth-token-file` (`AccessTokens.parse`): what it accepts, and that every
/// refusal names a line and never a token.
@Suite struct AccessTokensTests {
    static let client = Array("c0123456789abcdef".utf8)
    static let admin = Array("a0123456789abcdef".utf8)

    static func parse(_ text: String) throws(AccessTokens.Refusal) -> AccessTokens {
        try AccessTokens.parse(Array(text.utf8))
    }

    /// The refusal of `text`, failing the test when it is accepted.
    static func refusal(_ text: String) -> String {
        do throws(AccessTokens.Refusal) {
            let tokens = try parse(text)
            Issue.record("accepted: \(tokens)")
            return ""
        } catch {
            return error.description
        }
    }

    @Test func rolesCommentsBlankLinesAndCRLF() throws {
        let tokens = try Self.parse("# tokens\r\n\r\n  client   c0123456789abcdef \r\n\tADMIN\ta0123456789abcdef\r\n# end")
        #expect(tokens == AccessTokens(client: [Self.client], admin: [Self.admin]))
    }

    @Test func aBareTokenIsBothRoles() throws {
        #expect(try Self.parse("a0123456789abcdef\n") == AccessTokens(token: Self.admin))
        #expect(try Self.parse("# one token\na0123456789abcdef") == AccessTokens(client: [Self.admin], admin: [Self.admin]))
    }

    @Test func oneRoleAlone() throws {
        #expect(try Self.parse("admin a0123456789abcdef") == AccessTokens(client: [], admin: [Self.admin]))
        #expect(try Self.parse("client c0123456789abcdef") == AccessTokens(client: [Self.client], admin: []))
    }

    @Test(arguments: [
        ("", "holds no token"),
        ("# nothing\n\n   \n", "holds no token"),
        ("client short", "line 1: the client token is 5 bytes; use at least 16"),
        ("tiny", "line 1: the token is 4 bytes"),
        ("client c0123456789abcdef\nclient c0123456789abcdef", "line 2: the client token of line 1 again; list each token once"),
        ("admin a0123456789abcdef\n\nADMIN a0123456789abcdef", "line 3: the admin token of line 1 again"),
        ("root c0123456789abcdef", "line 1: unknown role"),
        ("c0123456789 abcdef", "line 1: unknown role"),
        ("admin a0123456789 abcdef", "line 1: the admin token holds a space or a tab"),
        ("admin", "line 1: the role admin needs its token after it"),
        ("client c0123456789abcdéf", "line 1: the client token holds a byte that is not printable ASCII"),
        ("\nc0123456789abcdef\nadmin a0123456789abcdef", "line 3: line 2 holds a bare token"),
        ("admin a0123456789abcdef\nc0123456789abcdef", "line 2: a bare token must be the only token line, and line 1 holds one"),
        ("c0123456789abcdef\nc0123456789abcdef", "line 2: a bare token must be the only token line"),
        ("client a0123456789abcdef\nadmin a0123456789abcdef", "the client token (line 1) and the admin token (line 2) are the same"),
        ("admin a0123456789abcdef\nclient c0123456789abcdef\nclient a0123456789abcdef",
         "the client token (line 3) and the admin token (line 1) are the same"),
        ("client c0123456789abcdef\nclient c0123456789abcdeg\nc0123456789abcdeh", "line 3: a bare token must be the only token line"),
    ])
    func refusals(text: String, message: String) {
        let refusal = Self.refusal(text)
        #expect(refusal.hasPrefix(message), "\(refusal)")
        #expect(!refusal.contains("0123456789"), "a refusal never shows a token: \(refusal)")
        #expect(!refusal.contains("\n"))
    }

    @Test func theDescriptionHidesTheTokens() throws {
        let tokens = try Self.parse("client c0123456789abcdef\nadmin a0123456789abcdef")
        for text in ["\(tokens)", String(reflecting: tokens), { var out = ""; dump(tokens, to: &out); return out }()] {
            #expect(!text.contains("0123456789") && !text.contains("48"), "\(text)")  // 48: the byte "0"
        }
        #expect("\(tokens)" == "AccessTokens(client: 1, admin: 1)")
    }
}
