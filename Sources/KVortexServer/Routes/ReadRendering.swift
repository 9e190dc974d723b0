import KVortexCore
import KVortexNet

/// Turns a read result into the response API.md prescribes: 200 with the raw value, 300 with the
/// siblings envelope, 404 when nothing is live; the envelope always when the client asked for JSON.
enum ReadRendering {
    static let defaultContentType = "application/octet-stream"

    static func response(for result: ReadResult, key: [UInt8], envelope: Bool) -> HTTPResponse {
        let siblings = result.liveSiblings
        var response: HTTPResponse
        if siblings.isEmpty {
            response = .error(status: 404, code: "not_found", message: "key not found")
        } else if siblings.count == 1 && !envelope {
            response = HTTPResponse(status: 200, body: siblings[0].value ?? [])
            let stored = siblings[0].contentType
            response.addHeader("Content-Type", stored.isEmpty ? defaultContentType : stored)
        } else {
            let token = CausalContext.token(for: result.object)
            response = HTTPResponse(status: siblings.count == 1 ? 200 : 300,
                                    body: envelopeJSON(key: key, context: token, siblings: siblings),
                                    contentType: "application/json")
        }
        if let object = result.object {
            response.addHeader("X-Context") { CausalContext.appendToken(for: WriteContext(of: object), to: &$0) }
        }
        response.addHeader("X-Siblings", siblings.count)
        return response
    }

    /// `{"key", "context", "siblings": [{"value", "encoding", "contentType", "timestamp"}]}` (API.md "Siblings").
    static func envelopeJSON(key: [UInt8], context: String, siblings: [Sibling]) -> [UInt8] {
        var json = JSONWriter(capacity: 128 + siblings.reduce(0) { $0 + ($1.value?.count ?? 0) * 4 / 3 + 96 })
        json.beginObject()
        json.key("key")
        json.string(utf8: key)
        json.field("context", context)
        json.key("siblings")
        writeSiblings(siblings, into: &json)
        json.endObject()
        return json.bytes
    }

    static func writeSiblings(_ siblings: [Sibling], into json: inout JSONWriter) {
        json.beginArray()
        for sibling in siblings {
            json.beginObject()
            writeValue(sibling.value ?? [], into: &json)
            json.field("contentType", sibling.contentType.isEmpty ? defaultContentType : sibling.contentType)
            json.field("timestamp", sibling.timestamp.physicalMs)
            json.endObject()
        }
        json.endArray()
    }

    /// `"value"` and `"encoding"`: UTF-8 text as is, other bytes in base64.
    static func writeValue(_ value: [UInt8], into json: inout JSONWriter) {
        json.key("value")
        if String(validating: value, as: UTF8.self) != nil {
            json.string(utf8: value)
            json.field("encoding", "utf8")
        } else {
            json.string(Base64.encode(value))
            json.field("encoding", "base64")
        }
    }
}
