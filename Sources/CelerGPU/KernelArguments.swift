// Kernel arguments. `cuLaunchKernel` takes `kernelParams`: an array with one
// pointer per kernel parameter, each pointing at that parameter's value. The
// values are packed into one buffer laid out as a C struct of the parameters
// (each at its natural alignment), so the same bytes could also be passed as
// a parameter buffer (`CU_LAUNCH_PARAM_BUFFER_POINTER`); the pointer array
// points into it. The caller's types must match the kernel's C parameters:
// `Int32` for `int`, `Double` for `double`, a `DeviceArray` for a pointer.

/// A value that can be passed to a kernel parameter.
public protocol KernelArgument {
    /// Bytes of the C parameter.
    var kernelArgumentSize: Int { get }
    /// Its alignment (a power of two, at most 8).
    var kernelArgumentAlignment: Int { get }
    /// Writes the parameter's bytes at `destination`.
    func writeKernelArgument(to destination: UnsafeMutableRawPointer)
}

/// Plain values pass their own bytes.
public protocol KernelScalarArgument: KernelArgument, BitwiseCopyable {}
extension KernelScalarArgument {
    public var kernelArgumentSize: Int { MemoryLayout<Self>.size }
    public var kernelArgumentAlignment: Int { MemoryLayout<Self>.alignment }
    public func writeKernelArgument(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: self, as: Self.self)
    }
}

extension Int8: KernelScalarArgument {}
extension UInt8: KernelScalarArgument {}
extension Int16: KernelScalarArgument {}
extension UInt16: KernelScalarArgument {}
extension Int32: KernelScalarArgument {}
extension UInt32: KernelScalarArgument {}
extension Int64: KernelScalarArgument {}
extension UInt64: KernelScalarArgument {}
/// `Int` is passed as a 64-bit `long long`.
extension Int: KernelScalarArgument {}
extension Float: KernelScalarArgument {}
extension Double: KernelScalarArgument {}
/// `Bool` is one byte, 0 or 1, like C++ `bool`.
extension Bool: KernelScalarArgument {}

/// A raw device address, passed as a pointer parameter.
public struct DevicePointer: KernelScalarArgument, Sendable, Equatable {
    public let address: CUdeviceptr
    public init(_ address: CUdeviceptr) { self.address = address }
    public static let null = DevicePointer(0)
}

/// Kernel arguments packed for a launch.
public struct KernelArguments: Sendable {
    /// The packed bytes, 8-byte aligned storage.
    private var words: [UInt64] = []
    /// Byte offset of each argument in the buffer.
    public private(set) var offsets: [Int] = []
    /// Bytes used: the end of the last argument.
    public private(set) var size = 0

    public init() {}

    public init(_ arguments: [any KernelArgument]) {
        for a in arguments { append(a) }
    }

    /// Appends `value` at the next offset aligned for it.
    public mutating func append(_ value: any KernelArgument) {
        let alignment = max(1, value.kernelArgumentAlignment)
        precondition(alignment <= 8 && alignment & (alignment - 1) == 0, "kernel argument alignment \(alignment) unsupported")
        let offset = (size + alignment - 1) / alignment * alignment
        let end = offset + value.kernelArgumentSize
        while words.count * 8 < end { words.append(0) }
        words.withUnsafeMutableBytes { raw in value.writeKernelArgument(to: raw.baseAddress! + offset) }
        offsets.append(offset)
        size = end
    }

    /// The packed bytes (the C struct of the parameters, without tail padding).
    public var bytes: [UInt8] {
        words.withUnsafeBytes { Array($0.prefix(size)) }
    }

    public var count: Int { offsets.count }

    /// Calls `body` with the `kernelParams` array: a pointer per argument
    /// into the packed buffer, valid only during the call.
    public func withParameterPointers<R>(_ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> R) -> R {
        var copy = words
        return copy.withUnsafeMutableBytes { raw in
            var pointers: [UnsafeMutableRawPointer?] = offsets.map { raw.baseAddress! + $0 }
            if pointers.isEmpty { return body(nil) }
            return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress) }
        }
    }
}
