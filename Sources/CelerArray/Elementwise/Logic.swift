import CelerCore

// Elementwise logic on Bool arrays (`.&`, `.|`, `.^`, `.!`).
// The three spellings of every operation (operator, in place, `out:`) are
// described in Arithmetic.swift.

// MARK: - Kernels

/// Kernel: a && b.
public struct LogicalAndKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a && b }
}

/// Kernel: a || b.
public struct LogicalOrKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a || b }
}

/// Kernel: a != b.
public struct LogicalXorKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a != b }
}

/// Kernel: logical not.
public struct LogicalNotKernel: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Bool) -> Bool { !x }
}

// MARK: - Spellings

extension NDArray where Element == Bool {
    /// Elementwise `a && b`.
    @inlinable public static func .& (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalAndKernel(), a, b) }
    }
    /// Elementwise `a || b`.
    @inlinable public static func .| (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalOrKernel(), a, b) }
    }
    /// Elementwise `a != b`.
    @inlinable public static func .^ (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalXorKernel(), a, b) }
    }
    /// Elementwise not.
    @inlinable public static prefix func .! (a: NDArray) -> NDArray { map(LogicalNotKernel(), a) }
}

/// Elementwise `a && b` into `out`.
@inlinable
public func logicalAnd(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalAndKernel(), a, b, out: out)
}

/// Elementwise `a || b` into `out`.
@inlinable
public func logicalOr(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalOrKernel(), a, b, out: out)
}

/// Elementwise `a != b` into `out`.
@inlinable
public func logicalXor(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalXorKernel(), a, b, out: out)
}

/// Elementwise not into `out`.
@inlinable
public func logicalNot(_ a: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalNotKernel(), a, out: out)
}
