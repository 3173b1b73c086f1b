import CelerArray
import CelerCore
import ComplexModule

// Checks that need a GPU, runnable from the `celer` binary (`celer gpu
// --selftest`) on a machine without a Swift toolchain, and from the test
// suite when a device is present. Each check returns a one-line detail or
// throws; none crashes on failure.

/// A report of the GPU setup: driver, devices, NVRTC, cache.
public enum GPUReport {
    public static func lines() -> [String] {
        var lines: [String] = []
        switch CUDADriver.shared {
        case .success(let d):
            lines.append("driver: CUDA \(d.versionString) (\(d.libraryPath), entry points by \(d.resolvedBy))")
        case .failure(let e):
            lines.append("driver: \(e.reason)")
        }
        switch GPU.availability {
        case .available(_, let devices):
            for d in devices {
                var line = "device \(d.ordinal): \(d.label), \(d.totalMemory >> 20) MiB, \(d.multiprocessors) SMs, L2 \(d.l2CacheBytes >> 20) MiB"
                if let bw = d.theoreticalBandwidth { line += ", data-sheet bandwidth \(Int(bw / 1e9)) GB/s" }
                lines.append(line)
            }
        case .unavailable:
            lines.append("devices: none")
        }
        switch NVRTC.shared {
        case .success(let n):
            lines.append("nvrtc: \(n.versionString) (\(n.libraryPath)\(n.builtinsPath.map { ", builtins \($0)" } ?? ""))")
            lines.append("nvrtc architectures: \(n.supportedArchs.map { "sm_\($0)" }.joined(separator: " "))")
        case .failure(let e):
            lines.append("nvrtc: \(e.reason)")
        }
        lines.append("kernel cache: \(KernelDiskCache.shared?.directory ?? "off (CELER_GPU_CACHE=0)")")
        return lines
    }
}

/// The on-device checks.
public enum GPUSelfTest {
    public struct Check: Sendable {
        public let name: String
        public let body: @Sendable (GPUDevice) throws -> String
    }

