import KVortexCore

/// What the clients did and saw: the input of the checkers and the report.
struct History {
    enum Kind: String { case read, blindWrite, readModifyWrite, delete }

    struct Operation {
        let kind: Kind
        let key: [UInt8]
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

    mutating func begin(_ operation: Operation) -> Int {
        operations.append(operation)
        return operations.count - 1
    }

    mutating func update(_ index: Int, _ body: (inout Operation) -> Void) {
        body(&operations[index])
    }

    mutating func finish(_ index: Int, atMs: UInt64, update: (inout Operation) -> Void) {
        operations[index].endMs = atMs
        update(&operations[index])
    }

    var keys: [[UInt8]] {
        Array(Set(operations.map(\.key))).sorted { $0.lexicographicallyPrecedes($1) }
    }
}
