import Testing
import CelerCore
import Glibc
import CelerPlot
@testable import celer

// The option grammar itself is tested in CelerCoreTests/OptionGrammarTests.swift.

@Suite struct RenderTests {
    func request(_ arguments: [String]) throws -> RenderCommand.Request {
        try RenderCommand.parse(arguments).request()
    }

    func subject(_ arguments: [String]) -> String? {
        do { _ = try request(arguments); return nil } catch let error as CelerError { return error.subject } catch { return "parse: \(error)" }
    }

    @Test func defaultsAndOptions() throws {
        let plain = try request(["mandelbrot"])
        #expect(plain.width == 1000 && plain.height == 1000 && plain.maxiter == 1000)
        #expect(plain.out == "mandelbrot.png" && plain.colormap.name == "magma")
        let custom = try request(["julia", "--size", "64x48", "--region=-1,1,-0.75,0.75", "--c=0.3,-0.1",
                                  "--maxiter", "50", "--colormap", "gray", "--out", "/tmp/x.png", "--threads", "1"])
        #expect(custom.width == 64 && custom.height == 48 && custom.maxiter == 50 && custom.threads == 1)
        guard case .julia(let config) = custom.fractal else { Issue.record("not julia"); return }
        #expect(config.cRe == 0.3 && config.cIm == -0.1 && config.region.ymax == 0.75)
    }

    @Test func badInputNamesTheOption() {
        #expect(subject(["newton"]) == "fractal")
        #expect(subject(["julia", "--size", "10"]) == "--size")
        #expect(subject(["julia", "--size", "100001x2"]) == "--size")
        #expect(subject(["julia", "--size", "10001x10001"]) == "--size")
        #expect(subject(["julia", "--region=0,1,0"]) == "--region")
        #expect(subject(["julia", "--region=1,0,0,1"]) == "--region")
        #expect(subject(["julia", "--c=1"]) == "--c")
        #expect(subject(["mandelbrot", "--c=1,1"]) == "--c")
        #expect(subject(["julia", "--maxiter", "0"]) == "--maxiter")
        #expect(subject(["julia", "--colormap", "jet"]) == "--colormap")
        #expect(subject(["julia", "--threads=-1"]) == "--threads")
    }

    @Test func writesAPNGOfTheRequestedSize() throws {
        let path = "/tmp/celer-render-test-\(getpid())-\(monotonicNanos()).png"
        defer { unlink(path) }
        try RenderCommand.parse(["mandelbrot", "--size", "37x21", "--maxiter", "60", "--out", path]).render()
        guard let f = fopen(path, "rb") else { Issue.record("no file"); return }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 24)
        #expect(fread(&head, 1, 24, f) == 24)
        #expect(Array(head[0..<8]) == [137, 80, 78, 71, 13, 10, 26, 10])
        #expect(Array(head[12..<16]) == Array("IHDR".utf8))
        #expect(Array(head[16..<24]) == [0, 0, 0, 37, 0, 0, 0, 21])
    }

    @Test func anUnwritableOutputFailsBeforeComputing() {
        #expect(throws: CelerError.self) {
            try RenderCommand.parse(["julia", "--size", "8x8", "--out", "/nonexistent-dir/j.png"]).render()
        }
    }

    @Test func colorizeFlipsRowsAndPaintsTheInsideBlack() throws {
        // Row 0 (bottom): inside, then the smallest outside value; row 1 (top): the largest.
        let rgb = colorize([-1, 2, 7, 7], width: 2, height: 2, map: ColorMap.viridis)
        #expect(Array(rgb[0..<6]) == [253, 231, 37, 253, 231, 37])
        #expect(Array(rgb[6..<12]) == [0, 0, 0, 68, 1, 84])
    }
}
