/// Comparisons whose running time does not depend on where the inputs differ: for secrets a client or
/// a peer presents (the peer handshake's MACs, bearer tokens).
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, looking at every byte whatever the first difference,
    /// so that a peer timing the answer learns nothing of how much of a forged MAC was right. Only the
    /// lengths, which are public (a MAC's is fixed), end it early.
    public static func isEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Whether `given` (what a client sent) holds exactly the bytes of `expected` (the secret).
    ///
    /// Runs over `expected.count` bytes whatever `given` holds, and folds the difference of the lengths
    /// into the result instead of returning early on it: the time depends on the secret's length only,
    /// never on which byte differs nor on how long a prefix of the secret `given` gets right. A shorter
    /// `given` is read at its last byte again past its end (a branch-free `min`). Allocates nothing.
    public static func isEqual(_ given: UnsafeRawBufferPointer, _ expected: UnsafeRawBufferPointer) -> Bool {
        var difference = UInt(bitPattern: given.count ^ expected.count)
        guard given.count > 0 else { return expected.count == 0 }  // nothing to read; only the length is known
        let givenLast = given.count - 1
        for index in 0..<expected.count {
            difference |= UInt(given[min(index, givenLast)] ^ expected[index])
        }
        return difference == 0
    }
}
