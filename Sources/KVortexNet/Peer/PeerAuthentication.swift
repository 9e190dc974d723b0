/// The cluster-secret proofs of one peer handshake (API.md: "Peers must present the cluster secret in
/// the transport handshake; a peer without it is refused"). Each side proves it knows the secret with
/// an HMAC-SHA256 over everything both sides said, keyed by the secret, so the secret never crosses
/// the wire.
///
/// Why a recorded exchange cannot be replayed: each side's proof covers the other side's fresh nonce,
/// so it is worth nothing in another connection. Why a proof cannot be reflected back: the two roles
/// use different labels. The MAC is an offline-guessing oracle for whoever can reach the port, so the
/// secret should be random (32 bytes from a CSPRNG), not a password.
///
/// Pure except `freshNonce`: the acceptor and the link perform the I/O.
struct PeerAuthentication: Equatable {
    enum Role {
        case acceptor, connector

        /// Keeps the acceptor's proof from passing as the connector's, and the other way round.
        var label: [UInt8] {
            switch self {
            case .acceptor: Array("kvortex-accept".utf8)
            case .connector: Array("kvortex-connect".utf8)
            }
        }
    }

    static let nonceBytes = 32
    static let proofBytes = HMACSHA256.codeBytes

    var clusterName: String
    var connectorNodeID: String
    var connectorNonce: [UInt8]
    var acceptorNodeID: String
    var acceptorNonce: [UInt8]

    /// The exchange that starts with the connector's `hello` and the acceptor's challenge fields.
    init(hello: PeerHandshake, acceptorNodeID: String, acceptorNonce: [UInt8]) {
        clusterName = hello.clusterName
        connectorNodeID = hello.nodeID
        connectorNonce = hello.nonce
        self.acceptorNodeID = acceptorNodeID
        self.acceptorNonce = acceptorNonce
    }

    /// `nonceBytes` from the system's CSPRNG (getrandom on Linux).
    static func freshNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<(nonceBytes / 8)).flatMap { _ in HandshakeBytes.littleEndian64(generator.next()) }
    }

    /// `HMAC(secret, label ‖ version ‖ cluster ‖ connector nonce ‖ acceptor nonce ‖ connector ID ‖ acceptor ID)`,
    /// each field behind its `u32 LE` length so that no two exchanges share a transcript.
    func proof(by role: Role, secret: [UInt8]) -> [UInt8] {
        precondition(!secret.isEmpty, "empty cluster secret")
        var transcript: [UInt8] = []
        let fields = [role.label, [PeerHandshake.version], Array(clusterName.utf8), connectorNonce, acceptorNonce,
                      Array(connectorNodeID.utf8), Array(acceptorNodeID.utf8)]
        for field in fields { transcript += HandshakeBytes.littleEndian(UInt32(field.count)) + field }
        return HMACSHA256.authenticationCode(for: transcript, key: secret)
    }

    /// Whether `proof` is `role`'s proof of `secret` in this exchange, compared in constant time.
    func verifies(_ proof: [UInt8], by role: Role, secret: [UInt8]) -> Bool {
        ConstantTime.isEqual(proof, self.proof(by: role, secret: secret))
    }
}
