import Foundation
import KVortexServer
import Testing

/// `kvortex serve` refuses flags that would not apply to the engine chosen, instead of ignoring them.
@Suite struct ServeFlagCombinationTests {
    static func configuration(_ storage: NodeConfiguration.StorageKind, dataDirectory: String? = nil,
                              memoryBytesMax: Int? = nil) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.storage = storage
        configuration.dataDirectory = dataDirectory
        configuration.memoryBytesMax = memoryBytesMax
        return configuration
    }

    /// The refusal `validate` throws, or nil when it accepts.
    static func refusal(_ configuration: NodeConfiguration) -> String? {
        do throws(ConfigurationError) {
            try configuration.validate()
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [NodeConfiguration.StorageKind.log, .sqlite])
    func maxMemoryWithADurableEngineIsRefused(storage: NodeConfiguration.StorageKind) throws {
        let message = try #require(Self.refusal(Self.configuration(storage, dataDirectory: "/tmp/d", memoryBytesMax: 1 << 20)))
        #expect(message.contains("--max-memory") && message.contains("--storage \(storage.rawValue)"), "\(message)")
        #expect(message.contains("--cache-bytes"), "says what bounds a durable engine's memory instead: \(message)")
        #expect(!message.contains("\n"))
    }

    @Test func dataDirWithTheMemoryEngineIsRefused() throws {
        let message = try #require(Self.refusal(Self.configuration(.memory, dataDirectory: "/tmp/d")))
        #expect(message.contains("--data-dir") && message.contains("--storage memory"), "\(message)")
        #expect(message.contains("--storage log or sqlite"), "says what to do instead: \(message)")
        #expect(!message.contains("\n"))
    }

    @Test func fsyncWithTheMemoryEngineIsRefused() throws {
        var configuration = Self.configuration(.memory)
        configuration.fsync = "always"
        let message = try #require(Self.refusal(configuration))
        #expect(message.contains("--fsync") && message.contains("--storage memory"), "\(message)")
        #expect(message.contains("--storage log or sqlite"), "says what to do instead: \(message)")
        configuration.storage = .log
        configuration.dataDirectory = "/tmp/d"
        #expect(Self.refusal(configuration) == nil)
        configuration.fsync = "sometimes"
        #expect(Self.refusal(configuration) == "--fsync must be always, batch or none")
    }

    @Test func flagsThatApplyAreAccepted() {
        #expect(Self.refusal(Self.configuration(.memory, memoryBytesMax: 1 << 20)) == nil)
        #expect(Self.refusal(Self.configuration(.log, dataDirectory: "/tmp/d")) == nil)
        #expect(Self.refusal(Self.configuration(.sqlite, dataDirectory: "/tmp/d")) == nil)
    }

    /// The command line: exit status 2 and one line naming both flags, before anything is opened.
    @Test func serveExitsWithStatus2() throws {
        let directory = NSTemporaryDirectory() + "kvortex-flags-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases = [(["--storage", "log", "--data-dir", directory, "--max-memory", "64M"], "--max-memory"),
                     (["--data-dir", directory], "--data-dir"), (["--fsync", "none"], "--fsync")]
        for (arguments, flag) in cases {
            let run = try CLIRun.kvortex(["serve", "--http", "127.0.0.1:0"] + arguments, timeoutSeconds: 20)
            #expect(run.status == 2, "\(arguments): \(run.stdout)\(run.stderr)")
            let first = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("kvortex serve: --"), "\(run.stderr)")
            #expect(first.contains(flag) && first.contains("--storage"), "\(run.stderr)")
            #expect(!run.stdout.contains("kvortex ready"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory), "a refused node creates nothing")
    }

    @Test func aBackstopShorterThanTheGraceIsRefused() throws {
        var configuration = NodeConfiguration()
        configuration.tombstoneGraceMs = 120_000
        configuration.tombstoneBackstopMs = 60_000
        let message = try #require(Self.refusal(configuration))
        #expect(message.contains("--tombstone-backstop-ms") && message.contains("--tombstone-grace-ms"), "\(message)")
        configuration.tombstoneBackstopMs = 120_000
        #expect(Self.refusal(configuration) == nil)
    }
}
