/// The token file's syntax (`AccessTokens`): every rule that refuses a file, line by line.
extension AccessTokens {
    /// Parses the file's bytes. Refuses: no token at all, more than `tokensMax` token lines, a token
    /// shorter than `tokenBytesMin` or with a byte outside printable ASCII (0x21...0x7E: no spaces, tabs
    /// or controls, so it travels in a header as it is), a role other than `client` or `admin` (any
    /// case), a role without a token, a bare token beside any other token line, and a token listed twice,
    /// in one role or in both (one bare token says "both"). A role may have several lines. Lines may end
    /// in CRLF.
    public static func parse(_ bytes: [UInt8]) throws(Refusal) -> AccessTokens {
        var found = FoundTokens()
        for (line, words) in SecretFile.wordLines(bytes) {
            try found.add(words.map(Array.init), line: line)
        }
        return try found.tokens()
    }

    /// The token lines seen so far, with their line numbers for the messages.
    private struct FoundTokens {
        /// The `client` and `admin` lines, in file order; at most `tokensMax`.
        var roleLines: [(role: Role, token: [UInt8], line: Int)] = []
        var bare: (token: [UInt8], line: Int)?

        var firstLine: Int? { roleLines.first?.line ?? bare?.line }

        mutating func add(_ words: [[UInt8]], line: Int) throws(Refusal) {
            let role = Role(rawValue: String(decoding: words[0], as: UTF8.self).lowercased())
            switch (words.count, role) {
            case (1, .some(let role)):
                throw Refusal(description: "line \(line): the role \(role.rawValue) needs its token after it (\(role.rawValue) TOKEN)")
            case (1, nil):
                if let earlier = firstLine {
                    throw Refusal(description: "line \(line): a bare token must be the only token line, and line \(earlier) holds one; "
                        + "name each token's role instead (client TOKEN, admin TOKEN)")
                }
                try Self.check(words[0], line: line, what: "the token")
                bare = (words[0], line)
            case (2, .some(let role)):
                try add(words[1], role: role, line: line)
            case (_, .some(let role)):
                throw Refusal(description: "line \(line): the \(role.rawValue) token holds a space or a tab; a token is one word")
            case (_, nil):
                throw Refusal(description: "line \(line): unknown role (a line is client TOKEN, admin TOKEN, or one bare TOKEN alone; "
                    + "a token holds no space or tab)")
            }
        }

        private mutating func add(_ token: [UInt8], role: Role, line: Int) throws(Refusal) {
            if let bare {
                throw Refusal(description: "line \(line): line \(bare.line) holds a bare token, which must be the only token line; "
                    + "give it a role (client TOKEN, admin TOKEN)")
            }
            guard roleLines.count < AccessTokens.tokensMax else {
                throw Refusal(description: "line \(line): more than \(AccessTokens.tokensMax) token lines (client and admin together); "
                    + "remove the tokens no longer in use")
            }
            try Self.check(token, line: line, what: "the \(role.rawValue) token")
            if let earlier = roleLines.first(where: { $0.token == token }) {
                throw Self.listedTwice(role, line: line, earlier: earlier)
            }
            roleLines.append((role, token, line))
        }

        /// A token on two lines: in one role a slip, in both what one bare token says on purpose.
        /// (Not a request path: the file is the operator's, so `==` may stop at the first difference.)
        private static func listedTwice(_ role: Role, line: Int, earlier: (role: Role, token: [UInt8], line: Int)) -> Refusal {
            guard earlier.role == role else {
                let (clientLine, adminLine) = role == .client ? (line, earlier.line) : (earlier.line, line)
                return Refusal(description: "the client token (line \(clientLine)) and the admin token (line \(adminLine)) are the same; "
                    + "a single bare token line says that one token opens everything")
            }
            return Refusal(description: "line \(line): the \(role.rawValue) token of line \(earlier.line) again; list each token once")
        }

        func tokens() throws(Refusal) -> AccessTokens {
            if let bare { return AccessTokens(token: bare.token) }
            guard !roleLines.isEmpty else {
                throw Refusal(description: "holds no token: write the lines client TOKEN and admin TOKEN, or one bare TOKEN "
                    + "(make one with: openssl rand -hex 32)")
            }
            return AccessTokens(client: roleLines.filter { $0.role == .client }.map(\.token),
                                admin: roleLines.filter { $0.role == .admin }.map(\.token))
        }

        /// Length and bytes of one token; the message says which line, never the token.
        private static func check(_ token: [UInt8], line: Int, what: String) throws(Refusal) {
            guard token.count >= AccessTokens.tokenBytesMin else {
                throw Refusal(description: "line \(line): \(what) is \(token.count) bytes; use at least \(AccessTokens.tokenBytesMin) "
                    + "random ones (openssl rand -hex 32)")
            }
            guard SecretFile.isHeaderToken(token) else {
                throw Refusal(description: "line \(line): \(what) holds a byte that is not printable ASCII; a token is sent in a header "
                    + "as it is (letters, digits and punctuation, like openssl rand -hex 32 makes)")
            }
        }
    }
}
