import KVortexCore

/// The only place that maps errors to HTTP statuses and machine codes (STYLE.md "Errors").
extension KVError {
    public var httpStatus: Int {
        switch self {
        case .notFound: 404
        case .malformedContext, .invalidKey, .invalidHeader: 400
        case .valueTooLarge: 413
        case .quorumUnmet, .timeout, .overloaded: 503
        case .storageFailure: 500
        }
    }

    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .malformedContext: "malformed_context"
        case .invalidKey: "invalid_key"
        case .invalidHeader: "invalid_header"
        case .valueTooLarge: "value_too_large"
        case .quorumUnmet: "quorum_unmet"
        case .timeout: "timeout"
        case .overloaded: "overloaded"
        case .storageFailure: "storage_failure"
        }
    }

    public var message: String {
        switch self {
        case .notFound: "key not found"
        case .malformedContext: "X-Context is not a context token issued by this cluster"
        case .invalidKey(let reason): "invalid key: \(reason)"
        case .invalidHeader(let name, let reason): "invalid \(name): \(reason)"
        case .valueTooLarge(let bytes, let bytesMax): "value of \(bytes) bytes exceeds the limit of \(bytesMax) bytes"
        case .quorumUnmet(let needed, let acked, let asked): "quorum not reached: \(acked) of \(Counted(asked, "replica")) answered, \(needed) needed"
        case .timeout(let needed, let acked, let asked): "timed out: \(acked) of \(Counted(asked, "replica")) answered, \(needed) needed"
        case .overloaded(let reason): "overloaded: \(reason)"
        case .storageFailure(let detail): "storage failure: \(detail)"
        }
    }
}
