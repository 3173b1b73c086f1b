import CelerCore
import CelerParallel

// dot and matmul for 1-D and 2-D arrays: a plain blocked kernel (no BLAS).
// C[i, j] accumulates a[i, p]·b[p, j] over p in increasing order, one multiply
// and one add each (never fused), vectorised along j; rows of C are dealt to
// threads; blocks of `kBlock` rows of B and `jBlock` columns stay in cache.

extension NDArray where Element: NDArrayNumeric {
    /// NumPy's `dot`/`@` for 1-D and 2-D operands: vector·vector (a 0-d
    /// array), matrix·vector, vector·matrix, matrix·matrix; throws naming both
    /// shapes when the inner dimensions differ.
    @inlinable
    public func matmul(_ other: NDArray) throws(CelerError) -> NDArray {
        guard (1...2).contains(ndim), (1...2).contains(other.ndim) else {
            throw ArrayError.invalid("shape", "matmul supports 1-D and 2-D operands, got \(shapeDescription(shape)) and \(shapeDescription(other.shape))")
        }
        let a = ndim == 1 ? reshaped(1, count) : self
        let b = other.ndim == 1 ? other.reshaped(other.count, 1) : other
        guard a.shape[1] == b.shape[0] else {
            throw ArrayError.invalid("shape", "matmul: shapes \(shapeDescription(shape)) and \(shapeDescription(other.shape)) not aligned: \(a.shape[1]) (dim \(ndim - 1)) != \(b.shape[0]) (dim 0)")
        }
        let c = matmul2D(a.ascontiguous(), b.ascontiguous())
        switch (ndim, other.ndim) {
        case (1, 1): return try c.reshaped([Int]())
        case (1, 2): return c.reshaped(c.count)
        case (2, 1): return c.reshaped(c.count)
        default: return c
        }
    }

    /// `matmul` that traps on mismatched shapes.
    @inlinable
    public func dot(_ other: NDArray) -> NDArray { trapping { () throws(CelerError) in try matmul(other) } }
}

/// The matrix product `a @ b` (NumPy's `matmul`); throws naming both shapes
/// when the inner dimensions differ.
@inlinable
public func matmul<Element: NDArrayNumeric>(_ a: NDArray<Element>, _ b: NDArray<Element>) throws(CelerError) -> NDArray<Element> {
    try a.matmul(b)
}

@usableFromInline let matmulKBlock = 128
@usableFromInline let matmulJBlock = 512

/// C = A·B for contiguous A (m×k) and B (k×n).
@inlinable
func matmul2D<T: NDArrayNumeric>(_ a: NDArray<T>, _ b: NDArray<T>) -> NDArray<T> {
    let m = a.shape[0], k = a.shape[1], n = b.shape[1]
    let c = NDArray<T>.zeros([m, n])
    let pa = a.baseAddress, pb = b.baseAddress, pc = c.baseAddress
    let work = m * n * Swift.max(k, 1)
    func rows(_ range: Range<Int>) {
        var j0 = 0
        while j0 < n {
            let j1 = Swift.min(j0 + matmulJBlock, n)
            var p0 = 0
            while p0 < k {
                let p1 = Swift.min(p0 + matmulKBlock, k)
                for i in range {
                    let crow = pc + i * n
                    for p in p0..<p1 {
                        let aip = pa[i * k + p]
                        let brow = pb + p * n
                        for j in j0..<j1 { crow[j] = T.ndAdd(crow[j], T.ndMultiply(aip, brow[j])) }
                    }
                }
                p0 = p1
            }
            j0 = j1
        }
    }
    withExtendedLifetime((a, b, c)) {
        if work < StridedLoop.parallelThreshold || m < 2 { rows(0..<m) } else {
            parallelFor(0..<m, schedule: .dynamic(Swift.max(1, m / 16))) { rows($0) }
        }
    }
    return c
}
