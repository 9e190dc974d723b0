import KVortexCore
import KVortexNet

/// `/health`, `/ready`, `/metrics` and the read-only `/cluster/*` views.
///
/// `/health`, `/ready`, `/metrics` and `/cluster/members` may be read by a page of any origin
/// (`Access-Control-Allow-Origin: *`): the dashboard served by one node polls every member. They are
/// read-only; the key routes never carry the header. A page that sends them a token (a node with
/// `--auth-token-file`) makes the browser ask first with a CORS preflight, `OPTIONS` on the same path,
/// which `preflightRoute` answers without a token.
extension KVortexHTTPHandler {
    func healthRoute() -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: Array("{\"status\":\"ok\"}".utf8), contentType: "application/json")
        Self.allowAnyOrigin(&response)
        return response
    }

    func readyRoute() -> HTTPResponse {
        var response = status.isReady
            ? HTTPResponse(status: 200, body: Array("{\"ready\":true}".utf8), contentType: "application/json")
            : .error(status: 503, code: "not_ready", message: "the node has not joined a cluster or does not know the ring yet")
        Self.allowAnyOrigin(&response)
        return response
    }

    func metricsRoute() -> HTTPResponse {
        var writer = PrometheusWriter()
        requestMetrics.write(to: &writer)
        AccessControl.writeMetrics(of: accessControl, to: &writer)
        status.writeMetrics(to: &writer)
        var response = HTTPResponse(status: 200, body: Array(writer.text.utf8), contentType: "text/plain; version=0.0.4")
        Self.allowAnyOrigin(&response)
        return response
    }

    /// Lets a page of another origin (another member's dashboard) read this response, and tells the
    /// browser not to store it (`no-store`): the page polls with the default cache mode, because
    /// Chromium skips its CORS-preflight cache for `no-store` and `no-cache` requests and would send a
    /// preflight before every poll of a member.
    static func allowAnyOrigin(_ response: inout HTTPResponse) {
        response.addHeader("Access-Control-Allow-Origin", "*" as StaticString)
        response.addHeader("Cache-Control", "no-store" as StaticString)
    }

    /// `OPTIONS` on `/health`, `/ready`, `/metrics` or `/cluster/members`: lets a page of any origin
    /// send `GET` or `HEAD` with an `Authorization` header, and the browser keep that answer 10 minutes.
    /// No token needed (a preflight carries none) and no data in it.
    func preflightRoute() -> HTTPResponse {
        var response = HTTPResponse(status: 204)
        response.addHeader("Access-Control-Allow-Origin", "*" as StaticString)
        response.addHeader("Access-Control-Allow-Methods", "GET, HEAD" as StaticString)
        response.addHeader("Access-Control-Allow-Headers", "Authorization" as StaticString)
        response.addHeader("Access-Control-Max-Age", "600" as StaticString)
        return response
    }

    func membersRoute() -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        json.key("members")
        json.beginArray()
        for member in status.members() {
            json.beginObject()
            json.field("id", member.id.rawValue)
            json.field("state", member.state)
            json.field("http", member.httpAddress)
            json.field("peer", member.peerAddress)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        var response = HTTPResponse(status: 200, body: json.bytes, contentType: "application/json")
        Self.allowAnyOrigin(&response)
        return response
    }

    func ringRoute() -> HTTPResponse {
        let ring = status.ring()
        var json = JSONWriter(capacity: ring.partitioning.partitionCount * 40)
        json.beginObject()
        json.field("partitions", ring.partitioning.partitionCount)
        json.field("replicas", quorum.replicaCount)
        json.field("members", ring.members.count)
        json.key("ring")
        json.beginArray()
        for partition in 0..<ring.partitioning.partitionCount {
            json.beginObject()
            json.field("partition", partition)
            writePreferenceList(ring.primaries(ofPartition: partition), into: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return HTTPResponse(status: 200, body: json.bytes, contentType: "application/json")
    }

    func locateRoute(_ request: HTTPRequest) -> HTTPResponse {
        do throws(KVError) {
            let key = try Self.key(of: request, route: .clusterLocate)
            let ring = status.ring()
            let partition = ring.partitioning.partition(of: key)
            var json = JSONWriter()
            json.beginObject()
            json.key("key")
            json.string(utf8: key)
            json.field("partition", partition)
            writePreferenceList(ring.primaries(ofPartition: partition), into: &json)
            json.endObject()
            return HTTPResponse(status: 200, body: json.bytes, contentType: "application/json")
        } catch {
            return Self.errorResponse(error)
        }
    }

    private func writePreferenceList(_ nodes: [NodeID], into json: inout JSONWriter) {
        json.key("preferenceList")
        json.beginArray()
        for node in nodes { json.string(node.rawValue) }
        json.endArray()
    }
}
