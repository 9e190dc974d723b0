import Foundation
import KVortexCore

/// The simulated network: latency, loss and duplication drawn from the run's generator, and cut links.
struct SimulatedNetwork {
    var latencyMinMs: UInt64
    var latencyMaxMs: UInt64
    var lossRate: Double
    var duplicateRate: Double
    let lognormal: (median: Double, sigma: Double)?
    /// Directed links that drop every message: (from, to) node indices.
    private(set) var cut: Set<[Int]> = []

    init(_ settings: Scenario.Network) {
        latencyMinMs = settings.latencyMinMs
        latencyMaxMs = max(settings.latencyMinMs, settings.latencyMaxMs)
        lossRate = settings.lossRate
        duplicateRate = settings.duplicateRate
        lognormal = settings.latency == "lognormal" ? (settings.latencyMedianMs, settings.latencySigma) : nil
    }

    func isCut(from: Int, to: Int) -> Bool { cut.contains([from, to]) }

    /// Cuts every link between different groups, both ways.
    mutating func partition(_ groups: [[Int]]) {
        for (index, group) in groups.enumerated() {
            for other in groups[(index + 1)...] {
                for a in group { for b in other { cut.insert([a, b]); cut.insert([b, a]) } }
            }
        }
    }

    mutating func cutOneWay(from: [Int], to: [Int]) {
        for a in from { for b in to { cut.insert([a, b]) } }
    }

    mutating func heal() {
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
