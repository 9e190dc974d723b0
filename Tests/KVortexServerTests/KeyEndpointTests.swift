import Foundation
import KVortexNet
import Testing

/// The walkthrough of issue 3 and API.md's key endpoints, against the real binary.
@Suite(.serialized) struct KeyEndpointTests {
    @Test func setGetSiblingsResolveDelete() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=greeting", body: "hello").status == 204)

        let first = try client.call(.get, "/get?key=greeting")
        #expect(first.status == 200)
        #expect(first.text == "hello")
        #expect(first.header("X-Siblings") == "1")
        #expect(first.header("X-Context")?.isEmpty == false)
        #expect(first.header("X-Coordinator") == node.nodeID)
        #expect(first.header("X-Replicas") == "1/1")

        // A blind write is concurrent with the first: two siblings.
        #expect(try client.call(.post, "/set?key=greeting", body: "hi").status == 204)
        let conflicted = try client.call(.get, "/get?key=greeting")
        #expect(conflicted.status == 300)
        #expect(conflicted.header("Content-Type") == "application/json")
        #expect(conflicted.header("X-Siblings") == "2")
        let envelope = try #require(conflicted.json)
        #expect(envelope["key"] as? String == "greeting")
        let siblings = try #require(envelope["siblings"] as? [[String: Any]])
        #expect(Set(siblings.compactMap { $0["value"] as? String }) == ["hello", "hi"])
        #expect(siblings.allSatisfy { $0["encoding"] as? String == "utf8" && ($0["timestamp"] as? Int ?? 0) > 1_700_000_000_000 })
        let token = try #require(envelope["context"] as? String)
        #expect(token == conflicted.header("X-Context"))

        // Writing with the context resolves both siblings.
        let resolve = try client.call(.post, "/set?key=greeting", headers: [("X-Context", token)], body: "hi")
        #expect(resolve.status == 204)
        let resolved = try client.call(.get, "/get?key=greeting")
        #expect(resolved.status == 200)
        #expect(resolved.text == "hi")
        #expect(resolved.header("X-Siblings") == "1")

        #expect(try client.call(.delete, "/delete?key=greeting").status == 204)
        let deleted = try client.call(.get, "/get?key=greeting")
        #expect(deleted.status == 404)
        #expect(deleted.json?["error"] as? String == "not_found")
        #expect(deleted.header("X-Context") != nil, "a tombstone's 404 carries its context")
    }

    @Test func restfulSpellingAndContentType() throws {
        let node = try NodeProcess()
        let client = try node.client()
        let put = try client.call(.put, "/kv/user%3A42", headers: [("Content-Type", "application/x-thing")], body: "v1")
        #expect(put.status == 204)
        let get = try client.call(.get, "/kv/user:42")
        #expect(get.status == 200)
        #expect(get.text == "v1")
        #expect(get.header("Content-Type") == "application/x-thing")
        // The same key through the query-string spelling.
        #expect(try client.call(.get, "/get?key=user%3A42").text == "v1")
        #expect(try client.call(.delete, "/kv/user:42").status == 204)
        #expect(try client.call(.get, "/kv/user:42").status == 404)
        #expect(try client.call(.head, "/kv/missing").status == 404)
    }

    @Test func jsonBodyOnSetAndJSONEnvelopeOnRequest() throws {
        let node = try NodeProcess()
        let client = try node.client()
        let set = try client.call(.post, "/set", headers: [("Content-Type", "application/json")],
                                  body: #"{"key": "j", "value": "from json \u00e9"}"#)
        #expect(set.status == 204)
        #expect(try client.call(.get, "/get?key=j").text == "from json é")
        let envelope = try client.call(.get, "/get?key=j", headers: [("Accept", "application/json")])
        #expect(envelope.status == 200)
        let siblings = try #require(envelope.json?["siblings"] as? [[String: Any]])
        #expect(siblings.count == 1)
        #expect(siblings.first?["value"] as? String == "from json é")
        let bad = try client.call(.post, "/set", headers: [("Content-Type", "application/json")], body: #"{"key": 1}"#)
        #expect(bad.status == 400)
    }

    @Test func binaryValuesComeBackBase64InTheEnvelope() throws {
        let node = try NodeProcess()
        let client = try node.client()
        let bytes: [UInt8] = [0xFF, 0x00, 0xFE, 0x80]
        #expect(try client.request(method: .post, target: "/set?key=bin", headers: [], body: bytes).status == 204)
        #expect(try client.request(method: .get, target: "/get?key=bin", headers: [], body: []).body == bytes)
        let envelope = try client.call(.get, "/get?key=bin", headers: [("Accept", "application/json")])
        let sibling = try #require((envelope.json?["siblings"] as? [[String: Any]])?.first)
        #expect(sibling["encoding"] as? String == "base64")
        #expect(sibling["value"] as? String == Data(bytes).base64EncodedString())
    }

    @Test func ttlExpiresTheValue() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=short", headers: [("X-TTL", "1")], body: "soon gone").status == 204)
        #expect(try client.call(.post, "/set?key=long", body: "stays").status == 204)
        #expect(try client.call(.get, "/get?key=short").status == 200)
        try waitFor(timeoutSeconds: 5, "TTL expiry") { try client.call(.get, "/get?key=short").status == 404 ? true : nil }
        #expect(try client.call(.get, "/get?key=long").status == 200)
    }

    @Test func batchRunsOpsInOrder() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=a", body: "A").status == 204)
        let body = #"{"ops": [{"op": "get", "key": "a"}, {"op": "set", "key": "b", "value": "B"}, {"op": "get", "key": "b"}, {"op": "delete", "key": "a"}, {"op": "get", "key": "a"}, {"op": "frobnicate", "key": "x"}, {"op": "get", "key": ""}]}"#
        let reply = try client.call(.post, "/batch", headers: [("Content-Type", "application/json")], body: body)
        #expect(reply.status == 200)
        #expect(reply.header("X-Coordinator") == node.nodeID)
        let results = try #require(reply.json?["results"] as? [[String: Any]])
        #expect(results.map { $0["status"] as? Int } == [200, 204, 200, 204, 404, 400, 400])
        #expect(results[0]["value"] as? String == "A")
        #expect(results[2]["value"] as? String == "B")
        #expect(results[1]["context"] as? String != nil)
        #expect(try client.call(.post, "/batch", body: "not json").status == 400)
    }
}
