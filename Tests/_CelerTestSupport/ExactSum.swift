/// The exactly rounded sum of `values` (Shewchuk's algorithm, as Python's
/// `math.fsum`): a list of non-overlapping partial sums, added exactly, then
/// rounded once. An oracle for checking the error of faster sums; quadratic
/// in the worst case, so for test-sized inputs.
public func exactSum(_ values: [Double]) -> Double {
    var partials: [Double] = []
    for var x in values {
        var kept = 0
        for var y in partials {
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            let lo = y - (hi - x)
            if lo != 0 { partials[kept] = lo; kept += 1 }
            x = hi
        }
        partials.removeSubrange(kept...)
        partials.append(x)
    }
    // Round the expansion once, from the top (partials are increasing).
    var hi = 0.0
    var n = partials.count
    if n > 0 {
        n -= 1
        hi = partials[n]
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
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
    }
    return hi
}
