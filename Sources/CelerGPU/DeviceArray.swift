import CelerArray
import ComplexModule
import RealModule

// Arrays in device memory. A `DeviceBuffer` owns one allocation and frees it
// when the last array using it goes; a `DeviceArray` is a typed, contiguous
// run of elements in a buffer (a view when it does not start at the
// beginning or cover all of it), with a shape for the round trip to NDArray.
// Copies are synchronous unless a stream is given; asynchronous copies need
// pinned host memory (`PinnedBuffer`) to overlap with other work.

/// An element type that can live on the device: the types of NDArray and a
/// few more, each with its C name (for generated kernels).
/// Conforming types must be trivial (plain bytes, no references); every
/// conformance is declared in this file.
public protocol GPUElement: Sendable {
    /// The CUDA C type of the element: "double", "int", "unsigned char"…
    static var cudaTypeName: String { get }
}

extension Double: GPUElement { public static var cudaTypeName: String { "double" } }
extension Float: GPUElement { public static var cudaTypeName: String { "float" } }
extension Int64: GPUElement { public static var cudaTypeName: String { "long long" } }
extension Int32: GPUElement { public static var cudaTypeName: String { "int" } }
extension Int16: GPUElement { public static var cudaTypeName: String { "short" } }
extension Int8: GPUElement { public static var cudaTypeName: String { "signed char" } }
extension UInt64: GPUElement { public static var cudaTypeName: String { "unsigned long long" } }
extension UInt32: GPUElement { public static var cudaTypeName: String { "unsigned int" } }
extension UInt16: GPUElement { public static var cudaTypeName: String { "unsigned short" } }
extension UInt8: GPUElement { public static var cudaTypeName: String { "unsigned char" } }
extension Bool: GPUElement { public static var cudaTypeName: String { "bool" } }
/// Complex<Double> is two doubles, real first: CUDA's `double2` layout.
extension Complex: GPUElement where RealType == Double {
    public static var cudaTypeName: String { "double2" }
}

/// One device allocation (`cuMemAlloc`), freed on deinit.
public final class DeviceBuffer: @unchecked Sendable {
    public let device: GPUDevice
    public let address: CUdeviceptr
    public let byteCount: Int

    /// Allocates `byteCount` bytes (at least 1); out of memory is `.outOfMemory`.
    public init(device: GPUDevice, byteCount: Int) throws(GPUError) {
        guard byteCount >= 0 else { throw .invalidArgument("device allocation of \(byteCount) bytes") }
        self.device = device
        self.byteCount = byteCount
        try device.makeCurrent()
        var p: CUdeviceptr = 0
        let status = device.driver.api.cuMemAlloc(&p, max(byteCount, 1))
        if status == CU.errorOutOfMemory {
            throw .outOfMemory(call: "cuMemAlloc_v2", bytes: byteCount, message: device.driver.errorString(status))
        }
        try device.driver.check(status, "cuMemAlloc_v2(\(byteCount) bytes)")
        address = p
    }

    deinit {
        _ = device.driver.api.cuCtxSetCurrent(device.context)
        _ = device.driver.api.cuMemFree(address)
    }
}

/// Host memory pinned by the driver (`cuMemHostAlloc`): copies from and to
/// it run at full bus speed and can be asynchronous.
public final class PinnedBuffer<Element: GPUElement>: @unchecked Sendable {
    public let device: GPUDevice
    public let pointer: UnsafeMutablePointer<Element>
    public let count: Int

    public init(device: GPUDevice, count: Int) throws(GPUError) {
        self.device = device
        self.count = count
        try device.makeCurrent()
        var p: UnsafeMutableRawPointer? = nil
        let bytes = max(1, count * MemoryLayout<Element>.stride)
        let status = device.driver.api.cuMemHostAlloc(&p, bytes, CU.memHostAllocPortable)
        if status == CU.errorOutOfMemory {
            throw .outOfMemory(call: "cuMemHostAlloc", bytes: bytes, message: device.driver.errorString(status))
        }
        try device.driver.check(status, "cuMemHostAlloc(\(bytes) bytes)")
        pointer = p!.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    public var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    deinit {
        _ = device.driver.api.cuCtxSetCurrent(device.context)
        _ = device.driver.api.cuMemFreeHost(UnsafeMutableRawPointer(pointer))
    }
}

/// A contiguous typed array in device memory.
public struct DeviceArray<Element: GPUElement>: @unchecked Sendable, KernelArgument {
    public let storage: DeviceBuffer
    /// First element's index in the buffer.
    public let offset: Int
    public let count: Int
    /// The shape (its product is `count`); `[count]` unless reshaped.
    public let shape: [Int]

    public var device: GPUDevice { storage.device }
    /// The device address of the first element.
    public var address: CUdeviceptr { storage.address + CUdeviceptr(offset * MemoryLayout<Element>.stride) }
    public var byteCount: Int { count * MemoryLayout<Element>.stride }
    /// Whether this array is a view of part of its buffer.
    public var isView: Bool { offset != 0 || byteCount != storage.byteCount }

