import KVortexCore

/// What the simulator waits for, by request: an array indexed by the request number, since the
/// simulator numbers its requests itself from 1 upwards (`Simulator.makeRequest`).
///
/// It replaces a `Dictionary` keyed by `RequestID` (hashing on every client operation and reply, 1 %
/// of a run's instructions). A run makes a few thousand requests per simulated second at most, so the
/// array stays small; a request number the table never saw reads as nothing waiting.
struct RequestTable<Value> {
    private var values: [Value?] = []

    subscript(request: RequestID) -> Value? {
        get {
            let index = Int(request.rawValue)
            return index < values.count ? values[index] : nil
        }
        set {
            let index = Int(request.rawValue)
            while values.count <= index { values.append(nil) }
            values[index] = newValue
        }
    }

    /// Removes the values for which `isRemoved` is true and returns them, in request order. Visits
    /// every request ever made: for rare events only (a node stopping with requests in flight).
    mutating func removeAll(where isRemoved: (Value) -> Bool) -> [Value] {
        var removed: [Value] = []
        for index in values.indices {
            guard let value = values[index], isRemoved(value) else { continue }
            removed.append(value)
            values[index] = nil
        }
        return removed
    }

    /// The value waiting for `request`, removed; nil when none is.
    mutating func removeValue(forKey request: RequestID) -> Value? {
        let index = Int(request.rawValue)
        return index < values.count ? values[index].take() : nil
    }
}
