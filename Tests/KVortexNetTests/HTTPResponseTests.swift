import Testing
@testable import KVortexNet

/// Header values are written as they are, except CR and LF, which would let a value start a header
/// or a body of its own (response splitting).
@Suite struct HTTPResponseTests {
    func serialized(_ response: HTTPResponse) -> String {
        var out: [UInt8] = []
        response.serialize(into: &out, keepAlive: true, includeBody: true)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func headerValuesAreWrittenAsGiven() {
        var response = HTTPResponse(status: 204)
        response.addHeader("X-Context", "a1b2-c3_d4")
        response.addHeader("X-Replicas", 3)
        response.addHeader("X-Static", "fixed" as StaticString)
        #expect(serialized(response) == "HTTP/1.1 204 No Content\r\nX-Context: a1b2-c3_d4\r\nX-Replicas: 3\r\nX-Static: fixed\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func crAndLfInAValueBecomeSpaces() {
        var response = HTTPResponse(status: 200, body: Array("ok".utf8))
        response.addHeader("X-Coordinator", "n1\r\nSet-Cookie: evil")
        "x\ny\rz".utf8CString.withUnsafeBytes { raw in
            response.addHeader("X-Raw", bytes: UnsafeRawBufferPointer(rebasing: raw.dropLast()))
        }
        #expect(serialized(response) == "HTTP/1.1 200 OK\r\nX-Coordinator: n1  Set-Cookie: evil\r\nX-Raw: x y z\r\nContent-Length: 2\r\n\r\nok")
    }
}
