import KVortexCore

extension Checkers {
    /// Deletes stay deleted: after settling, no key reads back a value an acknowledged delete
    /// superseded (one the delete's context covers), whether or not newer writes followed: a newer
    /// write supersedes or sits beside the delete, it never brings back what the delete removed. What
    /// a replica that missed the delete brings back once the others reaped the tombstone without
    /// asking it (Cassandra's zombie past `gc_grace_seconds`).
    func checkDeletesStayDeleted(_ keyOperations: [Int], named name: String, against merged: VersionedObject,
                                 into result: inout Result) {
        let operations = history.operations
        for index in keyOperations where operations[index].kind == .delete && operations[index].succeeded == true {
            guard let context = operations[index].context else { continue }
            for sibling in merged.siblings where !sibling.isTombstone && context.covers(sibling.dot) {
                result.violations.append("resurrected delete: \(name) deleted at \(operations[index].endMs ?? 0) ms (node \(operations[index].node)) reads back \(sibling.dot), a value the delete superseded")
            }
        }
    }

    /// nil for an object that holds only tombstones (or nothing): what a replica that reaped it holds.
    static func withoutTombstoneOnly(_ object: VersionedObject?) -> VersionedObject? {
        guard let object, !object.siblings.allSatisfy(\.isTombstone) else { return nil }
        return object
    }
}
