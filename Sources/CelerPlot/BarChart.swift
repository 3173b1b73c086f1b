import CelerCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Horizontal bar charts of speed-ups on a logarithmic axis: one group of
/// bars per workload, each bar drawn from 1x (no speed-up) to its value, so
/// slower-than-baseline variants extend left and faster ones right.
public enum BarChart {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        public var color: String
        public init(label: String, value: Double, color: String) {
            self.label = label; self.value = value; self.color = color
        }
    }

    public struct Group: Sendable {
        public var title: String
        public var bars: [Bar]
        public init(title: String, bars: [Bar]) { self.title = title; self.bars = bars }
    }

    /// The chart; bars with non-positive or non-finite values are left out.
    /// `legend` pairs colours with what they mean.
    public static func logSpeedups(_ groups: [Group], title: String, legend: [(String, String)] = [],
                                   width: Double = 820) -> SVG {
        let groups = groups.map { g in Group(title: g.title, bars: g.bars.filter { $0.value > 0 && $0.value.isFinite }) }
            .filter { !$0.bars.isEmpty }
        let values = groups.flatMap { $0.bars.map(\.value) }
        // Whole decades around every value and 1x.
        let lo = (values.map { log10($0) }.min().map { Swift.min($0, 0) } ?? -1).rounded(.down)
        var hi = (values.map { log10($0) }.max().map { Swift.max($0, 0) } ?? 1).rounded(.up)
        if hi <= lo { hi = lo + 1 }
        let barH = 16.0, gap = 4.0, groupGap = 22.0, top = 58.0, labelW = 170.0, right = 70.0
        let plotW = width - labelW - right
        let rows = groups.reduce(0.0) { $0 + Double($1.bars.count) * (barH + gap) + groupGap }
        let height = top + rows + 52
        func x(_ v: Double) -> Double { labelW + (log10(v) - lo) / (hi - lo) * plotW }

        var svg = SVG(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#fff")
        svg.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", extra: "font-weight=\"bold\"")
        var lx = labelW
        for (color, meaning) in legend {
            svg.rect(x: lx, y: 32, width: 12, height: 12, fill: color)
            svg.text(meaning, x: lx + 16, y: 42, size: 11)
            lx += 24 + Double(meaning.count) * 6.5
        }
        // Decade grid and labels.
        let bottom = height - 42
        var d = lo
        while d <= hi + 1e-9 {
            let v = pow10(d)
            svg.line(x1: x(v), y1: top - 6, x2: x(v), y2: bottom, stroke: d == 0 ? "#333" : "#ddd",
                     width: d == 0 ? 1.2 : 1)
            svg.text(decadeLabel(d), x: x(v), y: bottom + 16, size: 11, anchor: "middle")
            d += 1
        }
        var y = top
        for g in groups {
            svg.text(g.title, x: 6, y: y + 10, size: 13, extra: "font-weight=\"bold\"")
            y += 14
            for b in g.bars {
                let x0 = x(1), x1 = x(b.value)
                svg.rect(x: Swift.min(x0, x1), y: y, width: Swift.max(abs(x1 - x0), 1), height: barH,
                         fill: b.color, title: "\(b.label): \(speedupLabel(b.value))")
                svg.text(b.label, x: labelW - 6, y: y + barH - 4, size: 11, anchor: "end")
                svg.text(speedupLabel(b.value), x: Swift.max(x0, x1) + 4, y: y + barH - 4, size: 10)
                y += barH + gap
            }
            y += groupGap - 14
        }
        svg.text("speed-up over the first (naive) rung, log scale", x: labelW + plotW / 2, y: height - 4,
                 size: 11, anchor: "middle")
        return svg
    }

    static func pow10(_ d: Double) -> Double {
        var v = 1.0
        if d >= 0 { for _ in 0..<Int(d) { v *= 10 } } else { for _ in 0..<Int(-d) { v /= 10 } }
        return v
    }

    static func decadeLabel(_ d: Double) -> String {
        let p = Int(d)
        if p >= 0 && p <= 6 { return "1" + String(repeating: "0", count: p) + "x" }
        if p < 0 && p >= -3 { return "0." + String(repeating: "0", count: -p - 1) + "1x" }
        return "1e\(p)x"
    }

    static func speedupLabel(_ v: Double) -> String {
        if v < 0.1 { return Fmt.double(v, "%.2g") + "x" }
        let r = v >= 100 ? (v.rounded()) : v >= 10 ? (v * 10).rounded() / 10 : (v * 100).rounded() / 100
        return (r == r.rounded() && v >= 100 ? String(Int(r)) : String(r)) + "x"
    }
}
