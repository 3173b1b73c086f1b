import CelerArray
import CelerCore

// The register machine: each instruction runs over one block of up to
// `Engine.blockSize` elements held in per-thread scratch (1 KiB a register
// for doubles, so a program's temporaries stay in L1), or straight in the
// arrays' memory when a block of an operand is contiguous.
//
// Every element is computed by the same instruction sequence whatever the
// block it falls in, its neighbours, the layout or the thread count, so
// elementwise results are the same bits as NDArray's own operators (which
// run the same kernels: VectorMath for sqrt/exp/log/sin/cos, C's pow).

typealias Registers = UnsafeMutablePointer<UnsafeMutableRawPointer>

@inline(__always)
func reg<T>(_ regs: Registers, _ r: Int, _: T.Type) -> UnsafeMutablePointer<T> {
    regs[r].assumingMemoryBound(to: T.self)
}

@inline(__always)
func loop1<A, O>(_ n: Int, _ o: UnsafeMutablePointer<O>, _ a: UnsafeMutablePointer<A>, _ f: (A) -> O) {
    for i in 0..<n { o[i] = f(a[i]) }
}

@inline(__always)
func loop2<A, O>(_ n: Int, _ o: UnsafeMutablePointer<O>, _ a: UnsafeMutablePointer<A>, _ b: UnsafeMutablePointer<A>, _ f: (A, A) -> O) {
    for i in 0..<n { o[i] = f(a[i], b[i]) }
}

/// Runs one instruction over `n` elements.
func execute(_ ins: Instruction, _ n: Int, _ regs: Registers) {
    switch ins.kind {
    case .load, .constant:
        return
    case .copy:
        regs[ins.dst].copyMemory(from: regs[ins.a0], byteCount: n * ins.dtype.size)
    case .cast(let to):
        castBlock(ins.dtype, to, n, regs[ins.a0], regs[ins.dst])
    case .select:
        let c = reg(regs, ins.a0, Bool.self)
        switch ins.dtype.size {
        case 8: selectLoop(n, reg(regs, ins.dst, UInt64.self), c, reg(regs, ins.a1, UInt64.self), reg(regs, ins.a2, UInt64.self))
        case 4: selectLoop(n, reg(regs, ins.dst, UInt32.self), c, reg(regs, ins.a1, UInt32.self), reg(regs, ins.a2, UInt32.self))
        default: selectLoop(n, reg(regs, ins.dst, UInt8.self), c, reg(regs, ins.a1, UInt8.self), reg(regs, ins.a2, UInt8.self))
        }
    case .unary(let op):
        switch ins.dtype {
        case .float64: floatUnary(op, Double.self, n, regs, ins)
        case .float32: floatUnary(op, Float.self, n, regs, ins)
        case .int64: intUnary(op, Int64.self, n, regs, ins)
        case .int32: intUnary(op, Int32.self, n, regs, ins)
        case .uint8: intUnary(op, UInt8.self, n, regs, ins)
        case .bool: loop1(n, reg(regs, ins.dst, Bool.self), reg(regs, ins.a0, Bool.self)) { !$0 }
        }
    case .binary(let op):
        switch ins.dtype {
        case .float64: floatBinary(op, Double.self, n, regs, ins)
        case .float32: floatBinary(op, Float.self, n, regs, ins)
        case .int64: realBinary(op, Int64.self, n, regs, ins)
        case .int32: realBinary(op, Int32.self, n, regs, ins)
        case .uint8: realBinary(op, UInt8.self, n, regs, ins)
        case .bool: boolBinary(op, n, regs, ins)
        }
    }
}

@inline(__always)
func selectLoop<T>(_ n: Int, _ o: UnsafeMutablePointer<T>, _ c: UnsafeMutablePointer<Bool>,
                   _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>) {
    for i in 0..<n { o[i] = c[i] ? a[i] : b[i] }
}

