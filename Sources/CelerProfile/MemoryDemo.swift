import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// The two memory lessons of the sieve of Eratosthenes, measured:
///
/// 1. Building the flag array by concatenating two arrays
///    (`[false, false] + [true] * (limit - 1)` in Python) holds both the
///    right-hand array and the result at once: a transient peak about twice
///    the array's size. Allocating it once (`[true] * (limit + 1)`, then
///    clearing two flags) peaks at its size.
/// 2. A flag of one byte (`Bool`) takes an eighth of a flag of eight bytes
///    (`Int`, the size of each element of a Python list).
public enum MemoryDemo {
    /// Flags 0…limit, all true but 0 and 1, by concatenation.
    @inline(never)
    public static func flagsByConcatenation(limit: Int) -> [Bool] {
        let head = [false, false]
        let tail = [Bool](repeating: true, count: limit - 1)
        return head + tail
    }

    /// The same flags, allocated once.
    @inline(never)
    public static func flagsInOneAllocation(limit: Int) -> [Bool] {
        var flags = [Bool](repeating: true, count: limit + 1)
        flags[0] = false
        flags[1] = false
        return flags
    }

    /// Crosses out multiples in place; returns the number of primes ≤ limit.
    @inline(never)
    public static func crossOut(_ flags: inout [Bool]) -> Int {
        let limit = flags.count - 1
        var n = 2
        while n * n <= limit {
            if flags[n] {
                var i = n * n
                while i <= limit { flags[i] = false; i += n }
            }
            n += 1
        }
        var count = 0
        for f in flags where f { count += 1 }
        return count
    }

    /// One measured step of the demo.
    public struct Step: Sendable {
        public let name: String
        public let memory: MemoryDelta
        public let seconds: Double
    }

    /// Runs both lessons under spans `sieve (concatenation)` and `sieve (one
    /// allocation)` (each with `create_sieve_list` and `cross_out_sieve`
    /// inside, as in memory_profiler's timestamp example) and the flag-size
    /// comparison, each step in a labelled phase of `sampler` when given.
    /// Returns each step's heap counts (malloc counting must be possible).
    /// Without `crossOut`, only the flag arrays are made (quicker in tests).
    public static func run(limit: Int, sampler: MemorySampler? = nil, pause: Double = 0.03,
                           crossOut: Bool = true) -> [Step] {
        precondition(limit >= 2, "limit must be at least 2")
        var steps: [Step] = []
        func step(_ name: String, _ body: () -> Void) {
            sampler?.beginPhase(name)
            MemoryPhase.announceBegin(name)
            let t0 = monotonicNanos()
            // The arrays are made on this thread: count its allocations alone.
            let (_, delta) = AllocationCounter.measure(scope: .thread) { body() }
            let seconds = Double(monotonicNanos() - t0) * 1e-9
            MemoryPhase.announceEnd()
            sampler?.endPhase()
            steps.append(Step(name: name, memory: delta, seconds: seconds))
            if pause > 0 { sleepSeconds(pause) }
        }
        var primes = [0, 0]
        let doCrossOut = crossOut
        step("concatenation") {
            profile("sieve (concatenation)") {
                var flags = profile("create_sieve_list") { flagsByConcatenation(limit: limit) }
                primes[0] = doCrossOut ? profile("cross_out_sieve") { Self.crossOut(&flags) } : -1
                blackHole(flags)
            }
        }
        step("one allocation") {
            profile("sieve (one allocation)") {
                var flags = profile("create_sieve_list") { flagsInOneAllocation(limit: limit) }
                primes[1] = doCrossOut ? profile("cross_out_sieve") { Self.crossOut(&flags) } : -1
                blackHole(flags)
            }
        }
        precondition(primes[0] == primes[1], "the two sieves disagree")
        // Each array is held for `pause` so that a memory plot shows it.
        step("8-byte flags [Int]") {
            profile("8-byte flags [Int]") {
                let flags = [Int](repeating: 1, count: limit + 1)
                if pause > 0 { sleepSeconds(pause) }
                blackHole(flags)
            }
        }
        step("1-byte flags [Bool]") {
            profile("1-byte flags [Bool]") {
                let flags = [Bool](repeating: true, count: limit + 1)
                if pause > 0 { sleepSeconds(pause) }
                blackHole(flags)
            }
        }
        lastPrimeCount = primes[0]
        return steps
    }

    nonisolated(unsafe) public static var lastPrimeCount = 0

    static func sleepSeconds(_ s: Double) {
        var ts = timespec(tv_sec: Int(s), tv_nsec: Int((s - Double(Int(s))) * 1e9))
        nanosleep(&ts, nil)
    }
}
