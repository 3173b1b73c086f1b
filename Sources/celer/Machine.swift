import ArgumentParser
import CelerCore
import CelerGPU
import CelerHarness
import CelerWorkloads
import Foundation

/// `celer machine`: measures this machine's ceilings (FMA peak; read, copy
/// and triad bandwidth with ordinary and streaming stores per thread count),
/// prints them and caches them as JSON for `celer compare`'s "% of peak" column.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Measure this machine's FLOP peak and memory bandwidth (cached for 'celer compare').",
        discussion: """
            FMA peak: twelve independent chains of 4-wide fused multiply-adds per core, on one \
            core and on all cores at once. Bandwidth: a read-only sum (8 bytes per element), \
            STREAM-like copy (16 bytes) and triad (24 bytes), each copy and triad with ordinary and \
            with streaming stores, over arrays several times the last-level cache, for 1 to N \
            threads; rates count compulsory bytes only, and the memory roof is the best of them. \
            The result is cached in $XDG_CACHE_HOME/celer/machine.json (else \
            ~/.cache/celer/machine.json) and reused while the CPU model and core count match; \
            --refresh measures again. A cached quick measurement (the one 'celer compare' makes \
            when there is no cache) is only reused with --quick: plain 'celer machine' measures \
            fully and replaces it. Measure with a release build.
            """)

    @Flag(help: "Measure again even if a cached measurement exists.")
    var refresh = false

    @Flag(help: "A shorter measurement (about 2 seconds), as 'celer compare' does without a cache.")
    var quick = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Output: table or json.", valueName: "table|json"))
    var format: String = "table"

    func run() throws {
        let format = try OptionGrammar.choice(format, option: "--format", from: ["table", "json"])
        var ceilings: MachineCeilings
        var source: String
        if !refresh, let cached = MachineStore.load(), cached.matchesThisMachine, !(cached.quick && !quick) {
            ceilings = cached
            source = "cached in \(MachineCeilings.cachePath ?? "?") (--refresh to measure again)"
        } else {
            let tty = isatty(2) != 0
            ceilings = MachineCeilings.measure(quick: quick, log: tty ? { writeStderr("  measuring \($0)\r\u{1B}[K") } : nil)
            if tty { writeStderr("\r\u{1B}[K") }
            source = MachineStore.save(ceilings).map { "measured now; cached in \($0)" } ?? "measured now (not cached)"
        }
        if format == "json" {
            print(MachineStore.encode(ceilings))
        } else {
            print(MachineStore.describe(ceilings))
            print("(\(source))")
            if GPU.availability.isAvailable {  // the GPU, when there is one (celer gpu has the details)
                for line in GPUReport.lines() where line.hasPrefix("device") { print("GPU \(line)") }
                if let bandwidth = GPUCeilings.shared.bandwidth() {
                    print("GPU bandwidth: \(Int(bandwidth / 1e9)) GB/s (device-to-device copy, read + write)")
                }
            }
        }
    }
}

/// Reads and writes the ceilings cache (JSON, written atomically).
enum MachineStore {
    static func load() -> MachineCeilings? {
        guard let path = MachineCeilings.cachePath, let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(MachineCeilings.self, from: data)
    }

    /// Saves `c`; returns the path, or nil if it could not be written.
    @discardableResult
    static func save(_ c: MachineCeilings) -> String? {
        #if DEBUG
        // A debug build's probes run orders of magnitude below the machine's peak.
        return nil
        #else
        guard let path = MachineCeilings.cachePath else { return nil }
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do { try AtomicFile.write(encode(c) + "\n", to: path) } catch { return nil }
        return path
        #endif
    }

    static func encode(_ c: MachineCeilings) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? e.encode(c)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The cached ceilings for this machine, or a quick measurement (saved) if
    /// there are none; `note` is told which.
    static func ceilingsForCompare(note: (String) -> Void) -> MachineCeilings {
        if let cached = load(), cached.matchesThisMachine { return cached }
        #if DEBUG
        note("debug build: machine ceilings measured quickly and not cached (% of peak is only meaningful in release builds)")
        #else
        note("no machine ceilings cached: measuring quickly (a few seconds; 'celer machine' measures fully)")
        #endif
        let c = MachineCeilings.measure(quick: true)
        save(c)
        return c
    }

    static func describe(_ c: MachineCeilings) -> String {
        var s = "CPU: \(c.cpuModel), \(c.cores) core\(c.cores == 1 ? "" : "s") available\n"
        s += "FMA peak (double): \(Fmt.fixed(c.flopsPerCoreGFLOPS, 1)) GFLOP/s per core, "
        s += "\(Fmt.fixed(c.flopsAllCoresGFLOPS, 1)) GFLOP/s on \(c.cores) core\(c.cores == 1 ? "" : "s")\n"
        s += "Memory bandwidth, GB/s of compulsory bytes (read 8, copy 16, triad 24 per element; "
        s += "-nt: streaming stores; arrays of \(Fmt.bytes(Double(c.arrayBytes)))):\n"
        let probes = c.bandwidthProbes
        s += "  threads" + probes.map { Fmt.pad($0.name, 10, right: true) }.joined() + Fmt.pad("roof", 10, right: true) + "\n"
        let rows = probes.map(\.gbps.count).max() ?? 0
        for t in 0..<rows {
            s += "  " + Fmt.pad(String(t + 1), 7, right: true)
            s += probes.map { Fmt.pad(t < $0.gbps.count ? Fmt.fixed($0.gbps[t], 1) : "-", 10, right: true) }.joined()
            s += Fmt.pad(Fmt.fixed(c.bandwidth(threads: t + 1), 1), 10, right: true) + "\n"
        }
        s += "roof: the best of these with up to that many threads; 'celer compare' divides memory-bound rates by it.\n"
        if c.quick { s += "(quick measurement)\n" }
        return s
    }
}

