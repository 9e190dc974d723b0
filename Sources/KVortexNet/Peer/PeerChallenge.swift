/// The acceptor's half of the secret exchange, the frame after its `challenge` answer: its own fresh
/// nonce, its node ID and its proof of the secret over both nonces. The connector checks the proof
/// before answering with its own (`PeerChallenge.encodeResponse`), and closes the connection when it
/// is wrong.
///
/// Layout inside a frame: `nonce` (`PeerAuthentication.nonceBytes`), node ID (`u16 LE` length +
/// UTF-8), `proof` (`PeerAuthentication.proofBytes`). The connector's response: `proof` alone.
struct PeerChallenge: Equatable {
    var nonce: [UInt8]
    var nodeID: String
    var proof: [UInt8]

    func encode() -> [UInt8] {
        precondition(nonce.count == PeerAuthentication.nonceBytes, "nonce of \(nonce.count) bytes")
        precondition(proof.count == PeerAuthentication.proofBytes, "proof of \(proof.count) bytes")
        var body = nonce
        HandshakeBytes.appendText(nodeID, to: &body)
        return HandshakeBytes.framed(body + proof)
    }

    /// The challenge in `frame` (length included), or nil when it is not one.
    static func decode(_ frame: [UInt8]) -> PeerChallenge? {
        guard var reader = HandshakeBytes.Reader(frame: frame), let nonce = reader.bytes(PeerAuthentication.nonceBytes),
            let nodeID = reader.text(), !nodeID.isEmpty, let proof = reader.bytes(PeerAuthentication.proofBytes), reader.isAtEnd
        else { return nil }
        return PeerChallenge(nonce: nonce, nodeID: nodeID, proof: proof)
    }

    /// The connector's answer to a challenge: its proof of the secret.
    static func encodeResponse(proof: [UInt8]) -> [UInt8] {
        precondition(proof.count == PeerAuthentication.proofBytes, "proof of \(proof.count) bytes")
        return HandshakeBytes.framed(proof)
    }

    /// The proof in the connector's response `frame`, or nil when the frame is not one.
    static func decodeResponse(_ frame: [UInt8]) -> [UInt8]? {
        guard var reader = HandshakeBytes.Reader(frame: frame), let proof = reader.bytes(PeerAuthentication.proofBytes),
            reader.isAtEnd
        else { return nil }
        return proof
    }
}
