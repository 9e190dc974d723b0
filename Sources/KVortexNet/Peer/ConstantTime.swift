/// Comparisons whose running time does not depend on where the inputs differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, looking at every byte whatever the first difference,
    /// so that a peer timing the answer learns nothing of how much of a forged MAC was right. Only the
    /// lengths, which are public (a MAC's is fixed), end it early.
    static func isEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
