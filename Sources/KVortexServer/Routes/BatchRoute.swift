import KVortexCore
import KVortexNet

/// `POST /batch`: several gets, sets and deletes in one request, answered in order (API.md "Batch").
///
/// Consistency headers apply to every op; an op's own `"context"` replaces `X-Context` for that op.
/// A bad op gets its own error result and does not fail the others; a bad envelope is a 400.
extension KVortexHTTPHandler {
    func batchRoute(_ request: HTTPRequest) -> HTTPResponse {
        let ops: [JSONValue]
        let options: RequestOptions
        do throws(KVError) {
            options = try configuration.quorum.options(from: RequestOptionHeaders(request))
        } catch {
            return Self.errorResponse(error)
        }
        do {
            guard let list = try JSONParser.parse(request.body)["ops"]?.arrayValue else {
                return .error(status: 400, code: "invalid_batch", message: "the body needs an array member \"ops\"")
            }
            ops = list
        } catch {
            return .error(status: 400, code: "invalid_batch",
                          message: "the JSON body is invalid at byte \(error.offset): \(error.reason)")
        }
        guard ops.count <= configuration.batchOpsMax else {
            return .error(status: 413, code: "batch_too_large",
                          message: "\(ops.count) ops exceed the limit of \(configuration.batchOpsMax) per batch")
        }
        var json = JSONWriter(capacity: 64 * ops.count + 32)
        json.beginObject()
        json.key("results")
        json.beginArray()
        for op in ops {
            json.beginObject()
            runBatchOp(op, options: options, into: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return HTTPResponse(status: 200, body: json.bytes, contentType: "application/json")
    }

    private func runBatchOp(_ op: JSONValue, options: RequestOptions, into json: inout JSONWriter) {
        do throws(KVError) {
            guard let name = op["op"]?.stringValue else {
                throw .invalidKey(reason: "each op needs a string member \"op\" (get, set or delete)")
            }
            guard let keyText = op["key"]?.stringValue else { throw .invalidKey(reason: "each op needs a string \"key\"") }
            let key = Array(keyText.utf8)
            try KeyValidation.validate(key)
            var options = options
            if let token = op["context"]?.stringValue {
                guard let context = CausalContext.context(fromToken: token.utf8) else { throw .malformedContext }
                options.context = context
            }
            switch name {
            case "get":
                writeBatchRead(try keys.get(key, options: options), into: &json)
            case "set":
                guard let value = op["value"]?.stringValue else { throw .invalidKey(reason: "a set op needs a string \"value\"") }
                let bytes = Array(value.utf8)
                guard bytes.count <= configuration.valueBytesMax else {
                    throw .valueTooLarge(bytes: bytes.count, bytesMax: configuration.valueBytesMax)
                }
                let result = try keys.put(key, value: bytes, contentType: "text/plain; charset=utf-8", options: options)
                json.field("status", 204)
                json.field("context", CausalContext.token(for: result.context))
            case "delete":
                let result = try keys.delete(key, options: options)
                json.field("status", 204)
                json.field("context", CausalContext.token(for: result.context))
            default:
                throw .invalidKey(reason: "unknown op \"\(name)\" (get, set or delete)")
            }
        } catch {
            json.field("status", error.httpStatus)
            json.field("error", error.code)
            json.field("message", error.message)
        }
    }

    private func writeBatchRead(_ result: ReadResult, into json: inout JSONWriter) {
        let siblings = result.liveSiblings
        json.field("status", siblings.isEmpty ? 404 : siblings.count == 1 ? 200 : 300)
        if let object = result.object {
            json.field("context", CausalContext.token(for: object))
        }
        if siblings.count == 1 {
            ReadRendering.writeValue(siblings[0].value ?? [], into: &json)
        } else if siblings.count > 1 {
            json.key("siblings")
            ReadRendering.writeSiblings(siblings, into: &json)
        }
    }
}