    public struct Outcome: Sendable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }

    /// Runs every check on device 0; a missing device is one failed outcome.
    public static func run() -> [Outcome] {
        let device: GPUDevice
        do { device = try GPU.defaultDevice() } catch {
            return [Outcome(name: "device", passed: false, detail: "\(error)")]
        }
        return checks.map { check in
            do { return Outcome(name: check.name, passed: true, detail: try check.body(device)) } catch {
                return Outcome(name: check.name, passed: false, detail: "\(error)")
            }
        }
    }

    public static let checks: [Check] = [
        Check(name: "round trip of every element type through NDArray") { device in
            func trip<T: GPUElement & NDArrayElement>(_ values: [T]) throws {
                let a = try NDArray<T>(values, shape: [values.count / 2, 2])
                let d = try DeviceArray(device: device, copying: a)
                let back = try d.toNDArray()
                try require(back.shape == a.shape && back.scalars == values, "\(T.self) round trip differs")
                try require(try d[1..<3].toArray() == Array(values[1..<3]), "\(T.self) view differs")
            }
            try trip((0..<1000).map { Double($0) * 0.5 - 7 })
            try trip((0..<1000).map { Float($0) * 0.25 })
            try trip((0..<1000).map { Int64($0) * -3_000_000_007 })
            try trip((0..<1000).map { Int32($0) - 500 })
            try trip((0..<1000).map { UInt8(truncatingIfNeeded: $0) })
            try trip((0..<1000).map { $0 % 3 == 0 })
            try trip((0..<1000).map { Complex(Double($0), -Double($0)) })
            return "Double Float Int64 Int32 UInt8 Bool Complex<Double>, views"
        },
        Check(name: "pinned buffers, streams, async copies") { device in
            let n = 1 << 20
            let pinned = try PinnedBuffer<Double>(device: device, count: n)
            for k in 0..<n { pinned.pointer[k] = Double(k) }
            let stream = try GPUStream(device: device, nonBlocking: true)
            let d = try DeviceArray<Double>(device: device, count: n)
            try d.copy(from: UnsafeBufferPointer(pinned.buffer), stream: stream)
            let back = try PinnedBuffer<Double>(device: device, count: n)
            try d.copy(to: back.buffer, stream: stream)
            try stream.synchronize()
            try require((0..<n).allSatisfy { back.pointer[$0] == Double($0) }, "async copy differs")
            return "\(n) doubles in and out on a non-blocking stream"
        },
        Check(name: "ElementwiseKernel saxpy is exact") { device in
            let k = try ElementwiseKernel("selftest_saxpy", [.scalar("a", Double.self), .input("x", Double.self),
                                                             .input("y", Double.self), .output("z", Double.self)],
                                          "z = a * x + y")
            let n = 1_000_003
            let g = SplitMix64(seed: 3)
            let x = (0..<n).map { g.uniform($0) }, y = (0..<n).map { g.uniform($0 + n) }
            let dx = try DeviceArray(device: device, copying: x), dy = try DeviceArray(device: device, copying: y)
            let dz = try DeviceArray<Double>(device: device, count: n)
            try k.launch(on: device, n: n, arguments: [1.7, dx, dy, dz])
            let z = try dz.toArray()
            try require((0..<n).allSatisfy { z[$0] == 1.7 * x[$0] + y[$0] }, "saxpy differs from the CPU's (FMA?)")
            return "\(n) elements bit-identical to Swift's 1.7 * x + y"
        },
        Check(name: "ReductionKernel sum, max, count") { device in
            let n = 3_000_001
            let values = (0..<n).map { Double($0 % 1000) }
            let d = try DeviceArray(device: device, copying: values)
            let sum = try ReductionKernel("selftest_sum", [.input("x", Double.self)], Double.self,
                                          map: "x", reduce: "a + b", identity: "0.0")
            let s: Double = try sum(on: device, n: n, arguments: [d], as: Double.self)
            try require(s == values.reduce(0, +), "sum \(s) != \(values.reduce(0, +))")
            let ints = try DeviceArray(device: device, copying: (0..<n).map { Int32(($0 * 7919) % 1_000_003) - 500_000 })
            let max = try ReductionKernel("selftest_max", [.input("v", Int32.self)], Int32.self,
                                          map: "v", reduce: "a > b ? a : b", identity: "(-2147483647 - 1)")
            let m: Int32 = try max(on: device, n: n, arguments: [ints], as: Int32.self)
            try require(m == 500_002, "max \(m)")
            let empty: Double = try sum(on: device, n: 0, arguments: [d], as: Double.self)
            try require(empty == 0, "empty reduction gives \(empty), not the identity")
            return "sum \(s), max \(m), empty = identity"
        },
        Check(name: "a module is compiled and loaded once per device") { device in
            _ = try StudyKernels.stencils.load(on: device)
            let before = device.loadedModuleCount
            let again = try StudyKernels.stencils.load(on: device)
            try require(device.loadedModuleCount == before, "module loaded twice")
            return "\(before) modules loaded, target \(again.target)"
        },
        Check(name: "out of memory is an error") { device in
            do {
                _ = try DeviceArray<Double>(device: device, count: device.totalMemory)  // 8x the device
                throw Failure("allocated 8x the device memory")
            } catch let error as GPUError {
                guard case .outOfMemory = error else { throw Failure("unexpected \(error)") }
                _ = try DeviceArray<Double>(device: device, count: 1 << 20)  // still usable
                return "\(error)"
            }
        },
        Check(name: "bad launches are errors") { device in
            let f = try StudyKernels.stencils.function("celer_derivative", on: device)
            do {
                try f.launch(grid: GPUDim(1), block: GPUDim(device.maxThreadsPerBlock * 2), arguments: [])
                throw Failure("launched an oversized block")
            } catch let error as GPUError {
                return "\(error)"
            }
        },
        Check(name: "events time a device copy (bandwidth)") { device in
            let bandwidth = try device.measureCopyBandwidth()
            var detail = "device-to-device copy: \(Int(bandwidth / 1e9)) GB/s (read + write, 1 GiB, best of 5)"
            if let sheet = device.theoreticalBandwidth { detail += "; data sheet \(Int(sheet / 1e9)) GB/s" }
            if let peak = device.fp64Peak { detail += "; FP64 peak \(Int(peak / 1e9)) GFLOP/s" }
            return detail
        },
    ]
}
