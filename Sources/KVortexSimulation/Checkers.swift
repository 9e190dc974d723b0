import KVortexCore

/// The invariants checked after every run (DESIGN.md "Simulation"), over the final replicas.
struct Checkers {
    let history: History
    /// Per key, the objects its N primaries hold at the end (nil for none), in preference order.
    let replicasByKey: [[UInt8]: [VersionedObject?]]
    let mode: ConflictMode
    let siblingsMax: Int
    /// True when the run had no faults: then a read must see the latest write whenever R + W > N.
    let readsMustSeeWrites: Bool
    let replicaCount: Int

    struct Result {
        var violations: [String] = []
        /// In `lww` mode: acknowledged writes neither present nor superseded (what LWW costs).
        var writesLostToLWW = 0
    }

    func run() -> Result {
        var result = Result()
        let byKey = Dictionary(grouping: history.operations) { $0.key }
        for key in history.keys {
            let operations = byKey[key] ?? []
            let replicas = replicasByKey[key] ?? []
            let merged = replicas.compactMap { $0 }.reduce(VersionedObject()) {
                $0.merging($1, mode: mode, siblingsMax: siblingsMax)
            }
            let name = String(decoding: key, as: UTF8.self)
            if let first = replicas.first, !replicas.allSatisfy({ $0 == first }) {
                result.violations.append("convergence: the \(replicas.count) replicas of \(name) differ after settling")
            }
            checkWrites(operations, named: name, against: merged, into: &result)
            checkInvented(operations, named: name, in: merged, into: &result)
            if readsMustSeeWrites { checkReadsSeeWrites(operations, named: name, into: &result) }
        }
        return result
    }

    /// Reads honour R: a read that starts after a value write was acknowledged, with no other write to
    /// the key overlapping the two, returns that value whenever the read's R plus the write's W exceed N
    /// (the two quorums then share a replica).
    private func checkReadsSeeWrites(_ operations: [History.Operation], named name: String, into result: inout Result) {
        // Indices, not copies: this is quadratic in the operations on a key, so the loops stay plain.
        let writes = operations.indices.filter { operations[$0].kind != .read }
        for read in operations where read.kind == .read && read.succeeded == true {
            guard let latestIndex = latestAcknowledged(writes, in: operations, endedBy: read.startMs) else { continue }
            let latest = operations[latestIndex]
            guard latest.kind != .delete else { continue }
            let readEnd = read.endMs ?? .max
            let overlapping = writes.contains { index in
                index != latestIndex && operations[index].startMs < readEnd && (operations[index].endMs ?? .max) > latest.startMs
            }
            guard !overlapping, read.options.readQuorum + latest.options.writeQuorum > replicaCount else { continue }
            if !read.valuesSeen.contains(latest.value) {
                result.violations.append("stale read: \(name) read at \(read.startMs) ms missed the write acknowledged at \(latest.endMs ?? 0) ms")
            }
        }
    }

    /// The acknowledged write among `writes` that ended last by `timeMs` (the first of equals), if any.
    private func latestAcknowledged(_ writes: [Int], in operations: [History.Operation], endedBy timeMs: UInt64) -> Int? {
        var latest: (index: Int, endMs: UInt64)?
        for index in writes where operations[index].succeeded == true {
            guard let endMs = operations[index].endMs, endMs <= timeMs else { continue }
            if latest.map({ endMs > $0.endMs }) ?? true { latest = (index, endMs) }
        }
        return latest?.index
    }

    /// No acknowledged write lost; no superseded version resurrected.
    private func checkWrites(_ operations: [History.Operation], named name: String, against merged: VersionedObject,
                             into result: inout Result) {
        let writes = operations.filter { $0.kind != .read }
        let contexts = writes.compactMap(\.context)
        for write in writes where write.succeeded == true {
            // Resurrection: what an acknowledged write's context covered must not be there.
            if let context = write.context {
                for sibling in merged.siblings where context.covers(sibling.dot) && sibling.dot != write.dot {
                    result.violations.append("resurrection: \(name) \(sibling.dot) came back after an acknowledged write superseded it")
                }
            }
            guard let dot = write.dot else { continue }
            let present = merged.siblings.first { $0.dot == dot }
            let expected: Sibling.Payload = write.kind == .delete ? .tombstone : .value(write.value)
            if let present, present.payload == expected { continue }
            if contexts.contains(where: { $0.covers(dot) }) { continue }
            if mode == .lww {
                result.writesLostToLWW += 1
            } else if present != nil {
                result.violations.append("lost write: \(name) \(dot) holds another value than the acknowledged write")
            } else {
                result.violations.append("lost write: \(name) acknowledged \(dot) at \(write.endMs ?? 0) ms is neither present nor superseded")
            }
        }
    }

    /// Every sibling traces to a write that was attempted with exactly that value.
    private func checkInvented(_ operations: [History.Operation], named name: String, in merged: VersionedObject,
                               into result: inout Result) {
        let attempted = Set(operations.filter { $0.kind == .blindWrite || $0.kind == .readModifyWrite }.map(\.value))
        let deletes = operations.contains { $0.kind == .delete }
        for sibling in merged.siblings {
            switch sibling.payload {
            case .value(let value) where !attempted.contains(value):
                result.violations.append("invented sibling: \(name) holds a value no client wrote")
            case .tombstone where !deletes:
                result.violations.append("invented sibling: \(name) holds a tombstone but no client deleted it")
            default:
                continue
            }
        }
    }
}
