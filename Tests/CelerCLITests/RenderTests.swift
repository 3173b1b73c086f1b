import Testing
import CelerCore
import Glibc
import CelerPlot
@testable import celer

@Suite struct OptionParsingTests {
    @Test func sizes() throws {
        #expect(try parseSize("4000x3000", option: "--size") == [4000, 3000])
        #expect(try parseSize("1X1", option: "--size") == [1, 1])
        #expect(try parseSize("30_000_000", option: "--size") == [30_000_000])
        #expect(try parseSize("3e7", option: "--size") == [30_000_000])
        #expect(try parseSize("2x3x4", option: "--size") == [2, 3, 4])
        for bad in ["", "x", "10x", "0x5", "-3x4", "1.5x2", "abc", "10x10x", "9e99"] {
            #expect(throws: CelerError.self, "\(bad)") { try parseSize(bad, option: "--size") }
        }
    }

    @Test func reals() throws {
        #expect(try parseReals("-2.13,0.77,-1.3,1.3", count: 4, option: "--region") == [-2.13, 0.77, -1.3, 1.3])
        #expect(try parseReals(" -0.8 , 0.156", count: 2, option: "--c") == [-0.8, 0.156])
        #expect(try parseReals("1e-3,2", count: 2, option: "--c") == [0.001, 2])
        for bad in ["1", "1,2,3", "a,b", "inf,1", "nan,1", "1,,", "0x1p3,1", ""] {
            do {
                _ = try parseReals(bad, count: 2, option: "--c")
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.subject == "--c")
            }
        }
    }

    @Test func integers() throws {
        #expect(try parseInteger("1000", option: "--maxiter", in: 1...10_000_000) == 1000)
        #expect(try parseInteger("1e7", option: "--maxiter", in: 1...10_000_000) == 10_000_000)
        #expect(throws: CelerError.self) { try parseInteger("0", option: "--maxiter", in: 1...10) }
        #expect(throws: CelerError.self) { try parseInteger("11", option: "--maxiter", in: 1...10) }
        #expect(throws: CelerError.self) { try parseInteger("2.5", option: "--maxiter", in: 1...10) }
    }
}

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
