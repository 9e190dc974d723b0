import KVortexCore
import KVortexNet

/// `GET /get`, `POST /set`, `DELETE /delete` and their `/kv/{key}` spellings (API.md "Endpoints").
extension KVortexHTTPHandler {
    func getRoute(_ request: HTTPRequest, route: Route) -> HTTPResponse {
        do throws(KVError) {
            let key = try Self.key(of: request, route: route)
            let options = try quorum.options(from: RequestOptionHeaders(request))
            return readResponse(try keys.get(key, options: options), key: key, envelope: Self.wantsEnvelope(request))
        } catch {
            return errorResponse(error)
        }
    }

    /// A read coordinated over the replicas: the request is read now (its buffers live only during
    /// `handle`), the reply goes out when the quorum answers or the deadline passes.
    func deferredRead(_ request: HTTPRequest, route: Route, responder: HTTPDeferredResponder, startMicros: UInt64) -> HTTPReply {
        let key: [UInt8]
        let options: RequestOptions
        do throws(KVError) {
            key = try Self.key(of: request, route: route)
            options = try quorum.options(from: RequestOptionHeaders(request))
        } catch {
            let response = errorResponse(error)
            requestMetrics.record(route, status: response.status, micros: monotonicMicros() &- startMicros)
            return .now(response)
        }
        let envelope = Self.wantsEnvelope(request)
        keys.read(key, options: options) { [self] result in
            let response: HTTPResponse
            switch result {
            case .success(let read): response = readResponse(read, key: key, envelope: envelope)
            case .failure(let error): response = errorResponse(error)
            }
            requestMetrics.record(route, status: response.status, micros: monotonicMicros() &- startMicros)
            responder.complete(response)
        }
        return .later
    }

    func readResponse(_ result: ReadResult, key: [UInt8], envelope: Bool) -> HTTPResponse {
        var response = ReadRendering.response(for: result, key: key, envelope: envelope)
        addReplicaHeaders(&response, acked: result.replicasAcked, asked: result.replicasAsked)
        if response.status == 300 { requestMetrics.recordSiblingRead(siblingCount: result.liveSiblings.count) }
        return response
    }

    static func wantsEnvelope(_ request: HTTPRequest) -> Bool {
        request.header("accept").map { $0.contains("application/json".utf8) } ?? false
    }

    func setRoute(_ request: HTTPRequest, route: Route) -> HTTPResponse {
        do throws(KVError) {
            let (key, value, contentType) = try writeInput(of: request, route: route)
            guard value.count <= configuration.valueBytesMax else {
                throw .valueTooLarge(bytes: value.count, bytesMax: configuration.valueBytesMax)
            }
            let options = try quorum.options(from: RequestOptionHeaders(request))
            let result = try keys.put(key, value: value, contentType: contentType, options: options)
            return writeResponse(result)
        } catch {
            return errorResponse(error)
        }
    }

    func deleteRoute(_ request: HTTPRequest, route: Route) -> HTTPResponse {
        do throws(KVError) {
            let key = try Self.key(of: request, route: route)
            let options = try quorum.options(from: RequestOptionHeaders(request))
            return writeResponse(try keys.delete(key, options: options))
        } catch {
            return errorResponse(error)
        }
    }

    /// A set or delete answered later: replicated (when the write quorum answers) or on an engine that
    /// answers after a shared fsync (from the engine's reply queue). The request is read now (its buffers live
    /// only during `handle`); no event loop waits for peers or the disk.
    func deferredWrite(_ request: HTTPRequest, route: Route, responder: HTTPDeferredResponder, startMicros: UInt64) -> HTTPReply {
        let input: (key: [UInt8], payload: Sibling.Payload, contentType: String, options: RequestOptions)
        do throws(KVError) {
            let options = try quorum.options(from: RequestOptionHeaders(request))
            if route == .set || route == .kvPut {
                let (key, value, contentType) = try writeInput(of: request, route: route)
                guard value.count <= configuration.valueBytesMax else {
                    throw .valueTooLarge(bytes: value.count, bytesMax: configuration.valueBytesMax)
                }
                input = (key, .value(value), contentType, options)
            } else {
                input = (try Self.key(of: request, route: route), .tombstone, "", options)
            }
        } catch {
            let response = errorResponse(error)
            requestMetrics.record(route, status: response.status, micros: monotonicMicros() &- startMicros)
            return .now(response)
        }
        keys.write(input.key, payload: input.payload, contentType: input.contentType, options: input.options) { [self] result in
            let response: HTTPResponse
            switch result {
            case .success(let written): response = writeResponse(written)
            case .failure(let error): response = errorResponse(error)
            }
            requestMetrics.record(route, status: response.status, micros: monotonicMicros() &- startMicros)
            responder.complete(response)
        }
        return .later
    }

