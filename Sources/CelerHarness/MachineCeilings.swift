import CelerCore
import CelerParallel
#if canImport(Glibc)
import Glibc
#endif

/// The ceilings of this machine that kernels are measured against: the
/// double-precision FMA peak (one core and all cores) and memory bandwidth
/// for 1 … N threads, probed five ways (read-only sum; copy and triad with
/// ordinary stores; copy and triad with streaming stores).
///
/// `celer compare` divides a rung's achieved GFLOP/s (compute-bound kernels)
/// or GB/s (memory-bound kernels) by the ceiling for the number of threads
/// the rung used. Every bandwidth figure counts **compulsory bytes** only
/// (read 8, copy 16, triad 24 bytes per element), exactly as the kernels'
/// `Work` does; ordinary stores cost an extra, uncounted read of each
/// destination line (write-allocate), streaming stores do not. The memory
/// roof is the best of the five: the fastest rate at which this machine has
/// been seen to move compulsory bytes, so a kernel that avoids
/// write-allocate traffic is judged against a probe that does too.
/// Measuring takes a few seconds; the executable caches the result as JSON
/// (`MachineCeilings.cachePath`).
public struct MachineCeilings: Codable, Sendable, Equatable {
    /// The cache layout and probe set this code writes. A cache written by
    /// another version (or without the field: before streaming-store
    /// probes existed, and then it does not even decode) is measured again.
    /// Version 3: quick and full bandwidth probes on the same arrays, repeated
    /// until stable.
    public static let currentVersion = 3

    public var version: Int
    /// CPU model and core count at measurement time: a cache for another
    /// machine (or another affinity mask) is not reused.
    public var cpuModel: String
    public var cores: Int
    /// GFLOP/s of one core running independent SIMD FMA chains.
    public var flopsPerCoreGFLOPS: Double
    /// GFLOP/s of all `cores` cores running the same probe at once.
    public var flopsAllCoresGFLOPS: Double
    /// GB/s of `s += a[i]` (8 bytes per element) for 1 … `cores` threads.
    public var readGBps: [Double]
    /// GB/s of `c[i] = a[i]` (16 bytes per element) for 1 … `cores` threads.
    public var copyGBps: [Double]
    /// The same copy with streaming (non-temporal) stores.
    public var copyStreamingGBps: [Double]
    /// GB/s of `a[i] = b[i] + s·c[i]` (24 bytes per element) for 1 … `cores` threads.
    public var triadGBps: [Double]
    /// The same triad with streaming (non-temporal) stores.
    public var triadStreamingGBps: [Double]
    /// Bytes per array of the bandwidth probe (≫ last-level cache).
    public var arrayBytes: Int
    /// Whether this was the quick measurement (fewer repetitions).
    public var quick: Bool

