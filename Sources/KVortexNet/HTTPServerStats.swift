/// A snapshot of the server's counters, for `/metrics`.
public struct HTTPServerStats: Sendable {
    public var connectionsAccepted: UInt64 = 0
    public var connectionsOpen: UInt64 = 0
    public var requests: UInt64 = 0
    /// Requests refused as malformed (400, 417, 501, 505).
    public var malformedRequests: UInt64 = 0
    /// Times each named limit was hit.
    public var limitHits: [HTTPLimit: UInt64] = [:]
    public var bytesRead: UInt64 = 0
    public var bytesWritten: UInt64 = 0
}

/// The server's live counters, shared by its loops.
final class HTTPServerCounters: Sendable {
    enum Slot: Int, CaseIterable {
        case accepted, closed, requests, malformed, bytesRead, bytesWritten
    }

    private let counters = CounterArray(count: Slot.allCases.count + HTTPLimit.allCases.count)

    func add(_ slot: Slot, _ amount: UInt64 = 1) {
        counters.add(amount, at: slot.rawValue)
    }

    func hit(_ limit: HTTPLimit) {
        counters.add(1, at: Slot.allCases.count + limit.rawValue)
    }

    var snapshot: HTTPServerStats {
        var stats = HTTPServerStats()
        stats.connectionsAccepted = counters.value(at: Slot.accepted.rawValue)
        let closed = counters.value(at: Slot.closed.rawValue)
        stats.connectionsOpen = stats.connectionsAccepted >= closed ? stats.connectionsAccepted - closed : 0
        stats.requests = counters.value(at: Slot.requests.rawValue)
        stats.malformedRequests = counters.value(at: Slot.malformed.rawValue)
        stats.bytesRead = counters.value(at: Slot.bytesRead.rawValue)
        stats.bytesWritten = counters.value(at: Slot.bytesWritten.rawValue)
        for limit in HTTPLimit.allCases {
            stats.limitHits[limit] = counters.value(at: Slot.allCases.count + limit.rawValue)
        }
        return stats
    }
}
