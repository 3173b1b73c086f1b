/// NVRTC behind the disk cache: `compile` returns the cached image when the
/// source, name, options, target, NVRTC version and driver version match an
/// entry, and otherwise compiles and stores it.
public struct KernelCompiler: Sendable {
    public let nvrtc: NVRTC
    public let cache: KernelDiskCache?
    /// The loaded driver's version, part of every key (nil: none loaded).
    public let driverVersion: Int?

    public init(nvrtc: NVRTC, cache: KernelDiskCache?, driverVersion: Int?) {
        self.nvrtc = nvrtc
        self.cache = cache
        self.driverVersion = driverVersion
    }

    /// The process's NVRTC and default cache, with the driver's version when
    /// a driver is loaded; or why NVRTC is unavailable.
    public static func shared() throws(GPUError) -> KernelCompiler {
        let nvrtc = try NVRTC.shared.get()
        let driver = try? CUDADriver.shared.get()
        return KernelCompiler(nvrtc: nvrtc, cache: KernelDiskCache.shared, driverVersion: driver?.version)
    }

    public func key(_ source: String, name: String, target: GPUTarget, options: [String]) -> KernelCacheKey {
        KernelCacheKey(source: source, name: name, options: options, target: target,
                       nvrtcVersion: nvrtc.versionString, driverVersion: driverVersion)
    }

    public func compile(_ source: String, name: String, target: GPUTarget,
                        options: [String] = NVRTC.defaultOptions) throws(GPUError) -> CompiledKernel {
        let key = key(source, name: name, target: target, options: options)
        if let cache, let hit = cache.load(key) { return hit }
        let kernel = try nvrtc.compile(source, name: name, target: target, options: options)
        cache?.store(kernel, for: key)
        return kernel
    }
}
