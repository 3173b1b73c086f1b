import Testing
import CelerHarness
@testable import CelerWorkloads
import CelerCore

/// Primes ≤ n by trial division: slow and obviously right.
private func referencePrimes(_ n: Int) -> [Int64] {
    guard n >= 2 else { return [] }
    var primes: [Int64] = []
    for candidate in 2...n {
        var isPrime = true
        var d = 2
        while d * d <= candidate {
            if candidate % d == 0 { isPrime = false; break }
            d += 1
        }
        if isPrime { primes.append(Int64(candidate)) }
    }
    return primes
}

/// The primes `fill` writes to a buffer of `capacity` elements; fails the
/// test if it writes past them (sentinels follow the buffer).
private func collected(_ capacity: Int, _ fill: (UnsafeMutablePointer<Int64>) -> Int) -> [Int64] {
    let sentinels = 16
    let out = AlignedBuffer<Int64>(repeating: -1, count: capacity + sentinels)
    let n = fill(out.pointer)
    #expect(out.buffer[capacity...].allSatisfy { $0 == -1 }, "wrote past the capacity \(capacity)")
    return Array(out.buffer[0..<n])
}

/// Every array-producing kernel's primes ≤ limit, by name.
private func kernelPrimes(_ limit: Int, segmentBytes: Int = 64) -> [String: [Int64]] {
    let bound = primeCountUpperBound(limit)
    var result: [String: [Int64]] = [:]
    result["naive"] = collected(bound) { NaiveSieve.collect(NaiveSieve.sieve(limit: limit), into: $0) }
    let flagCount = OddByteSieve.flagCount(limit: limit)
    let flags = AlignedBuffer<UInt8>(uninitializedCount: max(flagCount, 1))
    OddByteSieve.sieve(flags.pointer, count: flagCount)
    result["bytes"] = collected(bound) {
        OddByteSieve.collect(flags.pointer, count: flagCount, limit: limit, into: $0)
    }
    let words = AlignedBuffer<UInt64>(uninitializedCount: max(OddBitSieve.wordCount(limit: limit), 1))
    OddBitSieve.sieve(words.pointer, limit: limit)
    result["bits"] = collected(bound) { OddBitSieve.collect(words.pointer, limit: limit, into: $0) }
    let context = WheelSieveContext(limit: limit, segmentBytes: segmentBytes)
    let workspace = WheelWorkspace(context)
    result["segmented"] = collected(bound) {
        extractWheelRange(context, workspace, bytes: 0..<context.totalBytes, into: $0, capacity: bound)
    }
    for blocksPerThread in [1, 3] {
        let parallel = ParallelWheelSieve(context, threads: 2, blocksPerThread: blocksPerThread, returnsPrimes: true)
        result["parallel/\(blocksPerThread)"] = collected(bound) { parallel.primes(into: $0) }
    }
    return result
}

/// Every counting path's π(limit), by name.
private func kernelCounts(_ limit: Int, segmentBytes: Int = 64) -> [String: Int] {
    let flagCount = OddByteSieve.flagCount(limit: limit)
    let flags = AlignedBuffer<UInt8>(uninitializedCount: max(flagCount, 1))
    OddByteSieve.sieve(flags.pointer, count: flagCount)
    let words = AlignedBuffer<UInt64>(uninitializedCount: max(OddBitSieve.wordCount(limit: limit), 1))
    OddBitSieve.sieve(words.pointer, limit: limit)
    let context = WheelSieveContext(limit: limit, segmentBytes: segmentBytes)
    return [
        "naive": NaiveSieve.count(NaiveSieve.sieve(limit: limit)),
        "bytes": OddByteSieve.count(flags.pointer, count: flagCount, limit: limit),
        "bits": OddBitSieve.count(words.pointer, limit: limit),
        "segmented": countWheelRange(context, WheelWorkspace(context), bytes: 0..<context.totalBytes),
        "parallel": ParallelWheelSieve(context, threads: 3, blocksPerThread: 2, returnsPrimes: false).count(),
    ]
}

