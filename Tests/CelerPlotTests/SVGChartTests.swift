import Foundation
import FoundationXML
import Testing
@testable import CelerPlot

private func wellFormed(_ text: String) -> Bool { XMLParser(data: Data(text.utf8)).parse() }

@Suite struct SVGChartTests {
    @Test func flameGraphBoxesAndWidths() {
        let stacks = [FlameGraph.Stack(frames: ["main", "load <&> parse"], weight: 30),
                      FlameGraph.Stack(frames: ["main", "solve"], weight: 70),
                      FlameGraph.Stack(frames: ["main"], weight: 0)]
        let svg = FlameGraph.render(stacks, title: "t", width: 1020).render()
        #expect(wellFormed(svg))
        #expect(svg.contains("load &lt;&amp;&gt; parse"))
        // all + main + 2 leaves, plus the background.
        #expect(svg.components(separatedBy: "<rect").count - 1 == 5)
        // "solve" is 70% of the 1000 px between the margins.
        #expect(svg.contains("width=\"699.5\""))
    }

    @Test func emptyFlameGraph() {
        #expect(wellFormed(FlameGraph.render([], title: "nothing").render()))
    }

    @Test func lineChartWithPhasesAndPeak() {
        let points = (0..<50).map { (x: Double($0) * 0.1, y: Double($0 % 20)) }
        let chart = LineChart(title: "memory", xLabel: "time (s)", yLabel: "MiB",
                              series: [.init(name: "rss", points: points, color: "#1f77b4")],
                              bands: [.init(label: "phase <1>", start: 0.5, end: 1.5)],
                              marker: .init(label: "peak 19 MiB", x: 1.9, y: 19))
        let svg = chart.svg().render()
        #expect(wellFormed(svg))
        #expect(svg.contains("phase &lt;1&gt;"))
        #expect(svg.contains("peak 19 MiB"))
        #expect(svg.contains("<polyline"))
        let image = chart.rasterize()
        #expect(image.rgb.count == image.width * image.height * 3)
        // The peak's dot is red.
        let f = chart.frame()
        let i = (Int(f.py(19)) * image.width + Int(f.px(1.9))) * 3
        #expect(Array(image.rgb[i..<i + 3]) == [214, 39, 40])
        // Tick values are drawn left of the y axis (dark pixels in the margin).
        let margin = (0..<image.height).contains { y in
            (20..<Int(f.left) - 4).contains { x in image.rgb[(y * image.width + x) * 3] == 51 }
        }
        #expect(margin)
    }

    @Test func ticksAreRound() {
        #expect(LineChart.ticks(0, 10, count: 5) == [0, 2, 4, 6, 8, 10])
        #expect(LineChart.niceCeiling(213) == 250)
        #expect(LineChart.niceCeiling(0.7) == 0.8)
        #expect(LineChart.niceCeiling(299) == 300)
    }
}
