import Dispatch
import KVortexCore
import Synchronization

extension StorageEngine {
    /// `modify(_:nowMs:_:whenDurable:)`, waiting for the durability callback: the blocking `modify`
    /// of engines that defer durability (group commit).
    func modifyWaitingUntilDurable(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void)
        throws(StorageError)
    {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<StorageError?>(nil)
        try modify(key, nowMs: nowMs, transform) { error in
            failure.withLock { $0 = error }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
