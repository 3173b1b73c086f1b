/// A minimal SVG document builder shared by every chart in Celer (speed-up
/// bars, memory over time, flame graphs). Charts are plain functions that
/// return an `SVG`; `render()` gives the XML text.
public struct SVG: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) { self.width = width; self.height = height }

    /// Escapes text for XML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Appends a raw element (the caller escapes any text inside it).
    public mutating func add(_ element: String) { body.append(element) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              extra: String = "", title: String? = nil) {
        let t = title.map { "<title>\(SVG.escape($0))</title>" } ?? ""
        body.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\" \(extra)>\(t)</rect>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#000",
                              width: Double = 1, extra: String = "") {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" \(extra)/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let p = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append("<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" points=\"\(p)\"/>")
    }

    public mutating func text(_ s: String, x: Double, y: Double, size: Double = 12,
                              anchor: String = "start", extra: String = "") {
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" \(extra)>\(SVG.escape(s))</text>")
    }

    /// The complete document.
    public func render() -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"sans-serif\">\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }

    /// Coordinates with at most two decimals, so files stay small.
    private func n(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
