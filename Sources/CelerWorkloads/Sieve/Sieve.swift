import CelerCore
import CelerHarness
import CelerParallel
#if canImport(Glibc)
import Glibc
#endif

/// The Sieve of Eratosthenes: the primes ≤ N as an ascending array of
/// `Int64` (or, with `countOnly`, just π(N)), up a ladder from the tutorials'
/// `Bool`-per-number sieve to a segmented mod-30 wheel on every core.
///
/// Memory: the whole-array rungs (`naive`, `bytes`, `bits`) hold a flag per
/// number, per odd number or a bit per odd number (N, N/2, N/16 bytes); the
/// segmented rungs hold one segment per thread (half of L2) and
/// the state of the sieving primes ≤ √N, so counting needs no memory that
/// grows with N. The whole-array rungs therefore refuse limits above
/// `wholeArrayLimit` (see `refusal(rung:_:)`).
public enum Sieve: CaseStudy {
    public struct Config: Sendable, Equatable {
        /// Primes ≤ limit (inclusive).
        public var limit: Int
        /// Count the primes instead of returning them.
        public var countOnly: Bool
        /// Bytes per segment of the segmented rungs (30 numbers per byte), a
        /// multiple of 64.
        public var segmentBytes: Int

        /// `segmentBytes` is rounded down to a multiple of 64, at least 64.
        public init(limit: Int, countOnly: Bool = false, segmentBytes: Int = Sieve.defaultSegmentBytes) {
            self.limit = limit; self.countOnly = countOnly
            self.segmentBytes = max(64, segmentBytes / 64 * 64)
        }
    }

    public static let name = "sieve"
    public static let summary = "Sieve of Eratosthenes: the primes ≤ N as an array (or π(N) with --count-only)"
    public static let optionsHelp = """
        --limit N (primes ≤ N; small 100000, default and seed 30000000; \
        up to \(maxArrayLimit) for the array, \(maxCountLimit) with --count-only), \
        --count-only (count only; naive, bytes and bits refuse N > \(wholeArrayLimit): \
        use --variant segmented,parallel)
        """

    /// The largest limit for which the primes are returned as an array (about 0.8 GB of primes).
    public static let maxArrayLimit = 1 << 31
    /// The largest limit for counting (π(10^12) takes minutes on two cores).
    public static let maxCountLimit = 1_000_000_000_000
    /// The largest limit the whole-array rungs accept (the naive one needs N bytes).
    public static let wholeArrayLimit = 1 << 31