    func writeResponse(_ result: WriteResult) -> HTTPResponse {
        var response = HTTPResponse(status: 204)
        response.addHeader("X-Context") { CausalContext.appendToken(for: result.context, to: &$0) }
        addReplicaHeaders(&response, acked: result.replicasAcked, asked: result.replicasAsked, coordinator: result.coordinator)
        return response
    }

    /// The key, value and content type of a write: from the query or path and the raw body, or, for
    /// `POST /set` with a JSON body and no key in the query, from `{"key": ..., "value": ...}`.
    func writeInput(of request: HTTPRequest, route: Route) throws(KVError)
        -> (key: [UInt8], value: [UInt8], contentType: String)
    {
        let contentType = try Self.contentType(of: request)
        if route == .set, case .absent = QueryString.value("key", in: request.query),
            contentType.hasPrefix("application/json")
        {
            let (key, value) = try JSONSetBody.parse(request.body)
            try KeyValidation.validate(key)
            return (key, value, "text/plain; charset=utf-8")
        }
        let key = try Self.key(of: request, route: route)
        return (key, Array(request.body), contentType)
    }

    /// The decoded, validated key from `?key=` or from the path after `/kv/`.
    static func key(of request: HTTPRequest, route: Route) throws(KVError) -> [UInt8] {
        let key: [UInt8]
        switch route {
        case .kvGet, .kvPut, .kvDelete:
            let raw = UnsafeRawBufferPointer(rebasing: request.path[4...])
            guard let decoded = QueryString.percentDecode(raw, plusIsSpace: false) else {
                throw .invalidKey(reason: "malformed percent-encoding in the path")
            }
            key = decoded
        default:
            switch QueryString.value("key", in: request.query) {
            case .absent: throw .invalidKey(reason: "missing ?key= parameter")
            case .invalid: throw .invalidKey(reason: "malformed percent-encoding in ?key=")
            case .found(let decoded): key = decoded
            }
        }
        try KeyValidation.validate(key)
        return key
    }

    static func contentType(of request: HTTPRequest) throws(KVError) -> String {
        guard let raw = request.header("content-type") else { return "" }
        guard raw.count <= Limits.contentTypeBytesMax else {
            throw .invalidHeader(name: "Content-Type", reason: "longer than \(Limits.contentTypeBytesMax) bytes")
        }
        // A common content type comes back shared, neither validated nor allocated.
        guard let text = CommonStrings.decode(raw) else {
            throw .invalidHeader(name: "Content-Type", reason: "not valid UTF-8")
        }
        return text
    }
}

extension RequestOptionHeaders {
    /// Reads the consistency headers of API.md from a request; absent headers stay nil, and of a
    /// header sent twice the first counts. One pass over the headers, names starting `X-` compared
    /// (a request without them, the common case, costs a byte test per header, not seven lookups).
    init(_ request: HTTPRequest) {
        self.init()
        request.forEachHeader { name, value in
            guard name.count >= 5, name[1] == 0x2D, name[0] | 0x20 == 0x78 else { return }  // "x-"
            func matches(_ wanted: StaticString) -> Bool { HTTPRequest.isName(wanted, in: name, at: 0, count: name.count) }
            func take(_ field: inout String?) {
                if field == nil { field = String(decoding: value, as: UTF8.self) }
            }
            if matches("x-consistency") { take(&consistency) }
            else if matches("x-read-quorum") { take(&readQuorum) }
            else if matches("x-write-quorum") { take(&writeQuorum) }
            else if matches("x-sloppy-quorum") { take(&sloppyQuorum) }
            else if matches("x-timeout-ms") { take(&timeoutMs) }
            else if matches("x-context") { take(&context) }
            else if matches("x-ttl") { take(&ttl) }
        }
    }
}

/// The JSON form of `POST /set`: `{"key": "...", "value": "..."}`.
enum JSONSetBody {
    static func parse(_ body: UnsafeRawBufferPointer) throws(KVError) -> (key: [UInt8], value: [UInt8]) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw .invalidKey(reason: "the JSON body is invalid at byte \(error.offset): \(error.reason)")
        }
        guard let key = document["key"]?.stringValue else {
            throw .invalidKey(reason: "the JSON body needs a string member \"key\"")
        }
        guard let value = document["value"]?.stringValue else {
            throw .invalidKey(reason: "the JSON body needs a string member \"value\"")
        }
        return (Array(key.utf8), Array(value.utf8))
    }
}
