import Foundation
import KVortexCore

/// The simulated network: latency, loss and duplication drawn from the run's generator, and cut links.
///
/// A class: the simulator asks it about every message, and as a struct in a class's property it was
/// copied (its set of cut links retained and released) on each question.
final class SimulatedNetwork {
    /// A directed link between two nodes, by index.
    private struct Link: Hashable {
        let from: Int
        let to: Int
    }

    var latencyMinMs: UInt64
    var latencyMaxMs: UInt64
    var lossRate: Double
    var duplicateRate: Double
    let lognormal: (median: Double, sigma: Double)?
    /// Directed links that drop every message.
    private var cut: Set<Link> = []

    init(_ settings: Scenario.Network) {
        latencyMinMs = settings.latencyMinMs
        latencyMaxMs = max(settings.latencyMinMs, settings.latencyMaxMs)
        lossRate = settings.lossRate
        duplicateRate = settings.duplicateRate
        lognormal = settings.latency == "lognormal" ? (settings.latencyMedianMs, settings.latencySigma) : nil
    }

    func isCut(from: Int, to: Int) -> Bool { !cut.isEmpty && cut.contains(Link(from: from, to: to)) }

    /// Cuts every link between different groups, both ways.
    func partition(_ groups: [[Int]]) {
        for (index, group) in groups.enumerated() {
            for other in groups[(index + 1)...] {
                for a in group { for b in other { cut.insert(Link(from: a, to: b)); cut.insert(Link(from: b, to: a)) } }
            }
        }
    }

    func cutOneWay(from: [Int], to: [Int]) {
        for a in from { for b in to { cut.insert(Link(from: a, to: b)) } }
    }

    func heal() {
        cut.removeAll()
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
