import CelerCore

// Error rules (see docs/arrays.md, "Errors"):
// - Everything that can come from user data has a throwing spelling that
//   throws `CelerError` (one line, naming the shapes, the index or the axis):
//   `try a.view(...)`, `try a.reshaped(...)`, `try broadcastShapes(...)`,
//   `try add(a, b, out: c)`, `try NDArray(nested:)`, `try concatenate(...)`.
// - Operators and subscripts trap with the same message (a programmer error,
//   like an out-of-range index on a Swift Array). Memory is never touched
//   before the check.

/// NumPy's spelling of a shape: `(3, 4)`, `(5,)`, `()`.
@inlinable
public func shapeDescription(_ shape: [Int]) -> String {
    if shape.count == 1 { return "(\(shape[0]),)" }
    return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// The errors CelerArray throws, all `CelerError`s.
public enum ArrayError {
    public static func broadcast(_ shapes: [[Int]]) -> CelerError {
        CelerError("shape", "operands could not be broadcast together with shapes "
            + shapes.map(shapeDescription).joined(separator: " "))
    }
    public static func shapeMismatch(_ what: String, expected: [Int], got: [Int]) -> CelerError {
        CelerError("shape", "\(what): expected shape \(shapeDescription(expected)), got \(shapeDescription(got))")
    }
    public static func reshape(_ count: Int, from: [Int], to: [Int]) -> CelerError {
        CelerError("reshape", "cannot reshape array of size \(count) with shape \(shapeDescription(from)) into shape \(shapeDescription(to))")
    }
    public static func index(_ index: Int, axis: Int, size: Int) -> CelerError {
        CelerError("index", "index \(index) is out of bounds for axis \(axis) with size \(size)")
    }
    public static func tooManyIndices(_ count: Int, ndim: Int) -> CelerError {
        CelerError("index", "too many indices for array: array is \(ndim)-dimensional, but \(count) were indexed")
    }
    public static func axis(_ axis: Int, ndim: Int) -> CelerError {
        CelerError("axis", "axis \(axis) is out of bounds for array of dimension \(ndim)")
    }
    public static func invalid(_ subject: String, _ message: String) -> CelerError {
        CelerError(subject, message)
    }
}

/// Runs a throwing array operation from a trapping spelling (operators,
/// subscripts): the error's one-line description becomes the trap message.
@inlinable @inline(__always)
func trapping<T>(_ body: () throws(CelerError) -> T) -> T {
    do { return try body() } catch { fatalError(error.description) }
}
