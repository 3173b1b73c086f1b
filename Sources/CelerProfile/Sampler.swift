import CelerCore
import Synchronization
import _CelerSampler
#if canImport(Glibc)
import Glibc
#endif

/// Whether the span profiler should publish its current span to the sampler.
let samplerLabelsOn = Atomic<Bool>(false)

/// The sampling profiler in this process: `Sampler.start()` … `Sampler.stop()`
/// around any region. Every thread is sampled on its own CPU-time clock
/// (threads started later too); each sample is the stack, unwound through
/// frame pointers, and the span profiler's current span on that thread
/// (its label). The signal handler and timers are C (`_CelerSampler`).
public enum Sampler {
    /// Samples per CPU second asked of the timers by default. Prime, so the
    /// sampling does not beat with periodic work. The kernel delivers at
    /// most its tick rate (HZ) per thread; samples carry their weight.
    public static let defaultHz = 997

    public static var isRunning: Bool { celer_sampler_running() != 0 }

    /// Starts sampling all threads at `hz` (1...10000) samples per CPU second.
    public static func start(hz: Int = defaultHz) throws(CelerError) {
        guard (1...10_000).contains(hz) else {
            throw CelerError.invalidOption("--hz", "\(hz)", allowed: "give 1 to 10000 samples per second")
        }
        let rc = celer_sampler_start(Int32(hz))
        guard rc == 0 else {
            throw CelerError("sampler", rc == EALREADY ? "already running" : "cannot start: \(String(cString: strerror(rc)))")
        }
        samplerLabelsOn.store(true, ordering: .relaxed)
        if Profiler.isEnabled { Profiler.publishCurrentSpan() }
    }

    /// Stops sampling and returns the symbolised samples (labels named
    /// after the spans they were taken in).
    public static func stop() throws(CelerError) -> SampleProfile {
        samplerLabelsOn.store(false, ordering: .relaxed)
        _ = celer_sampler_stop()
        let raw = try stopRaw()
        let exe = raw.program
        var profile = raw.symbolized(identity: (try? ELFFile(exe))?.identity ?? "")
        profile.command = CommandLine.arguments
        profile.labels = Profiler.spanLabels(Set(profile.samples.map(\.label)))
        return profile
    }

    /// The raw samples of the last run (after `celer_sampler_stop`).
    static func stopRaw() throws(CelerError) -> RawSamples {
        let path = "/tmp/celer-sampler-\(getpid())-\(monotonicNanos()).raw"
        let rc = celer_sampler_write_raw(path)
        guard rc == 0 else { throw CelerError(path, "cannot write raw samples: \(String(cString: strerror(rc)))") }
        defer { unlink(path) }
        return try RawSamples(path: path)
    }
}
