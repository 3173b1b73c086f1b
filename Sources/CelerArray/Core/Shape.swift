import CelerCore

/// Shape and stride arithmetic. Strides count elements (not bytes, unlike
/// NumPy) and may be negative (reversed views) or zero (broadcast views).
public enum Layout {
    /// Row-major (C order) strides of a contiguous array of `shape`.
    @inlinable
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            step *= Swift.max(shape[d], 1)
        }
        return strides
    }

    /// Dense strides for a new array of `shape` whose memory order follows
    /// `operands` (their strides, broadcast to `shape`): NumPy's order "K",
    /// so `a.T + 1` is laid out like `a.T` and runs as one flat loop instead
    /// of a transpose. Axes are ordered outermost first by the first operand
    /// that tells them apart (non-zero, unequal strides on axes longer than
    /// 1); axes no operand orders keep row-major order.
    @inlinable
    public static func keepOrderStrides(_ shape: [Int], like operands: [[Int]]) -> [Int] {
        let n = shape.count
        guard n > 1 else { return contiguousStrides(shape) }
        func outside(_ x: Int, _ y: Int) -> Bool {
            guard shape[x] > 1 && shape[y] > 1 else { return false }
            for s in operands {
                let sx = Swift.abs(s[x]), sy = Swift.abs(s[y])
                if sx == 0 || sy == 0 || sx == sy { continue }
                return sx > sy
            }
            return false
        }
        var axes = Array(0..<n)
        for i in 1..<n {
            var j = i
            while j > 0 && outside(axes[j], axes[j - 1]) { axes.swapAt(j, j - 1); j -= 1 }
        }
        var strides = [Int](repeating: 0, count: n)
        var step = 1
        for axis in axes.reversed() {
            strides[axis] = step
            step *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// Whether `strides` cover `shape` densely in some axis order: the
    /// absolute strides, sorted, are the contiguous strides of the sorted shape.
    @inlinable
    public static func isDense(_ shape: [Int], _ strides: [Int]) -> Bool {
        let axes = (0..<shape.count).filter { shape[$0] != 1 }.sorted { Swift.abs(strides[$0]) < Swift.abs(strides[$1]) }
        var step = 1
        for axis in axes {
            if shape[axis] == 0 { return true }
            if Swift.abs(strides[axis]) != step { return false }
            step *= shape[axis]
        }
        return true
    }

    /// The number of elements of `shape`.
    @inlinable
    public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Whether `strides` walk `shape` in row-major order with no gap
    /// (dimensions of size 1 may have any stride).
    @inlinable
    public static func isContiguous(_ shape: [Int], _ strides: [Int]) -> Bool {
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if shape[d] == 0 { return true }
            if strides[d] != step { return false }
            step *= shape[d]
        }
        return true
    }

    /// The shape NumPy's broadcasting rules give `shapes`: align them on the
    /// right; each dimension must be equal across shapes or 1.
    @inlinable
    public static func broadcastShapes(_ shapes: [[Int]]) throws(CelerError) -> [Int] {
        guard let first = shapes.first else { return [] }
        var ndim = 0, allEqual = true
        for shape in shapes {
            ndim = Swift.max(ndim, shape.count)
            allEqual = allEqual && shape == first
        }
        if allEqual { return first }
        var result = [Int](repeating: 1, count: ndim)
        for shape in shapes {
            let pad = ndim - shape.count
            for (d, n) in shape.enumerated() {
                let r = result[pad + d]
                if r == n || n == 1 { continue }
                if r == 1 { result[pad + d] = n; continue }
                throw ArrayError.broadcast(shapes)
            }
        }
        return result
    }

    /// Strides that view an array of `shape`/`strides` as the broadcast
    /// `target` shape: stride 0 along new and stretched dimensions.
    @inlinable
    public static func broadcastStrides(_ shape: [Int], _ strides: [Int], to target: [Int]) throws(CelerError) -> [Int] {
        if shape == target { return strides }
        let pad = target.count - shape.count
        guard pad >= 0 else { throw ArrayError.broadcast([shape, target]) }
        var result = [Int](repeating: 0, count: target.count)
        for d in 0..<shape.count {
            if shape[d] == target[pad + d] { result[pad + d] = strides[d] }
            else if shape[d] == 1 { result[pad + d] = 0 }
            else { throw ArrayError.broadcast([shape, target]) }
        }
        return result
    }

    /// The lowest and highest element offsets a view touches (relative to its
    /// own first element), or nil when it is empty.
    @inlinable
    public static func extent(_ shape: [Int], _ strides: [Int]) -> (low: Int, high: Int)? {
        var low = 0, high = 0
        for d in 0..<shape.count {
            if shape[d] == 0 { return nil }
            let span = (shape[d] - 1) * strides[d]
            if span < 0 { low += span } else { high += span }
        }
        return (low, high)
    }
}
