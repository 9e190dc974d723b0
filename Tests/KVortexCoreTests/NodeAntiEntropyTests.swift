import Testing
@testable import KVortexCore

/// Anti-entropy exchanges between real `Node`s driven by hand (docs/anti-entropy.md §3, step 6): the
/// five nodes of `NodeFixture.ring`, each with its own `PartitionTrees` fed directly, messages routed
/// by the test.
struct NodeAntiEntropyTests {
    typealias F = NodeFixture
    static let shape = TreeShape(segmentCount: 1024, partitionCount: F.ring.partitioning.partitionCount)

    /// A key hash in `partition` and `segment` (the bits `TreeShape` reads), told apart by `salt`.
    static func keyHash(partition: Int, segment: Int, salt: UInt64 = 0) -> UInt64 {
        let partitionBits = UInt64(shape.partitionCount.trailingZeroBitCount)
        let segmentBits = UInt64(shape.segmentCount.trailingZeroBitCount)
        return UInt64(partition) << (64 - partitionBits) | UInt64(segment) << (64 - partitionBits - segmentBits) | salt
    }

    /// Trees holding, in every partition, a key in each of `segments` (digest `digest(segment)`).
    static func trees(segments: [Int], digest: (Int) -> UInt64 = { UInt64($0) + 1 }, knownEmpty: Bool = true) -> PartitionTrees {
        let trees = PartitionTrees(shape: shape, knownEmpty: knownEmpty)
        for partition in 0..<shape.partitionCount {
            for segment in segments {
                trees.replaced(keyHash: keyHash(partition: partition, segment: segment), old: nil, new: ObjectDigest(value: digest(segment)))
            }
        }
        return trees
    }

    static func node(_ id: NodeID, trees: PartitionTrees?, settings: AntiEntropySettings = AntiEntropySettings(isEnabled: true)) -> NodeFixture {
        var fixture = NodeFixture(id)
        fixture.node = Node(settings: fixture.node.settings, epoch: 1, storage: fixture.storage, hints: fixture.hints,
                            placement: F.ring, seeds: F.members.filter { $0 != id }, randomSeed: 7, nowMs: fixture.nowMs,
                            antiEntropy: settings, trees: trees)
        return fixture
    }

    /// Five nodes; `make` gives each its trees and settings.
    struct Cluster {
        var nodes: [NodeFixture]

        init(_ make: (NodeID) -> NodeFixture = { NodeAntiEntropyTests.node($0, trees: NodeAntiEntropyTests.trees(segments: [5, 700])) }) {
            nodes = F.members.map(make)
        }

        func index(_ node: NodeID) -> Int { F.members.firstIndex(of: node)! }

        /// n0's tick: the exchange it started (its operation, partition and peer), or nil.
        mutating func tick() -> (sends: [(to: NodeID, message: PeerMessage)], effects: [NodeEffect]) {
            let effects = nodes[0].handle(.timer(.antiEntropy))
            return (effects.sends, effects)
        }

        /// Delivers `send` from `from` to its target; returns the target's effects.
        mutating func deliver(_ send: (to: NodeID, message: PeerMessage), from: NodeID = F.members[0]) -> [NodeEffect] {
            nodes[index(send.to)].handle(.peer(from: from, send.message))
        }

        /// n0 ticks, the peer answers, n0 takes the answer: the messages in order and n0's last effects.
        mutating func exchange() -> (messages: [PeerMessage], peer: NodeID, last: [NodeEffect])? {
            let started = tick().sends
            guard started.count == 1, case .aeBranches = started[0].message else { return nil }
            let replies = deliver(started[0]).sends
            guard replies.count == 1 else { return nil }
            let last = deliver((F.members[0], replies[0].message), from: started[0].to)
            return ([started[0].message, replies[0].message] + last.sends.map(\.message), started[0].to, last)
        }
    }

    @Test func equalTreesEndEqualInExactlyTwoMessages() throws {
        var cluster = Cluster()
        let result = cluster.exchange()
        let exchange = try #require(result)
        #expect(exchange.messages.count == 2, "\(exchange.messages)")
        guard case .aeBranchesReply(_, .equal) = exchange.messages[1] else {
            Issue.record("expected equal: \(exchange.messages[1])")
            return
        }
        let initiator = cluster.nodes[0].node
        #expect(initiator.antiEntropyCounters.started == 1 && initiator.antiEntropyCounters.equal == 1)
        #expect(initiator.exchangesInFlight == (0, 0))
        let responder = cluster.nodes[cluster.index(exchange.peer)].node
        #expect(responder.antiEntropyCounters.servedEqual == 1 && responder.exchangesInFlight == (0, 0))
        let primaries = F.ring.primaries(ofPartition: {
            if case .aeBranches(_, let partition, _, _) = exchange.messages[0] { partition } else { -1 }
        }())
        #expect(primaries[(primaries.firstIndex(of: F.members[0])! + 1) % primaries.count] == exchange.peer, "the successor")
    }

