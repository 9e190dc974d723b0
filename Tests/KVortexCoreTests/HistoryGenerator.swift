@testable import KVortexCore

/// One step of a generated history, applied the same way to every world.
enum HistoryOperation: CustomStringConvertible {
    /// A client write (value or tombstone) coordinated by `replica`, stamped by that replica's clock.
    case write(replica: Int, WriteRequest, HybridTimestamp)
    /// `into` merges `from`'s object (read repair, handoff or anti-entropy).
    case merge(into: Int, from: Int)

    var description: String {
        switch self {
        case .write(let replica, let request, let stamp):
            let what = request.payload == .tombstone ? "delete" : "write"
            return "\(what)@\(replica) ctx=\(request.context.map(\.description) ?? "none") ts=\(stamp)"
        case .merge(let into, let from): return "merge \(from)->\(into)"
        }
    }
}

/// How often each kind of operation is drawn, in percent; the rest are merges.
struct OperationMix {
    var blindWrites: Int
    var contextWrites: Int
    var contextDeletes: Int
    var blindDeletes: Int

    /// Clients mostly read before they write; replicas merge often.
    static let balanced = OperationMix(blindWrites: 30, contextWrites: 25, contextDeletes: 8, blindDeletes: 4)
    /// Many concurrent writers: siblings pile up, so caps bind.
    static let concurrent = OperationMix(blindWrites: 50, contextWrites: 15, contextDeletes: 4, blindDeletes: 1)
}

/// The replicas of one key under one conflict mode and sibling cap.
struct World {
    let mode: ConflictMode
    let siblingsMax: Int
    var objects: [VersionedObject]
    let actors: [ActorID]

    /// Applies `operation` and returns what the core reported.
    @discardableResult
    mutating func apply(_ operation: HistoryOperation) -> ApplyOutcome {
        switch operation {
        case .write(let replica, let request, let stamp):
            return objects[replica].applyWrite(request, actor: actors[replica], timestamp: stamp, mode: mode,
                                               siblingsMax: siblingsMax)
        case .merge(let into, let from):
            return objects[into].merge(objects[from], mode: mode, siblingsMax: siblingsMax)
        }
    }
}

/// Random but reachable histories of one key: replicas apply blind writes, writes and deletes with
/// contexts clients read (from one replica or a quorum of them, fresh or stale), TTLs, and merge with
/// each other. Each replica stamps writes with its own hybrid clock over a skewed physical clock and,
/// like `Node`, never observes peers' timestamps, so a write can carry an older timestamp than a
/// version it supersedes.
///
/// The same operations run in several worlds (e.g. uncapped siblings, capped, LWW). Clocks and dots
/// do not depend on the mode or cap, so world 0 — uncapped siblings by default — is an oracle for
/// the others.
struct HistoryGenerator {
    var random: TestRandom
    var worlds: [World]
    let actors: [ActorID]
    /// Every sibling a write created, by dot, as written: the only siblings any object may hold.
    private(set) var created: [Dot: Sibling] = [:]
    /// Every operation so far, for failure messages.
    private(set) var log: [HistoryOperation] = []
    private(set) var nowMs: UInt64 = 1_700_000_000_000
    private var hybridClocks: [HybridLogicalClock]
    private let skewsMs: [Int]
    private let timeStepMsMin: Int
    private let mix: OperationMix
    /// Contexts clients have read and may still write with, newest last.
    private var contextsRead: [WriteContext] = []
    private static let contextsKeptMax = 8

    /// Worlds are `(mode, siblingsMax)`; world 0 is what `replicas` shows.
    /// `timeStepMsMin` 1 with `skewMsMax` 0 makes every write's timestamp greater than all earlier ones.
    init(seed: UInt64, replicaCount: Int = 3, skewMsMax: Int = 20, timeStepMsMin: Int = 0, mix: OperationMix = .balanced,
         worlds specs: [(ConflictMode, Int)] = [(.siblings, 1_000)]) {
        random = TestRandom(seed: seed)
        self.mix = mix
        self.timeStepMsMin = timeStepMsMin
        let actors = (0..<replicaCount).map { ActorID(node: NodeID("10.0.0.\($0 + 1):9080"), epoch: seed) }
        self.actors = actors
        hybridClocks = Array(repeating: HybridLogicalClock(), count: replicaCount)
        var skews: [Int] = []
        for _ in 0..<replicaCount { skews.append(skewMsMax == 0 ? 0 : random.int(in: -skewMsMax...skewMsMax)) }
        skewsMs = skews
        worlds = specs.map { World(mode: $0.0, siblingsMax: $0.1, objects: Array(repeating: VersionedObject(), count: replicaCount),
                                   actors: actors) }
    }

