import CelerCore

/// CUDA C source for an elementwise expression, generated from the same plan
/// the CPU runs: one statement per instruction, in the same order, so a GPU
/// backend (which compiles it with NVRTC and launches it) computes what the
/// CPU computes. This file has no CUDA dependency: it writes text.
///
/// Arithmetic: float add, subtract, multiply, divide and square root use the
/// round-to-nearest intrinsics (`__dadd_rn`, `__fmul_rn`, …), which the
/// compiler never contracts into fused multiply-adds, so the results are the
/// CPU's bit for bit whether or not `--fmad=false` is given (pass it anyway,
/// as `CUDAKernel.compileOptions` does). exp, log, sin, cos and pow are
/// CUDA's (within 2 ulp, not VectorMath's bits). Integers wrap as on the CPU
/// (computed unsigned, so no signed overflow), float-to-integer casts give
/// the most negative value for NaN and out-of-range values as on x86.
///
/// The kernel is a grid-stride loop over `n` elements of an `ndim`-axis
/// iteration space; every operand has one stride per axis, in elements
/// (0 for broadcast axes), so any view the CPU accepts can be passed.
public struct CUDAKernel: Sendable {
    /// The `extern "C"` entry point.
    public let name: String
    /// The complete translation unit.
    public let source: String
    /// Axes of the iteration space.
    public let ndim: Int
    /// The kernel's parameters, in order.
    public let parameters: [Parameter]
    /// Input dtypes (in slot order) and the result dtype.
    public let inputTypes: [DType]
    public let resultType: DType

    /// NVRTC options that keep the CPU's arithmetic.
    public static let compileOptions = ["--fmad=false", "--std=c++14"]

    public enum Parameter: Sendable, Equatable, CustomStringConvertible {
        /// `long long n`: the number of elements.
        case count
        /// `long long d<axis>`: the extent of one axis.
        case extent(axis: Int)
        /// `const T* in<slot>`: an input's first element.
        case input(slot: Int, DType)
        /// `long long in<slot>_s<axis>`: an input's stride, in elements.
        case inputStride(slot: Int, axis: Int)
        /// `T* out`.
        case output(DType)
        /// `long long out_s<axis>`.
        case outputStride(axis: Int)

        public var description: String {
            switch self {
            case .count: "long long n"
            case .extent(let a): "long long d\(a)"
            case .input(let s, let t): "const \(CUDA.type(t))* __restrict__ in\(s)"
            case .inputStride(let s, let a): "long long in\(s)_s\(a)"
            case .output(let t): "\(CUDA.type(t))* __restrict__ out"
            case .outputStride(let a): "long long out_s\(a)"
            }
        }
    }
}

extension CUDAKernel {
    /// The kernel for `expr` with named inputs of `types` (arrays bound in
    /// the expression give their own dtypes), over `ndim` axes.
    /// Throws for reductions (elementwise kernels only) and type errors.
    public init(_ expr: Expr, types: [String: DType] = [:], ndim: Int, name: String = "celer_fused") throws(CelerError) {
        guard ndim >= 1 else { throw CelerError("cuda", "ndim must be at least 1, got \(ndim)") }
        let binding = Binding(expr.node)
        var slotTypes: [DType] = []
        for leaf in binding.leaves {
            switch leaf {
            case .array(let a): slotTypes.append(a.dtype)
            case .input(let n, _):
                guard let t = types[n] else {
                    throw CelerError("cuda", "no dtype for input '\(n)' (types: \(types.keys.sorted().joined(separator: ", ")))")
                }
                slotTypes.append(t)
            }
        }
        let plan = try Plan(root: expr.node, binding: binding, types: slotTypes)
        guard plan.passes.count == 1, case .elementwise(let root) = plan.passes[0].kind else {
            throw CelerError("cuda", "only elementwise expressions become kernels (this one has reductions)")
        }
        self = CUDA.emit(plan.passes[0], root: root, inputTypes: slotTypes, resultType: plan.resultType, ndim: ndim, name: name)
    }

    /// The kernel for the string form (`"2*a + b**10"`), inputs typed by name.
    public init(_ text: String, types: [String: DType], ndim: Int, name: String = "celer_fused") throws(CelerError) {
        try self.init(try Parser.parse(text), types: types, ndim: ndim, name: name)
    }
}

enum CUDA {
    static func type(_ t: DType) -> String {
        switch t {
        case .float64: "double"
        case .float32: "float"
        case .int64: "long long"
        case .int32: "int"
        case .uint8: "unsigned char"
        case .bool: "bool"
        }
    }

    static func unsigned(_ t: DType) -> String {
        switch t {
        case .int64: "unsigned long long"
        case .int32: "unsigned int"
        default: "unsigned char"
        }
    }

    static func literal(_ bits: UInt64, _ t: DType) -> String {
        switch t {
        case .float64:
            let v = Double(bitPattern: bits)
            return v.isFinite ? "\(v)" : "__longlong_as_double(0x\(String(bits, radix: 16))LL)"
        case .float32:
            let v = Float(Double(bitPattern: bits))
            return v.isFinite ? "\(v)f" : "__int_as_float(0x\(String(v.bitPattern, radix: 16)))"
        case .bool: return bits != 0 ? "true" : "false"
        case .int64:
            let v = Int64(bitPattern: bits)
            return v == .min ? "(-9223372036854775807LL - 1)" : "\(v)LL"
        case .int32: return "\(Int32(truncatingIfNeeded: Int64(bitPattern: bits)))"
        case .uint8: return "(unsigned char)\(UInt8(truncatingIfNeeded: bits))"
        }
    }

