import Foundation
import KVortexCore

/// The simulated network: latency, loss and duplication drawn from the run's generator, and cut links.
///
/// A class: the simulator asks it about every message, and as a struct in a class's property it was
/// copied (its set of cut links retained and released) on each question.
final class SimulatedNetwork {
    var latencyMinMs: UInt64
    var latencyMaxMs: UInt64
    var lossRate: Double
    var duplicateRate: Double
    let lognormal: (median: Double, sigma: Double)?
    let nodeCount: Int
    /// Directed links that drop every message: `from * nodeCount + to`. A matrix, not a set of
    /// pairs: the simulator asks about every message, and hashing a pair was 0.5 % of a run.
    private var cut: [Bool]
    private var cutCount = 0

    init(_ settings: Scenario.Network, nodeCount: Int) {
        latencyMinMs = settings.latencyMinMs
        latencyMaxMs = max(settings.latencyMinMs, settings.latencyMaxMs)
        lossRate = settings.lossRate
        duplicateRate = settings.duplicateRate
        lognormal = settings.latency == "lognormal" ? (settings.latencyMedianMs, settings.latencySigma) : nil
        self.nodeCount = nodeCount
        cut = Array(repeating: false, count: nodeCount * nodeCount)
    }

    func isCut(from: Int, to: Int) -> Bool { cutCount > 0 && cut[from * nodeCount + to] }

    /// Cuts every link between different groups, both ways.
    func partition(_ groups: [[Int]]) {
        for (index, group) in groups.enumerated() {
            for other in groups[(index + 1)...] {
                for a in group { for b in other { cutLink(from: a, to: b); cutLink(from: b, to: a) } }
            }
        }
    }

    func cutOneWay(from: [Int], to: [Int]) {
        for a in from { for b in to { cutLink(from: a, to: b) } }
    }

    func heal() {
        guard cutCount > 0 else { return }
        for index in cut.indices { cut[index] = false }
        cutCount = 0
    }

    /// Cuts one link; a node index outside the cluster names no link and is ignored, as no message
    /// ever travels it.
    private func cutLink(from: Int, to: Int) {
        guard (0..<nodeCount).contains(from), (0..<nodeCount).contains(to), !cut[from * nodeCount + to] else { return }
        cut[from * nodeCount + to] = true
        cutCount += 1
    }

    /// A message's delay in ms. Lognormal draws use Box–Muller on the run's generator (the same
    /// draws on the same toolchain, so a seed still replays exactly).
    func latency(_ random: inout SplitMix64) -> UInt64 {
        guard let (median, sigma) = lognormal else {
            return latencyMinMs + random.below(latencyMaxMs - latencyMinMs + 1)
        }
        let u1 = max(random.unit(), 1e-12), u2 = random.unit()
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        let value = median * exp(sigma * normal)
        return min(latencyMaxMs, max(latencyMinMs, UInt64(value.rounded())))
    }
}
