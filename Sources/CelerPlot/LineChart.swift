#if canImport(Glibc)
import Glibc
#endif

/// A line chart of values over time (memory usage, for `celer mprof plot`):
/// one or more series, shaded labelled intervals (phases), and one marked
/// point (the peak). Renders to SVG, or rasterises to an RGB buffer.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String
        public init(name: String, points: [(x: Double, y: Double)], color: String) {
            self.name = name; self.points = points; self.color = color
        }
    }
    /// A shaded interval of x with a label (a phase of the program).
    public struct Band: Sendable {
        public var label: String
        public var start: Double, end: Double
        public init(label: String, start: Double, end: Double) { self.label = label; self.start = start; self.end = end }
    }
    /// A point to mark with a dot and a label (the peak).
    public struct Marker: Sendable {
        public var label: String
        public var x: Double, y: Double
        public init(label: String, x: Double, y: Double) { self.label = label; self.x = x; self.y = y }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var bands: [Band] = []
    public var marker: Marker? = nil
    public var width: Double = 900
    public var height: Double = 480

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                bands: [Band] = [], marker: Marker? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.series = series; self.bands = bands; self.marker = marker
    }

    static let bandColors = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759", "#9c755f"]

    /// Plot area and data ranges.
    struct Frame {
        let left = 70.0, right: Double, top = 50.0, bottom: Double
        let x0: Double, x1: Double, y0: Double, y1: Double
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
    }

    func frame() -> Frame {
        let xs = series.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.start, $0.end] }
        let ys = series.flatMap { $0.points.map(\.y) }
        var x0 = xs.min() ?? 0, x1 = xs.max() ?? 1
        if x1 <= x0 { x1 = x0 + 1 }
        let yMax = ys.max() ?? 1
        // Headroom above the peak for its label and the phase labels.
        var y1 = LineChart.niceCeiling(yMax * 1.2)
        if y1 <= 0 { y1 = 1 }
        x0 = min(x0, 0)
        return Frame(right: width - 20, bottom: height - 50, x0: x0, x1: x1, y0: 0, y1: y1)
    }

    /// A round number at or above `v` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k).
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    /// Tick positions: about `count` round steps across [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
        let raw = (hi - lo) / Double(count)
        guard raw > 0 else { return [lo] }
        let p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        let r = (v * 100).rounded() / 100
        return String(r)
    }

    public func svg() -> SVG {
        let f = frame()
        var svg = SVG(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle")
        // Phases under everything else.
        for (i, band) in bands.enumerated() {
            let c = LineChart.bandColors[i % LineChart.bandColors.count]
            let x = f.px(band.start), w = max(1, f.px(band.end) - x)
            svg.rect(x: x, y: f.top, width: w, height: f.bottom - f.top, fill: c, extra: "fill-opacity=\"0.18\"",
                     title: band.label)
            // Labels stagger over three rows and stay inside the plot.
            let textWidth = Double(band.label.count) * 6.2
            let lx = min(x + 3, f.right - textWidth)
            svg.text(band.label, x: lx, y: f.top + 14 + Double(i % 3) * 14, size: 11, extra: "fill=\"\(c)\"")
        }
        // Axes, grid and ticks.
        for t in LineChart.ticks(f.y0, f.y1) {
            let y = f.py(t)
            svg.line(x1: f.left, y1: y, x2: f.right, y2: y, stroke: "#e0e0e0")
            svg.text(LineChart.label(t), x: f.left - 6, y: y + 4, size: 11, anchor: "end")
        }
        for t in LineChart.ticks(f.x0, f.x1) {
            let x = f.px(t)
            svg.line(x1: x, y1: f.bottom, x2: x, y2: f.bottom + 5, stroke: "#333")
            svg.text(LineChart.label(t), x: x, y: f.bottom + 18, size: 11, anchor: "middle")
        }
        svg.line(x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, stroke: "#333")
        svg.line(x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, stroke: "#333")
        svg.text(xLabel, x: (f.left + f.right) / 2, y: height - 12, size: 12, anchor: "middle")
        svg.text(yLabel, x: 16, y: (f.top + f.bottom) / 2, size: 12, anchor: "middle",
                 extra: "transform=\"rotate(-90 16 \(Int((f.top + f.bottom) / 2)))\"")
        // Series, and their legend in one row above the plot, from the right.
        var legendX = f.right
        for s in series.reversed() {
            let w = Double(s.name.count) * 6.2 + 30
            legendX -= w
            svg.line(x1: legendX, y1: f.top - 12, x2: legendX + 20, y2: f.top - 12, stroke: s.color, width: 2)
            svg.text(s.name, x: legendX + 24, y: f.top - 8, size: 11)
        }
        for s in series {
            svg.polyline(s.points.map { (f.px($0.x), f.py($0.y)) }, stroke: s.color)
        }
        if let m = marker {
            let x = f.px(m.x), y = f.py(m.y)
            svg.add("<circle cx=\"\(Int(x))\" cy=\"\(Int(y))\" r=\"4\" fill=\"#d62728\"/>")
            svg.line(x1: f.left, y1: y, x2: f.right, y2: y, stroke: "#d62728", width: 0.8, extra: "stroke-dasharray=\"4 3\"")
            let anchor = x > (f.left + f.right) / 2 ? "end" : "start"
            svg.text(m.label, x: x + (anchor == "end" ? -8 : 8), y: y - 8, size: 12, anchor: anchor, extra: "fill=\"#d62728\"")
        }
        return svg
    }

    /// The chart as a `width`×`height` RGB image (3 bytes per pixel, rows top
    /// to bottom): bands, axes with their tick values, grid, series and the
    /// peak; no other text (title, labels, legend). Feed it to a PNG encoder.
    public func rasterize() -> (width: Int, height: Int, rgb: [UInt8]) {
        let w = Int(width), h = Int(height)
        var rgb = [UInt8](repeating: 255, count: w * h * 3)
        let f = frame()
        func put(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), alpha: Double = 1) {
            guard x >= 0, y >= 0, x < w, y < h else { return }
            let i = (y * w + x) * 3
            rgb[i] = UInt8(Double(rgb[i]) * (1 - alpha) + Double(c.0) * alpha)
            rgb[i + 1] = UInt8(Double(rgb[i + 1]) * (1 - alpha) + Double(c.1) * alpha)
            rgb[i + 2] = UInt8(Double(rgb[i + 2]) * (1 - alpha) + Double(c.2) * alpha)
        }
        func line(_ xa: Double, _ ya: Double, _ xb: Double, _ yb: Double, _ c: (UInt8, UInt8, UInt8), thick: Int = 1) {
            let steps = Int(max(abs(xb - xa), abs(yb - ya)).rounded(.up)) + 1
            for s in 0...steps {
                let t = Double(s) / Double(steps)
                let x = Int((xa + (xb - xa) * t).rounded()), y = Int((ya + (yb - ya) * t).rounded())
                for dx in 0..<thick { for dy in 0..<thick { put(x + dx - thick / 2, y + dy - thick / 2, c) } }
            }
        }
        for (i, band) in bands.enumerated() {
            let c = LineChart.rgb(LineChart.bandColors[i % LineChart.bandColors.count])
            for x in Int(f.px(band.start))...max(Int(f.px(band.start)), Int(f.px(band.end))) {
                for y in Int(f.top)...Int(f.bottom) { put(x, y, c, alpha: 0.18) }
            }
        }
        // Grid and axes, with the tick values in a small digit font.
        func digits(_ text: String, x: Int, y: Int, anchorRight: Bool) {
            let scale = 2, advance = 6 * scale
            var cx = anchorRight ? x - text.count * advance : x - text.count * advance / 2
            for ch in text {
                if let rows = LineChart.digitGlyphs[ch] {
                    for (r, bits) in rows.enumerated() {
                        for c in 0..<5 where bits & (0b10000 >> c) != 0 {
                            for dy in 0..<scale { for dx in 0..<scale { put(cx + c * scale + dx, y + r * scale + dy, (51, 51, 51)) } }
                        }
                    }
                }
                cx += advance
            }
        }
        for t in LineChart.ticks(f.y0, f.y1) {
            line(f.left, f.py(t), f.right, f.py(t), (224, 224, 224))
            digits(LineChart.label(t), x: Int(f.left) - 8, y: Int(f.py(t)) - 7, anchorRight: true)
        }
        for t in LineChart.ticks(f.x0, f.x1) {
            line(f.px(t), f.bottom, f.px(t), f.bottom + 5, (51, 51, 51))
            digits(LineChart.label(t), x: Int(f.px(t)), y: Int(f.bottom) + 9, anchorRight: false)
        }
        line(f.left, f.bottom, f.right, f.bottom, (51, 51, 51))
        line(f.left, f.top, f.left, f.bottom, (51, 51, 51))
        for s in series {
            let c = LineChart.rgb(s.color)
            for (a, b) in zip(s.points, s.points.dropFirst()) {
                line(f.px(a.x), f.py(a.y), f.px(b.x), f.py(b.y), c, thick: 2)
            }
        }
        if let m = marker {
            let cx = Int(f.px(m.x)), cy = Int(f.py(m.y))
            for dy in -4...4 { for dx in -4...4 where dx * dx + dy * dy <= 16 { put(cx + dx, cy + dy, (214, 39, 40)) } }
        }
        return (w, h, rgb)
    }

    /// 5×7 glyphs for tick values (rows top to bottom, 5 bits each, left bit first).
    static let digitGlyphs: [Character: [UInt8]] = [
        "0": [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        "1": [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "2": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        "3": [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
        "4": [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        "5": [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        "6": [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        "7": [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        "8": [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        "9": [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
        ".": [0, 0, 0, 0, 0, 0b01100, 0b01100],
        "-": [0, 0, 0, 0b11111, 0, 0, 0],
    ]

    /// "#rrggbb" as bytes (black for anything else).
    static func rgb(_ hex: String) -> (UInt8, UInt8, UInt8) {
        guard hex.hasPrefix("#"), hex.count == 7, let v = UInt32(hex.dropFirst(), radix: 16) else { return (0, 0, 0) }
        return (UInt8(v >> 16), UInt8((v >> 8) & 255), UInt8(v & 255))
    }
}
