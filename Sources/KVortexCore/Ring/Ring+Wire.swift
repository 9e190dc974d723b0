/// The ring's binary form, for gossiping it: `partitionCount varint, replicaCount varint, members
/// (count varint, then node string and weight varint each, sorted), owners (one member index varint
/// per partition)`. Decoding validates everything, so a peer cannot hand over an impossible ring.
extension Ring {
    static let membersMax = 4096
    static let partitionCountMax = 1 << 16

    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(partitioning.partitionCount))
        writer.writeVarint(UInt64(replicaCount))
        writer.writeVarint(UInt64(members.count))
        var index: [NodeID: Int] = [:]
        for (position, member) in members.enumerated() {
            writer.writeString(member.node.rawValue)
            writer.writeVarint(UInt64(member.weight))
            index[member.node] = position
        }
        for owner in owners { writer.writeVarint(UInt64(index[owner]!)) }
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let partitionCount = try reader.readVarint()
        guard partitionCount > 0, partitionCount <= UInt64(Self.partitionCountMax), partitionCount & (partitionCount - 1) == 0 else {
            throw .invalid("partition count \(partitionCount) is not a power of two up to \(Self.partitionCountMax)")
        }
        let replicaCount = try reader.readVarint()
        guard replicaCount >= 1, replicaCount <= 64 else { throw .invalid("replica count \(replicaCount) out of range") }
        let memberCount = try reader.readCount(itemsMax: Self.membersMax)
        guard memberCount >= 1 else { throw .invalid("a ring needs at least one member") }
        var members: [RingMember] = []
        for _ in 0..<memberCount {
            let node = NodeID(try reader.readString(lengthMax: 1024))
            let weight = try reader.readVarint()
            guard weight >= 1, weight <= 1024 else { throw .invalid("weight \(weight) out of range") }
            if let last = members.last, !(last.node < node) { throw .invalid("members unsorted or repeated") }
            members.append(RingMember(node, weight: Int(weight)))
        }
        var owners: [NodeID] = []
        owners.reserveCapacity(Int(partitionCount))
        for _ in 0..<partitionCount {
            let index = try reader.readVarint()
            guard index < UInt64(members.count) else { throw .invalid("owner index \(index) beyond \(members.count) members") }
            owners.append(members[Int(index)].node)
        }
        self.init(partitioning: Partitioning(partitionCount: Int(partitionCount)), replicaCount: Int(replicaCount),
                  members: members, owners: owners)
    }
}