func floatUnary<T: NDArrayFloatingPoint>(_ op: UnaryOp, _: T.Type, _ n: Int, _ regs: Registers, _ ins: Instruction) {
    let o = reg(regs, ins.dst, T.self), x = reg(regs, ins.a0, T.self)
    switch op {
    case .neg: loop1(n, o, x) { -$0 }
    case .abs: loop1(n, o, x) { Swift.abs($0) }
    case .sqrt: SqrtKernel<T>().run(n, o, 1, x, 1)
    case .exp: ExpKernel<T>().run(n, o, 1, x, 1)
    case .log: LogKernel<T>().run(n, o, 1, x, 1)
    case .sin: SinKernel<T>().run(n, o, 1, x, 1)
    case .cos: CosKernel<T>().run(n, o, 1, x, 1)
    case .not: preconditionFailure("not of \(T.dtypeName)")
    }
}

func intUnary<T: NDArrayReal & FixedWidthInteger>(_ op: UnaryOp, _: T.Type, _ n: Int, _ regs: Registers, _ ins: Instruction) {
    let o = reg(regs, ins.dst, T.self), x = reg(regs, ins.a0, T.self)
    switch op {
    case .neg: loop1(n, o, x) { 0 &- $0 }
    case .abs: loop1(n, o, x) { T.ndAbsolute($0) }
    default: preconditionFailure("\(op) of \(T.dtypeName)")
    }
}

@inline(__always)
func compare<T: Comparable>(_ op: BinaryOp, _ n: Int, _ regs: Registers, _ ins: Instruction, _: T.Type) {
    let o = reg(regs, ins.dst, Bool.self), a = reg(regs, ins.a0, T.self), b = reg(regs, ins.a1, T.self)
    switch op {
    case .lt: loop2(n, o, a, b) { $0 < $1 }
    case .le: loop2(n, o, a, b) { $0 <= $1 }
    case .gt: loop2(n, o, a, b) { $0 > $1 }
    case .ge: loop2(n, o, a, b) { $0 >= $1 }
    case .eq: loop2(n, o, a, b) { $0 == $1 }
    case .ne: loop2(n, o, a, b) { $0 != $1 }
    default: preconditionFailure("\(op) is not a comparison")
    }
}

