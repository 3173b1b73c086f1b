import CelerCore
import CelerHarness
import CelerWorkloads
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The GPU rungs of every case study, added through `RungExtension`s (the
// study files are untouched). Each rung's `prepare` picks device 0, compiles
// (through the caches), allocates and copies the inputs in: all untimed, the
// copy in reported as a phase. `run` launches the kernels (asynchronous),
// `finish` synchronises the device, so the clock covers the kernels and
// their completion; `validation` copies the result back (reported as the
// "copy out" phase) and summarises it exactly as the CPU rungs do. With no
// driver, no device or no NVRTC, `prepare` refuses with the reason, and
// `celer compare` shows a skipped row.

/// The rungs this module adds, for `Sources/celer/Registry.swift`.
public enum GPURungs {
    public static var extensions: [RungExtension] {
        [
            RungExtension(Julia.self, rungs: [
                Rung("gpu", "CUDA: one thread per pixel (16x16 blocks), counts exact (--fmad=false)", backend: .gpu,
                     prepare: { escapeTime($0.problem, kernel: "celer_julia", julia: true) }),
            ]),
            RungExtension(Mandelbrot.self, rungs: [
                Rung("gpu", "CUDA: one thread per pixel (16x16 blocks), counts exact (--fmad=false)", backend: .gpu,
                     prepare: { escapeTime($0.problem, kernel: "celer_mandelbrot", julia: false) }),
                Rung("gpu-cardioid", "CUDA: one thread per pixel, cardioid and period-2 bulb get maxiter at once",
                     backend: .gpu, skipsWork: true,
                     prepare: { escapeTime($0.problem, kernel: "celer_mandelbrot_cardioid", julia: false) }),
            ]),
            RungExtension(Sieve.self, rungs: [
                Rung("gpu", "CUDA: odd-only segments of 262144 in shared memory, counts scanned, primes compacted in order",
                     backend: .gpu, prepare: sieve),
            ]),
            RungExtension(Derivative.self, rungs: [
                Rung("gpu", "CUDA: grid-stride loop, one output per thread per pass", backend: .gpu, prepare: derivative),
            ]),
            RungExtension(Laplacian.self, rungs: [
                Rung("gpu", "CUDA: one output point per thread, 32x8 blocks (coalesced rows)", backend: .gpu,
                     prepare: laplacian),
            ]),
            RungExtension(Diffusion.self, rungs: [
                Rung("gpu", "CUDA: one launch per step, one point per thread", backend: .gpu,
                     prepare: { diffusion($0, tiled: false) }),
                Rung("gpu-tiled", "CUDA: \(diffusionDepth) steps per launch on 32x64 shared-memory tiles with halos",
                     backend: .gpu, prepare: { diffusion($0, tiled: true) }),
            ]),
            RungExtension(VectorAdd.self, rungs: [
                Rung("gpu", "CUDA: ElementwiseKernel \"out = a + b\", grid-stride", backend: .gpu, prepare: add),
            ]),
        ]
    }

    /// Steps per launch of the tiled diffusion rung.
    public static let diffusionDepth = 4
}

// MARK: - Plumbing shared by the rungs

/// What a GPU rung's preparation builds on the device.
struct GPURun {
    let run: () throws(GPUError) -> Void
    /// Copies the result back and summarises it.
    let validation: () throws(GPUError) -> [ValidationValue]
}

/// The first error a run hit (launch closures cannot throw): reported once
/// on stderr, and the validation then fails instead of the process crashing.
final class RunFailure: Sendable {
    private let error = Mutex<GPUError?>(nil)
    func record(_ e: GPUError) {
        let first = error.withLock { old -> Bool in
            if old == nil { old = e; return true }
            return false
        }
        if first {
            var bytes = Array("celer: GPU run failed: \(e)\n".utf8)
            _ = write(2, &bytes, bytes.count)
        }
    }
    var failed: Bool { error.withLock { $0 != nil } }
}

/// Makes a preparation from `build`: refusal when no GPU can be used or
/// preparing fails (out of memory included); else a ready run on device 0
/// with a device synchronisation in `finish` and the copies as phases.
func gpuPreparation(_ build: (GPUDevice, inout PhaseClock) throws(GPUError) -> GPURun) -> Preparation {
    if let reason = GPU.refusalReason { return .refused(reason) }
    let device: GPUDevice
    var clock = PhaseClock()
    let built: GPURun
    do throws(GPUError) {
        device = try GPU.defaultDevice()
        built = try build(device, &clock)
        try device.synchronize()
    } catch {
        return .refused(error.description)
    }
    let failure = RunFailure()
    let copyIn = clock.seconds
    let copyOut = Mutex(0.0)
    return .ready(
        backend: .gpu(device: device.label),
        run: {
            do throws(GPUError) { try built.run() } catch { failure.record(error) }
        },
        finish: {
            do throws(GPUError) { try device.synchronize() } catch { failure.record(error) }
        },
        validation: {
            let start = monotonicNanos()
            var values: [ValidationValue] = []
            do throws(GPUError) { values = try built.validation() } catch { failure.record(error) }
            copyOut.withLock { $0 = Double(monotonicNanos() - start) / 1e9 }
            return failure.failed ? [ValidationValue("gpu_failed", 1)] : values
        },
        phases: { [PhaseTime("copy in", seconds: copyIn), PhaseTime("copy out", seconds: copyOut.withLock { $0 })] })
}

/// Accumulates the seconds spent copying inputs to the device.
struct PhaseClock {
    private(set) var seconds = 0.0
    mutating func time<R>(_ body: () throws(GPUError) -> R) throws(GPUError) -> R {
        let start = monotonicNanos()
        let result = try body()
        seconds += Double(monotonicNanos() - start) / 1e9
        return result
    }
}

/// Refuses early when the arrays of a rung cannot fit in free device memory.
func requireMemory(_ bytes: Int, on device: GPUDevice) throws(GPUError) {
    let (free, _) = try device.memoryInfo()
    if bytes > free {
        throw .outOfMemory(call: "prepare", bytes: bytes, message: "the device has \(free) bytes free")
    }
}

/// Blocks of `block` threads covering `n` (at least one).
func blocks(_ n: Int, _ block: Int) -> Int { max(1, (n + block - 1) / block) }

/// Refuses grids whose y (or z) dimension exceeds the driver's 65535.
func requireGrid(_ grid: GPUDim, _ what: String) throws(GPUError) {
    guard grid.y <= 65535, grid.z <= 65535, grid.x <= Int(Int32.max) else {
        throw .invalidArgument("\(what): a launch grid of \(grid.x)x\(grid.y) blocks exceeds the device's limits (y ≤ 65535)")
    }
}

/// A copy of a device array to a host buffer, then `body` over it.
func withHostCopy<T: GPUElement, R>(_ array: DeviceArray<T>, _ body: (UnsafeBufferPointer<T>) -> R) throws(GPUError) -> R {
    let host = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
    defer { host.deallocate() }
    let view = UnsafeMutableBufferPointer(rebasing: host[0..<array.count])
    try array.copy(to: view)
    return body(UnsafeBufferPointer(view))
}

/// The CPU rungs' input: values 0..<count of SplitMix64 stream `seed`.
func uniformInput(seed: UInt64, count: Int) -> [Double] {
    let generator = SplitMix64(seed: seed)
    return (0..<count).map { generator.uniform($0) }
}

/// The stencil studies' validation summary (the CPU's StencilSummary):
/// compensated sums in index order and the maximum.
struct Summary {
    var sum = AccurateSum(), sumAbs = AccurateSum(), sumSquares = AccurateSum()
    var maximum = -Double.infinity
    init(_ values: UnsafeBufferPointer<Double>) {
        for x in values {
            sum.add(x); sumAbs.add(abs(x)); sumSquares.add(x * x)
            if x > maximum || x.isNaN { maximum = x }
        }
    }
}

/// 1/d when d is a power of two with a normal reciprocal (then x·(1/d) is
/// x/d exactly, as the CPU kernels use it), else nil.
func exactReciprocal(_ d: Double) -> Double? {
    let r = 1 / d
    guard d.isNormal, d.significandBitPattern == 0, r.isNormal else { return nil }
    return r
}

// MARK: - Julia and Mandelbrot

func escapeTime(_ problem: EscapeProblem, kernel name: String, julia: Bool) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        try requireMemory(problem.pixels * 4 + (problem.width + problem.height) * 8, on: device)
        let function = try StudyKernels.escapeTime.function(name, on: device)
        let xs = try clock.time { () throws(GPUError) in try DeviceArray(device: device, copying: problem.xs) }
        let ys = try clock.time { () throws(GPUError) in try DeviceArray(device: device, copying: problem.ys) }
        let counts = try DeviceArray<Int32>(device: device, count: problem.pixels)
        let (w, h) = (problem.width, problem.height)
        let args: KernelArguments = julia
            ? KernelArguments([xs, ys, Int32(w), Int32(h), problem.c.re, problem.c.im, Int32(problem.maxiter), counts])
            : KernelArguments([xs, ys, Int32(w), Int32(h), Int32(problem.maxiter), counts])
        let grid = GPUDim(blocks(w, 16), blocks(h, 16))
        try requireGrid(grid, "\(w)x\(h) pixels")
        return GPURun(
            run: { () throws(GPUError) in try function.launch(grid: grid, block: GPUDim(16, 16), args) },
            validation: { () throws(GPUError) in
                let host = AlignedBuffer<Int32>(repeating: 0, count: problem.pixels)
                try counts.copy(to: host.buffer)
                return EscapeOptions.validation(host)
            })
    }
}

