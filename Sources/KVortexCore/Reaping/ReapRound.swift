/// One round of reap checks in flight: the candidates taken from storage, what each still needs, and
/// the `reapCheck` requests awaiting answers (docs/anti-entropy.md §4, item 1).
///
/// A candidate is confirmed when every other current primary answered yes; one no refuses it, and a
/// primary that was down or never answered defers it (the next round takes it again). The round is
/// complete when no request awaits an answer.
struct ReapRound: Sendable {
    /// What a round decided for one candidate.
    enum Outcome: Equatable, Sendable {
        case confirmed
        /// A primary answered that it holds something else.
        case refused
        /// A primary was not healthy, so it was not asked.
        case deferredUnreachable
        /// A primary was asked and did not answer in time (or could not be reached).
        case deferredUnanswered
    }

    private enum State: Equatable, Sendable {
        case awaiting(yesMissing: Int)
        case decided(Outcome)
    }

    let candidates: [ReapCandidate]
    private var states: [State]
    /// The candidates each request in flight asked about, by index in `candidates`.
    private var pending: [OperationID: [Int]] = [:]

    init(candidates: [ReapCandidate]) {
        self.candidates = candidates
        states = Array(repeating: .awaiting(yesMissing: 0), count: candidates.count)
    }

    var isComplete: Bool { pending.isEmpty }
    var requestsInFlight: Int { pending.count }

    /// Candidate `index` needs `count` yes answers (one per other primary; 0: none to ask).
    mutating func expect(_ index: Int, answers count: Int) {
        precondition(count >= 0, "a candidate cannot expect \(count) answers")
        states[index] = .awaiting(yesMissing: count)
    }

    /// Candidate `index` is deferred before asking anyone: a primary is not healthy.
    mutating func deferUnreachable(_ index: Int) {
        states[index] = .decided(.deferredUnreachable)
    }

    /// Request `operation` asked about `indices`.
    mutating func asked(_ operation: OperationID, about indices: [Int]) {
        precondition(pending[operation] == nil, "\(operation) asked twice")
        pending[operation] = indices
    }

    /// True when `operation` is a request of this round awaiting its answer.
    func awaits(_ operation: OperationID) -> Bool {
        pending[operation] != nil
    }

    /// Takes the answers of `operation`, one per candidate it asked about, in order. Answers of
    /// another length (a confused peer) count as no. Returns false when `operation` is not awaited.
    mutating func answered(_ operation: OperationID, _ answers: [Bool]) -> Bool {
        guard let indices = pending.removeValue(forKey: operation) else { return false }
        for (position, index) in indices.enumerated() {
            let yes = answers.count == indices.count && answers[position]
            switch states[index] {
            case .awaiting(let missing) where yes:
                precondition(missing > 0, "candidate \(index) got more yes answers than it asked for")
                states[index] = .awaiting(yesMissing: missing - 1)
            case .awaiting:
                states[index] = .decided(.refused)
            case .decided(.refused), .decided(.deferredUnanswered), .decided(.deferredUnreachable):
                continue  // decided by another primary's answer
            case .decided(.confirmed):
                preconditionFailure("candidate \(index) confirmed before its answers were in")
            }
        }
        return true
    }

    /// `operation` will not be answered (deadline, undeliverable): its candidates are deferred unless
    /// already refused. Returns false when `operation` is not awaited.
    mutating func unanswered(_ operation: OperationID) -> Bool {
        guard let indices = pending.removeValue(forKey: operation) else { return false }
        for index in indices {
            switch states[index] {
            case .awaiting:
                states[index] = .decided(.deferredUnanswered)
            case .decided(.refused), .decided(.deferredUnanswered), .decided(.deferredUnreachable):
                continue
            case .decided(.confirmed):
                preconditionFailure("candidate \(index) confirmed before its answers were in")
            }
        }
        return true
    }

    /// The outcome of candidate `index` once the round is complete.
    func outcome(_ index: Int) -> Outcome {
        precondition(isComplete, "outcome asked while \(pending.count) requests are in flight")
        switch states[index] {
        case .awaiting(let missing):
            precondition(missing == 0, "candidate \(index) still misses \(missing) answers in a complete round")
            return .confirmed
        case .decided(let outcome):
            return outcome
        }
    }
}
