import Synchronization

// Kernel builders in the spirit of CuPy and pyCUDA:
//   SourceModule / RawKernel   CUDA C source as written by the user
//   ElementwiseKernel          a C statement applied at every index i of
//                              equally long arrays (with scalars)
//   ReductionKernel            map each index to a value, combine the values
//                              with an associative operation, from an identity
// Each builder produces CUDA C source (`source`, so the tests compile every
// generated form without a GPU) and compiles it per device on first use,
// through the disk and in-memory caches. Kernels are `extern "C"`, so their
// names are not mangled.

/// CUDA C source and the options it is compiled with; modules are loaded
/// once per device.
public struct SourceModule: Sendable {
    public let source: String
    /// A name for messages and the cache key.
    public let name: String
    public let options: [String]

    /// SHA-256 of the source, name and options, computed once: the key of the
    /// device's table of loaded modules, so a launch does not rehash the source.
    let digest: [UInt8]

    /// `options` default to `--fmad=false --std=c++17` (`NVRTC.defaultOptions`).
    public init(_ source: String, name: String, options: [String] = NVRTC.defaultOptions) {
        self.source = source
        self.name = name
        self.options = options
        var h = SHA256()
        for part in [source, name] + options { h.update(part); h.update([0]) }
        digest = h.finalize()
    }

    /// The module loaded on `device` (compiled on first use).
    public func load(on device: GPUDevice) throws(GPUError) -> GPUModule {
        if let loaded = device.loadedModule(digest) { return loaded }
        let module = try device.module(source: source, name: name, options: options)
        device.remember(module, as: digest)
        return module
    }

    public func function(_ kernel: String, on device: GPUDevice) throws(GPUError) -> GPUFunction {
        try load(on: device).function(kernel)
    }
}

/// One kernel of a `SourceModule`, by name (CuPy's `RawKernel`).
public struct RawKernel: Sendable {
    public let module: SourceModule
    public let kernelName: String

    public init(_ source: String, name: String, options: [String] = NVRTC.defaultOptions) {
        module = SourceModule(source, name: name, options: options)
        kernelName = name
    }

    public func function(on device: GPUDevice) throws(GPUError) -> GPUFunction {
        try module.function(kernelName, on: device)
    }

    public func launch(on device: GPUDevice, grid: GPUDim, block: GPUDim, sharedBytes: Int = 0,
                       stream: GPUStream? = nil, arguments: [any KernelArgument]) throws(GPUError) {
        try function(on: device).launch(grid: grid, block: block, sharedBytes: sharedBytes, stream: stream,
                                        arguments: arguments)
    }
}

/// A parameter of a generated kernel: an array read at index i, an array
/// written at index i, or a scalar.
public struct KernelParameter: Sendable, Equatable {
    public enum Role: Sendable, Equatable { case input, output, scalar }
    public let name: String
    public let role: Role
    /// The C type of one element (or of the scalar).
    public let cType: String

    public static func input<T: GPUElement>(_ name: String, _: T.Type) -> KernelParameter {
        KernelParameter(name: name, role: .input, cType: T.cudaTypeName)
    }
    public static func output<T: GPUElement>(_ name: String, _: T.Type) -> KernelParameter {
        KernelParameter(name: name, role: .output, cType: T.cudaTypeName)
    }
    public static func scalar<T: GPUElement>(_ name: String, _: T.Type) -> KernelParameter {
        KernelParameter(name: name, role: .scalar, cType: T.cudaTypeName)
    }

    /// The C parameter declaration.
    var declaration: String {
        switch role {
        case .input: return "const \(cType)* __restrict__ \(name)_ptr"
        case .output: return "\(cType)* __restrict__ \(name)_ptr"
        case .scalar: return "const \(cType) \(name)"
        }
    }
}

/// Checks that `name` is a C identifier and not one a generated kernel uses itself.
func validateIdentifier(_ name: String, reserved: Set<String>) throws(GPUError) {
    func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
    func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    let bytes = Array(name.utf8)
    guard let first = bytes.first, letter(first), bytes.allSatisfy({ letter($0) || digit($0) }) else {
        throw .invalidArgument("'\(name)' is not a C identifier (letters, digits and _, not starting with a digit)")
    }
    guard !reserved.contains(name) else { throw .invalidArgument("'\(name)' is reserved in generated kernels") }
}