// MARK: - Derivative, Laplacian, add

func derivative(_ config: Derivative.Config) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        let n = config.n, m = n - 2
        try requireMemory(8 * (n + m), on: device)
        let function = try StudyKernels.stencils.function("celer_derivative", on: device)
        let f = try clock.time { () throws(GPUError) in
            try DeviceArray(device: device, copying: uniformInput(seed: 7, count: n))
        }
        let out = try DeviceArray<Double>(device: device, count: m)
        let dx2 = config.dx * config.dx
        let reciprocal = exactReciprocal(dx2)
        let args = KernelArguments([f, out, m, dx2, reciprocal ?? 0, Int32(reciprocal == nil ? 0 : 1)])
        let grid = GPUDim(min(blocks(m, 256), device.multiprocessors * 32))
        return GPURun(
            run: { () throws(GPUError) in try function.launch(grid: grid, block: GPUDim(256), args) },
            validation: { () throws(GPUError) in
                try withHostCopy(out) { values in
                    let s = Summary(values)
                    return [ValidationValue("sum", s.sum.value), ValidationValue("sum_abs", s.sumAbs.value)]
                }
            })
    }
}

func laplacian(_ config: Laplacian.Config) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        let (rows, cols) = (config.rows, config.cols)
        let outCount = (rows - 2) * (cols - 2)
        try requireMemory(8 * (rows * cols + outCount), on: device)
        let function = try StudyKernels.stencils.function("celer_laplacian", on: device)
        let f = try clock.time { () throws(GPUError) in
            try DeviceArray(device: device, copying: uniformInput(seed: 42, count: rows * cols))
        }
        let out = try DeviceArray<Double>(device: device, count: outCount)
        let dx2 = config.dx * config.dx, dy2 = config.dy * config.dy
        let weight = 2 / dx2 + 2 / dy2
        let rx = exactReciprocal(dx2), ry = exactReciprocal(dy2)
        let exact = rx != nil && ry != nil
        let args = KernelArguments([f, out, Int32(rows), Int32(cols), dx2, dy2, rx ?? 0, ry ?? 0, weight,
                                    Int32(exact ? 1 : 0)])
        let grid = GPUDim(blocks(cols - 2, 32), blocks(rows - 2, 8))
        try requireGrid(grid, "\(rows)x\(cols) grid")
        return GPURun(
            run: { () throws(GPUError) in try function.launch(grid: grid, block: GPUDim(32, 8), args) },
            validation: { () throws(GPUError) in
                try withHostCopy(out) { values in
                    let s = Summary(values)
                    return [ValidationValue("sum", s.sum.value), ValidationValue("sum_abs", s.sumAbs.value)]
                }
            })
    }
}

