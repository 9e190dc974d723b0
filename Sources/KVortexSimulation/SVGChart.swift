import Foundation

/// A small hand-written SVG line chart: one series over virtual time, with axes, ticks and a title.
struct SVGChart {
    let title: String
    let unit: String
    let points: [(x: Double, y: Double)]
    /// Shaded spans of the x axis (the fault window).
    var shaded: [(from: Double, to: Double)] = []
    static let width = 720.0, height = 260.0, left = 60.0, right = 20.0, top = 36.0, bottom = 40.0

    func render() -> String {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let xMax = max(points.map(\.x).max() ?? 1, 1)
        let yMax = niceCeiling(max(points.map(\.y).max() ?? 1, 1e-9))
        func px(_ x: Double) -> Double { Self.left + x / xMax * plotWidth }
        func py(_ y: Double) -> Double { Self.top + plotHeight - y / yMax * plotHeight }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(Self.height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Self.left)" y="20" font-size="14" font-weight="bold">\(escape(title))</text>

            """
        for span in shaded {
            svg += "<rect x=\(fmt(px(span.from))) y=\(fmt(Self.top)) width=\(fmt(px(span.to) - px(span.from))) height=\(fmt(plotHeight)) fill=\"#fde7e7\"/>\n"
        }
        for step in 0...4 {
            let y = yMax * Double(step) / 4
            svg += "<line x1=\(fmt(Self.left)) x2=\(fmt(Self.left + plotWidth)) y1=\(fmt(py(y))) y2=\(fmt(py(y))) stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\(fmt(Self.left - 6)) y=\(fmt(py(y) + 4)) text-anchor=\"end\">\(label(y))</text>\n"
        }
        for step in 0...6 {
            let x = xMax * Double(step) / 6
            svg += "<text x=\(fmt(px(x))) y=\(fmt(Self.top + plotHeight + 16)) text-anchor=\"middle\">\(label(x / 1000)) s</text>\n"
        }
        svg += "<text x=\(fmt(12)) y=\(fmt(Self.top + plotHeight / 2)) transform=\"rotate(-90 12 \(num(Self.top + plotHeight / 2)))\" text-anchor=\"middle\">\(escape(unit))</text>\n"
        let path = points.map { "\(num(px($0.x))),\(num(py($0.y)))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        svg += "<rect x=\(fmt(Self.left)) y=\(fmt(Self.top)) width=\(fmt(plotWidth)) height=\(fmt(plotHeight)) fill=\"none\" stroke=\"#999\"/>\n</svg>\n"
        return svg
    }

    private func niceCeiling(_ value: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        while magnitude > value { magnitude /= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where magnitude * factor >= value { return magnitude * factor }
        return magnitude * 10
    }

    /// A quoted attribute value.
    private func fmt(_ value: Double) -> String { "\"\(num(value))\"" }

    /// A coordinate with one decimal, unquoted (for `points` and `transform`).
    private func num(_ value: Double) -> String { String(format: "%.1f", value) }

    private func label(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: value >= 10 ? "%.0f" : "%.2f", value)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