    /// An uninitialised array of `count` elements.
    public init(device: GPUDevice, count: Int) throws(GPUError) {
        guard count >= 0 else { throw .invalidArgument("device array of \(count) elements") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !overflow else { throw .invalidArgument("device array of \(count) elements overflows") }
        storage = try DeviceBuffer(device: device, byteCount: bytes)
        offset = 0
        self.count = count
        shape = [count]
    }

    /// An uninitialised array of `shape`.
    public init(device: GPUDevice, shape: [Int]) throws(GPUError) {
        let n = shape.reduce(1, *)
        let base = try DeviceArray(device: device, count: n)
        self.init(storage: base.storage, offset: 0, count: n, shape: shape)
    }

    init(storage: DeviceBuffer, offset: Int, count: Int, shape: [Int]) {
        self.storage = storage; self.offset = offset; self.count = count; self.shape = shape
    }

    /// All bytes zero.
    public static func zeros(device: GPUDevice, count: Int) throws(GPUError) -> DeviceArray {
        let a = try DeviceArray(device: device, count: count)
        try a.fillZero()
        return a
    }

    /// A copy of `elements` on `device`.
    public init(device: GPUDevice, copying elements: UnsafeBufferPointer<Element>) throws(GPUError) {
        self = try DeviceArray(device: device, count: elements.count)
        try copy(from: elements)
    }

    public init(device: GPUDevice, copying elements: [Element]) throws(GPUError) {
        self = try DeviceArray(device: device, count: elements.count)
        try elements.withUnsafeBufferPointer { (b) throws(GPUError) in try copy(from: b) }
    }

    // MARK: Views

    /// Elements `range` of this array, sharing its memory.
    public subscript(range: Range<Int>) -> DeviceArray {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "device array view \(range) out of 0..<\(count)")
        return DeviceArray(storage: storage, offset: offset + range.lowerBound, count: range.count, shape: [range.count])
    }

    /// The same elements with another shape of the same size.
    public func reshaped(_ newShape: [Int]) throws(GPUError) -> DeviceArray {
        guard newShape.allSatisfy({ $0 >= 0 }), newShape.reduce(1, *) == count else {
            throw .invalidArgument("cannot reshape \(count) elements to \(newShape)")
        }
        return DeviceArray(storage: storage, offset: offset, count: count, shape: newShape)
    }

    // MARK: Copies

    /// Host → device; asynchronous on `stream` (then `source` must stay valid,
    /// and be pinned to overlap, until the stream is synchronised).
    public func copy(from source: UnsafeBufferPointer<Element>, stream: GPUStream? = nil) throws(GPUError) {
        guard source.count == count else { throw .invalidArgument("copy of \(source.count) elements into a device array of \(count)") }
        guard count > 0, let base = source.baseAddress else { return }
        try device.makeCurrent()
        let api = device.driver.api
        if let stream {
            try device.driver.check(api.cuMemcpyHtoDAsync(address, UnsafeRawPointer(base), byteCount, stream.handle), "cuMemcpyHtoDAsync_v2")
        } else {
            try device.driver.check(api.cuMemcpyHtoD(address, UnsafeRawPointer(base), byteCount), "cuMemcpyHtoD_v2")
        }
    }

    /// Device → host; asynchronous on `stream`.
    public func copy(to destination: UnsafeMutableBufferPointer<Element>, stream: GPUStream? = nil) throws(GPUError) {
        guard destination.count == count else { throw .invalidArgument("copy of a device array of \(count) elements into \(destination.count)") }
        guard count > 0, let base = destination.baseAddress else { return }
        try device.makeCurrent()
        let api = device.driver.api
        if let stream {
            try device.driver.check(api.cuMemcpyDtoHAsync(UnsafeMutableRawPointer(base), address, byteCount, stream.handle), "cuMemcpyDtoHAsync_v2")
        } else {
            try device.driver.check(api.cuMemcpyDtoH(UnsafeMutableRawPointer(base), address, byteCount), "cuMemcpyDtoH_v2")
        }
    }

    /// Device → device, from an array of the same count.
    public func copy(from source: DeviceArray, stream: GPUStream? = nil) throws(GPUError) {
        guard source.count == count else { throw .invalidArgument("device copy of \(source.count) elements into \(count)") }
        guard count > 0 else { return }
        try device.makeCurrent()
        let api = device.driver.api
        if let stream {
            try device.driver.check(api.cuMemcpyDtoDAsync(address, source.address, byteCount, stream.handle), "cuMemcpyDtoDAsync_v2")
        } else {
            try device.driver.check(api.cuMemcpyDtoD(address, source.address, byteCount), "cuMemcpyDtoD_v2")
        }
    }

    /// Sets every byte to zero.
    public func fillZero() throws(GPUError) {
        guard count > 0 else { return }
        try device.makeCurrent()
        try device.driver.check(device.driver.api.cuMemsetD8(address, 0, byteCount), "cuMemsetD8_v2")
    }

    /// The elements, copied to the host.
    public func toArray() throws(GPUError) -> [Element] {
        guard count > 0 else { return [] }
        var failure: GPUError? = nil
        // An uninitialised host array of `count` elements, filled by the copy.
        let result = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(GPUError) {
                try copy(to: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result
    }

    // MARK: KernelArgument: the device address, as a pointer parameter

    public var kernelArgumentSize: Int { 8 }
    public var kernelArgumentAlignment: Int { 8 }
    public func writeKernelArgument(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: address, as: UInt64.self)
    }
}

// MARK: - NDArray round trip

extension DeviceArray where Element: NDArrayElement {
    /// A device copy of `array`'s elements in row-major order (strided
    /// arrays are gathered first), with its shape.
    public init(device: GPUDevice, copying array: NDArray<Element>) throws(GPUError) {
        let n = array.count
        self = try DeviceArray(device: device, shape: array.shape)
        var failure: GPUError? = nil
        array.withContiguousElements { elements in
            do throws(GPUError) { try copy(from: elements) } catch { failure = error }
        }
        if let failure { throw failure }
        precondition(count == n)
    }

    /// A new contiguous NDArray of this array's shape holding its elements.
    public func toNDArray() throws(GPUError) -> NDArray<Element> {
        let result = NDArray<Element>(uninitializedShape: shape)
        try copy(to: UnsafeMutableBufferPointer(start: result.baseAddress, count: count))
        return result
    }
}
