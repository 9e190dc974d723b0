import Testing
@testable import KVortexCore

/// A hint for a member that leaves, across the four nodes of `LeaveConvergenceTests.Cluster`: a
/// sloppy W = 1 write acknowledged by a stand-in as a hint for the leaving node, at the moment it
/// starts to leave, lives only in that hint. Once the leaver has stopped and been retired, the
/// write is on every current replica of the key and no node holds a hint any more.
@Suite struct LeaveHintConvergenceTests {
    typealias Cluster = LeaveConvergenceTests.Cluster
    static let leaver = LeaveConvergenceTests.leaver
    static let remaining = LeaveConvergenceTests.members.filter { $0 != leaver }
    static let ring = Ring.initial(members: LeaveConvergenceTests.members.map { RingMember($0) }, replicaCount: 3)

    /// The first key the leaver is a primary of, and the one member that is not (the stand-in).
    static let key: [UInt8] = {
        for index in 0..<10_000 {
            let key = Array("k\(index)".utf8)
            if primaries(of: key).contains(leaver) { return key }
        }
        preconditionFailure("no key of \(leaver)")
    }()

    static func primaries(of key: [UInt8]) -> [NodeID] {
        ring.primaries(ofPartition: ring.partitioning.partition(of: key))
    }

    struct Outcome: Equatable {
        var transcript: [String]
        var values: [NodeID: [String]]
        var hintsPending: [NodeID: Int]
        var hintsRedirected: [NodeID: UInt64]
    }

    static func run(seed: UInt64) throws -> Outcome {
        var cluster = Cluster(seed: seed)
        cluster.run(untilMs: LeaveConvergenceTests.leaveAtMs)
        let standIn = try #require(LeaveConvergenceTests.members.first { !primaries(of: key).contains($0) })
        let coordinator = try #require(primaries(of: key).first { $0 != leaver })
        let object = CoordinatorFixtures.object([(coordinator, "w1")])
        // The coordinator's own copy is not kept here: the write lives only in the stand-in's hint.
        cluster.schedule(.deliver(to: standIn, from: coordinator,
                                  .putRequest(OperationID(1 << 40), key: key, object: .decoded(object), hintFor: leaver)), afterMs: 0)
        cluster.schedule(.leave(leaver), afterMs: 0)
        cluster.run(untilMs: LeaveConvergenceTests.leaveAtMs + 10_000)
        #expect(cluster.stopped == [leaver], "seed \(seed)")

        var outcome = Outcome(transcript: cluster.transcript, values: [:], hintsPending: [:], hintsRedirected: [:])
        for id in remaining {
            let node = try #require(cluster.nodes[id])
            #expect(node.membership.state(of: leaver) == nil && node.membership.tombstoneCount == 1, "seed \(seed) at \(id): retired")
            outcome.values[id] = NodeFixture.values(try node.storage.get(key, nowMs: cluster.nowMs))
            outcome.hintsPending[id] = node.hints.stats.pending
            outcome.hintsRedirected[id] = node.counters.hintsRedirected
        }
        return outcome
    }

    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func aHintForALeavingPrimaryEndsOnTheKeysCurrentReplicas(seed: UInt64) throws {
        let outcome = try Self.run(seed: seed)
        for id in Self.remaining {  // four members, N = 3: the three left are the key's replicas
            #expect(outcome.values[id] == ["w1"], "seed \(seed) at \(id): \(outcome.values)")
            #expect(outcome.hintsPending[id] == 0, "seed \(seed) at \(id): the hint queue emptied")
        }
        #expect(outcome.hintsRedirected.values.reduce(0, +) == 1, "seed \(seed): \(outcome.hintsRedirected)")
    }

    @Test func theSameSeedReplaysTheSameRedirect() throws {
        #expect(try Self.run(seed: 9) == Self.run(seed: 9))
    }
}
