import Synchronization

// Devices, their contexts, loaded modules, streams and events.
//
// Each device is used through its primary context (the one the CUDA runtime,
// CuPy and Numba share). The current context is a per-thread setting in the
// driver, so every operation here makes its device's context current on the
// calling thread first (one cheap driver call); work may therefore move
// between threads freely.

/// What can be used now, and precisely why not.
public enum GPU {
    public enum Availability: Sendable {
        /// A driver and at least one device.
        case available(driver: CUDADriver, devices: [GPUDevice])
        /// One line: which library or call failed and the reason it gave.
        case unavailable(String)

        public var isAvailable: Bool { if case .available = self { return true } else { return false } }
        /// The reason when unavailable, nil when available.
        public var reason: String? { if case .unavailable(let r) = self { return r } else { return nil } }
    }

    /// The driver and its devices, or why there are none; computed once.
    public static let availability: Availability = {
        switch CUDADriver.shared {
        case .failure(let error): return .unavailable(error.reason)
        case .success(let driver):
            do {
                let devices = try GPUDevice.enumerate(driver)
                if devices.isEmpty {
                    return .unavailable("CUDA driver \(driver.versionString) (\(driver.libraryPath)) reports no device")
                }
                return .available(driver: driver, devices: devices)
            } catch {
                return .unavailable("CUDA driver \(driver.versionString) found, but \(error)")
            }
        }
    }()

    /// NVRTC, or why it is unavailable (independent of the driver: NVRTC
    /// compiles without a GPU).
    public static var compilerAvailability: Result<NVRTC, GPUError> { NVRTC.shared }

    /// Device 0, or the reason there is none.
    public static func defaultDevice() throws(GPUError) -> GPUDevice {
        switch availability {
        case .available(_, let devices): return devices[0]
        case .unavailable(let reason): throw .unavailable(reason)
        }
    }

    /// Why a GPU rung cannot run here (no driver, no device, no NVRTC), or nil.
    public static var refusalReason: String? {
        if let reason = availability.reason { return reason }
        if case .failure(let error) = NVRTC.shared { return error.reason }
        return nil
    }
}

/// Three launch dimensions.
public struct GPUDim: Sendable, Equatable {
    public var x: Int, y: Int, z: Int
    public init(_ x: Int, _ y: Int = 1, _ z: Int = 1) { self.x = x; self.y = y; self.z = z }
    public var total: Int { x * y * z }
}

/// One GPU and its primary context.
public final class GPUDevice: @unchecked Sendable, CustomStringConvertible {
    public let ordinal: Int
    public let name: String
    /// Compute capability as 10·major + minor (90 for an H100/H200).
    public let arch: Int
    public let totalMemory: Int
    public let multiprocessors: Int
    public let maxThreadsPerBlock: Int
    public let maxSharedMemoryPerBlock: Int
    public let maxSharedMemoryPerBlockOptin: Int
    public let l2CacheBytes: Int
    /// Peak memory clock in kHz and bus width in bits (for the theoretical bandwidth).
    public let memoryClockKHz: Int
    public let memoryBusWidth: Int
    /// Peak SM clock in kHz.
    public let clockKHz: Int

    let driver: CUDADriver
    let handle: Int32
    let context: OpaquePointer
    private let modules = Mutex<[KernelCacheKey: GPUModule]>([:])

    /// "NVIDIA H200 (sm_90)", the label of the GPU backend.
    public var label: String { "\(name) (sm_\(arch))" }
    public var description: String { label }

    /// 2 × memory clock × bus width: the data sheet's bandwidth in bytes/s (nil if unknown).
    public var theoreticalBandwidth: Double? {
        guard memoryClockKHz > 0, memoryBusWidth > 0 else { return nil }
        return 2 * Double(memoryClockKHz) * 1000 * Double(memoryBusWidth) / 8
    }

    /// FP64 peak in FLOP/s (an FMA counts two): SMs × FP64 lanes per SM × 2 × clock.
    /// Lanes per SM: 64 on sm_90 (H100/H200), 32 on sm_80 (A100) and sm_60/70,
    /// 2 on the consumer parts (1/64 of FP32); nil for an unknown clock.
    public var fp64Peak: Double? {
        guard clockKHz > 0 else { return nil }
        let lanes: Double
        switch arch {
        case 90, 100: lanes = 64
        case 60, 70, 80: lanes = 32
        default: lanes = 2
        }
        return Double(multiprocessors) * lanes * 2 * Double(clockKHz) * 1000
    }

