/// The exactly rounded sum of doubles, whatever their order or grouping
/// (Shewchuk's non-overlapping partials, as Python's `math.fsum`).
///
/// Why it exists: a distributed sum is normally the sum of per-rank
/// partial sums, whose bits depend on how the data was cut into ranks. An
/// `ExactSum` keeps the total *exactly* as a short list of non-overlapping
/// doubles, so merging the lists of all ranks and rounding once gives the same
/// bits for 1, 2, 3 … ranks and any decomposition
/// (`Communicator.exactSum`). Cost: a few floating-point operations per term
/// (about 3–5× a plain loop); the list rarely exceeds a handful of doubles.
///
/// Non-finite terms: an infinity or NaN makes the result `+inf`, `-inf` or
/// NaN as IEEE arithmetic would; a finite overflow of the total gives ±inf.
public struct ExactSum: Sendable, Equatable {
    /// Non-overlapping partials, increasing in magnitude; their exact sum is the total.
    public private(set) var partials: [Double] = []
    /// The IEEE sum of the non-finite terms seen (0 when none).
    public private(set) var special: Double = 0

    public init() {}

    /// Adds one term exactly.
    public mutating func add(_ value: Double) {
        guard value.isFinite else { special += value; return }
        var x = value
        var i = 0
        for j in partials.indices {
            var y = partials[j]
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            if !hi.isFinite {
                // The total left the range of doubles: it is ±inf from here on.
                special += hi
                partials.removeAll()
                return
            }
            let lo = y - (hi - x)
            if lo != 0 { partials[i] = lo; i += 1 }
            x = hi
        }
        partials.removeSubrange(i...)
        partials.append(x)
    }

    /// Adds every term of `values`.
    public mutating func add<S: Sequence>(contentsOf values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    /// Adds another exact sum (the partials of another rank), still exactly.
    public mutating func merge(_ other: ExactSum) {
        for p in other.partials { add(p) }
        special += other.special
    }

    /// The exact total rounded once to the nearest double (ties to even).
    public var value: Double {
        if special != 0 || special.isNaN { return special }
        guard var n = partials.indices.last else { return 0 }
        var hi = partials[n]
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partials[n]
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        // Half-way case: correct the rounding when the rest has the same sign as lo.
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
        return hi
    }

    /// Rebuilds a sum from partials and a special part (as sent by another rank).
    public init(partials: [Double], special: Double) {
        self.init()
        for p in partials { add(p) }
        self.special = special
    }

    /// The exactly rounded sum of `values`.
    public static func of<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var s = ExactSum()
        s.add(contentsOf: values)
        return s.value
    }
}