    public init(cpuModel: String, cores: Int, flopsPerCoreGFLOPS: Double, flopsAllCoresGFLOPS: Double,
                readGBps: [Double] = [], copyGBps: [Double], copyStreamingGBps: [Double] = [],
                triadGBps: [Double], triadStreamingGBps: [Double] = [], arrayBytes: Int, quick: Bool,
                version: Int = MachineCeilings.currentVersion) {
        self.version = version
        self.cpuModel = cpuModel; self.cores = cores
        self.flopsPerCoreGFLOPS = flopsPerCoreGFLOPS; self.flopsAllCoresGFLOPS = flopsAllCoresGFLOPS
        self.readGBps = readGBps
        self.copyGBps = copyGBps; self.copyStreamingGBps = copyStreamingGBps
        self.triadGBps = triadGBps; self.triadStreamingGBps = triadStreamingGBps
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

    /// Every bandwidth probe with its measurements (GB/s of compulsory
    /// bytes, index = threads − 1), in table order.
    public var bandwidthProbes: [(name: String, gbps: [Double])] {
        [("read", readGBps), ("copy", copyGBps), ("copy-nt", copyStreamingGBps),
         ("triad", triadGBps), ("triad-nt", triadStreamingGBps)]
    }

    /// The best compulsory-bytes rate (GB/s) of any probe on exactly
    /// `threads` threads (1-based), or 0 if none was measured there.
    public func bestBandwidth(exactlyThreads threads: Int) -> Double {
        bandwidthProbes.compactMap { threads >= 1 && threads <= $0.gbps.count ? $0.gbps[threads - 1] : nil }
            .max() ?? 0
    }

    /// The memory roof (GB/s) for a kernel on `threads` threads: the best
    /// compulsory-bytes rate of any probe with up to `threads` threads
    /// (clamped to the measured range: more threads than cores share the
    /// same bus; and a kernel may always use fewer threads than it has).
    public func bandwidth(threads: Int) -> Double {
        let measured = bandwidthProbes.map(\.gbps.count).max() ?? 0
        guard measured > 0 else { return 0 }
        return (1...min(max(threads, 1), measured)).map { bestBandwidth(exactlyThreads: $0) }.max() ?? 0
    }

    /// The ceiling a kernel of this bound is measured against, in GFLOP/s or GB/s.
    public func ceiling(for bound: Work.Bound, threads: Int) -> Double {
        bound == .compute ? flopPeak(threads: threads) : bandwidth(threads: threads)
    }

    /// Whether a cached measurement describes the machine this process runs
    /// on, with every probe of this version measured for every thread count.
    public var matchesThisMachine: Bool {
        version == Self.currentVersion
            && cpuModel == SystemInfo.cpuModel && cores == SystemInfo.availableCores
            && bandwidthProbes.allSatisfy { $0.gbps.count == cores }
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

    /// Measures this machine. `quick` (a few seconds) uses shorter FMA probes
    /// and stops the bandwidth probes sooner than the full measurement
    /// (`celer machine`), but on the same arrays and until the same
    /// stability rule holds, so the two agree within a few percent: a quick
    /// roof that a plain kernel beats is no roof. Release builds only give
    /// meaningful numbers.
    public static func measure(quick: Bool = false, log: ((String) -> Void)? = nil) -> MachineCeilings {
        let cores = SystemInfo.availableCores
        let probeSeconds = quick ? 0.05 : 0.25
        log?("FMA peak, 1 core…")
        let perCore = FMAProbe.gflops(threads: 1, seconds: probeSeconds, trials: quick ? 2 : 3)
        log?("FMA peak, \(cores) cores…")
        let allCores = cores == 1 ? perCore
            : FMAProbe.gflops(threads: cores, seconds: probeSeconds, trials: quick ? 2 : 3)
        let l3 = SystemInfo.cacheSize(level: 3) ?? (32 << 20)
        // Each array several times the last-level cache, so every pass streams
        // from DRAM; the same size for the quick and the full measurement.
        let arrayBytes = max(4 * l3, 128 << 20)
        var rates: [StreamProbe.Kernel: [Double]] = [:]
        let stream = StreamProbe(elements: arrayBytes / 8)
        for t in 1...cores {
            log?("bandwidth, \(t) thread\(t == 1 ? "" : "s")…")
            for (kernel, gbps) in stream.measure(threads: t, minTrials: quick ? 4 : 8, maxTrials: quick ? 16 : 40) {
                rates[kernel, default: []].append(gbps)
            }
        }
        return MachineCeilings(cpuModel: SystemInfo.cpuModel, cores: cores,
                               flopsPerCoreGFLOPS: perCore, flopsAllCoresGFLOPS: allCores,
                               readGBps: rates[.read] ?? [],
                               copyGBps: rates[.copy] ?? [], copyStreamingGBps: rates[.copyStreaming] ?? [],
                               triadGBps: rates[.triad] ?? [], triadStreamingGBps: rates[.triadStreaming] ?? [],
                               arrayBytes: arrayBytes, quick: quick)
    }
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
            let elapsed = Parallel.withThreadCount(threads) {
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

/// STREAM-like bandwidth probes over arrays much larger than the
/// last-level cache; each thread streams its own contiguous slice, which
/// starts on a cache-line boundary.
final class StreamProbe {
    /// The probed loops. Rates count compulsory bytes only
    /// (`bytesPerElement`): what a kernel must read and write at least.
    enum Kernel: CaseIterable, Hashable {
        /// `s += a[i]`: read bandwidth.
        case read
        /// `c[i] = a[i]` with ordinary stores (each destination line is also read).
        case copy
        /// `c[i] = a[i]` with streaming stores (no write-allocate read).
        case copyStreaming
        /// `a[i] = b[i] + 3·c[i]` with ordinary stores.
        case triad
        /// `a[i] = b[i] + 3·c[i]` with streaming stores.
        case triadStreaming

        var bytesPerElement: Double {
            switch self {
            case .read: 8
            case .copy, .copyStreaming: 16
            case .triad, .triadStreaming: 24
            }
        }
    }

    let a: AlignedBuffer<Double>, b: AlignedBuffer<Double>, c: AlignedBuffer<Double>
    /// One slot per thread for the read probe's sums (a store the optimiser must keep).
    let sums: AlignedBuffer<Double>
    let n: Int

    init(elements: Int) {
        n = elements
        a = AlignedBuffer(uninitializedCount: n)
        b = AlignedBuffer(uninitializedCount: n)
        c = AlignedBuffer(uninitializedCount: n)
        sums = AlignedBuffer(uninitializedCount: 8 * max(1, SystemInfo.availableCores))
        let pa = UncheckedSendable(a.pointer), pb = UncheckedSendable(b.pointer), pc = UncheckedSendable(c.pointer)
        parallelFor(0..<n) { r in
            for i in r { pa.value[i] = 1; pb.value[i] = 2; pc.value[i] = 0 }
        }
    }

    /// Thread `t`'s slice of `0..<n` when `threads` share it: whole cache
    /// lines (8 doubles) except possibly at the end.
    static func slice(_ t: Int, of threads: Int, n: Int) -> Range<Int> {
        let lines = (n + 7) / 8
        return min(n, lines * t / threads * 8)..<min(n, lines * (t + 1) / threads * 8)
    }

    /// Best GB/s (compulsory bytes) of every kernel with `threads` threads,
    /// repeated until stable: at least `minTrials` passes, then until three
    /// passes in a row improve no kernel's best by more than 1 %, at most
    /// `maxTrials`. Each pass runs every kernel once, so drift in the
    /// machine's load affects them alike.
    func measure(threads: Int, minTrials: Int, maxTrials: Int) -> [Kernel: Double] {
        let pa = UncheckedSendable(a.pointer), pb = UncheckedSendable(b.pointer)
        let pc = UncheckedSendable(c.pointer), ps = UncheckedSendable(sums.pointer)
        let n = self.n
        var best: [Kernel: Double] = [:]
        Parallel.withThreadCount(threads) {
            var trial = 0, calm = 0
            while trial < max(1, maxTrials) && (trial < minTrials || calm < 3) {
                trial += 1
                var improved = false
                for kernel in Kernel.allCases {
                    let seconds = measureSeconds {
                        parallelFor(0..<threads, schedule: .static) { ts in
                            for t in ts {
                                let r = StreamProbe.slice(t, of: threads, n: n)
                                switch kernel {
                                case .read: ps.value[8 * t] = StreamProbe.sum(pa.value, r)
                                case .copy: StreamProbe.copy(pa.value, pc.value, r, streaming: false)
                                case .copyStreaming: StreamProbe.copy(pa.value, pc.value, r, streaming: true)
                                case .triad: StreamProbe.triad(pa.value, pb.value, pc.value, r, streaming: false)
                                case .triadStreaming: StreamProbe.triad(pa.value, pb.value, pc.value, r, streaming: true)
                                }
                            }
                        }
                    }
                    let rate = kernel.bytesPerElement * Double(n) / seconds / 1e9
                    if rate > (best[kernel] ?? 0) * 1.01 { improved = true }
                    best[kernel] = max(best[kernel] ?? 0, rate)
                }
                calm = improved ? 0 : calm + 1
            }
        }
        blackHole(c.pointer[n / 2] + sums.pointer[0])
        return best
    }

    /// The sum of `a[r]`, in four independent 4-wide chains (so the loop is
    /// bound by loads, not by the latency of additions).
    @inline(never)
    static func sum(_ a: UnsafeMutablePointer<Double>, _ r: Range<Int>) -> Double {
        let p = UnsafePointer(a)
        var s0 = SIMD4<Double>(), s1 = s0, s2 = s0, s3 = s0
        var i = r.lowerBound
        let blocks = i + r.count / 16 * 16
        while i < blocks {
            s0 += p.load4(i); s1 += p.load4(i &+ 4); s2 += p.load4(i &+ 8); s3 += p.load4(i &+ 12)
            i &+= 16
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < r.upperBound { s += p[i]; i &+= 1 }
        return s
    }

    /// `dst[r] = src[r]` through `storeSIMD4`: one loop, either kind of store.
    @inline(never)
    static func copy(_ src: UnsafeMutablePointer<Double>, _ dst: UnsafeMutablePointer<Double>,
                     _ r: Range<Int>, streaming: Bool) {
        let s = UnsafePointer(src + r.lowerBound)
        StreamingStore.storeSIMD4(count: r.count, to: dst + r.lowerBound, streaming: streaming,
                   vector: { s.load4($0) }, scalar: { s[$0] })
        if streaming { StreamingStore.fence() }
    }

    /// `a[r] = b[r] + 3·c[r]` through `storeSIMD4`: one loop, either kind of store.
    @inline(never)
    static func triad(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>,
                      _ c: UnsafeMutablePointer<Double>, _ r: Range<Int>, streaming: Bool) {
        let pb = UnsafePointer(b + r.lowerBound), pc = UnsafePointer(c + r.lowerBound)
        let s = 3.0, s4 = SIMD4<Double>(repeating: 3)
        StreamingStore.storeSIMD4(count: r.count, to: a + r.lowerBound, streaming: streaming,
                   vector: { pb.load4($0) + s4 * pc.load4($0) }, scalar: { pb[$0] + s * pc[$0] })
        if streaming { StreamingStore.fence() }
    }
}
