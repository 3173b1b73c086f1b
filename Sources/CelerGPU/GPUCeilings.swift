import CelerHarness
import Synchronization

/// The GPU's ceilings for the "% of peak" column: the device-to-device copy
/// bandwidth measured once per process (1 GiB each way, best of five, timed
/// with events), and the FP64 peak from the device's attributes. A source
/// for `CeilingSources([machineCeilings, GPUCeilings.shared])`.
public final class GPUCeilings: CeilingSource, Sendable {
    public static let shared = GPUCeilings()
    private let measured = Mutex<Double??>(nil)

    /// Bytes per second read plus written by a device-to-device copy, or nil without a device.
    public func bandwidth() -> Double? {
        measured.withLock { cached in
            if let known = cached { return known }
            let value = try? GPU.defaultDevice().measureCopyBandwidth()
            cached = .some(value)
            return value
        }
    }

    public func ceiling(for bound: Work.Bound, backend: Backend) -> Double? {
        guard case .gpu = backend, let device = try? GPU.defaultDevice() else { return nil }
        switch bound {
        case .memory: return bandwidth().map { $0 / 1e9 }
        case .compute: return device.fp64Peak.map { $0 / 1e9 }
        }
    }
}

extension GPUDevice {
    /// Read + write bytes per second of `cuMemcpyDtoD` over `bytes` (best of five).
    public func measureCopyBandwidth(bytes: Int = 1 << 30) throws(GPUError) -> Double {
        let n = bytes / 8
        let a = try DeviceArray<Double>.zeros(device: self, count: n)
        let b = try DeviceArray<Double>(device: self, count: n)
        let start = try GPUEvent(device: self), end = try GPUEvent(device: self)
        try b.copy(from: a)
        var best = Double.infinity
        for _ in 0..<5 {
            try start.record()
            try b.copy(from: a)
            try end.record()
            best = min(best, try GPUEvent.seconds(from: start, to: end))
        }
        guard best > 0, best.isFinite else { throw .invalidArgument("copy timed at \(best) s") }
        return 2 * Double(a.byteCount) / best
    }
}
