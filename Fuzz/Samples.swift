import KVortexCore

/// Objects as writes make them, for the seeds of the targets that decode objects: empty, one value,
/// two concurrent siblings (one with a TTL and a content type), then a delete over both.
func sampleObjects() -> [VersionedObject] {
    let first = ActorID(rawValue: 0x0102_0304_0506_0708), second = ActorID(rawValue: 42)
    let writes: [(WriteRequest, ActorID)] = [
        (WriteRequest(payload: .value(Array("hello".utf8)), contentType: "text/plain"), first),
        (WriteRequest(payload: .value([0xFF, 0, 0x80]), expiryMs: 90_000, contentType: "application/octet-stream"), second),
        (WriteRequest(payload: .tombstone), first),
    ]
    var object = VersionedObject()
    var objects = [object]
    for (index, (write, actor)) in writes.enumerated() {
        _ = object.applyWrite(write, actor: actor, timestamp: HybridTimestamp(physicalMs: 1_000 + UInt64(index), logical: 0),
                              mode: .siblings, siblingsMax: 16)
        objects.append(object)
    }
    return objects
}
