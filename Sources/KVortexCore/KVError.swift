/// Why a key operation failed. Mapped to HTTP statuses in one place (KVortexServer/KVError+HTTP.swift).
public enum KVError: Error, Equatable, Sendable {
    case notFound
    case malformedContext
    case invalidKey(reason: String)
    case invalidHeader(name: String, reason: String)
    case valueTooLarge(bytes: Int, bytesMax: Int)
    case quorumUnmet(needed: Int, acked: Int, asked: Int)
    case timeout(needed: Int, acked: Int, asked: Int)
    case overloaded(reason: String)
    case storageFailure(String)
}
