import KVortexCore
import KVortexNet
import Synchronization

/// `POST /batch`: several gets, sets and deletes in one request, answered in order (API.md "Batch").
///
/// Consistency headers apply to every op; an op's own `"context"` replaces `X-Context` for that op.
/// A bad op gets its own error result and does not fail the others; a bad envelope is a 400. The ops
/// run concurrently through the key operations' completion calls (replicated or durable ones answer
/// later); the response is sent when the last one has answered.
extension KVortexHTTPHandler {
    func batchRoute(_ request: HTTPRequest, responder: HTTPDeferredResponder, startMicros: UInt64) -> HTTPReply {
        let ops: [BatchOp]
        switch parseBatch(request) {
        case .ops(let parsed): ops = parsed
        case .refused(let response):
            requestMetrics.record(.batch, status: response.status, micros: monotonicMicros() &- startMicros)
            return .now(response)
        }
        let results = BatchResults(count: ops.count) { [self] results in
            let response = renderBatch(results)
            requestMetrics.record(.batch, status: response.status, micros: monotonicMicros() &- startMicros)
            responder.complete(response)
        }
        for (index, op) in ops.enumerated() {
            switch op {
            case .invalid(let error):
                results.set(index, .failed(error))
            case .get(let key, let options):
                keys.read(key, options: options) { result in
                    switch result {
                    case .success(let read): results.set(index, .read(read))
                    case .failure(let error): results.set(index, .failed(error))
                    }
                }
            case .write(let key, let payload, let options):
                keys.write(key, payload: payload, contentType: "text/plain; charset=utf-8", options: options) { result in
                    switch result {
                    case .success(let written): results.set(index, .written(written))
                    case .failure(let error): results.set(index, .failed(error))
                    }
                }
            }
        }
        return .later
    }

    /// The ops of a batch body, each valid or carrying its own error; or the response refusing it all.
    private func parseBatch(_ request: HTTPRequest) -> ParsedBatch {
        let options: RequestOptions
        do throws(KVError) {
            options = try quorum.options(from: RequestOptionHeaders(request))
        } catch {
            return .refused(errorResponse(error))
        }
        let list: [JSONValue]
        do {
            guard let ops = try JSONParser.parse(request.body)["ops"]?.arrayValue else {
                return .refused(.error(status: 400, code: "invalid_batch", message: "the body needs an array member \"ops\""))
            }
            list = ops
        } catch {
            return .refused(.error(status: 400, code: "invalid_batch",
                                   message: "the JSON body is invalid at byte \(error.offset): \(error.reason)"))
        }
        guard list.count <= configuration.batchOpsMax else {
            return .refused(.error(status: 413, code: "batch_too_large",
                                   message: "\(list.count) ops exceed the limit of \(configuration.batchOpsMax) per batch"))
        }
        return .ops(list.map { op in
            do throws(KVError) {
                return try parseOp(op, options: options)
            } catch {
                return .invalid(error)
            }
        })
    }

    private func parseOp(_ op: JSONValue, options: RequestOptions) throws(KVError) -> BatchOp {
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
            return .get(key, options)
        case "set":
            guard let value = op["value"]?.stringValue else { throw .invalidKey(reason: "a set op needs a string \"value\"") }
            let bytes = Array(value.utf8)
            guard bytes.count <= configuration.valueBytesMax else {
                throw .valueTooLarge(bytes: bytes.count, bytesMax: configuration.valueBytesMax)
            }
            return .write(key, .value(bytes), options)
        case "delete":
            return .write(key, .tombstone, options)
        default:
            throw .invalidKey(reason: "unknown op \"\(name)\" (get, set or delete)")
        }
    }

    private func renderBatch(_ results: [BatchResult]) -> HTTPResponse {
        var json = JSONWriter(capacity: 64 * results.count + 32)
        json.beginObject()
        json.key("results")
        json.beginArray()
        for result in results {
            json.beginObject()
            switch result {
            case .read(let read): writeBatchRead(read, into: &json)
            case .written(let written):
                json.field("status", 204)
                json.field("context", CausalContext.token(for: written.context))
            case .failed(let error):
                json.field("status", error.httpStatus)
                json.field("error", error.code)
                json.field("message", error.message)
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        // This node coordinated every op; each op's replicas are its own, so no X-Replicas.
        var response = HTTPResponse(status: 200, body: json.bytes, contentType: "application/json")
        response.addHeader("X-Coordinator", coordinatorHeader)
        return response
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
            requestMetrics.recordSiblingRead(siblingCount: siblings.count)
            json.key("siblings")
            ReadRendering.writeSiblings(siblings, into: &json)
        }
    }
}

/// A batch body: its ops, or the response refusing the whole batch.
private enum ParsedBatch {
    case ops([BatchOp])
    case refused(HTTPResponse)
}

/// One op of a batch, parsed.
private enum BatchOp {
    case get([UInt8], RequestOptions)
    case write([UInt8], Sibling.Payload, RequestOptions)
    case invalid(KVError)
}

/// What one op of a batch came to.
private enum BatchResult: Sendable {
    case read(ReadResult)
    case written(WriteResult)
    case failed(KVError)
}

/// The results of a batch's ops as they arrive from any thread; calls `done` once, with all of them.
private final class BatchResults: Sendable {
    private let state: Mutex<(results: [BatchResult?], missing: Int)>
    private let done: @Sendable ([BatchResult]) -> Void

    init(count: Int, done: @escaping @Sendable ([BatchResult]) -> Void) {
        state = Mutex((Array(repeating: nil, count: count), count))
        self.done = done
        if count == 0 { done([]) }
    }

    func set(_ index: Int, _ result: BatchResult) {
        let complete: [BatchResult]? = state.withLock { state in
            precondition(state.results[index] == nil, "batch op \(index) answered twice")
            state.results[index] = result
            state.missing -= 1
            return state.missing == 0 ? state.results.map { $0! } : nil
        }
        if let complete { done(complete) }
    }
}
