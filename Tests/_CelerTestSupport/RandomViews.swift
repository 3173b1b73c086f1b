import CelerArray

// Random views: arrays that are not row-major (reversed, stepped, trimmed,
// transposed, broadcast), each with its NumPy spelling, so one test can run
// the same view through Celer and through NumPy (NumPyReference.swift), and a
// reference by subscripts (`broadcastElement`) that trusts no loop driver.

/// How to cut a view of a given shape out of a fresh base array: per axis one
/// of kept, reversed (`::-1`), stepped (`::2`), trimmed (`1:-1`) or
/// reversed-stepped (`-2::-2`); then maybe transposed (all axes reversed);
/// then maybe broadcast along a new leading axis of 2 or 3 (stride 0).
///
/// ```swift
/// let recipe = ViewRecipe(&rng, shape: [3, 4])
/// let base = rng.array(recipe.baseShape)
/// let v = recipe.view(of: base)                // shape [3, 4] (or [k, 3, 4])
/// check.expect("\(recipe.python("a")).sum()", ["a": EncodedArray(base)], scalar: v.sum())
/// ```
public struct ViewRecipe: Sendable {
    /// The shape of the base array to cut the view from.
    public var baseShape: [Int] = []
    /// The slices applied to the base, one per axis.
    public var indices: [NDIndex] = []
    /// Whether the sliced view is then transposed.
    public var transpose = false
    /// The length of the broadcast leading axis, if any.
    public var broadcastLead: Int? = nil

    /// A random recipe for a view of `shape` (with a leading broadcast axis
    /// one time in four when `allowBroadcast`).
    public init(_ rng: inout TestRandom, shape: [Int], allowBroadcast: Bool = true) {
        transpose = shape.count >= 2 && rng.bool()
        let sliceShape = transpose ? Array(shape.reversed()) : shape
        for n in sliceShape {
            switch rng.int(0...4) {
            case 0: baseShape.append(n); indices.append(.all)
            case 1: baseShape.append(n); indices.append(.step(-1))
            case 2: baseShape.append(2 * n); indices.append(.step(2))
            case 3: baseShape.append(n + 2); indices.append(.s(1, -1))
            default: baseShape.append(2 * n + 1); indices.append(.s(-2, nil, -2))
            }
        }
        if allowBroadcast && rng.int(0...3) == 0 { broadcastLead = rng.int(2...3) }
    }

    /// The view of `base` (which must have `baseShape`).
    public func view<T>(of base: NDArray<T>) -> NDArray<T> {
        var v = base[indices]
        if transpose { v = v.T }
        if let lead = broadcastLead { v = try! v.broadcast(to: [lead] + v.shape) }
        return v
    }

    /// The same view in Python, of the base array named `name`.
    public func python(_ name: String) -> String {
        var text = "\(name)[\(pythonText(indices))]"
        if transpose { text += ".T" }
        if let lead = broadcastLead { text = "np.broadcast_to(\(text), (\(lead),) + \(text).shape)" }
        return text
    }
}

/// A double view of exactly `shape` (no broadcast axis) cut from a fresh
/// base of `rng.array` values, with its Python spelling of the base `name`.
public func randomView(_ rng: inout TestRandom, shape: [Int], name: String) -> (base: NDArray<Double>, view: NDArray<Double>, python: String) {
    let recipe = ViewRecipe(&rng, shape: shape, allowBroadcast: false)
    let base = rng.array(recipe.baseShape)
    let view = recipe.view(of: base)
    precondition(view.shape == shape)
    return (base, view, recipe.python(name))
}

/// A shape of `ndim` axes, each of length 1 to `maxDim`.
public func randomShape(_ rng: inout TestRandom, ndim: Int, maxDim: Int = 6) -> [Int] {
    (0..<ndim).map { _ in rng.int(1...maxDim) }
}

/// A shape that broadcasts to `shape`: leading axes dropped, some axes set to 1.
public func broadcastableShape(_ rng: inout TestRandom, to shape: [Int]) -> [Int] {
    let drop = rng.int(0...shape.count)
    return shape.dropFirst(drop).map { rng.int(0...2) == 0 ? 1 : $0 }
}

/// All index tuples of `shape` in row-major order (none if an axis is 0).
public func allIndices(_ shape: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for n in shape { result = result.flatMap { prefix in (0..<n).map { prefix + [$0] } } }
    return shape.contains(0) ? [] : result
}

/// `a`'s element for index `i` of a shape `a` broadcasts to (right-aligned,
/// size-1 axes repeat), read through `a`'s strides and offset directly.
public func broadcastElement<T>(_ a: NDArray<T>, _ i: [Int]) -> T {
    let pad = i.count - a.ndim
    let index = (0..<a.ndim).map { a.shape[$0] == 1 ? 0 : i[pad + $0] }
    return a.storage.pointer[a.offset + zip(index, a.strides).map { $0 * $1 }.reduce(0, +)]
}
