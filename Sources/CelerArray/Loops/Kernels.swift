import CelerCore

// Inner loops. A kernel is a tiny value type whose `callAsFunction` is the
// operation on one element; its `run` is the inner loop over a strided run,
// with a default that picks a contiguous, a broadcast-scalar or a general
// strided loop from the strides. The contiguous loops load a block of 8
// elements before storing 8 results, so the compiler can vectorise them even
// when the output is one of the inputs (in-place), which defeats the runtime
// alias checks of the loop vectoriser.
//
// Kernels are generic parameters of the driver (never closures), so every
// operation is compiled as its own specialised loop in the caller's module.

/// An operation of one operand, element by element.
public protocol UnaryKernel {
    associatedtype Input: NDArrayElement
    associatedtype Output: NDArrayElement
    func callAsFunction(_ x: Input) -> Output
    /// `out[i·os] = self(x[i·xs])` for `i < n`.
    func run(_ n: Int, _ out: UnsafeMutablePointer<Output>, _ os: Int, _ x: UnsafePointer<Input>, _ xs: Int)
}

/// An operation of two operands, element by element.
public protocol BinaryKernel {
    associatedtype A: NDArrayElement
    associatedtype B: NDArrayElement
    associatedtype Output: NDArrayElement
    func callAsFunction(_ a: A, _ b: B) -> Output
    /// `out[i·os] = self(a[i·as], b[i·bs])` for `i < n`.
    func run(_ n: Int, _ out: UnsafeMutablePointer<Output>, _ os: Int,
             _ a: UnsafePointer<A>, _ sa: Int, _ b: UnsafePointer<B>, _ sb: Int)
}

/// An operation of three operands (`where`, `clip` with array bounds).
public protocol TernaryKernel {
    associatedtype A: NDArrayElement
    associatedtype B: NDArrayElement
    associatedtype C: NDArrayElement
    associatedtype Output: NDArrayElement
    func callAsFunction(_ a: A, _ b: B, _ c: C) -> Output
}

extension UnaryKernel {
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Output>, _ os: Int, _ x: UnsafePointer<Input>, _ xs: Int) {
        if os == 1 && xs == 1 {
            var i = 0
            while i &+ 8 <= n {
                let x0 = x[i], x1 = x[i &+ 1], x2 = x[i &+ 2], x3 = x[i &+ 3]
                let x4 = x[i &+ 4], x5 = x[i &+ 5], x6 = x[i &+ 6], x7 = x[i &+ 7]
                out[i] = self(x0); out[i &+ 1] = self(x1); out[i &+ 2] = self(x2); out[i &+ 3] = self(x3)
                out[i &+ 4] = self(x4); out[i &+ 5] = self(x5); out[i &+ 6] = self(x6); out[i &+ 7] = self(x7)
                i &+= 8
            }
            while i < n { out[i] = self(x[i]); i &+= 1 }
        } else if xs == 0 {
            let v = self(x[0])
            for i in 0..<n { out[i &* os] = v }
        } else {
            for i in 0..<n { out[i &* os] = self(x[i &* xs]) }
        }
    }
}