/// A C statement run for every index `i` in 0..<n (CuPy's
/// `ElementwiseKernel`). Inputs are read into local variables named after
/// them, outputs are local variables written back after the statement:
///
///     let saxpy = try ElementwiseKernel("saxpy",
///         [.scalar("a", Double.self), .input("x", Double.self), .input("y", Double.self),
///          .output("z", Double.self)], "z = a * x + y")
///
/// `i` (the index, `long long`) and `n` may be used in the operation. The
/// loop is grid-stride, so any grid covers any n. `preamble` is C code
/// placed before the kernel (helper functions).
public struct ElementwiseKernel: Sendable {
    public let name: String
    public let parameters: [KernelParameter]
    public let operation: String
    public let preamble: String
    public let module: SourceModule
    static let reserved: Set<String> = ["i", "n", "stride"]

    public init(_ name: String, _ parameters: [KernelParameter], _ operation: String, preamble: String = "",
                options: [String] = NVRTC.defaultOptions) throws(GPUError) {
        try validateIdentifier(name, reserved: Self.reserved)
        var seen = Set<String>()
        for p in parameters {
            try validateIdentifier(p.name, reserved: Self.reserved)
            guard seen.insert(p.name).inserted else { throw .invalidArgument("parameter '\(p.name)' appears twice") }
        }
        guard parameters.contains(where: { $0.role == .output }) else {
            throw .invalidArgument("elementwise kernel \(name) needs at least one output")
        }
        self.name = name
        self.parameters = parameters
        self.operation = operation
        self.preamble = preamble
        module = SourceModule(Self.generate(name, parameters, operation, preamble), name: name, options: options)
    }

    public var source: String { module.source }

    static func generate(_ name: String, _ parameters: [KernelParameter], _ operation: String, _ preamble: String) -> String {
        let declarations = (parameters.map(\.declaration) + ["const long long n"]).joined(separator: ", ")
        var body = ""
        for p in parameters where p.role == .input { body += "        const \(p.cType) \(p.name) = \(p.name)_ptr[i];\n" }
        for p in parameters where p.role == .output { body += "        \(p.cType) \(p.name);\n" }
        body += "        { \(operation); }\n"
        for p in parameters where p.role == .output { body += "        \(p.name)_ptr[i] = \(p.name);\n" }
        return """
            // Generated by CelerGPU.ElementwiseKernel
            \(preamble)
            extern "C" __global__ void \(name)(\(declarations)) {
                const long long stride = (long long)blockDim.x * gridDim.x;
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
            \(body)    }
            }

            """
    }

    /// Threads per block of every launch.
    public static let blockSize = 256

    /// Runs the kernel over `n` elements; `arguments` in the order of the
    /// parameters (arrays as `DeviceArray`s of at least n elements).
    public func launch(on device: GPUDevice, n: Int, stream: GPUStream? = nil,
                       arguments: [any KernelArgument]) throws(GPUError) {
        guard arguments.count == parameters.count else {
            throw .invalidArgument("\(name) takes \(parameters.count) arguments, got \(arguments.count)")
        }
        guard n > 0 else { return }
        let function = try module.function(name, on: device)
        let blocks = min((n + Self.blockSize - 1) / Self.blockSize, device.multiprocessors * 32)
        try function.launch(grid: GPUDim(max(1, blocks)), block: GPUDim(Self.blockSize), stream: stream,
                            arguments: arguments + [n])
    }
}

/// A reduction (CuPy's `ReductionKernel`): `map` gives a value for index i
/// (from the inputs, read as in `ElementwiseKernel`), `reduce` combines two
/// values `a` and `b`, `identity` is the value of an empty reduction, and
/// `post` turns the result `a` into the output. Two launches: blocks reduce
/// grid-stride ranges into partials (a tree in shared memory), then one block
/// reduces the partials. The order of the combination is fixed for a given n
/// and device, so repeated runs give the same bits.
///
///     let sumSquares = try ReductionKernel("sum_sq", [.input("x", Double.self)], Double.self,
///                                          map: "x * x", reduce: "a + b", identity: "0.0")
public struct ReductionKernel: Sendable {
    public let name: String
    public let parameters: [KernelParameter]
    public let resultType: String
    public let map: String, reduce: String, identity: String, post: String
    public let module: SourceModule
    /// Threads per block, and at most this many partials (blocks).
    public static let blockSize = 256
    public static let maxBlocks = 1024
    static let reserved: Set<String> = ["i", "n", "a", "b", "stride", "partial", "out", "scratch", "acc", "tid"]

    public init<R: GPUElement>(_ name: String, _ parameters: [KernelParameter], _ result: R.Type,
                               map: String, reduce: String, identity: String, post: String = "a",
                               preamble: String = "", options: [String] = NVRTC.defaultOptions) throws(GPUError) {
        try validateIdentifier(name, reserved: Self.reserved)
        var seen = Set<String>()
        for p in parameters {
            try validateIdentifier(p.name, reserved: Self.reserved)
            guard p.role != .output else { throw .invalidArgument("reduction \(name): the result is the only output") }
            guard seen.insert(p.name).inserted else { throw .invalidArgument("parameter '\(p.name)' appears twice") }
        }
        self.name = name
        self.parameters = parameters
        resultType = R.cudaTypeName
        self.map = map; self.reduce = reduce; self.identity = identity; self.post = post
        module = SourceModule(Self.generate(name, parameters, R.cudaTypeName, map, reduce, identity, post, preamble),
                              name: name, options: options)
    }

