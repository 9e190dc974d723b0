import Glibc
import KVortexCore
import Synchronization

/// A durable `HintStore`: `HintQueues` in memory, every change appended to `hints.log` in the data
/// directory, so a stand-in that restarts still hands its hints over (DESIGN.md "Hinted handoff").
///
/// A hint is acknowledged to the coordinator only once its record is durable (fsynced unless the
/// policy is `none`); an acknowledgement record is not synced: losing one only delivers the hint
/// again, and delivery merges. At open the log is replayed (a torn tail is cut) and rewritten with
/// just the pending hints; while running it is rewritten when dead records outweigh live ones.
/// After an I/O error the store refuses new hints (`.failed`) and keeps serving the ones it holds.
public final class LogHintStore: HintStore {
    public static let fileName = "hints.log"
    /// The log is rewritten once it is this many times the size of its pending hints (and over 1 MiB).
    static let rewriteRatio = 4
    static let rewriteBytesMin = 1 << 20

    private struct State {
        var queues: HintQueues
        var fd: Int32
        var fileBytes = 0
        /// Record bytes of each pending hint, by (target, key), and their sum.
        var liveBytes: [[UInt8]: Int] = [:]
        var liveTotal = 0
        var failure: String?
    }

    public let path: String
    public let fsync: FsyncPolicy
    public let hintsPerTargetMax: Int
    /// Bytes recovery cut from the end of the log at open (a torn append).
    public let recoveredDroppedBytes: Int
    private let state: Mutex<State>

    public init(directory: String, fsync: FsyncPolicy = .batch, hintsPerTargetMax: Int = 10_000) throws(StorageError) {
        path = directory + "/" + Self.fileName
        self.fsync = fsync
        self.hintsPerTargetMax = hintsPerTargetMax
        var queues = HintQueues(hintsPerTargetMax: hintsPerTargetMax)
        let bytes = DurableFile.read(path) ?? []
        var offset = 0
        replay: while true {
            switch HintRecord.parse(bytes, at: offset) {
            case .end, .torn:
                break replay
            case .hint(let hint, let size):
                queues.restore(hint)
                offset += size
            case .acknowledged(let target, let key, let sequence, let size):
                _ = queues.acknowledge(target: target, key: key, sequence: sequence)
                offset += size
            }
        }
        recoveredDroppedBytes = bytes.count - offset
        if recoveredDroppedBytes > 0 {
            LogRecovery.report("\(path): dropped \(Counted(recoveredDroppedBytes, "byte")) after offset \(offset) (torn or corrupt record)")
        }
        let (fd, written, live) = try Self.rewrite(queues.all(), to: path)
        state = Mutex(State(queues: queues, fd: fd, fileBytes: written, liveBytes: live, liveTotal: written))
    }

    deinit {
        _ = state.withLock { close($0.fd) }
    }

    /// Writes `hints` to a new log, renames it over `path`, and returns it open for appending.
    private static func rewrite(_ hints: [Hint], to path: String) throws(StorageError) -> (Int32, Int, [[UInt8]: Int]) {
        var bytes: [UInt8] = []
        var live: [[UInt8]: Int] = [:]
        for hint in hints {
            let record = HintRecord.encode(hint)
            live[Self.slot(hint.target, hint.key)] = record.count
            bytes += record
        }
        let temporary = path + LogEngine.temporarySuffix
        try DurableFile.write(bytes, to: temporary)
        try DurableFile.rename(temporary, to: path)
        try DurableFile.syncDirectory(String(path[..<path.lastIndex(of: "/")!]))
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open \(path)", errno: errno) }
        return (fd, bytes.count, live)
    }

    /// The live-bytes key of a (target, key) pair.
    private static func slot(_ target: NodeID, _ key: [UInt8]) -> [UInt8] {
        Array(target.rawValue.utf8) + [0] + key
    }

    public func add(target: NodeID, key: [UInt8], object: VersionedObject, mode: ConflictMode,
                    siblingsMax: Int) -> HintAddResult {
        state.withLock { state in
            if let failure = state.failure { return .failed(failure) }
            let result = state.queues.add(target: target, key: key, object: object, mode: mode, siblingsMax: siblingsMax)
            guard result == .stored || result == .merged, let hint = state.queues.hint(for: target, key: key) else { return result }
            let record = HintRecord.encode(hint)
            do throws(StorageError) {
                try append(record, to: &state, sync: fsync != .none)
            } catch {
                state.failure = "hint log failed: \(error)"
                return .failed(state.failure!)
            }
            let old = state.liveBytes.updateValue(record.count, forKey: Self.slot(target, key)) ?? 0
            state.liveTotal += record.count - old
            return result
        }
    }

    public func pending(for target: NodeID, limit: Int) -> [Hint] {
        state.withLock { $0.queues.pending(for: target, limit: limit) }
    }

    public func acknowledge(target: NodeID, key: [UInt8], sequence: UInt64) -> Bool {
        state.withLock { state in
            guard state.queues.acknowledge(target: target, key: key, sequence: sequence) else { return false }
            state.liveTotal -= state.liveBytes.removeValue(forKey: Self.slot(target, key)) ?? 0
            guard state.failure == nil else { return true }
            do throws(StorageError) {
                try append(HintRecord.encodeAcknowledged(target: target, key: key, sequence: sequence), to: &state, sync: false)
                try rewriteIfMostlyDead(&state)
            } catch {
                state.failure = "hint log failed: \(error)"
            }
            return true
        }
    }

    public func targets() -> [NodeID] {
        state.withLock { $0.queues.targets() }
    }

    public var stats: HintStats { state.withLock { $0.queues.stats } }

    /// Bytes of the hint log now (tests and metrics).
    public var fileBytes: Int { state.withLock { $0.fileBytes } }

    private func append(_ record: [UInt8], to state: inout State, sync: Bool) throws(StorageError) {
        var written = 0
        while written < record.count {
            let result = record.withUnsafeBytes { write(state.fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "write \(path)", errno: errno) }
            written += result
        }
        state.fileBytes += record.count
        if sync { guard fdatasync(state.fd) == 0 else { throw .io(operation: "fdatasync \(path)", errno: errno) } }
    }

    private func rewriteIfMostlyDead(_ state: inout State) throws(StorageError) {
        guard state.fileBytes > Self.rewriteBytesMin, state.fileBytes > state.liveTotal * Self.rewriteRatio else { return }
        let (fd, written, liveBytes) = try Self.rewrite(state.queues.all(), to: path)
        close(state.fd)
        state.fd = fd
        state.fileBytes = written
        state.liveBytes = liveBytes
        state.liveTotal = written
    }
}
