import KVortexNet

/// `GET /dashboard`: the monitoring page (`DashboardPage`), the same bytes on every request.
extension KVortexHTTPHandler {
    func dashboardRoute() -> HTTPResponse {
        // The page's bytes are built once; the response shares them (copy on write, never written).
        var response = HTTPResponse(status: 200, body: DashboardPage.bytes, contentType: "text/html; charset=utf-8")
        // Inline script and style only, nothing loaded from anywhere; fetches may go to other members.
        response.addHeader("Content-Security-Policy", Self.dashboardPolicy)
        response.addHeader("X-Content-Type-Options", "nosniff" as StaticString)
        response.addHeader("Cache-Control", "no-cache" as StaticString)
        return response
    }

    private static let dashboardPolicy: StaticString =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src *; img-src data:; base-uri 'none'; form-action 'none'"
}
