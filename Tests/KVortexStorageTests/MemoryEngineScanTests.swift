import KVortexCore
import KVortexStorage
import Testing

/// A partition scan visits only the shards that can hold the partition; it must still find every
/// key of it, whether partitions outnumber shards or shards outnumber partitions.
@Suite struct MemoryEngineScanTests {
    @Test(arguments: [1, 4, 64], [1, 2, 16, 256])
    func partitionScansFindExactlyThePartitionsKeys(shardCount: Int, partitionCount: Int) throws {
        let engine = MemoryEngine(configuration: .init(shardCount: shardCount))
        let writer = EngineConformance { engine }
        let partitioning = Partitioning(partitionCount: partitionCount)
        var expected: [Int: Set<[UInt8]>] = [:]
        for index in 0..<2_000 {
            _ = try writer.write(engine, "key\(index)", "v")
            let key = Array("key\(index)".utf8)
            expected[partitioning.partition(of: key), default: []].insert(key)
        }
        var total = 0
        for partition in 0..<partitionCount {
            var seen: Set<[UInt8]> = []
            try engine.forEach(partition: partition, of: partitioning) { key, _ in
                seen.insert(key)
                return true
            }
            #expect(seen == expected[partition, default: []], "partition \(partition) of \(partitionCount), \(shardCount) shards")
            total += seen.count
        }
        #expect(total == 2_000)
    }
}