    /// Segment size: half the L2 cache (the rest holds the pre-sieve
    /// patterns, the sieving primes' state and the output stream), 512 KiB
    /// if unknown. Larger segments mean fewer visits per sieving prime.
    public static let defaultSegmentBytes: Int = {
        let l2 = SystemInfo.cacheSize(level: 2) ?? (1 << 20)
        return min(max(l2 / 2, 32 * 1024), 1 << 20) / 64 * 64
    }()

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "a Bool per number, while loops from p², then collect (the tutorials' version)",
                 prepare: prepareNaive),
            Rung("ndarray", "NumPy style on NDArray: is_prime[n*n::n] = False, then nonzero",
                 backend: .threads, prepare: prepareNDArray),
            Rung("bytes", "one byte per odd number, unsafe pointers, no bounds checks",
                 prepare: prepareBytes),
            Rung("bits", "one bit per odd number (N/16 bytes), primes read with trailing-zero counts",
                 prepare: prepareBits),
            Rung("segmented", "mod-30 wheel in L2-sized segments, pre-sieved patterns, 8 crossings per turn",
                 prepare: prepareSegmented),
            Rung("parallel", "blocks of segments on all threads; counts, prefix sum, primes written in place",
                 backend: .threads, prepare: prepareParallel),
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let limit: Int
        if let given = options.limit {
            limit = given
        } else {
            switch options.preset {
            case .small: limit = 100_000
            case .default, .seed: limit = 30_000_000
            }
        }
        let maximum = options.countOnly ? maxCountLimit : maxArrayLimit
        guard limit >= 0, limit <= maximum else {
            let allowed = options.countOnly
                ? "use 0 ≤ N ≤ \(maxCountLimit)"
                : "use 0 ≤ N ≤ \(maxArrayLimit) (add --count-only to count up to \(maxCountLimit))"
            throw CelerError.invalidOption("--limit", "\(limit)", allowed: allowed)
        }
        return Config(limit: limit, countOnly: options.countOnly)
    }

    public static func parameters(_ config: Config) -> [Parameter] {
        [Parameter("limit", .integer(config.limit)),
         Parameter("count-only", .flag(config.countOnly)),
         Parameter("segment-bytes", .integer(config.segmentBytes))]
    }

    /// π(N) for N = 10^k (6 ≤ k ≤ 12; 10^11 and 10^12 from the published
    /// tables) and count and sum of the primes ≤ 3·10^7.
    public static func expected(_ config: Config) -> [ValidationValue]? {
        let counts: [Int: Int] = [
            1_000_000: 78_498, 10_000_000: 664_579, 100_000_000: 5_761_455,
            1_000_000_000: 50_847_534, 10_000_000_000: 455_052_511,
            100_000_000_000: 4_118_054_813, 1_000_000_000_000: 37_607_912_018,
        ]
        if config.limit == 30_000_000 {
            return config.countOnly
                ? [ValidationValue("count", 1_857_859, countsWork: true)]
                : [ValidationValue("count", 1_857_859, countsWork: true), ValidationValue("sum", Int64(26_942_805_919_966))]
        }
        if config.countOnly, let count = counts[config.limit] { return [ValidationValue("count", count, countsWork: true)] }
        return nil
    }

    /// Work: the bytes that must reach memory are the output (8 per prime);
    /// the segmented rungs keep the N/30 sieve bytes in cache, so this is a
    /// floor, and no floating-point work is done.
    public static func work(_ config: Config, counted: Double?) -> Work {
        // `counted` is π(N), the primes written in array mode.
        let primes = counted ?? 0
        let sieveBytes = Double(config.limit) / 30
        return Work(flops: 0, bytes: sieveBytes + (config.countOnly ? 0 : 8 * primes), bound: .memory)
    }

    /// Why `rung` cannot run `config`, or nil: the whole-array rungs need
    /// memory proportional to N and refuse N > `wholeArrayLimit`. A refused
    /// rung's preparation is `.refused` with the reason.
    public static func refusal(rung: String, _ config: Config) -> CelerError? {
        guard ["naive", "ndarray", "bytes", "bits"].contains(rung), config.limit > wholeArrayLimit else { return nil }
        return CelerError("--limit", "the \(rung) rung holds the whole range in memory and allows N ≤ \(wholeArrayLimit); "
                                     + "use --variant segmented,parallel for N = \(config.limit)")
    }

    // MARK: - Rungs

    /// The output of array-mode runs, allocated in `prepare` (π(N) bound).
    final class PrimeArray: @unchecked Sendable {
        let primes: AlignedBuffer<Int64>
        var count = 0
        init(limit: Int) { primes = AlignedBuffer(uninitializedCount: primeCountUpperBound(limit)) }

        func validation() -> [ValidationValue] {
            var sum: Int64 = 0
            for i in 0..<count { sum += primes.pointer[i] }
            return [ValidationValue("count", count, countsWork: true), ValidationValue("sum", sum)]
        }
    }

    /// A run that validates from a count (count-only mode) or a prime array.
    private static func prepared(_ config: Config, rung: String,
                                 count: @escaping () -> Int,
                                 collect: @escaping (UnsafeMutablePointer<Int64>) -> Int) -> Preparation {
        if let why = refusal(rung: rung, config) {
            return .refused(why.description)
        }
        if config.countOnly {
            var last = 0
            return .ready(run: { last = count() }, validation: { [ValidationValue("count", last, countsWork: true)] })
        }
        let output = PrimeArray(limit: config.limit)
        return .ready(run: { output.count = collect(output.primes.pointer) },
                           validation: output.validation)
    }

    @Sendable static func prepareNaive(_ config: Config) -> Preparation {
        let limit = config.limit
        return prepared(config, rung: "naive",
                        count: { NaiveSieve.count(NaiveSieve.sieve(limit: limit)) },
                        collect: { NaiveSieve.collect(NaiveSieve.sieve(limit: limit), into: $0) })
    }

    @Sendable static func prepareNDArray(_ config: Config) -> Preparation {
        let limit = config.limit
        return prepared(config, rung: "ndarray",
                        count: { ndarraySieve(limit: limit).count },
                        collect: { out in
                            ndarraySieve(limit: limit).withContiguousElements { primes in
                                if let base = primes.baseAddress { out.update(from: base, count: primes.count) }
                                return primes.count
                            }
                        })
    }

    @Sendable static func prepareBytes(_ config: Config) -> Preparation {
        let limit = config.limit
        let flagCount = OddByteSieve.flagCount(limit: limit)
        let flags = AlignedBuffer<UInt8>(uninitializedCount: refusal(rung: "bytes", config) == nil ? flagCount : 0)
        return prepared(config, rung: "bytes",
                        count: {
                            OddByteSieve.sieve(flags.pointer, count: flagCount)
                            return OddByteSieve.count(flags.pointer, count: flagCount, limit: limit)
                        },
                        collect: {
                            OddByteSieve.sieve(flags.pointer, count: flagCount)
                            return OddByteSieve.collect(flags.pointer, count: flagCount, limit: limit, into: $0)
                        })
    }

    @Sendable static func prepareBits(_ config: Config) -> Preparation {
        let limit = config.limit
        let words = AlignedBuffer<UInt64>(
            uninitializedCount: refusal(rung: "bits", config) == nil ? OddBitSieve.wordCount(limit: limit) : 0)
        return prepared(config, rung: "bits",
                        count: {
                            OddBitSieve.sieve(words.pointer, limit: limit)
                            return OddBitSieve.count(words.pointer, limit: limit)
                        },
                        collect: {
                            OddBitSieve.sieve(words.pointer, limit: limit)
                            return OddBitSieve.collect(words.pointer, limit: limit, into: $0)
                        })
    }

    @Sendable static func prepareSegmented(_ config: Config) -> Preparation {
        let context = WheelSieveContext(limit: config.limit, segmentBytes: config.segmentBytes)
        let workspace = WheelWorkspace(context)
        let all = 0..<context.totalBytes
        let capacity = primeCountUpperBound(config.limit)
        return prepared(config, rung: "segmented",
                        count: { countWheelRange(context, workspace, bytes: all) },
                        collect: { extractWheelRange(context, workspace, bytes: all, into: $0, capacity: capacity) })
    }

    @Sendable static func prepareParallel(_ config: Config) -> Preparation {
        let context = WheelSieveContext(limit: config.limit, segmentBytes: config.segmentBytes)
        let sieve = ParallelWheelSieve(context, threads: Parallel.threadCount,
                                       blocksPerThread: config.countOnly ? 16 : 4,
                                       returnsPrimes: !config.countOnly)
        return prepared(config, rung: "parallel", count: sieve.count, collect: sieve.primes(into:))
    }
}

/// An upper bound on π(n): 1.25506·n/ln n for n ≥ 17 (Rosser–Schoenfeld), exact below.
func primeCountUpperBound(_ n: Int) -> Int {
    if n < 17 { return [0, 0, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6][max(n, 0)] }
    return Int(1.25506 * Double(n) / log(Double(n))) + 1
}