@Suite struct SieveTests {
    static let smallLimits = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 29, 30, 31, 97, 100, 101, 1000, 65537]

    @Test(arguments: smallLimits)
    func kernelsMatchTrialDivision(limit: Int) {
        let reference = referencePrimes(limit)
        for (name, primes) in kernelPrimes(limit) {
            #expect(primes == reference, "\(name), N=\(limit)")
        }
        for (name, count) in kernelCounts(limit) {
            #expect(count == reference.count, "\(name) count, N=\(limit)")
        }
    }

    /// Limits just around segment ends (8 and 64 bytes: 240 and 1920 numbers)
    /// and around multiples of 30, 64 and 128, against the naive sieve.
    @Test func segmentBoundaries() {
        var limits: Set<Int> = []
        for numbersPerSegment in [240, 1920] {
            for k in [1, 2, 3, 40] {
                for d in [-31, -30, -29, -8, -7, -2, -1, 0, 1, 2, 7, 29, 30, 31] { limits.insert(k * numbersPerSegment + d) }
            }
        }
        for m in [30, 64, 128] {
            for k in [1, 5, 77, 1000] {
                for d in [-1, 0, 1] { limits.insert(k * m + d) }
            }
        }
        limits.insert(9409)  // 97², the first square past the pre-sieve primes
        limits.insert(10201)  // 101², the first sieving prime's square
        for limit in limits.sorted() {
            let naive = NaiveSieve.sieve(limit: limit)
            let reference = collected(primeCountUpperBound(limit)) { NaiveSieve.collect(naive, into: $0) }
            for segmentBytes in [8, 64] {
                let context = WheelSieveContext(limit: limit, segmentBytes: segmentBytes, chunkBytes: 24,
                                                smallPrimeLimit: 300)
                let segmented = collected(primeCountUpperBound(limit)) {
                    extractWheelRange(context, WheelWorkspace(context), bytes: 0..<context.totalBytes, into: $0,
                                      capacity: primeCountUpperBound(limit))
                }
                #expect(segmented == reference, "segment \(segmentBytes) B, N=\(limit)")
                let parallel = ParallelWheelSieve(context, threads: 2, blocksPerThread: 3, returnsPrimes: true)
                #expect(collected(primeCountUpperBound(limit)) { parallel.primes(into: $0) } == reference,
                        "parallel, segment \(segmentBytes) B, N=\(limit)")
            }
        }
    }

    /// Limits around the end of the first default-sized segment, against the bit sieve.
    @Test func defaultSegmentBoundary() {
        let numbers = 30 * Sieve.defaultSegmentBytes
        let words = AlignedBuffer<UInt64>(uninitializedCount: OddBitSieve.wordCount(limit: numbers + 1))
        for limit in [numbers - 1, numbers, numbers + 1] {
            OddBitSieve.sieve(words.pointer, limit: limit)
            let reference = OddBitSieve.count(words.pointer, limit: limit)
            let context = WheelSieveContext(limit: limit, segmentBytes: Sieve.defaultSegmentBytes)
            #expect(countWheelRange(context, WheelWorkspace(context), bytes: 0..<context.totalBytes) == reference,
                    "N=\(limit)")
        }
    }

    /// Wheel sieving with a larger N, small segments (every sieving prime
    /// class, primes stepping over whole segments) against the bit sieve.
    @Test func wheelMatchesBitsAtHalfAMillion() {
        let limit = 500_000 + 29
        let all = kernelPrimes(limit, segmentBytes: 512)
        let reference = all["bits"]!
        #expect(reference.count == 41_540)
        for (name, primes) in all { #expect(primes == reference, "\(name)") }
        // Small primes crossed off in chunks that do and do not divide the segment.
        for (chunk, small) in [(64, 400), (96, 700), (512, 0), (8, 10_000)] {
            let context = WheelSieveContext(limit: limit, segmentBytes: 512, chunkBytes: chunk, smallPrimeLimit: small)
            let primes = collected(primeCountUpperBound(limit)) {
                extractWheelRange(context, WheelWorkspace(context), bytes: 0..<context.totalBytes, into: $0,
                                  capacity: primeCountUpperBound(limit))
            }
            #expect(primes == reference, "chunk \(chunk), small primes < \(small)")
        }
    }

    @Test func primeCountsOfPowersOfTen() {
        for (limit, count) in [(1_000_000, 78_498), (10_000_000, 664_579)] {
            let context = WheelSieveContext(limit: limit, segmentBytes: Sieve.defaultSegmentBytes)
            #expect(countWheelRange(context, WheelWorkspace(context), bytes: 0..<context.totalBytes) == count)
            #expect(ParallelWheelSieve(context, threads: 2, returnsPrimes: false).count() == count)
        }
    }

    /// The public rungs validate against the seed values (count and sum).
    @Test func rungsValidateAtTheSeedSize() throws {
        let config = try Sieve.configure(WorkloadOptions.seedLike())
        let expected = try #require(Sieve.expected(config))
        #expect(expected == [ValidationValue("count", 1_857_859), ValidationValue("sum", Int64(26_942_805_919_966))])
        for rung in Sieve.rungs where rung.name != "naive" {
            let run = rung.prepare(config).ready!
            run.run()
            #expect(run.validation() == expected, "\(rung.name)")
        }
    }

    /// Every rung, array and count-only, agrees on a small preset.
    @Test func rungsAgreeOnTheSmallPreset() throws {
        var options = WorkloadOptions()
        options.preset = .small
        let config = try Sieve.configure(options)
        options.countOnly = true
        let countConfig = try Sieve.configure(options)
        let reference = referencePrimes(config.limit)
        let sum = reference.reduce(0, +)
        for rung in Sieve.rungs {
            let run = rung.prepare(config).ready!
            run.run()
            run.run()  // a second run must reset everything the first one left
            #expect(run.validation() == [ValidationValue("count", reference.count), ValidationValue("sum", sum)],
                    "\(rung.name)")
            let counting = rung.prepare(countConfig).ready!
            counting.run()
            #expect(counting.validation() == [ValidationValue("count", reference.count)], "\(rung.name) count-only")
        }
    }

    @Test func configureChecksTheLimit() throws {
        var options = WorkloadOptions()
        #expect(try Sieve.configure(options).limit == 30_000_000)
        options.limit = 0
        #expect(try Sieve.configure(options).limit == 0)
        for bad in [-1, Sieve.maxArrayLimit + 1] {
            options.limit = bad
            #expect(throws: CelerError.self) { try Sieve.configure(options) }
            do { _ = try Sieve.configure(options) } catch { #expect(error.subject == "--limit") }
        }
        options.countOnly = true
        options.limit = 10_000_000_000
        let big = try Sieve.configure(options)
        #expect(Sieve.expected(big) == [ValidationValue("count", 455_052_511)])
        options.limit = Sieve.maxCountLimit + 1
        #expect(throws: CelerError.self) { try Sieve.configure(options) }
    }

    /// Above the whole-array limit only the segmented rungs run; the others
    /// name the option and validate as refused without allocating.
    @Test func wholeArrayRungsRefuseHugeLimits() throws {
        let config = Sieve.Config(limit: 10_000_000_000, countOnly: true)
        for rung in Sieve.rungs {
            let refusal = Sieve.refusal(rung: rung.name, config)
            if ["segmented", "parallel"].contains(rung.name) {
                #expect(refusal == nil)
            } else {
                #expect(refusal?.subject == "--limit")
                // A typed refusal carrying the same one-line reason, nothing allocated.
                #expect(rung.prepare(config).refusal == refusal?.description)
            }
        }
    }

    /// Blocks tile the wheel bytes exactly, in order, in whole segments when
    /// the range is long and in 64-byte multiples when it is short.
    @Test func blocksTileTheRange() {
        for (limit, segmentBytes) in [(0, 64), (29, 64), (100_000, 64), (100_000, 4096), (30_000_000, 524_288)] {
            let context = WheelSieveContext(limit: limit, segmentBytes: segmentBytes)
            for threads in [1, 2, 3, 8] {
                let blocks = wheelBlocks(context, threads: threads)
                #expect(blocks.first?.lowerBound == 0)
                #expect(blocks.last?.upperBound == context.totalBytes)
                for (a, b) in zip(blocks, blocks.dropFirst()) {
                    #expect(a.upperBound == b.lowerBound && !a.isEmpty)
                    #expect(a.upperBound % 64 == 0, "N=\(limit), \(threads) threads")
                }
                #expect(blocks.count <= max(1, threads * 4))
            }
        }
    }

    /// The first multiple is the smallest p·q ≥ max(p², start) with q coprime to 30.
    @Test func firstMultipleOfASievingPrime() {
        for p in [173, 179, 181, 191, 193, 197, 199, 211, 223, 229, 1009, 65537] {
            for start in stride(from: 0, through: 300_000, by: 30 * 311) {
                let state = firstMultiple(of: p, from: start)
                var q = max(p, (start + p - 1) / p)
                while [2, 3, 5].contains(where: { q % $0 == 0 }) { q += 1 }
                #expect(Int(state.next) == p * q / 30 - start / 30, "p=\(p), start=\(start)")
                #expect(Wheel30.residues[state.wheel] == q % 30)
                #expect(state.k == p / 30)
            }
        }
        for n in [0, 1, 2, 3, 4, 99, 100, 101, 9408, 9409, 9410, 999_999_999_999, 1_000_000_000_000] {
            let r = integerSquareRoot(n)
            #expect(r * r <= n && (r + 1) * (r + 1) > n, "√\(n)")
        }
    }

    /// The run-time offset lookup agrees with the constant offsets, and one
    /// turn of the wheel advances p bytes.
    @Test func wheelOffsets() {
        func check<C: WheelClass>(_: C.Type) {
            for k in [0, 1, 5, 33, 1000, 33_333] {
                for (w, s) in Wheel30.residues.enumerated() {
                    #expect(C.offset(k, wheel: w) == C.offset(k, s), "r=\(C.r), k=\(k), w=\(w)")
                    #expect(C.offset(k, s) == (30 * k + C.r) * (30 + s) / 30 - (30 * k + C.r) * 31 / 30)
                }
            }
        }
        check(WheelClass1.self); check(WheelClass7.self); check(WheelClass11.self); check(WheelClass13.self)
        check(WheelClass17.self); check(WheelClass19.self); check(WheelClass23.self); check(WheelClass29.self)
    }

    @Test func primeCountUpperBoundHolds() {
        let naive = NaiveSieve.sieve(limit: 100_000)
        var count = 0
        for n in 0...100_000 {
            if naive[n] { count += 1 }
            #expect(primeCountUpperBound(n) >= count, "N=\(n)")
            if primeCountUpperBound(n) < count { break }
        }
    }
}

extension WorkloadOptions {
    fileprivate static func seedLike() -> WorkloadOptions {
        var options = WorkloadOptions()
        options.preset = .seed
        return options
    }
}