    static func enumerate(_ driver: CUDADriver) throws(GPUError) -> [GPUDevice] {
        var count: Int32 = 0
        let status = driver.api.cuDeviceGetCount(&count)
        if status == CU.errorNoDevice { return [] }
        try driver.check(status, "cuDeviceGetCount")
        var devices: [GPUDevice] = []
        for k in 0..<Int(count) { devices.append(try GPUDevice(driver, ordinal: k)) }
        return devices
    }

    private init(_ driver: CUDADriver, ordinal: Int) throws(GPUError) {
        self.driver = driver
        self.ordinal = ordinal
        let api = driver.api
        var dev: Int32 = 0
        try driver.check(api.cuDeviceGet(&dev, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        handle = dev
        var nameBytes = [CChar](repeating: 0, count: 256)
        try driver.check(api.cuDeviceGetName(&nameBytes, 255, dev), "cuDeviceGetName")
        name = String(decoding: nameBytes.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func attribute(_ a: Int32) throws(GPUError) -> Int {
            var v: Int32 = 0
            try driver.check(api.cuDeviceGetAttribute(&v, a, dev), "cuDeviceGetAttribute(\(a))")
            return Int(v)
        }
        arch = try attribute(CU.computeCapabilityMajor) * 10 + attribute(CU.computeCapabilityMinor)
        multiprocessors = try attribute(CU.multiprocessorCount)
        maxThreadsPerBlock = try attribute(CU.maxThreadsPerBlock)
        maxSharedMemoryPerBlock = try attribute(CU.maxSharedMemoryPerBlock)
        maxSharedMemoryPerBlockOptin = (try? attribute(CU.maxSharedMemoryPerBlockOptin)) ?? maxSharedMemoryPerBlock
        l2CacheBytes = (try? attribute(CU.l2CacheSize)) ?? 0
        memoryClockKHz = (try? attribute(CU.memoryClockRate)) ?? 0
        memoryBusWidth = (try? attribute(CU.globalMemoryBusWidth)) ?? 0
        clockKHz = (try? attribute(CU.clockRate)) ?? 0
        var bytes = 0
        try driver.check(api.cuDeviceTotalMem(&bytes, dev), "cuDeviceTotalMem_v2")
        totalMemory = bytes
        var ctx: OpaquePointer? = nil
        try driver.check(api.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain")
        guard let ctx else { throw .unavailable("cuDevicePrimaryCtxRetain returned no context") }
        context = ctx
    }

    /// Makes this device's context current on the calling thread.
    public func makeCurrent() throws(GPUError) {
        try driver.check(driver.api.cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    /// Waits for all work on the device (`cuCtxSynchronize`); reports errors
    /// of kernels launched before (an illegal address shows up here).
    public func synchronize() throws(GPUError) {
        try makeCurrent()
        try driver.check(driver.api.cuCtxSynchronize(), "cuCtxSynchronize")
    }

    /// Free and total device memory in bytes.
    public func memoryInfo() throws(GPUError) -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try driver.check(driver.api.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }

    // MARK: Modules

    /// The target to compile for on this device with `nvrtc`.
    public func target(for nvrtc: NVRTC) -> GPUTarget { nvrtc.preferredTarget(deviceArch: arch) }

    /// `source` compiled for this device (through the disk cache) and
    /// loaded; loaded once per device and kept for the life of the process.
    public func module(source: String, name: String, options: [String] = NVRTC.defaultOptions,
                       compiler given: KernelCompiler? = nil) throws(GPUError) -> GPUModule {
        let compiler: KernelCompiler
        if let given { compiler = given } else { compiler = try KernelCompiler.shared() }
        let target = target(for: compiler.nvrtc)
        let key = compiler.key(source, name: name, target: target, options: options)
        if let loaded = modules.withLock({ $0[key] }) { return loaded }
        let module: GPUModule
        do throws(GPUError) {
            module = try load(compiler.compile(source, name: name, target: target, options: options), name: name)
        } catch {
            // A CUBIN the driver cannot load (no binary for this GPU): fall back to PTX.
            guard target.kind == .cubin, case .driver(_, let code, _, _) = error, [200, 209].contains(code) else { throw error }
            let ptx = GPUTarget.ptx(compiler.nvrtc.supportedArchs.filter { $0 <= arch }.max() ?? arch)
            module = try load(compiler.compile(source, name: name, target: ptx, options: options), name: name)
        }
        return modules.withLock { cached in
            if let other = cached[key] { return other }  // another thread loaded it first
            cached[key] = module
            return module
        }
    }

    /// Loads a compiled image; the driver's JIT error log is included on failure.
    public func load(_ kernel: CompiledKernel, name: String) throws(GPUError) -> GPUModule {
        try makeCurrent()
        var handle: OpaquePointer? = nil
        var log = [CChar](repeating: 0, count: 8192)
        var options: [Int32] = [CU.jitErrorLogBuffer, CU.jitErrorLogBufferSizeBytes]
        let status = log.withUnsafeMutableBufferPointer { logBuffer -> CUresult in
            var values: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(logBuffer.baseAddress),
                                                      UnsafeMutableRawPointer(bitPattern: logBuffer.count)]
            return kernel.image.withUnsafeBytes { image in
                driver.api.cuModuleLoadDataEx(&handle, image.baseAddress!, 2, &options, &values)
            }
        }
        if status != CU.success {
            let jit = String(decoding: log.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var message = driver.errorString(status)
            if status == 222 {  // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
                message += "; the PTX comes from NVRTC newer than driver \(driver.versionString): "
                    + "use an NVRTC no newer than the driver (CELER_NVRTC) or a CUBIN target"
            }
            if !jit.isEmpty { message += "; JIT log: " + jit }
            throw .driver(call: "cuModuleLoadDataEx(\(name), \(kernel.target))", code: status,
                          name: driver.errorName(status), message: message)
        }
        guard let handle else { throw .driver(call: "cuModuleLoadDataEx", code: 0, name: "", message: "no module") }
        return GPUModule(device: self, handle: handle, target: kernel.target, name: name)
    }

    /// Loaded modules (for tests of the in-memory cache).
    public var loadedModuleCount: Int { modules.withLock { $0.count } }

    /// Modules by their `SourceModule` digest (the fast path of `SourceModule.load`).
    private let modulesBySource = Mutex<[[UInt8]: GPUModule]>([:])
    func loadedModule(_ digest: [UInt8]) -> GPUModule? { modulesBySource.withLock { $0[digest] } }
    func remember(_ module: GPUModule, as digest: [UInt8]) { modulesBySource.withLock { $0[digest] = module } }
}

/// A loaded module (`CUmodule`).
public final class GPUModule: @unchecked Sendable {
    public let device: GPUDevice
    public let target: GPUTarget
    public let name: String
    let handle: OpaquePointer
    private let functions = Mutex<[String: GPUFunction]>([:])

    init(device: GPUDevice, handle: OpaquePointer, target: GPUTarget, name: String) {
        self.device = device; self.handle = handle; self.target = target; self.name = name
    }

    /// The kernel `name` (an `extern "C"` name).
    public func function(_ name: String) throws(GPUError) -> GPUFunction {
        if let f = functions.withLock({ $0[name] }) { return f }
        try device.makeCurrent()
        var f: OpaquePointer? = nil
        try device.driver.check(device.driver.api.cuModuleGetFunction(&f, handle, name), "cuModuleGetFunction(\(name))")
        guard let f else { throw .invalidArgument("cuModuleGetFunction(\(name)) returned no function") }
        let function = GPUFunction(module: self, handle: f, name: name)
        functions.withLock { $0[name] = function }
        return function
    }
}

/// A kernel (`CUfunction`) and its launch.
public struct GPUFunction: @unchecked Sendable {
    public let module: GPUModule
    let handle: OpaquePointer
    public let name: String

    var device: GPUDevice { module.device }

    private func attribute(_ a: Int32) throws(GPUError) -> Int {
        var v: Int32 = 0
        try device.driver.check(device.driver.api.cuFuncGetAttribute(&v, a, handle), "cuFuncGetAttribute(\(name))")
        return Int(v)
    }

    /// The largest block this kernel can be launched with (registers permitting).
    public func maxThreadsPerBlock() throws(GPUError) -> Int { try attribute(CU.funcMaxThreadsPerBlock) }
    public func registers() throws(GPUError) -> Int { try attribute(CU.funcNumRegisters) }

    /// Allows up to `bytes` of dynamic shared memory (needed above 48 KiB).
    public func setMaxDynamicSharedMemory(_ bytes: Int) throws(GPUError) {
        try device.makeCurrent()
        try device.driver.check(device.driver.api.cuFuncSetAttribute(handle, CU.funcMaxDynamicSharedSizeBytes, Int32(bytes)),
                                "cuFuncSetAttribute(\(name), max dynamic shared \(bytes))")
    }

    /// Launches on `stream` (the default stream when nil); asynchronous.
    public func launch(grid: GPUDim, block: GPUDim, sharedBytes: Int = 0, stream: GPUStream? = nil,
                       _ arguments: KernelArguments) throws(GPUError) {
        guard grid.total > 0, block.total > 0 else {
            throw .invalidArgument("\(name): empty launch grid \(grid) block \(block)")
        }
        guard block.total <= device.maxThreadsPerBlock else {
            throw .invalidArgument("\(name): block of \(block.total) threads exceeds the device's \(device.maxThreadsPerBlock)")
        }
        try device.makeCurrent()
        let status = arguments.withParameterPointers { params in
            device.driver.api.cuLaunchKernel(handle, UInt32(grid.x), UInt32(grid.y), UInt32(grid.z),
                                             UInt32(block.x), UInt32(block.y), UInt32(block.z),
                                             UInt32(sharedBytes), stream?.handle, params, nil)
        }
        try device.driver.check(status, "cuLaunchKernel(\(name), grid \(grid.x)x\(grid.y)x\(grid.z), block \(block.x)x\(block.y)x\(block.z))")
    }

    /// Launch with the arguments given as a list.
    public func launch(grid: GPUDim, block: GPUDim, sharedBytes: Int = 0, stream: GPUStream? = nil,
                       arguments: [any KernelArgument]) throws(GPUError) {
        try launch(grid: grid, block: block, sharedBytes: sharedBytes, stream: stream, KernelArguments(arguments))
    }
}

/// A stream (`CUstream`): work queued on one stream runs in order.
public final class GPUStream: @unchecked Sendable {
    public let device: GPUDevice
    let handle: OpaquePointer?

    /// A new stream; `nonBlocking` streams do not wait for the legacy default stream.
    public init(device: GPUDevice, nonBlocking: Bool = false) throws(GPUError) {
        self.device = device
        try device.makeCurrent()
        var s: OpaquePointer? = nil
        try device.driver.check(device.driver.api.cuStreamCreate(&s, nonBlocking ? CU.streamNonBlocking : 0), "cuStreamCreate")
        handle = s
    }

    public func synchronize() throws(GPUError) {
        try device.makeCurrent()
        try device.driver.check(device.driver.api.cuStreamSynchronize(handle), "cuStreamSynchronize")
    }

    deinit {
        _ = device.driver.api.cuCtxSetCurrent(device.context)
        _ = device.driver.api.cuStreamDestroy(handle)
    }
}

/// An event (`CUevent`), for timing work on the device.
public final class GPUEvent: @unchecked Sendable {
    public let device: GPUDevice
    let handle: OpaquePointer?

    public init(device: GPUDevice) throws(GPUError) {
        self.device = device
        try device.makeCurrent()
        var e: OpaquePointer? = nil
        try device.driver.check(device.driver.api.cuEventCreate(&e, CU.eventDefault), "cuEventCreate")
        handle = e
    }

    /// Records the event on `stream` (the default stream when nil).
    public func record(on stream: GPUStream? = nil) throws(GPUError) {
        try device.makeCurrent()
        try device.driver.check(device.driver.api.cuEventRecord(handle, stream?.handle), "cuEventRecord")
    }

    public func synchronize() throws(GPUError) {
        try device.makeCurrent()
        try device.driver.check(device.driver.api.cuEventSynchronize(handle), "cuEventSynchronize")
    }

    /// Seconds between two recorded events (after `end` completes; waits for it).
    public static func seconds(from start: GPUEvent, to end: GPUEvent) throws(GPUError) -> Double {
        try end.synchronize()
        var ms: Float = 0
        try end.device.driver.check(end.device.driver.api.cuEventElapsedTime(&ms, start.handle, end.handle), "cuEventElapsedTime")
        return Double(ms) / 1000
    }

    deinit {
        _ = device.driver.api.cuCtxSetCurrent(device.context)
        _ = device.driver.api.cuEventDestroy(handle)
    }
}
