#if canImport(Glibc)
import Glibc
#endif

// The CUDA driver API, loaded at run time from `libcuda.so.1` (never the
// unversioned `libcuda.so`, which on many systems is the toolkit's link-time
// stub that fails every call). Entry points are resolved through
// `cuGetProcAddress`, which returns the version of each function that matches
// the ABI we declare (for example `cuMemAlloc` resolves to `cuMemAlloc_v2`);
// where it is missing (drivers before CUDA 11.3) each symbol is looked up by
// its real ABI name with dlsym. Handles are opaque pointers and device
// addresses 64-bit integers, as in cuda.h.

/// A device address (`CUdeviceptr`).
public typealias CUdeviceptr = UInt64

typealias CUresult = Int32
typealias CUhandle = OpaquePointer

/// The driver calls Celer uses, with their C signatures.
struct DriverAPI {
    typealias Handle = OpaquePointer?
    var cuInit: @convention(c) (UInt32) -> CUresult
    var cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    var cuGetErrorName: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    var cuGetErrorString: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    var cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    var cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> CUresult
    var cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> CUresult
    var cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> CUresult
    var cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>, Int32) -> CUresult
    var cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<Handle>, Int32) -> CUresult
    var cuDevicePrimaryCtxRelease: @convention(c) (Int32) -> CUresult
    var cuCtxSetCurrent: @convention(c) (Handle) -> CUresult
    var cuCtxSynchronize: @convention(c) () -> CUresult
    var cuModuleLoadDataEx: @convention(c) (UnsafeMutablePointer<Handle>, UnsafeRawPointer, UInt32,
                                            UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> CUresult
    var cuModuleUnload: @convention(c) (Handle) -> CUresult
    var cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<Handle>, Handle, UnsafePointer<CChar>) -> CUresult
    var cuFuncGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Handle) -> CUresult
    var cuFuncSetAttribute: @convention(c) (Handle, Int32, Int32) -> CUresult
    var cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int) -> CUresult
    var cuMemFree: @convention(c) (CUdeviceptr) -> CUresult
    var cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> CUresult
    var cuMemHostAlloc: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int, UInt32) -> CUresult
    var cuMemFreeHost: @convention(c) (UnsafeMutableRawPointer?) -> CUresult
    var cuMemcpyHtoD: @convention(c) (CUdeviceptr, UnsafeRawPointer, Int) -> CUresult
    var cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, CUdeviceptr, Int) -> CUresult
    var cuMemcpyDtoD: @convention(c) (CUdeviceptr, CUdeviceptr, Int) -> CUresult
    var cuMemcpyHtoDAsync: @convention(c) (CUdeviceptr, UnsafeRawPointer, Int, Handle) -> CUresult
    var cuMemcpyDtoHAsync: @convention(c) (UnsafeMutableRawPointer, CUdeviceptr, Int, Handle) -> CUresult
    var cuMemcpyDtoDAsync: @convention(c) (CUdeviceptr, CUdeviceptr, Int, Handle) -> CUresult
    var cuMemsetD8: @convention(c) (CUdeviceptr, UInt8, Int) -> CUresult
    var cuLaunchKernel: @convention(c) (Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> CUresult
    var cuStreamCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> CUresult
    var cuStreamDestroy: @convention(c) (Handle) -> CUresult
    var cuStreamSynchronize: @convention(c) (Handle) -> CUresult
    var cuEventCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> CUresult
    var cuEventRecord: @convention(c) (Handle, Handle) -> CUresult
    var cuEventSynchronize: @convention(c) (Handle) -> CUresult
    var cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> CUresult
    var cuEventDestroy: @convention(c) (Handle) -> CUresult
}

/// Constants from cuda.h that Celer passes to the driver.
enum CU {
    static let success: CUresult = 0
    static let errorOutOfMemory: CUresult = 2
    static let errorNoDevice: CUresult = 100

