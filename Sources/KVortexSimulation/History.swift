import KVortexCore

/// What the clients did and saw: the input of the checkers and the report.
struct History {
    enum Kind: String { case read, blindWrite, readModifyWrite, delete }

    struct Operation {
        let kind: Kind
        let key: [UInt8]
        /// The key's number: its index in the workload's keys.
        let keyIndex: Int
        let node: Int
        let startMs: UInt64
        var endMs: UInt64?
        /// Set for writes: the unique value written (empty for deletes).
        var value: [UInt8] = []
        var context: VersionVector?
        /// nil while pending; then success or failure.
        var succeeded: Bool?
        var dot: Dot?
        /// Values a read returned (live siblings).
        var valuesSeen: [[UInt8]] = []
        var siblingsSeen = 0
        var duringFault = false
        /// The consistency the operation ran with.
        var options: QuorumOptions
    }

    private(set) var operations: [Operation] = []
    /// Per key number, the indices of its operations in the order they began.
    private(set) var operationsByKey: [[Int]]
    /// Key numbers in the byte order of their names (`k0`, `k1`, `k10`, …), the order of every
    /// per-key pass (the read pass, the checkers), fixed when the history starts.
    private let keysInByteOrder: [Int]

    /// An empty history of a workload over `keyNames`, with room for `operationsExpected` operations
    /// (growing the array moved every operation again, each time it doubled).
    init(keyNames: [[UInt8]], operationsExpected: Int) {
        operations.reserveCapacity(operationsExpected)
        operationsByKey = Array(repeating: [], count: keyNames.count)
        keysInByteOrder = keyNames.indices.sorted { keyNames[$0].lexicographicallyPrecedes(keyNames[$1]) }
    }

    /// Appends `operation` (moved in, not copied) and returns its index.
    mutating func begin(_ operation: consuming Operation) -> Int {
        let keyIndex = operation.keyIndex
        operations.append(operation)
        operationsByKey[keyIndex].append(operations.count - 1)
        return operations.count - 1
    }

    mutating func update(_ index: Int, _ body: (inout Operation) -> Void) {
        body(&operations[index])
    }

    mutating func finish(_ index: Int, atMs: UInt64, update: (inout Operation) -> Void) {
        operations[index].endMs = atMs
        update(&operations[index])
    }

    /// When an operation started and ended, whether it succeeded and the siblings it saw: what the
    /// timeline needs, without copying the operation's arrays.
    struct Outcome {
        let startMs: UInt64
        let endMs: UInt64?
        let succeeded: Bool?
        let siblingsSeen: Int
    }

    func outcome(_ index: Int) -> Outcome {
        Outcome(startMs: operations[index].startMs, endMs: operations[index].endMs, succeeded: operations[index].succeeded,
                siblingsSeen: operations[index].siblingsSeen)
    }

    /// The value a client writes: `c<client>-<operation index>` in ASCII, unique in a run. Digits are
    /// appended in order (string interpolation cost over a thousand instructions per write; building
    /// it in an uninitialized buffer cost more than appending).
    static func uniqueValue(client: Int, operationIndex: Int) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(24)
        value.append(UInt8(ascii: "c"))
        appendDecimal(client, to: &value)
        value.append(UInt8(ascii: "-"))
        appendDecimal(operationIndex, to: &value)
        return value
    }

    /// The operation index a value of `uniqueValue`'s form names (the digits after its last `-`),
    /// or nil for a value of another form. Says nothing of whether that operation wrote it.
    static func operationIndex(ofValue value: [UInt8]) -> Int? {
        guard let dash = value.lastIndex(of: UInt8(ascii: "-")), dash + 1 < value.count, value.count - dash <= 10 else { return nil }
        var index = 0
        for byte in value[(dash + 1)...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            index = index * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return index
    }

    private static func appendDecimal(_ number: Int, to bytes: inout [UInt8]) {
        precondition(number >= 0, "negative number \(number) in a value")
        var scale = 1
        while scale <= number / 10 { scale *= 10 }
        while scale > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(number / scale % 10))
            scale /= 10
        }
    }

    /// The numbers of the keys the clients touched, in the byte order of their names. Key names are
    /// distinct, so this is the order the sorted set of touched keys had.
    var touchedKeys: [Int] {
        keysInByteOrder.filter { !operationsByKey[$0].isEmpty }
    }
}