    static let prelude = """
    // Generated by CelerExpr. Compile with --fmad=false.
    __device__ __forceinline__ long long celer_f2i(double x) {
        return (x == x && x > -9.3e18 && x < 9.3e18) ? (long long)x : (-9223372036854775807LL - 1);
    }

    """

    static func emit(_ pass: Pass, root: Int, inputTypes: [DType], resultType: DType, ndim: Int, name: String) -> CUDAKernel {
        var parameters: [CUDAKernel.Parameter] = [.count]
        for a in 0..<ndim { parameters.append(.extent(axis: a)) }
        var loaded: [Int] = []
        for ins in pass.program {
            if case .load(let s) = ins.kind, !loaded.contains(s) { loaded.append(s) }
        }
        loaded.sort()
        for s in loaded {
            parameters.append(.input(slot: s, inputTypes[s]))
            for a in 0..<ndim { parameters.append(.inputStride(slot: s, axis: a)) }
        }
        parameters.append(.output(resultType))
        for a in 0..<ndim { parameters.append(.outputStride(axis: a)) }

        var body: [String] = []
        body.append("        long long r = i;")
        for a in stride(from: ndim - 1, through: 0, by: -1) {
            body.append("        const long long k\(a) = r % d\(a); r /= d\(a);")
        }
        func offset(_ prefix: String) -> String {
            (0..<ndim).map { "k\($0) * \(prefix)_s\($0)" }.joined(separator: " + ")
        }
        // Registers are reused by the CPU plan; here every value gets its own name.
        var current: [Int: String] = [:]
        var counter = 0
        for ins in pass.program {
            let t = ins.dtype, rt = ins.resultType
            let a = ins.args.map { current[$0]! }
            let value: String
            switch ins.kind {
            case .load(let s): value = "in\(s)[\(offset("in\(s)"))]"
            case .constant(let bits): value = literal(bits, t)
            case .copy: value = a[0]
            case .cast(let to): value = cast(a[0], from: t, to: to)
            case .select: value = "(\(a[0]) ? \(a[1]) : \(a[2]))"
            case .unary(let op): value = unary(op, t, a[0])
            case .binary(let op): value = binary(op, t, a[0], a[1])
            }
            let v = "v\(counter)"
            counter += 1
            body.append("        const \(type(rt)) \(v) = \(value);")
            current[ins.dst] = v
        }
        body.append("        out[\(offset("out"))] = \(current[root]!);")
        let signature = parameters.map { "    \($0)" }.joined(separator: ",\n")
        let source = prelude + """
        extern "C" __global__ void \(name)(
        \(signature))
        {
            for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        \(body.joined(separator: "\n"))
            }
        }

        """
        return CUDAKernel(name: name, source: source, ndim: ndim, parameters: parameters, inputTypes: inputTypes, resultType: resultType)
    }

    static func cast(_ x: String, from: DType, to: DType) -> String {
        if from == to { return x }
        if to == .bool { return "(\(x) != 0)" }
        if from.isFloat && to.isInteger {
            return "(\(type(to)))celer_f2i((double)\(x))"
        }
        if from == .float64 && to == .float32 { return "__double2float_rn(\(x))" }
        return "(\(type(to)))(\(x))"
    }

    static func unary(_ op: UnaryOp, _ t: DType, _ x: String) -> String {
        let f = t == .float32
        switch op {
        case .neg: return t.isFloat ? "(-\(x))" : "(\(type(t)))(0 - (\(unsigned(t)))\(x))"
        case .not: return "(!\(x))"
        case .abs: return t.isFloat ? "\(f ? "fabsf" : "fabs")(\(x))" : "(\(x) < 0 ? (\(type(t)))(0 - (\(unsigned(t)))\(x)) : \(x))"
        case .sqrt: return "\(f ? "__fsqrt_rn" : "__dsqrt_rn")(\(x))"
        case .exp: return "\(f ? "expf" : "exp")(\(x))"
        case .log: return "\(f ? "logf" : "log")(\(x))"
        case .sin: return "\(f ? "sinf" : "sin")(\(x))"
        case .cos: return "\(f ? "cosf" : "cos")(\(x))"
        }
    }

    static func binary(_ op: BinaryOp, _ t: DType, _ a: String, _ b: String) -> String {
        let p = t == .float32 ? "__f" : "__d"
        switch op {
        case .add, .sub, .mul, .div:
            let name = ["add": "add", "sub": "sub", "mul": "mul", "div": "div"][op.rawValue]!
            if t.isFloat { return "\(p)\(name)_rn(\(a), \(b))" }
            let sym = ["add": "+", "sub": "-", "mul": "*", "div": "/"][op.rawValue]!
            return "(\(type(t)))((\(unsigned(t)))\(a) \(sym) (\(unsigned(t)))\(b))"
        case .pow: return "\(t == .float32 ? "powf" : "pow")(\(a), \(b))"
        case .minimum:
            return t.isFloat ? "((\(a) <= \(b) || \(a) != \(a)) ? \(a) : \(b))" : "(\(a) <= \(b) ? \(a) : \(b))"
        case .maximum:
            return t.isFloat ? "((\(a) >= \(b) || \(a) != \(a)) ? \(a) : \(b))" : "(\(a) >= \(b) ? \(a) : \(b))"
        case .and: return "(\(a) && \(b))"
        case .or: return "(\(a) || \(b))"
        default: return "(\(a) \(op.symbol) \(b))"
        }
    }
}
