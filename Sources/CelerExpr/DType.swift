import CelerArray
import CelerCore

/// The element types a fused expression computes with: NDArray's real,
/// integer and Bool elements (complex numbers are not fused).
public enum DType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case bool, uint8, int32, int64, float32, float64

    /// NumPy's name: "float64", "int32", "bool"…
    public var description: String {
        switch self {
        case .bool: "bool"
        case .uint8: "uint8"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        }
    }

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .uint8: 1
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    public var isFloat: Bool { self == .float32 || self == .float64 }
    public var isInteger: Bool { self == .uint8 || self == .int32 || self == .int64 }

    /// The dtype named `name` (NumPy's spelling), if any.
    public init?(name: String) {
        guard let d = DType.allCases.first(where: { $0.description == name }) else { return nil }
        self = d
    }

    /// The dtype of an NDArray element type, if it can be fused.
    public init?<T: NDArrayElement>(_ type: T.Type) {
        switch type {
        case is Double.Type: self = .float64
        case is Float.Type: self = .float32
        case is Int64.Type: self = .int64
        case is Int32.Type: self = .int32
        case is UInt8.Type: self = .uint8
        case is Bool.Type: self = .bool
        default: return nil
        }
    }

    /// NumPy's promotion of two array dtypes (`np.result_type`): the smallest
    /// type that holds both; int32/int64 with float32 give float64.
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        let (lo, hi) = a.rawValue < b.rawValue ? (a, b) : (b, a)
        if hi == .float32 && (lo == .int32 || lo == .int64) { return .float64 }
        return hi
    }
}

/// A type-erased NDArray of a fusable element type: what expressions read
/// and what they return. Holding one keeps the array's storage alive.
public enum AnyArray: @unchecked Sendable {
    case float64(NDArray<Double>)
    case float32(NDArray<Float>)
    case int64(NDArray<Int64>)
    case int32(NDArray<Int32>)
    case uint8(NDArray<UInt8>)
    case bool(NDArray<Bool>)

    /// Wraps `array`; nil for element types that cannot be fused (complex).
    public init?<T: NDArrayElement>(_ array: NDArray<T>) {
        // Metatype tests and a same-type bit cast: no dynamic casts per call.
        if T.self == Double.self { self = .float64(unsafeBitCast(array, to: NDArray<Double>.self)) }
        else if T.self == Float.self { self = .float32(unsafeBitCast(array, to: NDArray<Float>.self)) }
        else if T.self == Int64.self { self = .int64(unsafeBitCast(array, to: NDArray<Int64>.self)) }
        else if T.self == Int32.self { self = .int32(unsafeBitCast(array, to: NDArray<Int32>.self)) }
        else if T.self == UInt8.self { self = .uint8(unsafeBitCast(array, to: NDArray<UInt8>.self)) }
        else if T.self == Bool.self { self = .bool(unsafeBitCast(array, to: NDArray<Bool>.self)) }
        else { return nil }
    }

    public var dtype: DType {
        switch self {
        case .float64: .float64
        case .float32: .float32
        case .int64: .int64
        case .int32: .int32
        case .uint8: .uint8
        case .bool: .bool
        }
    }

    /// The view's geometry and memory, whatever the element type.
    @usableFromInline
    var raw: RawView {
        switch self {
        case .float64(let a): RawView(a)
        case .float32(let a): RawView(a)
        case .int64(let a): RawView(a)
        case .int32(let a): RawView(a)
        case .uint8(let a): RawView(a)
        case .bool(let a): RawView(a)
        }
    }

    public var shape: [Int] { raw.shape }
    public var strides: [Int] { raw.strides }

    /// The array with elements of type `T`, or nil if it holds another type.
    public func array<T: NDArrayElement>(of type: T.Type) -> NDArray<T>? {
        switch self {
        case .float64(let a): a as? NDArray<T>
        case .float32(let a): a as? NDArray<T>
        case .int64(let a): a as? NDArray<T>
        case .int32(let a): a as? NDArray<T>
        case .uint8(let a): a as? NDArray<T>
        case .bool(let a): a as? NDArray<T>
        }
    }

    /// The elements as doubles in row-major order (tests, printing).
    public var doubles: [Double] {
        switch self {
        case .float64(let a): a.scalars
        case .float32(let a): a.scalars.map(Double.init)
        case .int64(let a): a.scalars.map(Double.init)
        case .int32(let a): a.scalars.map(Double.init)
        case .uint8(let a): a.scalars.map(Double.init)
        case .bool(let a): a.scalars.map { $0 ? 1 : 0 }
        }
    }

    /// A new contiguous, uninitialised array of `dtype` and `shape`, laid out with `strides`.
    static func uninitialized(_ dtype: DType, shape: [Int], strides: [Int]) -> AnyArray {
        switch dtype {
        case .float64: .float64(NDArray(uninitializedShape: shape, strides: strides))
        case .float32: .float32(NDArray(uninitializedShape: shape, strides: strides))
        case .int64: .int64(NDArray(uninitializedShape: shape, strides: strides))
        case .int32: .int32(NDArray(uninitializedShape: shape, strides: strides))
        case .uint8: .uint8(NDArray(uninitializedShape: shape, strides: strides))
        case .bool: .bool(NDArray(uninitializedShape: shape, strides: strides))
        }
    }
}

/// Where a view's elements are, element type erased: the base pointer of its
/// storage, the view's offset and strides (in elements), and the storage's
/// identity and extent for alias checks.
@usableFromInline
struct RawView {
    let storageBase: UnsafeMutableRawPointer
    let storageID: ObjectIdentifier
    let storageCount: Int
    let shape: [Int]
    let strides: [Int]
    let offset: Int
    let elementSize: Int

    init<T>(_ a: NDArray<T>) {
        storageBase = UnsafeMutableRawPointer(a.storage.pointer)
        storageID = ObjectIdentifier(a.storage)
        storageCount = a.storage.count
        shape = a.shape
        strides = a.strides
        offset = a.offset
        elementSize = MemoryLayout<T>.stride
    }

    /// The first element of the view.
    var base: UnsafeMutableRawPointer { storageBase + offset * elementSize }
}
