import Foundation
import KVortexNet
import Testing

/// `/health`, `/ready`, `/metrics`, the cluster views of a node of one, eviction and graceful stop.
@Suite(.serialized) struct OperationsTests {
    @Test func healthReadyAndClusterViews() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.get, "/health").status == 200)
        #expect(try client.call(.get, "/ready").status == 200)
        let members = try #require(try client.call(.get, "/cluster/members").json?["members"] as? [[String: Any]])
        #expect(members.count == 1)
        #expect(members.first?["id"] as? String == node.nodeID)
        #expect(members.first?["state"] as? String == "up")
        let located = try #require(try client.call(.get, "/cluster/locate?key=k").json)
        #expect((located["partition"] as? Int).map { (0..<256).contains($0) } == true)
        #expect(located["preferenceList"] as? [String] == [node.nodeID])
        let ring = try #require(try client.call(.get, "/cluster/ring").json)
        #expect((ring["ring"] as? [Any])?.count == 256)
    }

    @Test func metricsCountRequestsKeysAndLimits() throws {
        let node = try NodeProcess()
        let client = try node.client()
        for index in 0..<5 { _ = try client.call(.post, "/set?key=m\(index)", body: "value") }
        _ = try client.call(.get, "/get?key=m0")
        _ = try client.call(.get, "/get?key=absent")
        let metrics = try client.call(.get, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = metrics.text
        #expect(text.contains(#"kvortex_http_requests_total{route="set",status="204"} 5"#))
        #expect(text.contains(#"kvortex_http_requests_total{route="get",status="200"} 1"#))
        #expect(text.contains(#"kvortex_http_requests_total{route="get",status="404"} 1"#))
        #expect(text.contains("kvortex_storage_keys 5"))
        #expect(text.contains(#"kvortex_http_request_duration_seconds_bucket{route="set",le="+Inf"} 5"#))
        #expect(text.contains("kvortex_storage_evictions_total 0"))
        #expect(text.contains("kvortex_siblings_capped_total 0"))
    }

    @Test func siblingCapIsCounted() throws {
        let node = try NodeProcess(["--siblings-max", "3"])
        let client = try node.client()
        for index in 0..<5 { _ = try client.call(.post, "/set?key=hot", body: "v\(index)") }
        let read = try client.call(.get, "/get?key=hot")
        #expect(read.header("X-Siblings") == "3")
        let values = (read.json?["siblings"] as? [[String: Any]])?.compactMap { $0["value"] as? String }
        #expect(Set(values ?? []) == ["v2", "v3", "v4"], "the oldest siblings go first")
        #expect(try client.call(.get, "/metrics").text.contains("kvortex_siblings_capped_total 2"))
    }

    @Test func readsAnsweringSiblingsAreCounted() throws {
        let node = try NodeProcess()
        let client = try node.client()
        for index in 0..<3 { _ = try client.call(.post, "/set?key=cart", body: "v\(index)") }
        _ = try client.call(.post, "/set?key=single", body: "one")
        #expect(try client.call(.get, "/get?key=cart").status == 300)
        #expect(try client.call(.get, "/get?key=single").status == 200)
        #expect(try client.call(.get, "/kv/single", headers: [("Accept", "application/json")]).status == 200)
        let batch = try client.call(.post, "/batch", body: #"{"ops":[{"op":"get","key":"cart"},{"op":"get","key":"single"}]}"#)
        #expect(batch.status == 200)
        let text = try client.call(.get, "/metrics").text
        #expect(text.contains("kvortex_sibling_reads_total 2"), "the GET and the batch get of cart")
        #expect(text.contains("kvortex_sibling_reads_siblings_total 6"))
    }

    @Test func maxMemoryEvictsLeastRecentlyUsed() throws {
        let node = try NodeProcess(["--max-memory", "64K"])
        let client = try node.client()
        let value = String(repeating: "x", count: 1000)
        for index in 0..<200 { #expect(try client.call(.post, "/set?key=e\(index)", body: value).status == 204) }
        let text = try client.call(.get, "/metrics").text
        let bytes = try #require(text.split(separator: "\n").first { $0.hasPrefix("kvortex_storage_bytes ") })
        #expect(Int(bytes.split(separator: " ")[1])! <= 64 * 1024)
        let evictions = try #require(text.split(separator: "\n").first { $0.hasPrefix("kvortex_storage_evictions_total ") })
        #expect(Int(evictions.split(separator: " ")[1])! > 0)
        #expect(try client.call(.get, "/get?key=e199").status == 200, "the newest key survives")
        #expect(try client.call(.get, "/get?key=e0").status == 404, "the oldest key was evicted")
    }

    @Test func sigtermStopsGracefully() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=k", body: "v").status == 204)
        let status = node.stop(timeoutSeconds: 10)
        #expect(status == 0, "stderr: \(node.stderrText)")
        #expect(node.stderrText.contains("stopped"))
    }
}
