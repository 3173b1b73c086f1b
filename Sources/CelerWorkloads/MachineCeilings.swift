import CelerCore
import CelerParallel
#if canImport(Glibc)
import Glibc
#endif

/// The ceilings of this machine that kernels are measured against: the
/// double-precision FMA peak (one core and all cores) and STREAM-like copy
/// and triad bandwidth for 1 … N threads.
///
/// `celer compare` divides a rung's achieved GFLOP/s (compute-bound kernels)
/// or GB/s (memory-bound kernels) by the ceiling for the number of threads
/// the rung used. Measuring takes a few seconds; the executable caches the
/// result as JSON (`MachineCeilings.cachePath`).
public struct MachineCeilings: Codable, Sendable, Equatable {
    /// CPU model and core count at measurement time: a cache for another
    /// machine (or another affinity mask) is not reused.
    public var cpuModel: String
    public var cores: Int
    /// GFLOP/s of one core running independent SIMD FMA chains.
    public var flopsPerCoreGFLOPS: Double
    /// GFLOP/s of all `cores` cores running the same probe at once.
    public var flopsAllCoresGFLOPS: Double
    /// GB/s of `c[i] = a[i]` (16 bytes per element) for 1 … `cores` threads.
    public var copyGBps: [Double]
    /// GB/s of `a[i] = b[i] + s·c[i]` (24 bytes per element) for 1 … `cores` threads.
    public var triadGBps: [Double]
    /// Bytes per array of the bandwidth probe (≫ last-level cache).
    public var arrayBytes: Int
    /// Whether this was the quick measurement (fewer repetitions).
    public var quick: Bool

    public init(cpuModel: String, cores: Int, flopsPerCoreGFLOPS: Double, flopsAllCoresGFLOPS: Double,
                copyGBps: [Double], triadGBps: [Double], arrayBytes: Int, quick: Bool) {
        self.cpuModel = cpuModel; self.cores = cores
        self.flopsPerCoreGFLOPS = flopsPerCoreGFLOPS; self.flopsAllCoresGFLOPS = flopsAllCoresGFLOPS
        self.copyGBps = copyGBps; self.triadGBps = triadGBps
        self.arrayBytes = arrayBytes; self.quick = quick
    }

    /// Peak GFLOP/s for a kernel on `threads` threads: the all-core figure at
    /// or above the core count, the per-core figure scaled below it. Never
    /// below one core's figure (an all-core probe disturbed by other load
    /// must not make a ceiling that one thread can beat).
    public func flopPeak(threads: Int) -> Double {
        let t = max(1, threads)
        if t >= cores { return max(flopsAllCoresGFLOPS, flopsPerCoreGFLOPS) }
        return max(flopsPerCoreGFLOPS * Double(t), 0)
    }

    /// Best copy or triad bandwidth (GB/s) measured with up to `threads`
    /// threads (clamped to the measured range: more threads than cores share
    /// the same bus; and a kernel may always use fewer threads than it has).
    public func bandwidth(threads: Int) -> Double {
        let n = min(copyGBps.count, triadGBps.count)
        guard n > 0 else { return 0 }
        let upTo = min(max(threads, 1), n)
        return (0..<upTo).map { max(copyGBps[$0], triadGBps[$0]) }.max() ?? 0
    }

    /// The ceiling a kernel of this bound is measured against, in GFLOP/s or GB/s.
    public func ceiling(for bound: Work.Bound, threads: Int) -> Double {
        bound == .compute ? flopPeak(threads: threads) : bandwidth(threads: threads)
    }

    /// Whether a cached measurement describes the machine this process runs on.
    public var matchesThisMachine: Bool {
        cpuModel == SystemInfo.cpuModel && cores == SystemInfo.availableCores
            && copyGBps.count == cores && triadGBps.count == cores
    }

    /// `$XDG_CACHE_HOME/celer/machine.json`, else `~/.cache/celer/machine.json`
    /// (nil when neither variable is set).
    public static var cachePath: String? {
        if let x = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), !x.isEmpty {
            return x + "/celer/machine.json"
        }
        if let h = getenv("HOME").map({ String(cString: $0) }), !h.isEmpty {
            return h + "/.cache/celer/machine.json"
        }
        return nil
    }

    // MARK: Measuring

    /// Measures this machine. `quick` (about two seconds) uses shorter probes
    /// and fewer repetitions than the full measurement (`celer machine`).
    /// Release builds only give meaningful numbers.
    public static func measure(quick: Bool = false, log: ((String) -> Void)? = nil) -> MachineCeilings {
        let cores = SystemInfo.availableCores
        let probeSeconds = quick ? 0.05 : 0.25
        log?("FMA peak, 1 core…")
        let perCore = FMAProbe.gflops(threads: 1, seconds: probeSeconds, trials: quick ? 2 : 3)
        log?("FMA peak, \(cores) cores…")
        let allCores = cores == 1 ? perCore
            : FMAProbe.gflops(threads: cores, seconds: probeSeconds, trials: quick ? 2 : 3)
        let l3 = SystemInfo.cacheSize(level: 3) ?? (32 << 20)
        // Each array several times the last-level cache, so every pass streams from DRAM.
        let arrayBytes = max(4 * l3, quick ? (64 << 20) : (128 << 20))
        var copy: [Double] = [], triad: [Double] = []
        let stream = StreamProbe(elements: arrayBytes / 8)
        for t in 1...cores {
            log?("bandwidth, \(t) thread\(t == 1 ? "" : "s")…")
            let (c, tr) = stream.measure(threads: t, trials: quick ? 3 : 6)
            copy.append(c); triad.append(tr)
        }
        return MachineCeilings(cpuModel: SystemInfo.cpuModel, cores: cores,
                               flopsPerCoreGFLOPS: perCore, flopsAllCoresGFLOPS: allCores,
                               copyGBps: copy, triadGBps: triad, arrayBytes: arrayBytes, quick: quick)
    }
}