extension BinaryKernel {
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Output>, _ os: Int,
                    _ a: UnsafePointer<A>, _ sa: Int, _ b: UnsafePointer<B>, _ sb: Int) {
        if os == 1 && sa == 1 && sb == 1 {
            var i = 0
            while i &+ 8 <= n {
                let a0 = a[i], a1 = a[i &+ 1], a2 = a[i &+ 2], a3 = a[i &+ 3]
                let a4 = a[i &+ 4], a5 = a[i &+ 5], a6 = a[i &+ 6], a7 = a[i &+ 7]
                let b0 = b[i], b1 = b[i &+ 1], b2 = b[i &+ 2], b3 = b[i &+ 3]
                let b4 = b[i &+ 4], b5 = b[i &+ 5], b6 = b[i &+ 6], b7 = b[i &+ 7]
                out[i] = self(a0, b0); out[i &+ 1] = self(a1, b1)
                out[i &+ 2] = self(a2, b2); out[i &+ 3] = self(a3, b3)
                out[i &+ 4] = self(a4, b4); out[i &+ 5] = self(a5, b5)
                out[i &+ 6] = self(a6, b6); out[i &+ 7] = self(a7, b7)
                i &+= 8
            }
            while i < n { out[i] = self(a[i], b[i]); i &+= 1 }
        } else if os == 1 && sa == 1 && sb == 0 {
            let bv = b[0]
            var i = 0
            while i &+ 8 <= n {
                let a0 = a[i], a1 = a[i &+ 1], a2 = a[i &+ 2], a3 = a[i &+ 3]
                let a4 = a[i &+ 4], a5 = a[i &+ 5], a6 = a[i &+ 6], a7 = a[i &+ 7]
                out[i] = self(a0, bv); out[i &+ 1] = self(a1, bv)
                out[i &+ 2] = self(a2, bv); out[i &+ 3] = self(a3, bv)
                out[i &+ 4] = self(a4, bv); out[i &+ 5] = self(a5, bv)
                out[i &+ 6] = self(a6, bv); out[i &+ 7] = self(a7, bv)
                i &+= 8
            }
            while i < n { out[i] = self(a[i], bv); i &+= 1 }
        } else if os == 1 && sa == 0 && sb == 1 {
            let av = a[0]
            var i = 0
            while i &+ 8 <= n {
                let b0 = b[i], b1 = b[i &+ 1], b2 = b[i &+ 2], b3 = b[i &+ 3]
                let b4 = b[i &+ 4], b5 = b[i &+ 5], b6 = b[i &+ 6], b7 = b[i &+ 7]
                out[i] = self(av, b0); out[i &+ 1] = self(av, b1)
                out[i &+ 2] = self(av, b2); out[i &+ 3] = self(av, b3)
                out[i &+ 4] = self(av, b4); out[i &+ 5] = self(av, b5)
                out[i &+ 6] = self(av, b6); out[i &+ 7] = self(av, b7)
                i &+= 8
            }
            while i < n { out[i] = self(av, b[i]); i &+= 1 }
        } else {
            for i in 0..<n { out[i &* os] = self(a[i &* sa], b[i &* sb]) }
        }
    }
}

// MARK: - Loop bodies: kernels bound to base pointers

@usableFromInline
struct UnaryLoop<K: UnaryKernel>: StridedLoopBody {
    @usableFromInline let kernel: K
    @usableFromInline let out: UnsafeMutablePointer<K.Output>
    @usableFromInline let x: UnsafePointer<K.Input>
    /// Whether contiguous runs of the output are written with streaming stores.
    @usableFromInline let streaming: Bool
    @inlinable init(kernel: K, out: UnsafeMutablePointer<K.Output>, x: UnsafePointer<K.Input>, streaming: Bool = false) {
        self.kernel = kernel; self.out = out; self.x = x; self.streaming = streaming
    }
    @inlinable @inline(__always)
    func run(count: Int, offsets: UnsafePointer<Int>, strides: UnsafePointer<Int>) {
        let o = out + offsets[0], px = x + offsets[1], sx = strides[1]
        if streaming && strides[0] == 1 {
            StreamingStores.run(count, o) { start, m, buffer in kernel.run(m, buffer, 1, px + start &* sx, sx) }
            return
        }
        kernel.run(count, o, strides[0], px, sx)
    }
    @inlinable
    func runTile(rows: Int, count: Int, offsets: UnsafePointer<Int>, inner: UnsafePointer<Int>, outer: UnsafePointer<Int>,
                 operands: Int, scratch: UnsafeMutableRawPointer) {
        let o = out + offsets[0], px = x + offsets[1]
        let tx = transposedTile(px, rows: rows, count: count, inner: inner[1], outer: outer[1], buffer: scratch)
        for r in 0..<rows {
            let rx = tx.map { ($0 + r &* tilePitch(count), 1) } ?? (px + r &* outer[1], inner[1])
            kernel.run(count, o + r &* outer[0], inner[0], rx.0, rx.1)
        }
    }
}

