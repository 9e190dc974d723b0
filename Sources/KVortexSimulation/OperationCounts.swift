/// The report's counts of a history's operations, gathered in one pass that copies no operation
/// (the filters it replaces copied every operation several times: 2 % of a run's instructions).
struct OperationCounts {
    /// Operations of one sort (reads, or writes and deletes): attempted and succeeded, in all and
    /// among those started while faults were active.
    struct Tally {
        var attempted = 0
        var succeeded = 0
        var attemptedDuringFaults = 0
        var succeededDuringFaults = 0

        mutating func count(succeeded: Bool, duringFault: Bool) {
            attempted += 1
            if succeeded { self.succeeded += 1 }
            guard duringFault else { return }
            attemptedDuringFaults += 1
            if succeeded { succeededDuringFaults += 1 }
        }
    }

    var reads = Tally()
    var writes = Tally()
    /// Virtual latency of every operation that succeeded, ascending.
    var latenciesMsSorted: [UInt64] = []

    init(_ operations: [History.Operation]) {
        var latenciesMs: [UInt64] = []
        latenciesMs.reserveCapacity(operations.count)
        for index in operations.indices {
            let succeeded = operations[index].succeeded == true
            if operations[index].kind == .read {
                reads.count(succeeded: succeeded, duringFault: operations[index].duringFault)
            } else {
                writes.count(succeeded: succeeded, duringFault: operations[index].duringFault)
            }
            if succeeded, let endMs = operations[index].endMs {
                latenciesMs.append(endMs - operations[index].startMs)
            }
        }
        latenciesMsSorted = LatencySort.ascending(latenciesMs)
    }
}
