import Testing
@testable import KVortexSimulation

/// `History.uniqueValue` writes `c<client>-<operation index>` in ASCII, and `operationIndex(ofValue:)`
/// reads the index back. The bytes are part of every report: they must never change.
@Suite struct HistoryValueTests {
    @Test(arguments: [(0, 0), (0, 9), (3, 10), (12, 99), (7, 100), (123, 4_567), (9, 65_535), (1_000_000, 123_456_789)])
    func isTheDecimalText(client: Int, operationIndex: Int) {
        let value = History.uniqueValue(client: client, operationIndex: operationIndex)
        #expect(value == Array("c\(client)-\(operationIndex)".utf8), "c\(client)-\(operationIndex)")
        #expect(History.operationIndex(ofValue: value) == operationIndex)
    }
}
