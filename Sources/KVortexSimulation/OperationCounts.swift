/// The report's counts of a history's operations, gathered in one pass that copies no operation
/// (the filters it replaces copied every operation several times: 2 % of a run's instructions).
struct OperationCounts {
    var reads = 0
    var readsSucceeded = 0
    var writes = 0
    var writesSucceeded = 0
    /// Among operations started while faults were active.
    var readsDuringFaults = 0
    var readsDuringFaultsSucceeded = 0
    var writesDuringFaults = 0
    var writesDuringFaultsSucceeded = 0
    /// Virtual latency of every operation that succeeded, ascending.
    var latenciesMsSorted: [UInt64] = []

    init(_ operations: [History.Operation]) {
        latenciesMsSorted.reserveCapacity(operations.count)
        for index in operations.indices {
            let succeeded = operations[index].succeeded == true
            let duringFault = operations[index].duringFault
            if operations[index].kind == .read {
                reads += 1
                if succeeded { readsSucceeded += 1 }
                if duringFault { readsDuringFaults += 1 }
                if duringFault && succeeded { readsDuringFaultsSucceeded += 1 }
            } else {
                writes += 1
                if succeeded { writesSucceeded += 1 }
                if duringFault { writesDuringFaults += 1 }
                if duringFault && succeeded { writesDuringFaultsSucceeded += 1 }
            }
            if succeeded, let endMs = operations[index].endMs {
                latenciesMsSorted.append(endMs - operations[index].startMs)
            }
        }
        latenciesMsSorted.sort()
    }
}
