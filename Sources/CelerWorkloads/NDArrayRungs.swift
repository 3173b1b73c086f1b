import CelerArray
import CelerCore
import CelerHarness

// The `ndarray` rungs: the case studies written the way the tutorials write
// them with NumPy (slices and whole-array operations, temporaries and all),
// on CelerArray. Each operation is one pass of the strided driver, so these
// show what "NumPy-style" costs in Swift; the bespoke rungs show what fusing
// the passes gains. Results are bit-identical to the definitions in
// docs/workloads.md: the same operations in the same order, never fused
// into FMA. NumPy spelling in the comments.

/// Section 4: `(f[:-2] - 2*f[1:-1] + f[2:]) / dx**2`.
func ndarrayDerivative(f: NDArray<Double>, dx: Double) -> NDArray<Double> {
    (f[.to(-2)] - 2 * f[.s(1, -1)] + f[.from(2)]) / (dx * dx)
}

/// Section 5, from slices of `f`, left to right:
/// `(f[:-2,1:-1] + f[2:,1:-1])/dx2 + (f[1:-1,:-2] + f[1:-1,2:])/dy2 - f[1:-1,1:-1]*(2/dx2 + 2/dy2)`.
/// With `out` (shape (N−2, M−2)) the result is written there and `out` is
/// returned (one temporary for the middle term); without, a new array.
func ndarrayLaplacian(f: NDArray<Double>, dx: Double, dy: Double, out: NDArray<Double>?) -> NDArray<Double> {
    let dx2 = dx * dx, dy2 = dy * dy
    let centre = 2 / dx2 + 2 / dy2
    let up = f[.to(-2), .s(1, -1)], down = f[.from(2), .s(1, -1)]
    let left = f[.s(1, -1), .to(-2)], right = f[.s(1, -1), .from(2)]
    let middle = f[.s(1, -1), .s(1, -1)]
    guard let out else {
        return (up + down) / dx2 + (left + right) / dy2 - middle * centre
    }
    // np.add(up, down, out=out); out /= dx2; tmp = left + right; tmp /= dy2; out += tmp; tmp = middle*c; out -= tmp
    try! add(up, down, out: out)
    out /= dx2
    let term = left + right
    term /= dy2
    out += term
    try! multiply(middle, NDArray(scalar: centre), out: term)
    out -= term
    return out
}

/// Section 6, in place on `u`, periodic boundaries from rolled slices
/// (`np.roll(u, ±1, axis)` into preallocated buffers):
/// `lap = ((up + down) + left) + right - 4*u; u += (D*dt) * lap` per step.
func ndarrayDiffusion(u: NDArray<Double>, steps: Int, dt: Double, D: Double) {
    let lap = NDArray<Double>.empty(u.shape)
    let shifted = NDArray<Double>.empty(u.shape)
    let rate = D * dt
    for _ in 0..<steps {
        try! roll(u, 1, axis: 0, out: lap)          // up:    u[i-1][j]
        try! roll(u, -1, axis: 0, out: shifted)     // down:  u[i+1][j]
        lap += shifted
        try! roll(u, 1, axis: 1, out: shifted)      // left:  u[i][j-1]
        lap += shifted
        try! roll(u, -1, axis: 1, out: shifted)     // right: u[i][j+1]
        lap += shifted
        try! multiply(u, NDArray(scalar: 4), out: shifted)
        lap -= shifted
        lap *= rate
        u += lap
    }
}

/// Section 7: `np.add(a, b, out=out)`.
func ndarrayAdd(a: NDArray<Double>, b: NDArray<Double>, out: NDArray<Double>) {
    try! add(a, b, out: out)
}

/// Section 3, the NumPy sieve over odd numbers (as `peers/impl_numpy.py`
/// writes it, so the two are compared like with like):
/// `odd = np.ones((limit + 1) // 2, bool)` with `odd[k]` standing for 2k+1,
/// `odd[0] = False`, `odd[q*q//2::q] = False` for each odd prime q ≤ √limit,
/// then `np.concatenate(([2], 2 * np.flatnonzero(odd) + 1))`.
func ndarraySieve(limit: Int) -> NDArray<Int64> {
    guard limit >= 2 else { return NDArray<Int64>.zeros([0]) }
    let odd = NDArray<Bool>.ones([(limit + 1) / 2])
    odd[element: 0] = false
    var k = 1
    while (2 * k + 1) * (2 * k + 1) <= limit {
        if odd[element: k] {
            let q = 2 * k + 1
            odd[.from(q * q / 2, step: q)] = false
        }
        k += 1
    }
    let primes = odd.nonzero()[0]
    primes *= 2
    primes += 1
    return try! concatenate([NDArray<Int64>([2]), primes])
}

extension NDArray where Element == Double {
    /// A contiguous array holding a copy of `buffer`, shaped `shape` (1-D by default).
    init(copying buffer: AlignedBuffer<Double>, shape: [Int]? = nil) {
        self = NDArray.empty(shape ?? [buffer.count])
        baseAddress.update(from: buffer.pointer, count: buffer.count)
    }
}