    public var source: String { module.source }

    static func generate(_ name: String, _ parameters: [KernelParameter], _ t: String, _ map: String, _ reduce: String,
                         _ identity: String, _ post: String, _ preamble: String) -> String {
        let declarations = parameters.map(\.declaration).joined(separator: ", ")
        let reads = parameters.filter { $0.role == .input }
            .map { "const \($0.cType) \($0.name) = \($0.name)_ptr[i];" }.joined(separator: " ")
        let block = blockSize
        return """
            // Generated by CelerGPU.ReductionKernel
            \(preamble)
            __device__ __forceinline__ \(t) \(name)_combine(const \(t) a, const \(t) b) { return (\(reduce)); }
            __device__ __forceinline__ \(t) \(name)_post(const \(t) a) { return (\(post)); }

            // The block's values in scratch[0..<\(block)] are combined pairwise, halving the span.
            __device__ __forceinline__ \(t) \(name)_block(\(t)* scratch, \(t) acc) {
                const unsigned tid = threadIdx.x;
                scratch[tid] = acc;
                __syncthreads();
                for (unsigned span = \(block / 2); span > 0; span >>= 1) {
                    if (tid < span) scratch[tid] = \(name)_combine(scratch[tid], scratch[tid + span]);
                    __syncthreads();
                }
                return scratch[0];
            }

            extern "C" __global__ void \(name)_partial(\(declarations)\(declarations.isEmpty ? "" : ", ")\(t)* __restrict__ partial, const long long n) {
                __shared__ \(t) scratch[\(block)];
                \(t) acc = (\(identity));
                const long long stride = (long long)blockDim.x * gridDim.x;
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
                    \(reads)
                    acc = \(name)_combine(acc, (\(map)));
                }
                \(t) total = \(name)_block(scratch, acc);
                if (threadIdx.x == 0) partial[blockIdx.x] = total;
            }

            extern "C" __global__ void \(name)_final(const \(t)* __restrict__ partial, const int count, \(t)* __restrict__ out) {
                __shared__ \(t) scratch[\(block)];
                \(t) acc = (\(identity));
                for (int k = threadIdx.x; k < count; k += blockDim.x) acc = \(name)_combine(acc, partial[k]);
                \(t) total = \(name)_block(scratch, acc);
                if (threadIdx.x == 0) out[0] = \(name)_post(total);
            }

            """
    }

    /// Reduces indices 0..<n into `out[0]`; `scratch` holds the partials
    /// (at least `maxBlocks` elements of the result type).
    public func launch<R: GPUElement>(on device: GPUDevice, n: Int, arguments: [any KernelArgument],
                                      scratch: DeviceArray<R>, out: DeviceArray<R>, stream: GPUStream? = nil) throws(GPUError) {
        guard R.cudaTypeName == resultType else {
            throw .invalidArgument("\(name) reduces to \(resultType), not \(R.cudaTypeName)")
        }
        guard arguments.count == parameters.count else {
            throw .invalidArgument("\(name) takes \(parameters.count) arguments, got \(arguments.count)")
        }
        guard scratch.count >= Self.maxBlocks, out.count >= 1 else {
            throw .invalidArgument("\(name): scratch needs \(Self.maxBlocks) elements and out 1")
        }
        let module = try self.module.load(on: device)
        let blocks = max(1, min(Self.maxBlocks, (n + Self.blockSize - 1) / Self.blockSize))
        try module.function(name + "_partial").launch(grid: GPUDim(blocks), block: GPUDim(Self.blockSize), stream: stream,
                                                      arguments: arguments + [scratch, n])
        try module.function(name + "_final").launch(grid: GPUDim(1), block: GPUDim(Self.blockSize), stream: stream,
                                                    arguments: [scratch, Int32(blocks), out])
    }

    /// Convenience: allocates the scratch and result, runs, and returns the value.
    public func callAsFunction<R: GPUElement>(on device: GPUDevice, n: Int, arguments: [any KernelArgument],
                                              as: R.Type) throws(GPUError) -> R {
        let scratch = try DeviceArray<R>(device: device, count: Self.maxBlocks)
        let out = try DeviceArray<R>(device: device, count: 1)
        try launch(on: device, n: n, arguments: arguments, scratch: scratch, out: out)
        return try out.toArray()[0]
    }
}