    // CUdevice_attribute
    static let maxThreadsPerBlock: Int32 = 1
    static let maxSharedMemoryPerBlock: Int32 = 8
    static let clockRate: Int32 = 13
    static let multiprocessorCount: Int32 = 16
    static let memoryClockRate: Int32 = 36
    static let globalMemoryBusWidth: Int32 = 37
    static let l2CacheSize: Int32 = 38
    static let computeCapabilityMajor: Int32 = 75
    static let computeCapabilityMinor: Int32 = 76
    static let maxSharedMemoryPerBlockOptin: Int32 = 97

    // CUfunction_attribute
    static let funcMaxThreadsPerBlock: Int32 = 0
    static let funcNumRegisters: Int32 = 4
    static let funcMaxDynamicSharedSizeBytes: Int32 = 8

    // CUjit_option
    static let jitErrorLogBuffer: Int32 = 5
    static let jitErrorLogBufferSizeBytes: Int32 = 6

    static let memHostAllocPortable: UInt32 = 1
    static let streamNonBlocking: UInt32 = 1
    static let eventDefault: UInt32 = 0
}

/// The loaded driver: its entry points and version. One per process.
public final class CUDADriver: @unchecked Sendable {
    /// The library names tried, in order.
    public static let libraryCandidates = ["libcuda.so.1"]

    let api: DriverAPI
    /// The library that was opened.
    public let libraryPath: String
    /// `cuDriverGetVersion`: 1000·major + 10·minor (12040 is CUDA 12.4).
    public let version: Int
    /// How the entry points were found: "cuGetProcAddress_v2", "cuGetProcAddress" or "dlsym".
    public let resolvedBy: String

    private init(api: DriverAPI, libraryPath: String, version: Int, resolvedBy: String) {
        self.api = api
        self.libraryPath = libraryPath
        self.version = version
        self.resolvedBy = resolvedBy
    }

    /// The process's driver, loaded and initialised (`cuInit(0)`) on first use,
    /// or why it could not be.
    public static let shared: Result<CUDADriver, GPUError> = load(candidates: libraryCandidates)

    /// `version` as "12.4".
    public var versionString: String { "\(version / 1000).\((version % 1000) / 10)" }

    /// Loads the driver from the first of `candidates` that opens, resolves
    /// every entry point and calls `cuInit(0)`. The failure names the library
    /// and the loader's (dlerror) or the driver's reason.
    static func load(candidates: [String]) -> Result<CUDADriver, GPUError> {
        let library: DynamicLibrary
        switch DynamicLibrary.openFirst(candidates) {
        case .success(let l): library = l
        case .failure(let f): return .failure(.unavailable("no CUDA driver: \(f)"))
        }
        typealias GetVersion = @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
        guard case .success(let getVersion) = library.function("cuDriverGetVersion", as: GetVersion.self) else {
            return .failure(.unavailable("\(library.path) has no cuDriverGetVersion: not a CUDA driver"))
        }
        var v: Int32 = 0
        _ = getVersion(&v)
        let resolver = EntryPointResolver(library: library, driverVersion: Int(v))
        let api: DriverAPI
        do {
            api = try resolver.resolveAll()
        } catch {
            return .failure(.unavailable("\(library.path): \(error)"))
        }
        let driver = CUDADriver(api: api, libraryPath: library.path, version: Int(v), resolvedBy: resolver.method)
        let status = api.cuInit(0)
        if status != CU.success {
            return .failure(.unavailable("cuInit failed: \(driver.errorName(status)): \(driver.errorString(status))"))
        }
        return .success(driver)
    }

    // MARK: Errors

    func errorName(_ code: CUresult) -> String {
        var p: UnsafePointer<CChar>? = nil
        guard api.cuGetErrorName(code, &p) == CU.success, let p else { return "CUDA_ERROR_\(code)" }
        return String(cString: p)
    }

    func errorString(_ code: CUresult) -> String {
        var p: UnsafePointer<CChar>? = nil
        guard api.cuGetErrorString(code, &p) == CU.success, let p else { return "unknown error \(code)" }
        return String(cString: p)
    }

    /// Throws a `GPUError.driver` naming `call` unless `code` is success.
    @inline(__always)
    func check(_ code: CUresult, _ call: @autoclosure () -> String) throws(GPUError) {
        guard code != CU.success else { return }
        throw .driver(call: call(), code: code, name: errorName(code), message: errorString(code))
    }
}

