import KVortexCore

/// The invariants checked after every run (DESIGN.md "Simulation"), over the final replicas.
///
/// The operations stay in the history and are visited by index, a key's at a time: copying them
/// (grouping them by key, filtering them) was most of the checkers' cost.
struct Checkers {
    let history: History
    /// The numbers of the keys to check, in the order their violations are reported.
    let keys: [Int]
    let keyNames: [[UInt8]]
    /// For each key of `keys`, the objects its N primaries hold at the end (nil for none), in preference order.
    let replicas: [[VersionedObject?]]
    let mode: ConflictMode
    let siblingsMax: Int
    /// True when the run had no faults: then a read must see the latest write whenever R + W > N.
    let readsMustSeeWrites: Bool
    let replicaCount: Int
    /// True when the scenario reaps tombstones: a replica that reaped and one still holding the
    /// tombstone read alike, and a reaped delete is gone by design, not lost.
    var reaps = false

    struct Result {
        var violations: [String] = []
        /// In `lww` mode: acknowledged writes neither present nor superseded (what LWW costs).
        var writesLostToLWW = 0
    }

    func run() -> Result {
        var result = Result()
        for (position, key) in keys.enumerated() {
            let operations = history.operationsByKey[key]
            let replicas = replicas[position]
            let merged = replicas.compactMap { $0 }.reduce(VersionedObject()) {
                $0.merging($1, mode: mode, siblingsMax: siblingsMax)
            }
            let name = String(decoding: keyNames[key], as: UTF8.self)
            let compared = reaps ? replicas.map(Self.withoutTombstoneOnly) : replicas
            if let first = compared.first, !compared.allSatisfy({ $0 == first }) {
                result.violations.append("convergence: the \(replicas.count) replicas of \(name) differ after settling")
            }
            checkWrites(operations, named: name, against: merged, into: &result)
            checkInvented(operations, named: name, in: merged, into: &result)
            checkDeletesStayDeleted(operations, named: name, against: merged, into: &result)
            if readsMustSeeWrites { checkReadsSeeWrites(operations, named: name, into: &result) }
        }
        return result
    }

    /// Reads honour R: a read that starts after a value write was acknowledged, with no other write to
    /// the key overlapping the two, returns that value whenever the read's R plus the write's W exceed N
    /// (the two quorums then share a replica). "After" and "overlapping" are judged in whole virtual
    /// milliseconds, and a shared millisecond counts as overlapping: the history keeps no order within one
    /// (`make soak` found 29 of 1000 mixed-consistency seeds flagged for reads that started, or writes
    /// that were applied, in the very millisecond that ordered them).
    private func checkReadsSeeWrites(_ keyOperations: [Int], named name: String, into result: inout Result) {
        let operations = history.operations
        // This is quadratic in the operations on a key, so the writes' times wait in plain arrays.
        let writes = KeyWrites(keyOperations, of: operations)
        for read in keyOperations where operations[read].kind == .read && operations[read].succeeded == true {
            guard let latest = writes.latestAcknowledged(before: operations[read].startMs) else { continue }
            let latestIndex = writes.indices[latest]
            guard operations[latestIndex].kind != .delete else { continue }
            let readEndMs = operations[read].endMs ?? .max
            guard !writes.overlaps(latest, until: readEndMs),
                operations[read].options.readQuorum + operations[latestIndex].options.writeQuorum > replicaCount
            else { continue }
            if !operations[read].valuesSeen.contains(operations[latestIndex].value) {
                let (reading, writing) = (operations[read], operations[latestIndex])
                result.violations.append("stale read: \(name) read at \(reading.startMs) ms (node \(reading.node), R=\(reading.options.readQuorum)\(reading.options.sloppy ? " sloppy" : " strict")) missed the write acknowledged at \(writing.endMs ?? 0) ms (node \(writing.node), W=\(writing.options.writeQuorum)\(writing.options.sloppy ? " sloppy" : " strict"), started at \(writing.startMs) ms)")
            }
        }
    }

    /// No acknowledged write lost; no superseded version resurrected.
    private func checkWrites(_ keyOperations: [Int], named name: String, against merged: VersionedObject,
                             into result: inout Result) {
        let operations = history.operations
        // Some context covers a dot exactly when their pointwise maximum does (`covers` compares one
        // counter), so one merged vector replaces a scan of every context per write.
        var contexts = VersionVector()
        for index in keyOperations where operations[index].kind != .read {
            if let context = operations[index].context { contexts.merge(context) }
        }
        for index in keyOperations where operations[index].kind != .read && operations[index].succeeded == true {
            let dot = operations[index].dot
            // Resurrection: what an acknowledged write's context covered must not be there.
            if let context = operations[index].context {
                for sibling in merged.siblings where context.covers(sibling.dot) && sibling.dot != dot {
                    // A value a delete superseded is `checkDeletesStayDeleted`'s to report.
                    if operations[index].kind == .delete && !sibling.isTombstone { continue }
                    result.violations.append("resurrection: \(name) \(sibling.dot) came back after an acknowledged write superseded it")
                }
            }
            guard let dot else { continue }
            if reaps && operations[index].kind == .delete { continue }  // reaped: gone by design
            let present = merged.siblings.first { $0.dot == dot }
            let expected: Sibling.Payload = operations[index].kind == .delete ? .tombstone : .value(operations[index].value)
            if let present, present.payload == expected { continue }
            if contexts.covers(dot) { continue }
            if mode == .lww {
                result.writesLostToLWW += 1
            } else if present != nil {
                result.violations.append("lost write: \(name) \(dot) holds another value than the acknowledged write")
            } else {
                result.violations.append("lost write: \(name) acknowledged \(dot) at \(operations[index].endMs ?? 0) ms is neither present nor superseded")
            }
        }
    }

    /// Every sibling traces to a write that was attempted with exactly that value.
    private func checkInvented(_ keyOperations: [Int], named name: String, in merged: VersionedObject,
                               into result: inout Result) {
        let operations = history.operations
        let deletes = keyOperations.contains { operations[$0].kind == .delete }
        for sibling in merged.siblings {
            switch sibling.payload {
            case .value(let value) where !wasAttempted(value, amongst: keyOperations):
                result.violations.append("invented sibling: \(name) holds a value no client wrote")
            case .tombstone where !deletes:
                result.violations.append("invented sibling: \(name) holds a tombstone but no client deleted it")
            default:
                continue
            }
        }
    }

    /// True when one of `keyOperations` attempted to write `value` (acknowledged or not). A value
    /// names the operation that wrote it (`History.uniqueValue`), so that operation is tried first;
    /// a value of any other form is looked for among all of them (a scan per sibling was 1 % of a run
    /// with many siblings).
    private func wasAttempted(_ value: [UInt8], amongst keyOperations: [Int]) -> Bool {
        let operations = history.operations
        func wrote(_ index: Int) -> Bool {
            (operations[index].kind == .blindWrite || operations[index].kind == .readModifyWrite) && operations[index].value == value
        }
        if let index = History.operationIndex(ofValue: value), operations.indices.contains(index),
            wrote(index), keyOperations.contains(index) {
            return true
        }
        return keyOperations.contains(where: wrote)
    }
}
