import KVortexCore

// Target `wire`: the peer wire codec (KVortexCore/Wire, WireFrame, PeerMessage+Wire). The input is
// decoded as it comes and as the body of a frame whose length and version are right (so mutations
// reach the messages). Properties: decoding returns a message, `incomplete` or an error, never a trap;
// `incomplete` only when the announced frame is not all there; a decoded message re-encodes to a frame
// that decodes to an equal message.

func fuzzSeeds() -> [[UInt8]] {
    let objects = sampleObjects()
    let operation = OperationID(0x1234_5678)
    let key = Array("user:42".utf8)
    let write = ClientWrite(payload: .value([1, 2, 3]), context: WriteContext(of: objects[2]), ttlSeconds: 30, contentType: "text/plain")
    let messages: [PeerMessage] = [
        .getRequest(operation, key: key), .getReply(operation, object: .decoded(objects[2])), .getReply(operation, object: nil),
        .putRequest(operation, key: key, object: .encoded(EncodedObject(objects[3])), hintFor: NodeID("n2")), .putAck(operation),
        .putRejected(operation, reason: "hint queue full"),
        .forwardPut(operation, key: key, write: write, options: QuorumOptions(readQuorum: 2, writeQuorum: 2, timeoutMs: 5_000)),
        .forwardReply(operation, .success(WriteOutcome(context: WriteContext(of: objects[1]), replicasAcked: 2, replicasAsked: 3))),
        .forwardReply(operation, .failure(.quorumUnmet(needed: 2, acked: 1, asked: 3))),
        .repair(key: key, object: .decoded(objects[1])), .hintDelivery(operation, key: key, object: .encoded(EncodedObject(objects[2]))), .hintAck(operation),
        .gossip([MemberDigest(node: NodeID("n1"), incarnation: 3, heartbeat: 99, peerAddress: "10.0.0.1:9080")]),
    ]
    return messages.map(WireFrame.encode)
}

func fuzzOne(_ input: [UInt8]) {
    checkDecoding(input)
    checkDecoding(littleEndianBytes(UInt32(input.count + 1)) + [WireFrame.protocolVersion] + input)
}

func checkDecoding(_ bytes: [UInt8]) {
    let decoded: WireFrame.Decoded
    do {
        decoded = try WireFrame.decode(bytes)
    } catch {
        return
    }
    switch decoded {
    case .incomplete:
        let length = bytes.count < 4 ? 0 : Int(littleEndianUInt32(bytes, at: 0))
        require(bytes.count < 4 || bytes.count < 4 + length, "incomplete with the whole frame of \(length) bytes there: \(hex(bytes))")
    case .message(let message, let consumed):
        require(consumed >= 5 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count) bytes")
        let frame = WireFrame.encode(message)
        let again = Result { () throws(DecodeError) in try WireFrame.decode(frame) }
        require(again == .success(.message(message, consumed: frame.count)),
                "\(message)\n  re-encoded as \(hex(frame))\n  decodes to \(again)")
    }
}