func add(_ config: VectorAdd.Config) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        let n = config.n
        try requireMemory(24 * n, on: device)
        let kernel = StudyKernels.add
        _ = try kernel.module.load(on: device)
        let a = try clock.time { () throws(GPUError) in try DeviceArray(device: device, copying: uniformInput(seed: 1, count: n)) }
        let b = try clock.time { () throws(GPUError) in try DeviceArray(device: device, copying: uniformInput(seed: 2, count: n)) }
        let out = try DeviceArray<Double>(device: device, count: n)
        return GPURun(
            run: { () throws(GPUError) in try kernel.launch(on: device, n: n, arguments: [a, b, out]) },
            validation: { () throws(GPUError) in
                try withHostCopy(out) { [ValidationValue("sum", Summary($0).sum.value)] }
            })
    }
}

// MARK: - Diffusion

func diffusion(_ config: Diffusion.Config, tiled: Bool) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        let (rows, cols) = (config.rows, config.cols)
        let count = rows * cols
        try requireMemory(3 * 8 * count, on: device)
        let module = try StudyKernels.diffusion.load(on: device)
        let step = try module.function("celer_diffusion_step")
        let fused = try module.function("celer_diffusion_tiled")
        // The initial grid: zero, 0.005 on rows int(0.4R)..<int(0.5R), columns int(0.4C)..<int(0.5C).
        var grid = [Double](repeating: 0, count: count)
        for i in Int(0.4 * Double(rows))..<Int(0.5 * Double(rows)) {
            for j in Int(0.4 * Double(cols))..<Int(0.5 * Double(cols)) { grid[i * cols + j] = 0.005 }
        }
        let initial = try clock.time { () throws(GPUError) in try DeviceArray(device: device, copying: grid) }
        let a = try DeviceArray<Double>(device: device, count: count)
        let b = try DeviceArray<Double>(device: device, count: count)
        let weight = config.diffusivity * config.dt
        let depth = tiled ? GPURungs.diffusionDepth : 1
        let (tileRows, tileCols) = (32, 64)
        let passes = (config.steps + depth - 1) / depth
        try requireGrid(GPUDim(blocks(cols, 32), blocks(rows, 8)), "\(rows)x\(cols) grid")
        /// Pass p of P (1-based) reads `initial` first, then the grids alternate so the last writes `a`.
        func grids(_ p: Int) -> (DeviceArray<Double>, DeviceArray<Double>) {
            let dst = (passes - p) % 2 == 0 ? a : b
            let src = p == 1 ? initial : ((passes - p) % 2 == 0 ? b : a)
            return (src, dst)
        }
        return GPURun(
            run: { () throws(GPUError) in
                if config.steps == 0 { try a.copy(from: initial); return }
                for p in 1...passes {
                    let (src, dst) = grids(p)
                    if tiled {
                        let k = min(depth, config.steps - (p - 1) * depth)
                        let shared = 2 * (tileRows + 2 * k) * (tileCols + 2 * k) * 8
                        try fused.launch(grid: GPUDim(blocks(cols, tileCols), blocks(rows, tileRows)), block: GPUDim(64, 8),
                                         sharedBytes: shared,
                                         arguments: [src, dst, Int32(rows), Int32(cols), weight, Int32(k),
                                                     Int32(tileRows), Int32(tileCols)])
                    } else {
                        try step.launch(grid: GPUDim(blocks(cols, 32), blocks(rows, 8)), block: GPUDim(32, 8),
                                        arguments: [src, dst, Int32(rows), Int32(cols), weight])
                    }
                }
            },
            validation: { () throws(GPUError) in
                try withHostCopy(a) { values in
                    let s = Summary(values)
                    return [ValidationValue("sum", s.sum.value), ValidationValue("max", s.maximum),
                            ValidationValue("sum_sq", s.sumSquares.value)]
                }
            })
    }
}