    var replicas: [VersionedObject] { worlds[0].objects }
    var replicaCount: Int { actors.count }

    mutating func run(steps: Int) {
        for _ in 0..<steps { _ = perform(nextOperation()) }
    }

    /// Applies `operation` to every world; returns each world's outcome.
    @discardableResult
    mutating func perform(_ operation: HistoryOperation) -> [ApplyOutcome] {
        log.append(operation)
        let outcomes = worlds.indices.map { worlds[$0].apply(operation) }
        if case .write(let replica, let request, let stamp) = operation, let dot = outcomes[0].dot {
            // The write may order itself after what it supersedes, so its timestamp is the object's
            // (in a world that kept it: a sibling cap may drop it at once, and then nobody sees it).
            let timestamp = worlds.lazy.compactMap { $0.objects[replica].siblings.first { $0.dot == dot }?.timestamp }
                .first ?? stamp
            precondition(timestamp >= stamp, "a write's timestamp went back")
            created[dot] = Sibling(dot: dot, payload: request.payload, timestamp: timestamp,
                                   expiryMs: request.expiryMs, contentType: request.contentType)
        }
        return outcomes
    }

    /// Draws the next operation from the state of world 0, without applying it.
    mutating func nextOperation() -> HistoryOperation {
        nowMs += UInt64(random.int(in: timeStepMsMin...3))
        let replica = random.int(in: 0..<replicaCount)
        var draw = random.int(in: 0..<100)
        if draw < mix.blindWrites { return write(at: replica, context: nil) }
        draw -= mix.blindWrites
        if draw < mix.contextWrites { return write(at: replica, context: readContext()) }
        draw -= mix.contextWrites
        if draw < mix.contextDeletes { return write(at: replica, context: readContext(), tombstone: true) }
        draw -= mix.contextDeletes
        if draw < mix.blindDeletes { return write(at: replica, context: nil, tombstone: true) }
        var from = random.int(in: 0..<(replicaCount - 1))
        if from >= replica { from += 1 }
        return .merge(into: replica, from: from)
    }

    /// A blind write or delete at `replica` now, as the core would be asked to apply it.
    mutating func write(at replica: Int, context: WriteContext?, tombstone: Bool = false) -> HistoryOperation {
        let payload: Sibling.Payload = tombstone ? .tombstone : .value(random.bytes(count: random.int(in: 0...12)))
        let expiryMs: UInt64? = !tombstone && random.chance(1, in: 5) ? nowMs + UInt64(random.int(in: 1...200)) : nil
        let contentType = random.element(of: ["", "", "", "text/plain", "application/json; charset=utf-8"])
        let request = WriteRequest(payload: payload, context: context, expiryMs: expiryMs, contentType: contentType)
        return .write(replica: replica, request, hybridClocks[replica].tick(physicalMs: localMs(replica)))
    }

    /// The context a client got from a read: the merged contexts of one to all replicas, or one it read
    /// earlier and still holds.
    mutating func readContext() -> WriteContext {
        if !contextsRead.isEmpty && random.chance(1, in: 4) { return random.element(of: contextsRead) }
        let count = random.int(in: 1...replicaCount)
        var context = WriteContext()
        for replica in random.shuffled(Array(0..<replicaCount)).prefix(count) {
            context.merge(WriteContext(of: replicas[replica]))
        }
        contextsRead.append(context)
        if contextsRead.count > Self.contextsKeptMax { contextsRead.removeFirst() }
        return context
    }

    /// Every replica of world `world` merges all the others, each in an order of its own.
    mutating func exchangeAll(world: Int = 0) -> [VersionedObject] {
        let objects = worlds[world].objects
        return objects.indices.map { index in
            random.shuffled(objects.indices.filter { $0 != index }).reduce(objects[index]) {
                $0.merging(objects[$1], mode: worlds[world].mode, siblingsMax: worlds[world].siblingsMax)
            }
        }
    }

    private func localMs(_ replica: Int) -> UInt64 {
        UInt64(Int64(nowMs) + Int64(skewsMs[replica]))
    }

    /// The last operations, for a failure message.
    var recentLog: String { log.suffix(12).map(\.description).joined(separator: "; ") }
}