/// Float add, subtract, multiply, divide, minimum and maximum on eight SIMD
/// lanes (IEEE operations: the same bits as one element at a time). The
/// loops load before they store, so an output may be an input.
@inline(__always)
func simdBinary<V: SIMD>(_ op: BinaryOp, _: V.Type, _ n: Int, _ o: UnsafeMutableRawPointer,
                         _ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool where V.Scalar: BinaryFloatingPoint {
    @inline(__always) func run(_ f: (V, V) -> V) {
        let w = V.scalarCount, size = MemoryLayout<V.Scalar>.stride
        var i = 0
        while i &+ w <= n {
            let y = f(a.loadUnaligned(fromByteOffset: i &* size, as: V.self), b.loadUnaligned(fromByteOffset: i &* size, as: V.self))
            o.storeBytes(of: y, toByteOffset: i &* size, as: V.self)
            i &+= w
        }
        if i < n {
            var x = V(), y = V()
            for j in 0..<(n &- i) {
                x[j] = a.load(fromByteOffset: (i &+ j) &* size, as: V.Scalar.self)
                y[j] = b.load(fromByteOffset: (i &+ j) &* size, as: V.Scalar.self)
            }
            let r = f(x, y)
            for j in 0..<(n &- i) { o.storeBytes(of: r[j], toByteOffset: (i &+ j) &* size, as: V.Scalar.self) }
        }
    }
    switch op {
    case .add: run { $0 + $1 }
    case .sub: run { $0 - $1 }
    case .mul: run { $0 * $1 }
    case .div: run { $0 / $1 }
    case .minimum: run { x, y in y.replacing(with: x, where: (x .<= y) .| (x .!= x)) }
    case .maximum: run { x, y in y.replacing(with: x, where: (x .>= y) .| (x .!= x)) }
    default: return false
    }
    return true
}

func floatBinary<T: NDArrayFloatingPoint>(_ op: BinaryOp, _: T.Type, _ n: Int, _ regs: Registers, _ ins: Instruction) {
    if op.isComparison { return compare(op, n, regs, ins, T.self) }
    if T.self == Double.self, simdBinary(op, SIMD8<Double>.self, n, regs[ins.dst], regs[ins.a0], regs[ins.a1]) { return }
    if T.self == Float.self, simdBinary(op, SIMD8<Float>.self, n, regs[ins.dst], regs[ins.a0], regs[ins.a1]) { return }
    let o = reg(regs, ins.dst, T.self), a = reg(regs, ins.a0, T.self), b = reg(regs, ins.a1, T.self)
    switch op {
    case .add: loop2(n, o, a, b) { $0 + $1 }
    case .sub: loop2(n, o, a, b) { $0 - $1 }
    case .mul: loop2(n, o, a, b) { $0 * $1 }
    case .div: loop2(n, o, a, b) { $0 / $1 }
    case .minimum: loop2(n, o, a, b) { T.ndMinimum($0, $1) }
    case .maximum: loop2(n, o, a, b) { T.ndMaximum($0, $1) }
    case .pow: PowerKernel<T>().run(n, o, 1, a, 1, b, 1)
    default: preconditionFailure("\(op) of \(T.dtypeName)")
    }
}

func realBinary<T: NDArrayReal & FixedWidthInteger>(_ op: BinaryOp, _: T.Type, _ n: Int, _ regs: Registers, _ ins: Instruction) {
    if op.isComparison { return compare(op, n, regs, ins, T.self) }
    let o = reg(regs, ins.dst, T.self), a = reg(regs, ins.a0, T.self), b = reg(regs, ins.a1, T.self)
    switch op {
    case .add: loop2(n, o, a, b) { $0 &+ $1 }
    case .sub: loop2(n, o, a, b) { $0 &- $1 }
    case .mul: loop2(n, o, a, b) { $0 &* $1 }
    case .minimum: loop2(n, o, a, b) { Swift.min($0, $1) }
    case .maximum: loop2(n, o, a, b) { Swift.max($0, $1) }
    default: preconditionFailure("\(op) of \(T.dtypeName)")
    }
}

func boolBinary(_ op: BinaryOp, _ n: Int, _ regs: Registers, _ ins: Instruction) {
    // Bools as bytes (0 or 1), so the loops vectorise.
    let o = reg(regs, ins.dst, UInt8.self), a = reg(regs, ins.a0, UInt8.self), b = reg(regs, ins.a1, UInt8.self)
    switch op {
    case .and: loop2(n, o, a, b) { $0 & $1 }
    case .or: loop2(n, o, a, b) { $0 | $1 }
    case .eq: loop2(n, o, a, b) { $0 == $1 ? 1 : 0 }
    case .ne: loop2(n, o, a, b) { $0 ^ $1 }
    default: preconditionFailure("\(op) of bool")
    }
}

// MARK: - Casts

func castBlock(_ from: DType, _ to: DType, _ n: Int, _ x: UnsafeMutableRawPointer, _ o: UnsafeMutableRawPointer) {
    switch from {
    case .float64: castFrom(Double.self, to, n, x, o)
    case .float32: castFrom(Float.self, to, n, x, o)
    case .int64: castFrom(Int64.self, to, n, x, o)
    case .int32: castFrom(Int32.self, to, n, x, o)
    case .uint8: castFrom(UInt8.self, to, n, x, o)
    case .bool: castFrom(Bool.self, to, n, x, o)
    }
}

func castFrom<S: NDArrayElement>(_: S.Type, _ to: DType, _ n: Int, _ x: UnsafeMutableRawPointer, _ o: UnsafeMutableRawPointer) {
    let px = UnsafePointer(x.assumingMemoryBound(to: S.self))
    switch to {
    case .float64: ConvertKernel<S, Double>().run(n, o.assumingMemoryBound(to: Double.self), 1, px, 1)
    case .float32: ConvertKernel<S, Float>().run(n, o.assumingMemoryBound(to: Float.self), 1, px, 1)
    case .int64: ConvertKernel<S, Int64>().run(n, o.assumingMemoryBound(to: Int64.self), 1, px, 1)
    case .int32: ConvertKernel<S, Int32>().run(n, o.assumingMemoryBound(to: Int32.self), 1, px, 1)
    case .uint8: ConvertKernel<S, UInt8>().run(n, o.assumingMemoryBound(to: UInt8.self), 1, px, 1)
    case .bool: ConvertKernel<S, Bool>().run(n, o.assumingMemoryBound(to: Bool.self), 1, px, 1)
    }
}

/// Fills `n` elements of `dtype` at `o` with the constant `bits`.
func fillConstant(_ bits: UInt64, _ dtype: DType, _ n: Int, _ o: UnsafeMutableRawPointer) {
    switch dtype {
    case .float64: o.assumingMemoryBound(to: Double.self).update(repeating: Double(bitPattern: bits), count: n)
    case .float32: o.assumingMemoryBound(to: Float.self).update(repeating: Float(Double(bitPattern: bits)), count: n)
    case .int64: o.assumingMemoryBound(to: Int64.self).update(repeating: Int64(bitPattern: bits), count: n)
    case .int32: o.assumingMemoryBound(to: Int32.self).update(repeating: Int32(truncatingIfNeeded: Int64(bitPattern: bits)), count: n)
    case .uint8: o.assumingMemoryBound(to: UInt8.self).update(repeating: UInt8(truncatingIfNeeded: bits), count: n)
    case .bool: o.assumingMemoryBound(to: Bool.self).update(repeating: bits != 0, count: n)
    }
}

// MARK: - Moving blocks in and out (by element size: a bit copy)

/// Copies `n` elements of `size` bytes from `src` (step `stride` elements) to contiguous `dst`.
@inline(__always)
func gather(_ size: Int, _ n: Int, _ src: UnsafeRawPointer, _ stride: Int, _ dst: UnsafeMutableRawPointer) {
    switch size {
    case 8: gatherTyped(UInt64.self, n, src, stride, dst)
    case 4: gatherTyped(UInt32.self, n, src, stride, dst)
    default: gatherTyped(UInt8.self, n, src, stride, dst)
    }
}

@inline(__always)
func gatherTyped<T>(_: T.Type, _ n: Int, _ src: UnsafeRawPointer, _ stride: Int, _ dst: UnsafeMutableRawPointer) {
    let s = src.assumingMemoryBound(to: T.self), d = dst.assumingMemoryBound(to: T.self)
    if stride == 0 { d.update(repeating: s[0], count: n); return }
    if stride == 1 { d.update(from: s, count: n); return }
    for i in 0..<n { d[i] = s[i &* stride] }
}

/// Copies `n` contiguous elements of `size` bytes from `src` to `dst` (step `stride`).
@inline(__always)
func scatter(_ size: Int, _ n: Int, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ stride: Int) {
    switch size {
    case 8: scatterTyped(UInt64.self, n, src, dst, stride)
    case 4: scatterTyped(UInt32.self, n, src, dst, stride)
    default: scatterTyped(UInt8.self, n, src, dst, stride)
    }
}

@inline(__always)
func scatterTyped<T>(_: T.Type, _ n: Int, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ stride: Int) {
    let s = src.assumingMemoryBound(to: T.self), d = dst.assumingMemoryBound(to: T.self)
    for i in 0..<n { d[i &* stride] = s[i] }
}

// MARK: - Per-block reductions

/// Reduces `n` elements of `dtype` at `p` into `partial` (an 8-byte slot holding the result type).
func reduceBlock(_ op: ReduceOp, _ dtype: DType, _ n: Int, _ p: UnsafeMutableRawPointer, _ partial: UnsafeMutableRawPointer) {
    switch op {
    case .sum:
        switch dtype {
        case .float64: partial.storeBytes(of: numpyPairwiseSum(p.assumingMemoryBound(to: Double.self), n, 1), as: Double.self)
        case .float32: partial.storeBytes(of: numpyPairwiseSum(p.assumingMemoryBound(to: Float.self), n, 1), as: Float.self)
        case .int64:
            let x = p.assumingMemoryBound(to: Int64.self)
            var s: Int64 = 0
            for i in 0..<n { s &+= x[i] }
            partial.storeBytes(of: s, as: Int64.self)
        default: preconditionFailure("sum of \(dtype)")
        }
    case .min, .max:
        switch dtype {
        case .float64: foldBlock(op, Double.self, n, p, partial)
        case .float32: foldBlock(op, Float.self, n, p, partial)
        case .int64: foldBlock(op, Int64.self, n, p, partial)
        case .int32: foldBlock(op, Int32.self, n, p, partial)
        case .uint8: foldBlock(op, UInt8.self, n, p, partial)
        case .bool: preconditionFailure("min of bool")
        }
    case .any, .all, .count:
        let x = p.assumingMemoryBound(to: UInt8.self)
        var c = 0
        for i in 0..<n { c &+= Int(x[i]) }
        switch op {
        case .any: partial.storeBytes(of: c > 0, as: Bool.self)
        case .all: partial.storeBytes(of: c == n, as: Bool.self)
        default: partial.storeBytes(of: Int64(c), as: Int64.self)
        }
    }
}

@inline(__always)
func foldBlock<T: NDArrayReal>(_ op: ReduceOp, _: T.Type, _ n: Int, _ p: UnsafeMutableRawPointer, _ partial: UnsafeMutableRawPointer) {
    let x = p.assumingMemoryBound(to: T.self)
    var r = x[0]
    if op == .min { for i in 1..<Swift.max(n, 1) { r = T.ndMinimum(r, x[i]) } }
    else { for i in 1..<Swift.max(n, 1) { r = T.ndMaximum(r, x[i]) } }
    partial.storeBytes(of: r, as: T.self)
}

/// Combines two partials of the result type `dtype` (a ⊕ b into a).
func combinePartials(_ op: ReduceOp, _ dtype: DType, _ a: UnsafeMutableRawPointer, _ b: UnsafeRawPointer) {
    switch (op, dtype) {
    case (.sum, .float64): a.storeBytes(of: a.load(as: Double.self) + b.load(as: Double.self), as: Double.self)
    case (.sum, .float32): a.storeBytes(of: a.load(as: Float.self) + b.load(as: Float.self), as: Float.self)
    case (.sum, _), (.count, _): a.storeBytes(of: a.load(as: Int64.self) &+ b.load(as: Int64.self), as: Int64.self)
    case (.any, _): a.storeBytes(of: a.load(as: Bool.self) || b.load(as: Bool.self), as: Bool.self)
    case (.all, _): a.storeBytes(of: a.load(as: Bool.self) && b.load(as: Bool.self), as: Bool.self)
    case (.min, _), (.max, _):
        switch dtype {
        case .float64: combineOrdered(op, Double.self, a, b)
        case .float32: combineOrdered(op, Float.self, a, b)
        case .int64: combineOrdered(op, Int64.self, a, b)
        case .int32: combineOrdered(op, Int32.self, a, b)
        case .uint8: combineOrdered(op, UInt8.self, a, b)
        case .bool: preconditionFailure("min of bool")
        }
    }
}

@inline(__always)
func combineOrdered<T: NDArrayReal>(_ op: ReduceOp, _: T.Type, _ a: UnsafeMutableRawPointer, _ b: UnsafeRawPointer) {
    let x = a.load(as: T.self), y = b.load(as: T.self)
    a.storeBytes(of: op == .min ? T.ndMinimum(x, y) : T.ndMaximum(x, y), as: T.self)
}

/// The identity of `op` (for empty reductions), written into `p`; false for
/// min and max, which have none.
func writeIdentity(_ op: ReduceOp, _ dtype: DType, _ p: UnsafeMutableRawPointer) -> Bool {
    switch op {
    case .sum, .count:
        if dtype == .float64 { p.storeBytes(of: 0.0, as: Double.self) }
        else if dtype == .float32 { p.storeBytes(of: Float(0), as: Float.self) }
        else { p.storeBytes(of: Int64(0), as: Int64.self) }
        return true
    case .any: p.storeBytes(of: false, as: Bool.self); return true
    case .all: p.storeBytes(of: true, as: Bool.self); return true
    case .min, .max: return false
    }
}

/// A 0-d array of `dtype` holding the value at `p`.
func scalarArray(_ dtype: DType, _ p: UnsafeRawPointer) -> AnyArray {
    switch dtype {
    case .float64: .float64(NDArray(scalar: p.load(as: Double.self)))
    case .float32: .float32(NDArray(scalar: p.load(as: Float.self)))
    case .int64: .int64(NDArray(scalar: p.load(as: Int64.self)))
    case .int32: .int32(NDArray(scalar: p.load(as: Int32.self)))
    case .uint8: .uint8(NDArray(scalar: p.load(as: UInt8.self)))
    case .bool: .bool(NDArray(scalar: p.load(as: Bool.self)))
    }
}
