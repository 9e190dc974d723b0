import Testing
@testable import KVortexCore

/// A whole leave across four nodes exchanging gossip: a tiny deterministic driver (1 ms per message,
/// timers in order, no loss) runs the real `Node`s. The leaving node stops once it has handed off;
/// the others' member lists converge to the remaining three, keep its tombstone for the retention,
/// then forget it; the ring never changes after the leave. The same seed replays the same history.
@Suite struct LeaveConvergenceTests {
    static let members = (0..<4).map { NodeID("n\($0)") }
    static let leaver = NodeID("n3")
    static let retentionMs: UInt64 = 20_000
    static let leaveAtMs: UInt64 = 2_000

    /// A minimal driver: events ordered by (time, sequence number).
    struct Cluster {
        enum Event {
            case deliver(to: NodeID, from: NodeID, PeerMessage)
            /// `at` could not deliver `message` to `to` (a cut link), as a refused connection tells it.
            case undeliverable(at: NodeID, to: NodeID, PeerMessage)
            case timer(NodeID, TimerID)
            case leave(NodeID)
        }

        var nodes: [NodeID: Node] = [:]
        var stopped: Set<NodeID> = []
        /// Links that refuse every message, both ways: `[a, b]` with a < b.
        var cutLinks: Set<[NodeID]> = []
        var events: [(atMs: UInt64, sequence: Int, event: Event)] = []
        var sequence = 0
        var nowMs: UInt64 = 0
        /// Every log line, with its time and node: the history compared between runs.
        var transcript: [String] = []

        init(seed: UInt64) {
            let ring = Ring.initial(members: LeaveConvergenceTests.members.map { RingMember($0) }, replicaCount: 3)
            for (index, id) in LeaveConvergenceTests.members.enumerated() {
                var settings = NodeSettings(nodeID: id, replicaCount: 3)
                settings.departures = DepartureSettings(tombstoneRetentionMs: LeaveConvergenceTests.retentionMs)
                let node = Node(settings: settings, epoch: 1, storage: TestStorage(), hints: MemoryHintStore(), placement: ring,
                                seeds: LeaveConvergenceTests.members.filter { $0 != id },
                                randomSeed: seed &* 31 &+ UInt64(index), nowMs: 0)
                nodes[id] = node
                perform(node.start(), at: id)
            }
        }

        mutating func schedule(_ event: Event, afterMs: UInt64) {
            sequence += 1
            events.append((nowMs + afterMs, sequence, event))
        }

        mutating func perform(_ effects: [NodeEffect], at id: NodeID) {
            for effect in effects {
                switch effect {
                case .send(let to, let message) where cutLinks.contains([id, to].sorted()):
                    schedule(.undeliverable(at: id, to: to, message), afterMs: 1)
                case .send(let to, let message): schedule(.deliver(to: to, from: id, message), afterMs: 1)
                case .startTimer(let timer, let afterMs): schedule(.timer(id, timer), afterMs: afterMs)
                case .log(let line): transcript.append("\(nowMs) \(id) \(line)")
                case .replyRead, .replyWrite, .forgetPeer: break
                }
            }
        }

        /// Runs every event due up to `untilMs`.
        mutating func run(untilMs: UInt64) {
            while let next = events.indices.min(by: { (events[$0].atMs, events[$0].sequence) < (events[$1].atMs, events[$1].sequence) }),
                  events[next].atMs <= untilMs {
                let (atMs, _, event) = events.remove(at: next)
                nowMs = atMs
                switch event {
                case .deliver(let to, let from, let message): handle(.peer(from: from, message), at: to)
                case .undeliverable(let at, let to, let message): handle(.undeliverable(to: to, message), at: at)
                case .timer(let id, let timer): handle(.timer(timer), at: id)
                case .leave(let id): handle(.leave, at: id)
                }
            }
            nowMs = untilMs
        }

        /// Feeds `input` to `id` unless it stopped; a node that has handed off stops, as the driver does.
        mutating func handle(_ input: NodeInput, at id: NodeID) {
            guard !stopped.contains(id), var node = nodes[id] else { return }
            let effects = node.handle(input, nowMs: nowMs)
            nodes[id] = node
            perform(effects, at: id)
            if case .handedOff = node.leaveProgress {
                stopped.insert(id)
                transcript.append("\(nowMs) \(id) stopped")
            }
        }
    }

    static func run(seed: UInt64, check: Bool) -> [String] {
        var cluster = Cluster(seed: seed)
        cluster.run(untilMs: leaveAtMs)
        cluster.schedule(.leave(leaver), afterMs: 0)
        let remaining = members.filter { $0 != leaver }
        let ring = Ring.initial(members: remaining.map { RingMember($0) }, replicaCount: 3)
        // Long enough to hand off, stop, be found silent and retired (a few seconds), but well short
        // of the retention.
        cluster.run(untilMs: leaveAtMs + 10_000)
        if check {
            #expect(cluster.stopped == [leaver], "seed \(seed): the leaver handed off and stopped")
            for id in remaining {
                let node = cluster.nodes[id]!
                #expect(node.membership.members == remaining, "seed \(seed) at \(id): converged to the remaining nodes")
                #expect(remaining.allSatisfy { node.membership.state(of: $0) == .up }, "seed \(seed) at \(id)")
                #expect(node.membership.tombstoneCount == 1, "seed \(seed) at \(id)")
                #expect(node.ring == ring, "seed \(seed) at \(id)")
            }
        }
        cluster.run(untilMs: leaveAtMs + 10_000 + retentionMs)
        if check {
            for id in remaining {
                let node = cluster.nodes[id]!
                #expect(node.membership.members == remaining, "seed \(seed) at \(id)")
                #expect(node.membership.tombstoneCount == 0, "seed \(seed) at \(id): forgotten after the retention")
                #expect(!node.membership.gossip().contains { $0.node == leaver }, "seed \(seed) at \(id)")
                #expect(node.membership.departureCounters.membersRetired == 1, "seed \(seed) at \(id)")
                #expect(node.membership.departureCounters.tombstonesExpired == 1, "seed \(seed) at \(id)")
                #expect(node.ring == ring, "seed \(seed) at \(id): the ring did not change after the leave")
            }
        }
        return cluster.transcript
    }

    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func membersConvergeToTheRemainingNodesAfterALeave(seed: UInt64) {
        let transcript = Self.run(seed: seed, check: true)
        #expect(transcript.contains { $0.hasSuffix("n3 stopped") }, "seed \(seed)")
        #expect(transcript.filter { $0.contains("member n3 left") }.count == 3, "seed \(seed): \(transcript)")
        #expect(transcript.filter { $0.contains("member n3 forgotten") }.count == 3, "seed \(seed)")
    }

    @Test func theSameSeedReplaysTheSameLeave() {
        #expect(Self.run(seed: 9, check: false) == Self.run(seed: 9, check: false))
    }
}