@usableFromInline
struct BinaryLoop<K: BinaryKernel>: StridedLoopBody {
    @usableFromInline let kernel: K
    @usableFromInline let out: UnsafeMutablePointer<K.Output>
    @usableFromInline let a: UnsafePointer<K.A>
    @usableFromInline let b: UnsafePointer<K.B>
    /// Whether contiguous runs of the output are written with streaming stores.
    @usableFromInline let streaming: Bool
    @inlinable init(kernel: K, out: UnsafeMutablePointer<K.Output>, a: UnsafePointer<K.A>, b: UnsafePointer<K.B>,
                    streaming: Bool = false) {
        self.kernel = kernel; self.out = out; self.a = a; self.b = b; self.streaming = streaming
    }
    @inlinable @inline(__always)
    func run(count: Int, offsets: UnsafePointer<Int>, strides: UnsafePointer<Int>) {
        let o = out + offsets[0], pa = a + offsets[1], pb = b + offsets[2], sa = strides[1], sb = strides[2]
        if streaming && strides[0] == 1 {
            StreamingStores.run(count, o) { start, m, buffer in
                kernel.run(m, buffer, 1, pa + start &* sa, sa, pb + start &* sb, sb)
            }
            return
        }
        kernel.run(count, o, strides[0], pa, sa, pb, sb)
    }
    @inlinable
    func runTile(rows: Int, count: Int, offsets: UnsafePointer<Int>, inner: UnsafePointer<Int>, outer: UnsafePointer<Int>,
                 operands: Int, scratch: UnsafeMutableRawPointer) {
        let o = out + offsets[0], pa = a + offsets[1], pb = b + offsets[2]
        let ta = transposedTile(pa, rows: rows, count: count, inner: inner[1], outer: outer[1], buffer: scratch)
        let tb = transposedTile(pb, rows: rows, count: count, inner: inner[2], outer: outer[2],
                                buffer: scratch + StridedLoop.tileScratchBytes)
        for r in 0..<rows {
            let ra = ta.map { ($0 + r &* tilePitch(count), 1) } ?? (pa + r &* outer[1], inner[1])
            let rb = tb.map { ($0 + r &* tilePitch(count), 1) } ?? (pb + r &* outer[2], inner[2])
            kernel.run(count, o + r &* outer[0], inner[0], ra.0, ra.1, rb.0, rb.1)
        }
    }
}

@usableFromInline
struct TernaryLoop<K: TernaryKernel>: StridedLoopBody {
    @usableFromInline let kernel: K
    @usableFromInline let out: UnsafeMutablePointer<K.Output>
    @usableFromInline let a: UnsafePointer<K.A>
    @usableFromInline let b: UnsafePointer<K.B>
    @usableFromInline let c: UnsafePointer<K.C>
    @inlinable init(kernel: K, out: UnsafeMutablePointer<K.Output>, a: UnsafePointer<K.A>, b: UnsafePointer<K.B>, c: UnsafePointer<K.C>) {
        self.kernel = kernel; self.out = out; self.a = a; self.b = b; self.c = c
    }
    @inlinable @inline(__always)
    func run(count: Int, offsets: UnsafePointer<Int>, strides: UnsafePointer<Int>) {
        let o = out + offsets[0], pa = a + offsets[1], pb = b + offsets[2], pc = c + offsets[3]
        let so = strides[0], sa = strides[1], sb = strides[2], sc = strides[3]
        for i in 0..<count { o[i &* so] = kernel(pa[i &* sa], pb[i &* sb], pc[i &* sc]) }
    }
}

// MARK: - Applying kernels to arrays

extension NDArray {
    /// Whether writing `self` element by element could change elements of
    /// `input` that are still to be read: they share storage, the views differ
    /// and their memory ranges meet. Such inputs are copied first, as NumPy does.
    @inlinable
    func mayOverwriteUnread<T>(_ input: NDArray<T>) -> Bool {
        guard sharesStorage(with: input) else { return false }
        if offset == input.offset && shape == input.shape && strides == input.strides { return false }
        guard let (l0, h0) = Layout.extent(shape, strides),
              let (l1, h1) = Layout.extent(input.shape, input.strides) else { return false }
        return offset + l0 <= input.offset + h1 && input.offset + l1 <= offset + h0
    }

    /// `input`, or a copy of it when writing `self` could clobber it.
    @inlinable
    func safeInput<T>(_ input: NDArray<T>) -> NDArray<T> {
        mayOverwriteUnread(input) ? input.copy() : input
    }
}

/// Writes `kernel(x)` into `out`, broadcasting `x` to `out`'s shape.
@inlinable
public func apply<K: UnaryKernel>(_ kernel: K, _ x: NDArray<K.Input>, out: NDArray<K.Output>) throws(CelerError) {
    let x = out.safeInput(x)
    let xs = try Layout.broadcastStrides(x.shape, x.strides, to: out.shape)
    withExtendedLifetime((x, out)) {
        StridedLoop.execute(UnaryLoop(kernel: kernel, out: out.baseAddress, x: x.baseAddress,
                                      streaming: StreamingStores.worthwhile(out, x)),
                            shape: out.shape, strides: [out.strides, xs])
    }
}