    @Test func treesDifferingInKeysFindExactlyTheirSegments() throws {
        // n0 holds keys in segments 5 and 700; its peers in 5 (the same), 300 (only theirs) and 700
        // (another digest): segments 300 and 700 differ, in two branches.
        var cluster = Cluster { node in
            node == F.members[0] ? NodeAntiEntropyTests.node(node, trees: NodeAntiEntropyTests.trees(segments: [5, 700]))
                : NodeAntiEntropyTests.node(node, trees: NodeAntiEntropyTests.trees(segments: [5, 300, 700], digest: { $0 == 700 ? 99 : UInt64($0) + 1 }))
        }
        let result = cluster.exchange()
        let exchange = try #require(result)
        guard case .aeBranchesReply(_, .segments(let branches)) = exchange.messages[1] else {
            Issue.record("expected segments: \(exchange.messages[1])")
            return
        }
        #expect(branches.map(\.branch) == [300 / 32, 700 / 32])
        let counters = cluster.nodes[0].node.antiEntropyCounters
        #expect(counters.differing == 1 && counters.segmentsFound == 2 && counters.segmentsCapped == 0)
        #expect(exchange.last.contains { if case .log(let line) = $0 { line.contains("2 segments differ") } else { false } })
        #expect(cluster.nodes[0].node.exchangesInFlight == (0, 0), "step 6 ends at the differing segments")
        #expect(cluster.nodes[cluster.index(exchange.peer)].node.exchangesInFlight == (0, 1), "the responder waits for the key list")
    }

    @Test func moreDifferingSegmentsThanTheBoundAreCapped() throws {
        var cluster = Cluster { node in
            node == F.members[0] ? NodeAntiEntropyTests.node(node, trees: NodeAntiEntropyTests.trees(segments: []),
                                                             settings: AntiEntropySettings(isEnabled: true, segmentsPerExchangeMax: 3))
                : NodeAntiEntropyTests.node(node, trees: NodeAntiEntropyTests.trees(segments: Array(0..<10)))
        }
        let result = cluster.exchange()
        _ = try #require(result)
        let counters = cluster.nodes[0].node.antiEntropyCounters
        #expect(counters.segmentsFound == 3 && counters.segmentsCapped == 1)
    }

    /// n0 starts an exchange with `responder`'s trees and settings; returns n0's counters once the
    /// answer is in and what the responder answered.
    static func refusal(responder make: @escaping (NodeID) -> NodeFixture) throws -> (ExchangeCounters, ExchangeBranchesReply, NodeFixture) {
        var cluster = Cluster { $0 == F.members[0] ? NodeAntiEntropyTests.node($0, trees: NodeAntiEntropyTests.trees(segments: [5])) : make($0) }
        let result = cluster.exchange()
        let exchange = try #require(result)
        let reply = try #require(Self.reply(exchange.messages[1]))
        return (cluster.nodes[0].node.antiEntropyCounters, reply, cluster.nodes[cluster.index(exchange.peer)])
    }

    static func reply(_ message: PeerMessage) -> ExchangeBranchesReply? {
        if case .aeBranchesReply(_, let reply) = message { reply } else { nil }
    }

    static func operation(_ message: PeerMessage?) -> OperationID? {
        if case .aeBranches(let operation, _, _, _)? = message { operation } else { nil }
    }

    @Test func aResponderWithoutReadyTreesRefusesTreeNotReady() throws {
        let (counters, reply, responder) = try Self.refusal { Self.node($0, trees: Self.trees(segments: [5], knownEmpty: false)) }
        #expect(reply == .refused(.treeNotReady))
        #expect(counters.refusalsReceived(.treeNotReady) == 1 && counters.ended == 1)
        #expect(responder.node.antiEntropyCounters.refusalsGiven(.treeNotReady) == 1)
    }

