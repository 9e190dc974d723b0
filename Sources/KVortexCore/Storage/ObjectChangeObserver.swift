/// Told of every change a storage engine makes to a stored object (docs/anti-entropy.md §2), so that
/// anti-entropy trees stay current without the `Node` in the path: puts, read repairs, hints,
/// transfers, deletes, reaps and evictions all reach storage, and the engine is the one place that
/// sees the object before and after.
///
/// An engine calls it inside the key's critical section, once the change is stored, so that two
/// changes of one key reach the observer in the order they were stored. An engine holds its observer
/// from its creation (nil: anti-entropy off, which costs the engine one nil test per change).
public protocol ObjectChangeObserver: AnyObject, Sendable {
    /// The key whose stable hash is `keyHash` went from `old` to `new` (nil: absent, before it was
    /// first stored or once it is removed).
    func replaced(keyHash: UInt64, old: ObjectDigest?, new: ObjectDigest?)

    /// Changes were stored that could not be reported, so what the observer knows of every partition
    /// is wrong until rebuilt: a transaction the database rolled back by itself after its changes were
    /// reported, or data a durable engine found when it opened (stored by an earlier process).
    func changesLost()
}
