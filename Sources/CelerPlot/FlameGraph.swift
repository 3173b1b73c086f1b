/// A flame graph (Brendan Gregg's): each call path is a box whose width is
/// the time spent in it and below; children stand on their parents; the
/// root ("all") is at the bottom. Hovering a box shows its name and cost.
public enum FlameGraph {
    /// One call path (outermost frame first) and its own (self) cost.
    public struct Stack: Sendable {
        public var frames: [String]
        public var weight: Double
        public init(frames: [String], weight: Double) { self.frames = frames; self.weight = weight }
    }

    final class Node {
        let name: String
        var total: Double = 0
        var children: [Node] = []
        init(_ name: String) { self.name = name }
        func child(_ name: String) -> Node {
            if let c = children.first(where: { $0.name == name }) { return c }
            let c = Node(name); children.append(c); return c
        }
        var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }
    }

    /// Renders the stacks; `unit` formats a cost for the tooltips.
    public static func render(_ stacks: [Stack], title: String = "Flame graph", width: Double = 1200,
                              unit: (Double) -> String = { String($0) }) -> SVG {
        let root = Node("all")
        for s in stacks where s.weight > 0 {
            root.total += s.weight
            var node = root
            for f in s.frames { node = node.child(f); node.total += s.weight }
        }
        let rowHeight = 17.0, top = 34.0, margin = 10.0
        let rows = Double(root.depth)
        let height = top + rows * rowHeight + margin
        var svg = SVG(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#fafafa")
        svg.text(title, x: width / 2, y: 20, size: 15, anchor: "middle")
        guard root.total > 0 else {
            svg.text("(nothing recorded)", x: width / 2, y: top + 14, anchor: "middle")
            return svg
        }
        let scale = (width - 2 * margin) / root.total
        func draw(_ node: Node, x: Double, level: Int) {
            let w = node.total * scale
            let y = height - margin - Double(level + 1) * rowHeight
            let percent = 100 * node.total / root.total
            let tip = "\(node.name) (\(unit(node.total)), \(formatPercent(percent)))"
            svg.rect(x: x, y: y, width: max(w - 0.5, 0.1), height: rowHeight - 1, fill: color(for: node.name),
                     extra: "rx=\"2\"", title: tip)
            let maxChars = Int((w - 6) / 7)
            if maxChars >= 3 {
                let label = node.name.count <= maxChars ? node.name : String(node.name.prefix(maxChars - 2)) + ".."
                svg.text(label, x: x + 3, y: y + rowHeight - 5, size: 11)
            }
            var cx = x
            for c in node.children {
                draw(c, x: cx, level: level + 1)
                cx += c.total * scale
            }
        }
        draw(root, x: margin, level: 0)
        return svg
    }

    /// A warm colour that depends only on the name, so a frame keeps its
    /// colour from one graph to the next.
    static func color(for name: String) -> String {
        var h: UInt32 = 2166136261
        for b in name.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        let r = 205 + Int(h % 50)
        let g = 80 + Int((h >> 8) % 130)
        let b = 40 + Int((h >> 16) % 40)
        return "rgb(\(r),\(g),\(b))"
    }

    static func formatPercent(_ p: Double) -> String {
        let tenths = Int((p * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
