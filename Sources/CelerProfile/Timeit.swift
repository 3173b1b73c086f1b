import CelerCore

/// The result of `Timeit.measure`: per-loop times of each repeat.
public struct TimeitResult: Sendable, CustomStringConvertible {
    /// Calls of the closure per repeat (auto-ranged unless given).
    public let number: Int
    /// Seconds per call, one value per repeat.
    public let perLoop: TimingStats

    /// Python's timeit style: "200 loops, best of 5: 1.23 ms per loop (median 1.25 ms ± 0.02 ms)".
    public var description: String {
        "\(number) loop\(number == 1 ? "" : "s"), best of \(perLoop.samples.count): "
            + "\(Fmt.seconds(perLoop.min)) per loop (median \(Fmt.seconds(perLoop.median)), "
            + "mean \(Fmt.seconds(perLoop.mean)) ± \(Fmt.seconds(perLoop.stddev)))"
    }
}

/// The result of `Timeit.compare`: A and B timed alternately.
public struct PairedComparison: Sendable, CustomStringConvertible {
    public let number: Int
    public let a: TimingStats
    public let b: TimingStats
    /// time(B) / time(A) for each pair: above 1 means A is faster.
    public let ratios: [Double]
    public var medianRatio: Double { TimingStats(ratios).median }

    public var description: String {
        "A: \(Fmt.seconds(a.median)) per loop, B: \(Fmt.seconds(b.median)) per loop (medians of \(ratios.count) pairs, \(number) loops each); "
            + "B/A = \(Fmt.fixed(medianRatio, 3)) (pairs: \(Fmt.fixed(TimingStats(ratios).min, 3))…\(Fmt.fixed(TimingStats(ratios).max, 3)))"
    }
}

/// Python's `timeit` for Swift closures. The closure's result goes to
/// `blackHole`, so a release build cannot delete the work.
public enum Timeit {
    /// How many calls make one repeat last at least `targetSeconds`: tries
    /// 1, 2, 5, 10, 20, 50, … calls (as Python's `Timer.autorange`).
    public static func autorange<T>(targetSeconds: Double = 0.2, _ body: () throws -> T) rethrows -> Int {
        var base = 1
        while true {
            for factor in [1, 2, 5] {
                let number = base * factor
                let t = try time(number, body)
                if t >= targetSeconds || number >= 1 << 40 { return number }
            }
            base *= 10
        }
    }

    /// Seconds for `number` calls of `body`.
    @inline(never)
    public static func time<T>(_ number: Int, _ body: () throws -> T) rethrows -> Double {
        let t0 = monotonicNanos()
        for _ in 0..<number { blackHole(try body()) }
        return Double(monotonicNanos() &- t0) * 1e-9
    }

    /// Times `body`: `warmup` untimed calls, then `repeats` repeats of
    /// `number` calls each (auto-ranged to ~`targetSeconds` per repeat when nil).
    public static func measure<T>(repeats: Int = 5, number: Int? = nil, warmup: Int = 1,
                                  targetSeconds: Double = 0.2, _ body: () throws -> T) rethrows -> TimeitResult {
        precondition(repeats >= 1, "repeats must be at least 1")
        for _ in 0..<warmup { blackHole(try body()) }
        let n = try number ?? autorange(targetSeconds: targetSeconds, body)
        var perLoop: [Double] = []
        for _ in 0..<repeats { perLoop.append(try time(n, body) / Double(n)) }
        return TimeitResult(number: n, perLoop: TimingStats(perLoop))
    }

    /// Times `a` and `b` alternately (A B A B …) so that slow drifts of the
    /// machine (frequency, other load) hit both alike; each pair gives a ratio.
    /// `number` is auto-ranged on `a` when nil.
    public static func compare<A, B>(pairs: Int = 10, number: Int? = nil, targetSeconds: Double = 0.1,
                                     _ a: () throws -> A, _ b: () throws -> B) rethrows -> PairedComparison {
        precondition(pairs >= 1, "pairs must be at least 1")
        blackHole(try a()); blackHole(try b())
        let n = try number ?? autorange(targetSeconds: targetSeconds, a)
        var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
        for _ in 0..<pairs {
            let x = try time(n, a) / Double(n)
            let y = try time(n, b) / Double(n)
            ta.append(x); tb.append(y); ratios.append(y / x)
        }
        return PairedComparison(number: n, a: TimingStats(ta), b: TimingStats(tb), ratios: ratios)
    }
}
