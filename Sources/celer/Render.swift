import ArgumentParser
import CelerCore
import CelerParallel
import CelerPlot
import CelerHarness
import CelerWorkloads
#if canImport(Glibc)
import Glibc
#endif

/// `celer render julia|mandelbrot`: a smooth-coloured PNG of an escape-time
/// fractal, computed on all threads with a progress bar on a terminal.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a Julia or Mandelbrot set to a PNG with smooth colouring.",
        discussion: """
            Examples:
              celer render mandelbrot --size 4000x4000 --maxiter 1000 --out mandelbrot.png
              celer render julia --c=-0.8,0.156 --region=-1.6,1.6,-0.9,0.9 --size 1920x1080 --colormap viridis
            Defaults are the case-study images (docs/workloads.md) at 1000x1000.
            Bad values exit with status 2 before anything is computed or written.
            """)

    @Argument(help: "julia or mandelbrot")
    var fractal: String

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Image size WIDTHxHEIGHT, or a case-study preset: small, default, seed (default 1000x1000, at most \(Self.maxPixels) pixels).",
        valueName: "WxH|preset"))
    var size: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Plane region (default: the case study's).", valueName: "XMIN,XMAX,YMIN,YMAX"))
    var region: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Julia constant (default -0.62772,-0.42193).", valueName: "RE,IM"))
    var c: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Most iterations per point (default 300 for julia, 1000 for mandelbrot).", valueName: "N"))
    var maxiter: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Colour map: \(ColorMap.all.map(\.name).joined(separator: ", ")).", valueName: "NAME"))
    var colormap: String = "magma"

    @Option(parsing: .unconditional, help: ArgumentHelp("Output PNG file (default FRACTAL.png).", valueName: "FILE"))
    var out: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads (default: all available cores).", valueName: "N"))
    var threads: String?

    /// Most pixels a render takes: the RGB image and its PNG stay in memory.
    static let maxPixels = 100_000_000

    func run() throws {
        try render()
    }

    /// The validated request, before any work.
    struct Request {
        enum Fractal { case julia(Julia.Config), mandelbrot(Mandelbrot.Config) }
        var fractal: Fractal
        var width: Int, height: Int, maxiter: Int
        var colormap: ColorMap
        var out: String
        var threads: Int?
    }

    func request() throws(CelerError) -> Request {
        var options = WorkloadOptions()
        switch try size.map({ text throws(CelerError) in
            try OptionGrammar.size(text, presets: WorkloadOptions.Preset.allCases.map(\.rawValue), maxDimensions: 2)
        }) {
        case .preset(let name)?: options.preset = WorkloadOptions.Preset(rawValue: name) ?? .default
        case .dimensions(let dims)?: options.size = dims
        case nil: options.size = [1000, 1000]
        }
        options.region = try region.map { text throws(CelerError) in try OptionGrammar.reals(text, count: 4, option: "--region") }
        options.c = try c.map { text throws(CelerError) in try OptionGrammar.reals(text, count: 2, option: "--c") }
        options.maxiter = try maxiter.map { text throws(CelerError) in
            try OptionGrammar.integer(text, option: "--maxiter", in: OptionLimits.maxiter)
        }
        if let s = options.size, s.count == 2, s[0] * s[1] > Self.maxPixels {
            throw CelerError.invalidOption("--size", size ?? "", allowed: "render at most \(Self.maxPixels) pixels")
        }
        let chosen: Request.Fractal
        switch fractal.lowercased() {
        case "julia":
            chosen = .julia(try Julia.configure(options))
        case "mandelbrot":
            if c != nil {
                throw CelerError("--c", "only julia takes a constant c; mandelbrot's c is the pixel")
            }
            chosen = .mandelbrot(try Mandelbrot.configure(options))
        default:
            throw CelerError.invalidOption("fractal", fractal, allowed: "use julia or mandelbrot")
        }
        let (width, height, iterations): (Int, Int, Int)
        switch chosen {
        case .julia(let config): (width, height, iterations) = (config.width, config.height, config.maxiter)
        case .mandelbrot(let config): (width, height, iterations) = (config.width, config.height, config.maxiter)
        }
        let path = out ?? "\(fractal.lowercased()).png"
        guard !path.isEmpty else { throw CelerError.invalidOption("--out", path, allowed: "give a file name") }
        return Request(fractal: chosen, width: width, height: height, maxiter: iterations,
                       colormap: try ColorMap.named(colormap), out: path,
                       threads: try threads.map { text throws(CelerError) in
                           try OptionGrammar.integer(text, option: "--threads", in: OptionLimits.threads)
                       })
    }

    func render() throws(CelerError) {
        let request = try request()
        if let n = request.threads { try Parallel.setThreadCount(n) }
        try checkOutput(request.out, option: "--out")

        let label = "\(fractal.lowercased()) \(request.width)x\(request.height)"
        let progress = ProgressBar(total: request.height, label: label)
        let start = monotonicNanos()
        let values: [Float]
        switch request.fractal {
        case .julia(let config): values = Julia.smoothIterations(config, progress: progress)
        case .mandelbrot(let config): values = Mandelbrot.smoothIterations(config, progress: progress)
        }
        progress.finish()
        let computed = monotonicNanos()
        let rgb = colorize(values, width: request.width, height: request.height, map: request.colormap)
        try PNG.write(width: request.width, height: request.height, rgb: rgb, to: request.out)
        let done = monotonicNanos()
        let seconds = { (a: UInt64, b: UInt64) in Fmt.seconds(Double(b &- a) * 1e-9) }
        print("wrote \(request.out): \(label), maxiter \(request.maxiter), \(request.colormap.name); "
              + "computed in \(seconds(start, computed)), coloured and encoded in \(seconds(computed, done))")
    }
}

