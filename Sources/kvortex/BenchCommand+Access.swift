import KVortexNet

/// The check `kvortex bench` makes before a load: one request with the run's token, so that a node
/// that refuses the token stops the run with a message, instead of a run of 401s measured as answers.
extension BenchCommand {
    /// A node refused the run's token (401, or 403 `forbidden`), or did not answer the check.
    struct AccessRefused: Error, CustomStringConvertible {
        let description: String
    }

    /// `GET /get?key=key0` to `host:port` with `token`'s header. Throws `ConnectFailure` when the node
    /// cannot be reached and `AccessRefused` when it refuses the token; any other answer lets the run go
    /// on (a 404, or a 503 that the run itself will count).
    static func checkAccess(host: String, port: Int, token: ClientToken?) throws {
        let client: HTTPClient
        do throws(NetError) {
            client = try HTTPClient(host: host, port: port, timeoutMs: 10_000)
        } catch {
            throw ConnectFailure(host: host, port: port, error)
        }
        let response: HTTPClient.Response
        do throws(NetError) {
            response = try client.request(method: .get, target: "/get?key=key0", headers: ClientToken.headers(token), body: [])
        } catch {
            throw AccessRefused(description: "node \(host):\(port) did not answer GET /get?key=key0: \(error)")
        }
        if let refusal = ClientToken.refusal(status: response.status, body: response.body, token: token) {
            throw AccessRefused(description: "node \(host):\(port) answered \(refusal)")
        }
    }
}