    @Test func aResponderOfAnotherShapeRefusesSettingsMismatchAndLogsOnce() throws {
        let other = TreeShape(segmentCount: 256, partitionCount: Self.shape.partitionCount)
        let (counters, reply, _) = try Self.refusal { Self.node($0, trees: PartitionTrees(shape: other, knownEmpty: true)) }
        #expect(reply == .refused(.settingsMismatch))
        #expect(counters.refusalsReceived(.settingsMismatch) == 1)
        // The responder logs the mismatch once per peer, however often that peer asks.
        var responder = Self.node(F.members[1], trees: PartitionTrees(shape: other, knownEmpty: true))
        let ask = PeerMessage.aeBranches(OperationID(1), partition: 0, segmentCount: 1024, branches: Array(repeating: 0, count: 32))
        let logs = (0..<3).flatMap { _ in responder.handle(.peer(from: F.members[0], ask)) }.filter { if case .log = $0 { true } else { false } }
        #expect(logs.count == 1, "\(logs)")
        #expect(responder.node.antiEntropyCounters.refusalsGiven(.settingsMismatch) == 3)
    }

    @Test func aResponderWithAntiEntropyOffRefusesDisabled() throws {
        let (counters, reply, _) = try Self.refusal { Self.node($0, trees: nil, settings: AntiEntropySettings()) }
        #expect(reply == .refused(.disabled))
        #expect(counters.refusalsReceived(.disabled) == 1)
    }

    @Test func aBusyResponderRefusesDifferingTreesButAnswersEqualOnes() throws {
        let busy = AntiEntropySettings(isEnabled: true, exchangesServedMax: 0)
        let (counters, reply, _) = try Self.refusal { Self.node($0, trees: Self.trees(segments: [5, 6]), settings: busy) }
        #expect(reply == .refused(.busy))
        #expect(counters.refusalsReceived(.busy) == 1)
        let (equalCounters, equalReply, _) = try Self.refusal { Self.node($0, trees: Self.trees(segments: [5]), settings: busy) }
        #expect(equalReply == .equal && equalCounters.equal == 1)
    }

    @Test func aNodeThatIsNoPrimaryRefusesNotPrimary() {
        var cluster = Cluster()
        let started = cluster.tick().sends
        guard case .aeBranches(let operation, let partition, let segmentCount, let branches)? = started.first?.message else {
            Issue.record("no exchange started: \(started)")
            return
        }
        let outsider = F.members.first { !F.ring.primaries(ofPartition: partition).contains($0) }!
        let replies = cluster.deliver((outsider, .aeBranches(operation, partition: partition, segmentCount: segmentCount, branches: branches))).sends
        #expect(replies.map(\.message) == [.aeBranchesReply(operation, .refused(.notPrimary))])
        #expect(cluster.nodes[cluster.index(outsider)].node.antiEntropyCounters.refusalsGiven(.notPrimary) == 1)
    }

    /// A partition whose preference list just changed is neither initiated nor served for
    /// `ringChangeQuietMs`: new owners get data by transfer first.
    @Test func aPartitionWhosePrimariesChangedIsQuietForAWhile() throws {
        var cluster = Cluster()
        let shrunk = Ring.initial(members: F.members.dropLast().map { RingMember($0) }, replicaCount: 3)
        let changed = (0..<Self.shape.partitionCount).filter {
            F.ring.primaries(ofPartition: $0) != shrunk.primaries(ofPartition: $0) && shrunk.primaries(ofPartition: $0).contains(F.members[0])
        }
        let partition = try #require(changed.first)
        cluster.nodes[0].node.updatePlacement(shrunk)
        let peer = shrunk.primaries(ofPartition: partition).first { $0 != F.members[0] }!
        let tree = try #require(Self.trees(segments: [5, 700]).readyTree(of: partition))
        let ask = PeerMessage.aeBranches(OperationID(9), partition: partition, segmentCount: 1024, branches: tree.branches)
        #expect(cluster.nodes[0].handle(.peer(from: peer, ask)).sends.map(\.message) == [.aeBranchesReply(OperationID(9), .refused(.notPrimary))])
        // Its own round passes over every changed partition it meets.
        var started: [Int] = []
        for _ in 0..<300 {
            let sends = cluster.nodes[0].handle(.timer(.antiEntropy), afterMs: 10).sends
            for send in sends {
                if case .aeBranches(let operation, let partition, _, _) = send.message {
                    started.append(partition)
                    _ = cluster.nodes[0].handle(.timer(.deadline(operation)))  // free the slot
                }
            }
        }
        #expect(!started.isEmpty && Set(started).isDisjoint(with: changed))
        #expect(cluster.nodes[0].node.antiEntropyCounters.skippedRingChange >= UInt64(changed.count))
        // Once the window has passed, the partition is served again.
        let later = cluster.nodes[0].handle(.peer(from: peer, ask), afterMs: 60_000).sends
        #expect(later.map(\.message) == [.aeBranchesReply(OperationID(9), .equal)])
    }

