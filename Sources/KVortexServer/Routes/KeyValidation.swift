import KVortexCore

/// Checks a decoded key against DESIGN.md "Data model": 1...keyBytesMax bytes of valid UTF-8.
public enum KeyValidation {
    public static func validate(_ key: [UInt8], bytesMax: Int = Limits.keyBytesMax) throws(KVError) {
        guard !key.isEmpty else { throw .invalidKey(reason: "the key is empty") }
        guard key.count <= bytesMax else {
            throw .invalidKey(reason: "the key is \(key.count) bytes, the limit is \(bytesMax)")
        }
        var iterator = key.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return
            case .error: throw .invalidKey(reason: "the key is not valid UTF-8")
            }
        }
    }
}