/// Resolves driver entry points: through `cuGetProcAddress_v2` (CUDA 12+) or
/// `cuGetProcAddress` (11.3+) when the driver has them, by the base name and
/// the CUDA version whose ABI we declare; otherwise by the `_v2` ABI name.
struct EntryPointResolver {
    typealias GetProcV2 = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int32,
                                          UInt64, UnsafeMutablePointer<Int32>?) -> CUresult
    typealias GetProcV1 = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int32,
                                          UInt64) -> CUresult
    let library: DynamicLibrary
    /// The ABI version requested: the signatures above are those of CUDA 12.0
    /// (and of every version since 4.0 for the functions used).
    let abiVersion: Int32
    private let v2: GetProcV2?
    private let v1: GetProcV1?

    init(library: DynamicLibrary, driverVersion: Int) {
        self.library = library
        self.abiVersion = Int32(min(max(driverVersion, 4000), 12000))
        if case .success(let f) = library.function("cuGetProcAddress_v2", as: GetProcV2.self) { v2 = f } else { v2 = nil }
        if case .success(let f) = library.function("cuGetProcAddress", as: GetProcV1.self) { v1 = f } else { v1 = nil }
    }

    var method: String { v2 != nil ? "cuGetProcAddress_v2" : (v1 != nil ? "cuGetProcAddress" : "dlsym") }

    /// The entry point `name` (base name, e.g. "cuMemAlloc"), falling back to
    /// dlsym of `abiName` (e.g. "cuMemAlloc_v2").
    func address(_ name: String, abiName: String? = nil) -> UnsafeMutableRawPointer? {
        var p: UnsafeMutableRawPointer? = nil
        if let v2 {
            var status: Int32 = 0
            if v2(name, &p, abiVersion, 0, &status) == CU.success, status == 0, let p { return p }
        } else if let v1 {
            if v1(name, &p, abiVersion, 0) == CU.success, let p { return p }
        }
        return library.symbol(abiName ?? name)
    }

    func resolve<F>(_ name: String, _ abiName: String? = nil, as type: F.Type) throws(GPUError) -> F {
        guard let p = address(name, abiName: abiName) else {
            throw .unavailable("driver entry point \(abiName ?? name) not found")
        }
        return unsafeBitCast(p, to: type)
    }

    func resolveAll() throws(GPUError) -> DriverAPI {
        DriverAPI(
            cuInit: try resolve("cuInit", as: (@convention(c) (UInt32) -> CUresult).self),
            cuDriverGetVersion: try resolve("cuDriverGetVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> CUresult).self),
            cuGetErrorName: try resolve("cuGetErrorName", as: (@convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult).self),
            cuGetErrorString: try resolve("cuGetErrorString", as: (@convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult).self),
            cuDeviceGetCount: try resolve("cuDeviceGetCount", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> CUresult).self),
            cuDeviceGet: try resolve("cuDeviceGet", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> CUresult).self),
            cuDeviceGetName: try resolve("cuDeviceGetName", as: (@convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> CUresult).self),
            cuDeviceGetAttribute: try resolve("cuDeviceGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> CUresult).self),
            cuDeviceTotalMem: try resolve("cuDeviceTotalMem", "cuDeviceTotalMem_v2", as: (@convention(c) (UnsafeMutablePointer<Int>, Int32) -> CUresult).self),
            cuDevicePrimaryCtxRetain: try resolve("cuDevicePrimaryCtxRetain", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32) -> CUresult).self),
            cuDevicePrimaryCtxRelease: try resolve("cuDevicePrimaryCtxRelease", "cuDevicePrimaryCtxRelease_v2", as: (@convention(c) (Int32) -> CUresult).self),
            cuCtxSetCurrent: try resolve("cuCtxSetCurrent", as: (@convention(c) (OpaquePointer?) -> CUresult).self),
            cuCtxSynchronize: try resolve("cuCtxSynchronize", as: (@convention(c) () -> CUresult).self),
            cuModuleLoadDataEx: try resolve("cuModuleLoadDataEx", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer, UInt32, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> CUresult).self),
            cuModuleUnload: try resolve("cuModuleUnload", as: (@convention(c) (OpaquePointer?) -> CUresult).self),
            cuModuleGetFunction: try resolve("cuModuleGetFunction", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> CUresult).self),
            cuFuncGetAttribute: try resolve("cuFuncGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32, OpaquePointer?) -> CUresult).self),
            cuFuncSetAttribute: try resolve("cuFuncSetAttribute", as: (@convention(c) (OpaquePointer?, Int32, Int32) -> CUresult).self),
            cuMemAlloc: try resolve("cuMemAlloc", "cuMemAlloc_v2", as: (@convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int) -> CUresult).self),
            cuMemFree: try resolve("cuMemFree", "cuMemFree_v2", as: (@convention(c) (CUdeviceptr) -> CUresult).self),
            cuMemGetInfo: try resolve("cuMemGetInfo", "cuMemGetInfo_v2", as: (@convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> CUresult).self),
            cuMemHostAlloc: try resolve("cuMemHostAlloc", as: (@convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int, UInt32) -> CUresult).self),
            cuMemFreeHost: try resolve("cuMemFreeHost", as: (@convention(c) (UnsafeMutableRawPointer?) -> CUresult).self),
            cuMemcpyHtoD: try resolve("cuMemcpyHtoD", "cuMemcpyHtoD_v2", as: (@convention(c) (CUdeviceptr, UnsafeRawPointer, Int) -> CUresult).self),
            cuMemcpyDtoH: try resolve("cuMemcpyDtoH", "cuMemcpyDtoH_v2", as: (@convention(c) (UnsafeMutableRawPointer, CUdeviceptr, Int) -> CUresult).self),
            cuMemcpyDtoD: try resolve("cuMemcpyDtoD", "cuMemcpyDtoD_v2", as: (@convention(c) (CUdeviceptr, CUdeviceptr, Int) -> CUresult).self),
            cuMemcpyHtoDAsync: try resolve("cuMemcpyHtoDAsync", "cuMemcpyHtoDAsync_v2", as: (@convention(c) (CUdeviceptr, UnsafeRawPointer, Int, OpaquePointer?) -> CUresult).self),
            cuMemcpyDtoHAsync: try resolve("cuMemcpyDtoHAsync", "cuMemcpyDtoHAsync_v2", as: (@convention(c) (UnsafeMutableRawPointer, CUdeviceptr, Int, OpaquePointer?) -> CUresult).self),
            cuMemcpyDtoDAsync: try resolve("cuMemcpyDtoDAsync", "cuMemcpyDtoDAsync_v2", as: (@convention(c) (CUdeviceptr, CUdeviceptr, Int, OpaquePointer?) -> CUresult).self),
            cuMemsetD8: try resolve("cuMemsetD8", "cuMemsetD8_v2", as: (@convention(c) (CUdeviceptr, UInt8, Int) -> CUresult).self),
            cuLaunchKernel: try resolve("cuLaunchKernel", as: (@convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> CUresult).self),
            cuStreamCreate: try resolve("cuStreamCreate", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32) -> CUresult).self),
            cuStreamDestroy: try resolve("cuStreamDestroy", "cuStreamDestroy_v2", as: (@convention(c) (OpaquePointer?) -> CUresult).self),
            cuStreamSynchronize: try resolve("cuStreamSynchronize", as: (@convention(c) (OpaquePointer?) -> CUresult).self),
            cuEventCreate: try resolve("cuEventCreate", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32) -> CUresult).self),
            cuEventRecord: try resolve("cuEventRecord", as: (@convention(c) (OpaquePointer?, OpaquePointer?) -> CUresult).self),
            cuEventSynchronize: try resolve("cuEventSynchronize", as: (@convention(c) (OpaquePointer?) -> CUresult).self),
            cuEventElapsedTime: try resolve("cuEventElapsedTime", as: (@convention(c) (UnsafeMutablePointer<Float>, OpaquePointer?, OpaquePointer?) -> CUresult).self),
            cuEventDestroy: try resolve("cuEventDestroy", "cuEventDestroy_v2", as: (@convention(c) (OpaquePointer?) -> CUresult).self)
        )
    }
}