    @Test func anUnansweredExchangeFailsAtItsDeadline() throws {
        var cluster = Cluster()
        let started = cluster.tick()
        let operation = try #require(Self.operation(started.sends.first?.message))
        #expect(started.effects.timers.contains(.deadline(operation)))
        #expect(cluster.nodes[0].node.exchangesInFlight == (1, 0))
        _ = cluster.nodes[0].handle(.timer(.deadline(operation)), afterMs: 30_000)
        #expect(cluster.nodes[0].node.antiEntropyCounters.failedDeadline == 1)
        #expect(cluster.nodes[0].node.exchangesInFlight == (0, 0))
        #expect(!cluster.nodes[0].node.isLive(.deadline(operation)))
        // A late answer changes nothing.
        _ = cluster.nodes[0].handle(.peer(from: started.sends[0].to, .aeBranchesReply(operation, .equal)))
        #expect(cluster.nodes[0].node.antiEntropyCounters.equal == 0)
    }

    @Test func aServedExchangeExpiresAtItsDeadline() throws {
        var cluster = Cluster { NodeAntiEntropyTests.node($0, trees: NodeAntiEntropyTests.trees(segments: $0 == F.members[0] ? [5] : [6])) }
        let first = cluster.tick().sends.first
        let started = try #require(first)
        let served = cluster.deliver(started)
        let responder = cluster.index(started.to)
        #expect(cluster.nodes[responder].node.exchangesInFlight == (0, 1))
        let deadline = try #require(served.timers.compactMap { if case .deadline(let operation) = $0 { operation } else { nil } }.first)
        _ = cluster.nodes[responder].handle(.timer(.deadline(deadline)), afterMs: 30_000)
        #expect(cluster.nodes[responder].node.exchangesInFlight == (0, 0))
        #expect(cluster.nodes[responder].node.antiEntropyCounters.servedExpired == 1)
    }

    @Test func anUndeliverableExchangeFails() throws {
        var cluster = Cluster()
        let started = cluster.tick().sends
        let send = try #require(started.first)
        _ = cluster.nodes[0].handle(.undeliverable(to: send.to, send.message))
        #expect(cluster.nodes[0].node.antiEntropyCounters.failedUndeliverable == 1)
        #expect(cluster.nodes[0].node.exchangesInFlight == (0, 0))
    }

    @Test func atMostExchangesInitiatedMaxAreInFlight() {
        var cluster = Cluster()
        #expect(cluster.tick().sends.count == 1)
        #expect(cluster.tick().sends.count == 1)
        #expect(cluster.tick().sends.isEmpty, "two in flight: the bound")
        #expect(cluster.nodes[0].node.antiEntropyCounters.ticksAtInitiatedMax == 1)
        #expect(cluster.nodes[0].node.exchangesInFlight == (2, 0))
    }

    @Test func everyTickSetsTheNextWithinTheJitter() {
        var cluster = Cluster()
        for _ in 0..<20 {
            let delays = cluster.tick().effects.compactMap { effect -> UInt64? in
                if case .startTimer(.antiEntropy, let afterMs) = effect { afterMs } else { nil }
            }
            #expect(delays.count == 1 && (800...1_200).contains(delays[0]), "\(delays)")
        }
    }

    @Test func aPartitionWithoutAHealthyPeerIsSkipped() {
        var cluster = Cluster()
        for peer in F.members.dropFirst() { _ = cluster.nodes[0].handle(.undeliverable(to: peer, .gossip([]))) }
        #expect(cluster.tick().sends.isEmpty)
        #expect(cluster.nodes[0].node.antiEntropyCounters.skippedNoHealthyPeer > 0)
        #expect(cluster.nodes[0].node.antiEntropyCounters.started == 0)
    }

    @Test func antiEntropyOffSendsNothing() {
        var node = Self.node(F.members[0], trees: Self.trees(segments: [5]), settings: AntiEntropySettings())
        #expect(!node.node.start().timers.contains(.antiEntropy))
        #expect(node.handle(.timer(.antiEntropy)).isEmpty)
        var plain = NodeFixture(F.members[0])
        #expect(plain.node.start().timers == [.heartbeat])
        #expect(plain.handle(.timer(.antiEntropy)).isEmpty)
        #expect(plain.node.antiEntropyCounters == ExchangeCounters())
        let on = Self.node(F.members[0], trees: Self.trees(segments: [5]))
        #expect(on.node.start().timers.contains(.antiEntropy))
    }

    /// Anti-entropy state is one boxed field: the node grew by one reference (1 000 bytes before).
    @Test func theNodeGrewByOneReference() {
        #expect(MemoryLayout<Node>.size <= 1_008, "Node is \(MemoryLayout<Node>.size) bytes")
    }
}
