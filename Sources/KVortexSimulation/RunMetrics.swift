import KVortexCore

/// Figures gathered while a simulation runs.
struct RunMetrics {
    var eventsProcessed = 0
    var messagesSent = 0
    var messagesDelivered = 0
    var messagesLost = 0
    var logLines = 0
    var faultsApplied = 0
    /// Leaves that ended with the node stopped (`Departure.left`).
    var leavesCompleted = 0
    var siblingsSeen: [Int] = []
    var retiredHintStats: [HintStats] = []
    /// Hints pending across live nodes, sampled every `bucketMs`.
    var hintBacklog: [Int] = []
    /// Per 500 ms of virtual time: operations attempted and succeeded, and successful latencies.
    var buckets: [Bucket] = []
    static let bucketMs: UInt64 = 500

    struct Bucket {
        var attempted = 0
        var succeeded = 0
        var latenciesMs: [UInt64] = []
        var siblingsSeenMax = 0
    }

    mutating func record(_ operation: History.Outcome) {
        let index = Int(operation.startMs / Self.bucketMs)
        while buckets.count <= index { buckets.append(Bucket()) }
        buckets[index].attempted += 1
        buckets[index].siblingsSeenMax = max(buckets[index].siblingsSeenMax, operation.siblingsSeen)
        if operation.succeeded == true, let end = operation.endMs {
            buckets[index].succeeded += 1
            buckets[index].latenciesMs.append(end - operation.startMs)
        }
    }
}
