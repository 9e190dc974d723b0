/// The first frame on every peer connection, from the connecting node: who it is, which cluster and
/// protocol it speaks and, when it holds the cluster secret, a fresh nonce for the acceptor to prove
/// the secret over. The acceptor answers with one byte (`Answer`) and closes the connection when it
/// refuses; `challenge` starts the secret exchange (`PeerChallenge`).
///
/// Layout inside a frame: `magic "KVXP"`, `version u8`, cluster name and node ID (each `u16 LE`
/// length + UTF-8), nonce (`u8` length, 0 without a secret or `nonceBytes`, then the bytes).
struct PeerHandshake: Equatable {
    static let magic: [UInt8] = Array("KVXP".utf8)
    /// 2: the nonce and the cluster-secret exchange. 3: peer messages of `WireFrame.protocolVersion` 3
    /// (conditional reads), which nodes speaking 2 cannot read. 4: confirmed reaps (`reapCheck`). 5: anti-entropy
    /// exchanges (`aeBranches` ...).
    static let version: UInt8 = 5
    /// Largest frame of the handshake and of the secret exchange, whatever `frameBytesMax` allows later.
    static let frameBytesMax = 64 << 10

    /// The acceptor's one-byte answers. All but `accepted` and `challenge` refuse the connection.
    enum Answer: UInt8, Error, CustomStringConvertible {
        case accepted = 0
        case wrongCluster = 1
        case wrongVersion = 2
        case malformed = 3
        /// The acceptor has a cluster secret and the connector offered none.
        case secretRequired = 4
        /// The connector offered to prove a cluster secret and the acceptor has none.
        case secretUnexpected = 5
        /// The connector's proof of the secret was wrong, missing or not for this exchange.
        case unauthenticated = 6
        /// The acceptor proves the secret and asks the connector to: a `PeerChallenge` frame follows.
        case challenge = 7

        /// Whether the refusal is about the cluster secret (`PeerCounter.authenticationFailures`).
        var isAboutSecret: Bool {
            switch self {
            case .secretRequired, .secretUnexpected, .unauthenticated: true
            case .accepted, .wrongCluster, .wrongVersion, .malformed, .challenge: false
            }
        }

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .wrongCluster: "wrongCluster: another cluster name"
            case .wrongVersion: "wrongVersion: another handshake version"
            case .malformed: "malformed"
            case .secretRequired: "secretRequired: it has a cluster secret and this node has none"
            case .secretUnexpected: "secretUnexpected: it has no cluster secret and this node has one"
            case .unauthenticated: "unauthenticated: this node's proof of the cluster secret was wrong"
            case .challenge: "challenge"
            }
        }
    }

    var clusterName: String
    var nodeID: String
    /// Empty when the connector has no cluster secret; else `PeerAuthentication.nonceBytes` fresh bytes.
    var nonce: [UInt8] = []

    func encode() -> [UInt8] {
        precondition(nonce.isEmpty || nonce.count == PeerAuthentication.nonceBytes, "nonce of \(nonce.count) bytes")
        var body = Self.magic + [Self.version]
        HandshakeBytes.appendText(clusterName, to: &body)
        HandshakeBytes.appendText(nodeID, to: &body)
        body += [UInt8(nonce.count)] + nonce
        return HandshakeBytes.framed(body)
    }

    /// The handshake in `frame` (length included), or the answer that refuses it. With `requiresSecret`
    /// the connector must offer a nonce (it has a secret), without it must not.
    static func decode(_ frame: [UInt8], clusterName expected: String,
                       requiresSecret: Bool = false) -> Result<PeerHandshake, Answer> {
        guard var reader = HandshakeBytes.Reader(frame: frame), reader.bytes(magic.count) == magic,
            let version = reader.byte()
        else { return .failure(.malformed) }
        guard version == Self.version else { return .failure(.wrongVersion) }
        guard let clusterName = reader.text(), let nodeID = reader.text(), !nodeID.isEmpty,
            let nonceBytes = reader.byte(), nonceBytes == 0 || Int(nonceBytes) == PeerAuthentication.nonceBytes,
            let nonce = reader.bytes(Int(nonceBytes)), reader.isAtEnd
        else { return .failure(.malformed) }
        guard clusterName == expected else { return .failure(.wrongCluster) }
        if requiresSecret && nonce.isEmpty { return .failure(.secretRequired) }
        if !requiresSecret && !nonce.isEmpty { return .failure(.secretUnexpected) }
        return .success(PeerHandshake(clusterName: clusterName, nodeID: nodeID, nonce: nonce))
    }
}
