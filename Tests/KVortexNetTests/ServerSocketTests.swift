import Glibc
import Testing
@testable import KVortexNet

/// The server over real sockets: keep-alive, ordered pipelining, limits, timeouts, abuse.
@Suite(.serialized) struct ServerSocketTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let running = try RunningServer()
        let client = try HTTPClient(host: "127.0.0.1", port: running.port)
        for index in 0..<50 {
            let response = try client.request(method: .post, target: "/echo?i=\(index)", headers: [], body: Array("b\(index)".utf8))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "POST /echo i=\(index) b\(index)")
        }
        #expect(running.server.stats.connectionsAccepted == 1)
    }

    @Test func pipelinedResponsesComeBackInRequestOrder() throws {
        let running = try RunningServer()
        let socket = try RawSocket(port: running.port)
        socket.send("GET /later?ms=150 HTTP/1.1\r\n\r\nGET /now1 HTTP/1.1\r\n\r\nGET /later?ms=10 HTTP/1.1\r\n\r\nGET /now2 HTTP/1.1\r\n\r\n")
        let text = socket.readResponses(4)
        let order = ["later ms=150", "GET /now1", "later ms=10", "GET /now2"].map { text.firstRange(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil }, "\(text)")
        let positions = order.compactMap { $0 }
        #expect(positions == positions.sorted(), "responses out of order: \(text)")
    }

    /// Deferred responses completed from inside the handler call (queued: the request is not yet
    /// registered as deferred) and from the loop outside any handler (written at once) keep their order.
    @Test func deferredResponsesFromTheLoopComeBackInOrder() throws {
        let running = try RunningServer()
        let socket = try RawSocket(port: running.port)
        socket.send("GET /later?ms=100 HTTP/1.1\r\n\r\nGET /inside HTTP/1.1\r\n\r\nGET /onloop HTTP/1.1\r\n\r\n"
            + "GET /now HTTP/1.1\r\n\r\nGET /onloop HTTP/1.1\r\n\r\nGET /inside HTTP/1.1\r\n\r\n")
        let text = socket.readResponses(6)
        var rest = Substring(text)
        for expected in ["later ms=100", "inside", "onloop", "GET /now", "onloop", "inside"] {
            guard let found = rest.firstRange(of: expected) else { Issue.record("\(expected) missing or out of order: \(text)"); return }
            rest = rest[found.upperBound...]
        }
    }

    @Test func headAnswersWithoutBodyAndChunkedRequestsWork() throws {
        let running = try RunningServer()
        let socket = try RawSocket(port: running.port)
        socket.send("HEAD /h HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        let text = socket.readToEnd()
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("POST /c  abc"))
        #expect(!text.contains("HEAD /h"), "HEAD carries no body")
        #expect(text.contains("Connection: close"))
    }

    @Test func expectContinueGetsA100First() throws {
        let running = try RunningServer()
        let socket = try RawSocket(port: running.port)
        socket.send("PUT /kv/a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        let interim = socket.readResponses(1)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n\r\n"))
        socket.send("xyz")
        #expect(socket.readResponses(1).contains("PUT /kv/a  xyz"))
    }

    @Test func garbageGets400AndTheServerLivesOn() throws {
        let running = try RunningServer()
        for garbage in ["\u{00}\u{01}\u{02} hello\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: zz\r\n\r\n", String(repeating: "x", count: 70_000)] {
            let socket = try RawSocket(port: running.port)
            socket.send(garbage)
            let text = socket.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 4"), "\(text.prefix(80))")
            #expect(text.contains("\"error\""))
        }
        let client = try HTTPClient(host: "127.0.0.1", port: running.port)
        #expect(try client.request(method: .get, target: "/alive", headers: [], body: []).status == 200)
        #expect(running.server.stats.malformedRequests >= 2)
    }

    @Test func abruptDisconnectsLeakNothing() throws {
        let running = try RunningServer()
        for index in 0..<20 {
            let socket = try RawSocket(port: running.port)
            socket.send(index % 2 == 0 ? "POST /x HTTP/1.1\r\nContent-Length: 1000\r\n\r\npartial" : "GET /half-a-head HTTP/1.1\r\nHo")
        }
        #expect(eventually { running.server.stats.connectionsOpen == 0 }, "open: \(running.server.stats.connectionsOpen)")
    }

    @Test func connectionLimitAnswers503() throws {
        let running = try RunningServer { $0.connectionsMax = 2; $0.loopCount = 1 }
        let first = try RawSocket(port: running.port)
        let second = try RawSocket(port: running.port)
        first.send("GET /a HTTP/1.1\r\n\r\n")
        second.send("GET /b HTTP/1.1\r\n\r\n")
        #expect(first.readResponses(1).contains("200 OK"))
        #expect(second.readResponses(1).contains("200 OK"))
        let third = try RawSocket(port: running.port)
        let refused = third.readToEnd()
        #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
        #expect(running.server.stats.limitHits[.connections] == 1)
    }

    @Test func slowHeadGets408AndIdleConnectionsClose() throws {
        let running = try RunningServer {
            $0.headerTimeoutMs = 200
            $0.idleTimeoutMs = 300
            $0.timeoutCheckIntervalMs = 20
        }
        let slow = try RawSocket(port: running.port)
        slow.send("GET /slow HTTP/1.1\r\nHost:")
        let text = slow.readToEnd()
        #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
        #expect(running.server.stats.limitHits[.headerTimeout] == 1)
        let idle = try RawSocket(port: running.port)
        idle.send("GET /once HTTP/1.1\r\n\r\n")
        let idleText = idle.readToEnd()  // returns when the server closes the idle connection
        #expect(idleText.contains("200 OK"))
        #expect(eventually { running.server.stats.connectionsOpen == 0 })
    }

    @Test func pipelineDepthBoundPausesReadingWithoutLosingRequests() throws {
        let running = try RunningServer { $0.pipelineDepthMax = 2 }
        let socket = try RawSocket(port: running.port)
        socket.send(String(repeating: "GET /later?ms=20 HTTP/1.1\r\n\r\n", count: 6))
        let text = socket.readResponses(6)
        #expect(text.components(separatedBy: "HTTP/1.1 200").count - 1 == 6)
        #expect((running.server.stats.limitHits[.pipelineDepth] ?? 0) >= 1)
    }

    @Test func oversizedBodyGets413() throws {
        let running = try RunningServer { $0.bodyBytesMax = 100 }
        let socket = try RawSocket(port: running.port)
        socket.send("POST /big HTTP/1.1\r\nContent-Length: 101\r\n\r\n")
        #expect(socket.readToEnd().hasPrefix("HTTP/1.1 413"))
        #expect(running.server.stats.limitHits[.bodyBytes] == 1)
    }
}