/// RGB bytes for smooth counts: inside points black, the others by
/// t = ln(1 + ν − ν_min) / ln(1 + ν_max − ν_min) through `map` (a logarithm
/// spreads the many low counts near the outside across the map; ν_min is the
/// smallest outside value, so zooms use the whole map too). Row 0 of `values` (ymin) is
/// the image's bottom row, so the imaginary axis points up.
func colorize(_ values: [Float], width: Int, height: Int, map: ColorMap) -> [UInt8] {
    let outside = values.lazy.filter { $0 >= 0 }
    let smallest = Double(outside.min() ?? 0)
    let largest = Double(outside.max() ?? 0)
    let scale = largest > smallest ? 1 / Double.log1pValue(largest - smallest) : 0
    // 4096 colours are finer than 8-bit output needs and avoid a map lookup per pixel.
    let levels = 4096
    let table = (0..<levels).map { map.rgb(Double($0) / Double(levels - 1)) }
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    rgb.withUnsafeMutableBufferPointer { buffer in
        let out = UncheckedSendable(buffer.baseAddress!)
        values.withUnsafeBufferPointer { source in
            let nu = UncheckedSendable(source.baseAddress!)
            parallelFor(0..<height, schedule: .dynamic(16)) { rows in
                for row in rows {
                    let source = row * width, target = (height - 1 - row) * width
                    for j in 0..<width {
                        let v = nu.value[source + j]
                        guard v >= 0 else { continue }  // inside: black
                        let t = Double.log1pValue(Double(v) - smallest) * scale
                        let color = table[min(levels - 1, max(0, Int(t * Double(levels - 1))))]
                        let k = 3 * (target + j)
                        out.value[k] = color.red
                        out.value[k + 1] = color.green
                        out.value[k + 2] = color.blue
                    }
                }
            }
        }
    }
    return rgb
}

extension Double {
    /// ln(1 + x).
    static func log1pValue(_ x: Double) -> Double { log1p(x) }
}
