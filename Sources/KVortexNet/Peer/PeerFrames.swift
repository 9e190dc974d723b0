/// The whole frames one read of a peer connection brought, as they lie in its read buffer: handed
/// to the transport's receiver together, so it can handle them in one go (one lock, one pass over
/// what they cause) rather than frame by frame. Valid only during the receiver's call.
public struct PeerFrames: Sequence {
    let buffer: UnsafeRawBufferPointer
    let ranges: [Range<Int>]

    public var count: Int { ranges.count }

    public func makeIterator() -> Iterator {
        Iterator(buffer: buffer, ranges: ranges.makeIterator())
    }

    public struct Iterator: IteratorProtocol {
        let buffer: UnsafeRawBufferPointer
        var ranges: IndexingIterator<[Range<Int>]>

        public mutating func next() -> UnsafeRawBufferPointer? {
            ranges.next().map { UnsafeRawBufferPointer(rebasing: buffer[$0]) }
        }
    }
}