/// Writes `kernel(a, b)` into `out`, broadcasting `a` and `b` to `out`'s shape.
@inlinable
public func apply<K: BinaryKernel>(_ kernel: K, _ a: NDArray<K.A>, _ b: NDArray<K.B>, out: NDArray<K.Output>) throws(CelerError) {
    let a = out.safeInput(a), b = out.safeInput(b)
    let sa: [Int], sb: [Int]
    do {
        sa = try Layout.broadcastStrides(a.shape, a.strides, to: out.shape)
        sb = try Layout.broadcastStrides(b.shape, b.strides, to: out.shape)
    } catch {
        throw ArrayError.broadcast([a.shape, b.shape, out.shape])
    }
    withExtendedLifetime((a, b, out)) {
        StridedLoop.execute(BinaryLoop(kernel: kernel, out: out.baseAddress, a: a.baseAddress, b: b.baseAddress,
                                       streaming: StreamingStores.worthwhile(out, a, b)),
                            shape: out.shape, strides: [out.strides, sa, sb])
    }
}

/// Writes `kernel(a, b, c)` into `out`, broadcasting the operands to `out`'s shape.
@inlinable
public func apply<K: TernaryKernel>(_ kernel: K, _ a: NDArray<K.A>, _ b: NDArray<K.B>, _ c: NDArray<K.C>, out: NDArray<K.Output>) throws(CelerError) {
    let a = out.safeInput(a), b = out.safeInput(b), c = out.safeInput(c)
    let sa: [Int], sb: [Int], sc: [Int]
    do {
        sa = try Layout.broadcastStrides(a.shape, a.strides, to: out.shape)
        sb = try Layout.broadcastStrides(b.shape, b.strides, to: out.shape)
        sc = try Layout.broadcastStrides(c.shape, c.strides, to: out.shape)
    } catch {
        throw ArrayError.broadcast([a.shape, b.shape, c.shape, out.shape])
    }
    withExtendedLifetime((a, b, c, out)) {
        StridedLoop.execute(TernaryLoop(kernel: kernel, out: out.baseAddress, a: a.baseAddress, b: b.baseAddress, c: c.baseAddress),
                            shape: out.shape, strides: [out.strides, sa, sb, sc])
    }
}

/// Strides for a new array of `shape` in the memory order of the operands
/// (given as shape and strides, broadcastable to `shape`): NumPy's order "K".
/// Row-major whenever every operand is.
@inlinable
public func keepOrderStrides(_ shape: [Int], _ operands: [(shape: [Int], strides: [Int])]) -> [Int] {
    if operands.allSatisfy({ Layout.isContiguous($0.shape, $0.strides) }) { return Layout.contiguousStrides(shape) }
    let broadcast = operands.compactMap { try? Layout.broadcastStrides($0.shape, $0.strides, to: shape) }
    return Layout.keepOrderStrides(shape, like: broadcast)
}

/// `kernel(x)` as a new array, laid out in `x`'s memory order.
@inlinable
public func map<K: UnaryKernel>(_ kernel: K, _ x: NDArray<K.Input>) -> NDArray<K.Output> {
    let out = x.isContiguous ? NDArray<K.Output>(uninitializedShape: x.shape)
        : NDArray<K.Output>(uninitializedShape: x.shape, strides: keepOrderStrides(x.shape, [(x.shape, x.strides)]))
    trapping { () throws(CelerError) in try apply(kernel, x, out: out) }
    return out
}

/// `kernel(a, b)` as a new array of the broadcast shape, laid out in the
/// operands' memory order.
@inlinable
public func map<K: BinaryKernel>(_ kernel: K, _ a: NDArray<K.A>, _ b: NDArray<K.B>) throws(CelerError) -> NDArray<K.Output> {
    let shape = try Layout.broadcastShapes([a.shape, b.shape])
    let out = a.isContiguous && b.isContiguous ? NDArray<K.Output>(uninitializedShape: shape)
        : NDArray<K.Output>(uninitializedShape: shape, strides: keepOrderStrides(shape, [(a.shape, a.strides), (b.shape, b.strides)]))
    try apply(kernel, a, b, out: out)
    return out
}

/// `kernel(a, b, c)` as a new array of the broadcast shape, laid out in the
/// operands' memory order.
@inlinable
public func map<K: TernaryKernel>(_ kernel: K, _ a: NDArray<K.A>, _ b: NDArray<K.B>, _ c: NDArray<K.C>) throws(CelerError) -> NDArray<K.Output> {
    let shape = try Layout.broadcastShapes([a.shape, b.shape, c.shape])
    let out = NDArray<K.Output>(uninitializedShape: shape,
                                strides: keepOrderStrides(shape, [(a.shape, a.strides), (b.shape, b.strides), (c.shape, c.strides)]))
    try apply(kernel, a, b, c, out: out)
    return out
}