// MARK: - Sieve

/// The odd primes 3 ... limit (a plain sieve on the host: the sieving
/// primes ≤ √N, at most 78498 of them for N = 10^12).
func oddPrimes(upTo limit: Int) -> [UInt32] {
    guard limit >= 3 else { return [] }
    var composite = [Bool](repeating: false, count: limit + 1)
    var primes: [UInt32] = []
    var p = 3
    while p <= limit {
        if !composite[p] {
            primes.append(UInt32(p))
            var m = p * p
            while m <= limit { composite[m] = true; m += 2 * p }
        }
        p += 2
    }
    return primes
}

/// ⌊√n⌋.
func integerRoot(_ n: Int) -> Int {
    guard n > 0 else { return 0 }
    var r = Int(Double(n).squareRoot())
    while r * r > n { r -= 1 }
    while (r + 1) * (r + 1) <= n { r += 1 }
    return r
}

/// An upper bound on π(n) (Rosser–Schoenfeld for n ≥ 17), for the output array.
func primeCountBound(_ n: Int) -> Int {
    if n < 17 { return [0, 0, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6][max(n, 0)] }
    return Int(1.25506 * Double(n) / log(Double(n))) + 1
}

func sieve(_ config: Sieve.Config) -> Preparation {
    gpuPreparation { (device, clock) throws(GPUError) in
        let limit = config.limit
        let oddCount = (limit + 1) / 2
        let segments = (oddCount + StudyKernels.sieveSegmentBits - 1) / StudyKernels.sieveSegmentBits
        let arrayMode = !config.countOnly
        let wordBytes = arrayMode ? segments * StudyKernels.sieveSegmentWords * 4 : 0
        let capacity = arrayMode ? primeCountBound(limit) : 0
        try requireMemory(wordBytes + segments * 12 + capacity * 8, on: device)
        let module = try StudyKernels.sieve.load(on: device)
        let segmentKernel = try module.function("celer_sieve_segments")
        let offsetsKernel = try module.function("celer_sieve_offsets")
        let compactKernel = try module.function("celer_sieve_compact")
        let sievingPrimes = oddPrimes(upTo: integerRoot(limit))
        let primesIn = try clock.time { () throws(GPUError) in
            try DeviceArray(device: device, copying: sievingPrimes.isEmpty ? [UInt32(0)] : sievingPrimes)
        }
        let words = try DeviceArray<UInt32>(device: device, count: max(1, wordBytes / 4))
        let counts = try DeviceArray<UInt32>(device: device, count: max(1, segments))
        let offsets = try DeviceArray<UInt64>(device: device, count: max(1, segments))
        let total = try DeviceArray<UInt64>.zeros(device: device, count: 1)
        let primes = try DeviceArray<Int64>(device: device, count: max(1, capacity))
        if arrayMode && limit >= 2 {  // 2, the one even prime, at index 0 (the kernels write from 1 on)
            try [Int64(2)].withUnsafeBufferPointer { (p) throws(GPUError) in try primes[0..<1].copy(from: p) }
        }
        return GPURun(
            run: { () throws(GPUError) in
                guard segments > 0 else { return }
                try segmentKernel.launch(grid: GPUDim(segments), block: GPUDim(StudyKernels.sieveThreads),
                                         arguments: [primesIn, Int32(sievingPrimes.count), UInt64(oddCount),
                                                     arrayMode ? DevicePointer(words.address) : DevicePointer.null, counts])
                try offsetsKernel.launch(grid: GPUDim(1), block: GPUDim(1024),
                                         arguments: [counts, Int32(segments), offsets, total])
                if arrayMode {
                    try compactKernel.launch(grid: GPUDim(segments), block: GPUDim(StudyKernels.sieveThreads),
                                             arguments: [words, offsets, primes, Int64(limit >= 2 ? 1 : 0)])
                }
            },
            validation: { () throws(GPUError) in
                let odd = segments > 0 ? Int(try total.toArray()[0]) : 0
                let count = odd + (limit >= 2 ? 1 : 0)
                guard arrayMode else { return [ValidationValue("count", count, countsWork: true)] }
                guard count <= capacity else { return [ValidationValue("count", count, countsWork: true)] }
                let sum = try withHostCopy(primes[0..<count]) { values -> Int64 in
                    var s: Int64 = 0
                    for v in values { s &+= v }
                    return s
                }
                return [ValidationValue("count", count, countsWork: true), ValidationValue("sum", sum)]
            })
    }
}
