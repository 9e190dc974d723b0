/// What an open-loop run sends: GET `/get?key=keyN`, POST `/set?key=keyN` with a fixed value, or a mix
/// of nine GETs to one SET (the workloads of `kvortex bench` and `../shared/bench/lua`).
public enum BenchOperation: String, Sendable, CaseIterable {
    case get, set, mixed
}

/// Writes one request's bytes into a reused buffer: no `String` building per request.
struct RequestWriter {
    private let getPrefix = Array("GET /get?key=key".utf8)
    private let setPrefix = Array("POST /set?key=key".utf8)
    private let getSuffix: [UInt8]
    private let setSuffix: [UInt8]
    private let value: [UInt8]

    /// `headers` go into both templates as they are, after `Host` (built here once, not per request).
    init(host: String, port: Int, valueBytes: Int, headers: [(name: String, value: String)] = []) {
        for (name, value) in headers {
            precondition(!(name + value).utf8.contains { $0 == 13 || $0 == 10 }, "header \(name) holds a line break")  // not the value: a token
        }
        let lines = headers.map { "\($0.name): \($0.value)\r\n" }.joined()
        getSuffix = Array(" HTTP/1.1\r\nHost: \(host):\(port)\r\n\(lines)\r\n".utf8)
        setSuffix = Array(" HTTP/1.1\r\nHost: \(host):\(port)\r\n\(lines)Content-Length: \(valueBytes)\r\n\r\n".utf8)
        value = [UInt8](repeating: UInt8(ascii: "v"), count: valueBytes)
    }

    /// Replaces `buffer`'s contents with the request for key `key`; keeps its capacity.
    func write(isSet: Bool, key: Int, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: isSet ? setPrefix : getPrefix)
        appendDecimal(key, to: &buffer)
        buffer.append(contentsOf: isSet ? setSuffix : getSuffix)
        if isSet { buffer.append(contentsOf: value) }
    }

    private func appendDecimal(_ number: Int, to buffer: inout [UInt8]) {
        precondition(number >= 0, "key index \(number) is negative")
        var divisor = 1
        while divisor <= number / 10 { divisor *= 10 }
        var rest = number
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

/// Picks each request's key (uniform over `keyCount`) and whether it is a SET, from a per-connection
/// xorshift generator: different connections walk different keys, and a run is the same every time.
struct KeyPicker {
    private var state: UInt64
    let operation: BenchOperation
    let keyCount: Int

    init(connection: Int, operation: BenchOperation, keyCount: Int) {
        precondition(keyCount >= 1, "key count (\(keyCount)) must be at least 1")
        state = UInt64(connection + 1) &* 0x9E37_79B9_7F4A_7C15 | 1
        self.operation = operation
        self.keyCount = keyCount
    }

    mutating func next() -> (key: Int, isSet: Bool) {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        let isSet: Bool
        switch operation {
        case .get: isSet = false
        case .set: isSet = true
        case .mixed: isSet = (state >> 32) % 10 == 0
        }
        return (Int(state % UInt64(keyCount)), isSet)
    }
}
