import CelerCore

// Kernels that move elements without computing on them: `where` (NumPy's),
// and the copy and conversion kernels behind `copy()`, `ascontiguous()` and
// `astype` (Indexing/Manipulation.swift) and assignment through subscripts
// (Indexing/Indexing.swift).

// MARK: - Kernels

/// Kernel: `condition ? a : b` (NumPy's `where`).
public struct WhereKernel<Element: NDArrayElement>: TernaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ c: Bool, _ a: Element, _ b: Element) -> Element { c ? a : b }
}

/// Kernel: the element itself (copies, `ascontiguous`, assignment).
public struct CopyKernel<Element: NDArrayElement>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { x }
}

/// Kernel: conversion between element types (`astype`).
public struct ConvertKernel<Input: NDArrayElement, Output: NDArrayElement>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Input) -> Output { Output.ndConverted(from: x) }
}

// MARK: - where

/// `a` where `condition` is true, else `b`, broadcasting all three (NumPy's `where`).
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: NDArray<Element>, _ b: NDArray<Element>) -> NDArray<Element> {
    trapping { () throws(CelerError) in try map(WhereKernel<Element>(), condition, a, b) }
}

/// `a` where `condition` is true, else `b`, with scalars.
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: Element, _ b: Element) -> NDArray<Element> {
    `where`(condition, NDArray(scalar: a), NDArray(scalar: b))
}

/// `where` into `out`.
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(WhereKernel<Element>(), condition, a, b, out: out)
}
