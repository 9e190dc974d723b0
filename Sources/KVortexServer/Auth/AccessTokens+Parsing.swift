/// The token file's syntax (`AccessTokens`): every rule that refuses a file, line by line.
extension AccessTokens {
    /// Parses the file's bytes. Refuses: no token at all, a token shorter than `tokenBytesMin` or with
    /// a byte outside printable ASCII (0x21...0x7E: no spaces, tabs or controls, so it travels in a
    /// header as it is), a role other than `client` or `admin` (any case), a role twice, a role without
    /// a token, a bare token beside any other token line, and client and admin tokens that are the same
    /// (one bare token says that). Lines may end in CRLF.
    public static func parse(_ bytes: [UInt8]) throws(Refusal) -> AccessTokens {
        var found = FoundTokens()
        for (line, words) in SecretFile.wordLines(bytes) {
            try found.add(words.map(Array.init), line: line)
        }
        return try found.tokens()
    }

    /// The token lines seen so far, with their line numbers for the messages.
    private struct FoundTokens {
        var client: (token: [UInt8], line: Int)?
        var admin: (token: [UInt8], line: Int)?
        var bare: (token: [UInt8], line: Int)?

        var firstLine: Int? { [client?.line, admin?.line, bare?.line].compactMap { $0 }.min() }

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
            if let earlier = role == .client ? client : admin {
                throw Refusal(description: "line \(line): a second \(role.rawValue) token (the first is on line \(earlier.line)); one token per role")
            }
            try Self.check(token, line: line, what: "the \(role.rawValue) token")
            if role == .client { client = (token, line) } else { admin = (token, line) }
        }

        func tokens() throws(Refusal) -> AccessTokens {
            if let bare { return AccessTokens(token: bare.token) }
            if let client, let admin, client.token == admin.token {
                throw Refusal(description: "the client token (line \(client.line)) and the admin token (line \(admin.line)) are the same; "
                    + "a single bare token line says that one token opens everything")
            }
            guard client != nil || admin != nil else {
                throw Refusal(description: "holds no token: write the lines client TOKEN and admin TOKEN, or one bare TOKEN "
                    + "(make one with: openssl rand -hex 32)")
            }
            return AccessTokens(client: client?.token, admin: admin?.token)
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