/// Runs `body` with `Parallel.threadCount` set to `threads`, then restores it.
func withThreadCount<R>(_ threads: Int, _ body: () -> R) -> R {
    let saved = Parallel.threadCount
    try? Parallel.setThreadCount(threads)
    defer { try? Parallel.setThreadCount(saved) }
    return body()
}

/// The FMA peak probe: twelve independent chains of fused multiply-adds on
/// 4-wide vectors (enough to cover latency × issue width of current x86
/// cores). `addingProduct` lowers to `vfmadd…pd` with `-target-cpu haswell`;
/// this is the one place in Celer that asks for FMA on purpose (kernels whose
/// results must be bit-exact never do).
enum FMAProbe {
    static let flopsPerIteration = 12.0 * 4 * 2

    @inline(never)
    static func chains(iterations: Int, seed: Double) -> Double {
        let x = SIMD4<Double>(repeating: 1e-9), y = SIMD4<Double>(repeating: seed)
        var a0 = SIMD4<Double>(repeating: 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0
        var a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
        for _ in 0..<iterations {
            a0 = a0.addingProduct(x, y); a1 = a1.addingProduct(x, y)
            a2 = a2.addingProduct(x, y); a3 = a3.addingProduct(x, y)
            a4 = a4.addingProduct(x, y); a5 = a5.addingProduct(x, y)
            a6 = a6.addingProduct(x, y); a7 = a7.addingProduct(x, y)
            a8 = a8.addingProduct(x, y); a9 = a9.addingProduct(x, y)
            a10 = a10.addingProduct(x, y); a11 = a11.addingProduct(x, y)
        }
        let s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
        return s.sum()
    }

    /// Best GFLOP/s over `trials` runs of about `seconds` each, on `threads`
    /// threads at once (each running its own chains).
    static func gflops(threads: Int, seconds: Double, trials: Int) -> Double {
        // Calibrate the iteration count on one thread.
        var iterations = 1 << 14
        while true {
            let t = measureSeconds { blackHole(chains(iterations: iterations, seed: 1)) }
            if t >= 0.01 || iterations >= 1 << 40 {
                iterations = max(1, Int(Double(iterations) * seconds / max(t, 1e-9)))
                break
            }
            iterations *= 4
        }
        let its = iterations
        var best = 0.0
        for _ in 0..<max(1, trials) {
            let elapsed = withThreadCount(threads) {
                measureSeconds {
                    parallelFor(0..<threads, schedule: .static) { r in
                        for _ in r { blackHole(chains(iterations: its, seed: 1)) }
                    }
                }
            }
            best = max(best, flopsPerIteration * Double(its) * Double(threads) / elapsed / 1e9)
        }
        return best
    }
}

/// STREAM-like copy and triad over arrays much larger than the last-level
/// cache; each thread streams its own contiguous slice.
final class StreamProbe {
    let a: AlignedBuffer<Double>, b: AlignedBuffer<Double>, c: AlignedBuffer<Double>
    let n: Int

    init(elements: Int) {
        n = elements
        a = AlignedBuffer(uninitializedCount: n)
        b = AlignedBuffer(uninitializedCount: n)
        c = AlignedBuffer(uninitializedCount: n)
        let pa = UncheckedSendable(a.pointer), pb = UncheckedSendable(b.pointer), pc = UncheckedSendable(c.pointer)
        parallelFor(0..<n) { r in
            for i in r { pa.value[i] = 1; pb.value[i] = 2; pc.value[i] = 0 }
        }
    }

    /// Best (copy, triad) GB/s over `trials` passes with `threads` threads.
    func measure(threads: Int, trials: Int) -> (copy: Double, triad: Double) {
        let pa = UncheckedSendable(a.pointer), pb = UncheckedSendable(b.pointer), pc = UncheckedSendable(c.pointer)
        let n = self.n
        let slice = { (t: Int) -> Range<Int> in (n * t / threads)..<(n * (t + 1) / threads) }
        var bestCopy = 0.0, bestTriad = 0.0
        withThreadCount(threads) {
            for _ in 0..<max(1, trials) {
                let tc = measureSeconds {
                    parallelFor(0..<threads, schedule: .static) { ts in
                        for t in ts { StreamProbe.copy(pa.value, pc.value, slice(t)) }
                    }
                }
                bestCopy = max(bestCopy, 16 * Double(n) / tc / 1e9)
                let tt = measureSeconds {
                    parallelFor(0..<threads, schedule: .static) { ts in
                        for t in ts { StreamProbe.triad(pa.value, pb.value, pc.value, slice(t)) }
                    }
                }
                bestTriad = max(bestTriad, 24 * Double(n) / tt / 1e9)
            }
        }
        blackHole(c.pointer[n / 2])
        return (bestCopy, bestTriad)
    }

    @inline(never)
    static func copy(_ src: UnsafeMutablePointer<Double>, _ dst: UnsafeMutablePointer<Double>, _ r: Range<Int>) {
        for i in r { dst[i] = src[i] }
    }

    @inline(never)
    static func triad(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>,
                      _ c: UnsafeMutablePointer<Double>, _ r: Range<Int>) {
        let s = 3.0
        for i in r { a[i] = b[i] + s * c[i] }
    }
}
