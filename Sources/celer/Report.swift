import CelerCore
import CelerPlot
import CelerHarness
import CelerWorkloads
import Foundation

/// `celer compare --report DIR`: DIR/report.md (tables, chart, machine, the
/// exact command), DIR/speedups.svg, DIR/results.json and the fractal
/// renders. The files are written into a hidden folder beside DIR
/// (`.DIR.tmp-PID`) that is renamed into place at the end
/// (`AtomicDirectory`), so an interrupted or failed run leaves no half
/// report, and an old report stays until the new one is complete.
enum ComparisonReport {
    /// The files a report folder holds; an existing folder with only these
    /// (and report.md among them) is a previous report, which may be replaced.
    static let files = ["report.md", "speedups.svg", "results.json", "julia.png", "mandelbrot.png"]

    /// Fails fast (before any work) if DIR cannot be created or replaced:
    /// its parent must exist and be writable, and an existing DIR must be
    /// empty or a previous report (never `.`, a home folder, …).
    static func checkDestination(_ dir: String) throws(CelerError) {
        try AtomicDirectory.check(dir, option: "--report") { names in
            names.contains("report.md") && names.allSatisfy(files.contains)
        }
    }

    static func write(rows: [ComparisonRow], to dir: String, ceilings: MachineCeilings, threads: Int,
                      settings: HarnessSettings, elapsed: Double,
                      imagePreset: WorkloadOptions.Preset = .default) throws(CelerError) {
        try AtomicDirectory.write(dir, option: "--report") { (tmp: String) throws(CelerError) in
            try AtomicFile.write(chart(rows).render(), to: tmp + "/speedups.svg")
            try AtomicFile.write(ComparisonFormat.json.render(rows), to: tmp + "/results.json")
            let images = renderImages(into: tmp, preset: imagePreset)
            let md = markdown(rows: rows, ceilings: ceilings, threads: threads, settings: settings,
                              elapsed: elapsed, images: images)
            try AtomicFile.write(md, to: tmp + "/report.md")
        }
    }

    /// Renders the Julia and Mandelbrot sets at the sizes of `preset` (the
    /// run's: `default` unless the run asked for `small`), smoothly coloured,
    /// as PNGs beside the report; a failed render is left out.
    static func renderImages(into dir: String, preset: WorkloadOptions.Preset) -> [(caption: String, file: String)] {
        var images: [(caption: String, file: String)] = []
        var options = WorkloadOptions()
        options.preset = preset == .small ? .small : .default
        if let config = try? Julia.configure(options) {
            let values = Julia.smoothIterations(config)
            let rgb = colorize(values, width: config.width, height: config.height, map: .viridis)
            if (try? PNG.write(width: config.width, height: config.height, rgb: rgb, to: dir + "/julia.png")) != nil {
                images.append(("Julia set", "julia.png"))
            }
        }
        if let config = try? Mandelbrot.configure(options) {
            let values = Mandelbrot.smoothIterations(config)
            let rgb = colorize(values, width: config.width, height: config.height, map: .magma)
            if (try? PNG.write(width: config.width, height: config.height, rgb: rgb, to: dir + "/mandelbrot.png")) != nil {
                images.append(("Mandelbrot set", "mandelbrot.png"))
            }
        }
        return images
    }

    static let celerColor = "#2a6fdb", peerColor = "#e8862a", failColor = "#c62828"

    static func chart(_ rows: [ComparisonRow]) -> SVG {
        let groups = ComparisonFormatter.grouped(rows).map { workload, group in
            BarChart.Group(title: workload, bars: group.compactMap { r in
                guard let s = r.speedup else { return nil }
                let color = r.ok == false ? failColor : r.kind == .celer ? celerColor : peerColor
                return BarChart.Bar(label: r.kind == .peer ? "\(r.variant) (peer)" : r.variant, value: s, color: color)
            })
        }
        return BarChart.logSpeedups(groups, title: "Speed-up per workload (median time)",
                                    legend: [(celerColor, "Celer"), (peerColor, "Python peer"), (failColor, "FAIL")])
    }

    static func markdown(rows: [ComparisonRow], ceilings: MachineCeilings, threads: Int,
                         settings: HarnessSettings, elapsed: Double,
                         images: [(caption: String, file: String)]) -> String {
        let command = CommandLine.arguments.map(shellQuote).joined(separator: " ")
        var s = "# Celer compare report\n\n"
        s += "Command: `\(command)`  \n"
        s += "Date: \(ISO8601DateFormatter().string(from: Date()))  \n"
        s += "Wall time: \(Fmt.fixed(elapsed, 1)) s\n\n"
        s += "## Machine\n\n"
        s += "- CPU: \(ceilings.cpuModel), \(ceilings.cores) core\(ceilings.cores == 1 ? "" : "s") available; "
        s += "\(threads) thread\(threads == 1 ? "" : "s") used by threaded variants\n"
        s += "- FMA peak: \(Fmt.fixed(ceilings.flopsPerCoreGFLOPS, 1)) GFLOP/s per core, "
        s += "\(Fmt.fixed(ceilings.flopsAllCoresGFLOPS, 1)) GFLOP/s on all cores\n"
        s += "- Bandwidth (GB/s of compulsory bytes; the roof is the best probe): "
        let probes = ceilings.bandwidthProbes
        s += (0..<(probes.map(\.gbps.count).max() ?? 0)).map { t in
            "\(t + 1) thread\(t == 0 ? "" : "s"): "
                + probes.map { "\($0.name) \(t < $0.gbps.count ? Fmt.fixed($0.gbps[t], 1) : "-")" }.joined(separator: ", ")
                + ", roof \(Fmt.fixed(ceilings.bandwidth(threads: t + 1), 1))"
        }.joined(separator: "; ")
        s += ceilings.quick ? " (quick measurement; run `celer machine --refresh` for the full one)\n" : "\n"
        s += "- Timing: \(settings.warmup) warm-up run(s), up to \(settings.repeats) timed runs per variant, "
        s += "stopping after \(Fmt.double(settings.budgetSeconds, "%g")) s of timed runs; median and minimum reported\n\n"
        s += "## Speed-ups\n\n![Speed-up per workload](speedups.svg)\n\n"
        if !images.isEmpty {
            s += "## Images\n\n"
            for im in images { s += "![\(im.caption)](\(im.file))\n\n" }
        }
        s += "## Results\n\n"
        s += ComparisonFormatter.tables(rows, markdown: true)
        let fails = rows.filter { $0.ok == false }
        let skipped = rows.filter { $0.skipped != nil }
        s += "## Summary\n\n"
        s += "\(rows.count) variants: \(rows.count - fails.count - skipped.count) OK, \(fails.count) FAIL, \(skipped.count) skipped.\n"
        for r in skipped { s += "- \(r.workload)/\(r.variant) skipped: \(r.skipped ?? "")\n" }
        for r in fails { s += "- \(r.workload)/\(r.variant) FAILED: got \(ComparisonFormatter.text(r.validation)), expected \(ComparisonFormatter.text(r.expected))\n" }
        s += "\nAll rows as JSON: [results.json](results.json).\n"
        return s
    }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
