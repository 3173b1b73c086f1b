import CelerArray
import ComplexModule
import Foundation
import Testing

// NumPy as an oracle: runs `peers/numpy_reference.py` (python3 + NumPy) on
// the same inputs as a Celer computation and compares the results. Tests that
// use it are disabled, with a visible reason, where python3 or numpy is
// missing:
//
//     @Suite(.enabled(if: NumPyReference.isAvailable, "python3 with numpy is not available"))
//     struct MyTests {
//         @Test func sums() throws {
//             var rng = TestRandom(1)
//             let check = NumPyCheck()
//             let a = rng.array([3, 4])
//             check.expect("a.sum(axis=0)", ["a": EncodedArray(a)], a.sum(axis: 0))
//             try check.verify()          // one python3 run for the whole batch
//         }
//     }
//
// The script evaluates each case's expression with the named arrays bound
// (and `np`), and answers one JSON line per case: the result's dtype, shape
// and elements as text (a string result, such as `repr(a)`, as text), or
// the error NumPy raised.

/// An array as text, the exchange format with the Python script.
public struct EncodedArray: Sendable {
    public var dtype: String
    public var shape: [Int]
    /// The elements in row-major order: integers and reals as Swift prints
    /// them (shortest round-trip), Bools as `True`/`False`, complex as `re,im`.
    public var data: [String]

    /// `a`'s elements in row-major order (any layout).
    public init<T: NDArrayElement>(_ a: NDArray<T>) {
        dtype = T.dtypeName
        shape = a.shape
        data = a.scalars.map(EncodedArray.text)
    }

    public init(dtype: String, shape: [Int], data: [String]) {
        self.dtype = dtype; self.shape = shape; self.data = data
    }

    /// One element as the exchange text.
    public static func text<T: NDArrayElement>(_ x: T) -> String {
        if let b = x as? Bool { return b ? "True" : "False" }
        if let i = x.ndIntegerValue { return "\(i)" }
        let (re, im) = x.ndComplexValue
        if T.self == Complex<Double>.self || T.self == Complex<Float>.self { return "\(re),\(im)" }
        return "\(re)"
    }

    /// The JSON object the script reads.
    public var json: [String: Any] { ["dtype": dtype, "shape": shape, "data": data] }
}

/// Running the reference script.
public enum NumPyReference {
    /// `peers/numpy_reference.py` of this package.
    public static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/numpy_reference.py").path
    }()

    /// Whether python3 with numpy can be run here.
    public static let isAvailable: Bool = {
        guard let out = try? python(["-c", "import numpy; print(numpy.__version__)"], input: Data()) else { return false }
        return !out.isEmpty
    }()

    /// Runs `python3 arguments` (found on PATH) with `input` on its standard
    /// input; its standard output, or empty data when it exits non-zero.
    public static func python(_ arguments: [String], input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Write on another thread so a large request and reply cannot deadlock.
        let writer = Thread { stdin.fileHandleForWriting.write(input); try? stdin.fileHandleForWriting.close() }
        writer.start()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return Data() }
        return data
    }

    /// NumPy's results for `cases` (expression, named input arrays), one
    /// dictionary per case, in order.
    public static func evaluate(_ cases: [(expr: String, arrays: [String: EncodedArray])]) throws -> [[String: Any]] {
        let request: [String: Any] = ["cases": cases.map { ["expr": $0.expr, "arrays": $0.arrays.mapValues(\.json)] as [String: Any] }]
        let data = try JSONSerialization.data(withJSONObject: request)
        let reply = try python([script], input: data)
        let lines = String(decoding: reply, as: UTF8.self).split(separator: "\n")
        return try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}

/// A batch of Celer results to compare with NumPy's, checked in one Python
/// run by `verify()`, which records one issue per case that differs.
public final class NumPyCheck {
    enum Expected { case array(EncodedArray, tolerance: Double), error, text(String) }
    private var cases: [(expr: String, arrays: [String: EncodedArray], celer: Expected)] = []

    public init() {}

    /// Expects NumPy's `expr` on `arrays` to equal `result` (exactly, or within
    /// `tolerance` relative to max(1, |value|) for floating point).
    public func expect<T: NDArrayElement>(_ expr: String, _ arrays: [String: EncodedArray], _ result: NDArray<T>, tolerance: Double = 0) {
        cases.append((expr, arrays, .array(EncodedArray(result), tolerance: tolerance)))
    }
    /// Expects a scalar result.
    public func expect<T: NDArrayElement>(_ expr: String, _ arrays: [String: EncodedArray], scalar: T, tolerance: Double = 0) {
        cases.append((expr, arrays, .array(EncodedArray(NDArray(scalar: scalar)), tolerance: tolerance)))
    }
    /// Expects NumPy to raise an error too.
    public func expectError(_ expr: String, _ arrays: [String: EncodedArray]) {
        cases.append((expr, arrays, .error))
    }
    /// Expects `expr` (e.g. `repr(a)`) to give `text`.
    public func expectText(_ expr: String, _ arrays: [String: EncodedArray], _ text: String) {
        cases.append((expr, arrays, .text(text)))
    }

    /// Cases added so far.
    public var count: Int { cases.count }

    /// Runs NumPy on every case and records an issue (at the caller's
    /// location) for each result that differs; throws if NumPy could not run.
    public func verify(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let results = try NumPyReference.evaluate(cases.map { ($0.expr, $0.arrays) })
        try #require(results.count == cases.count, "NumPy answered \(results.count) of \(cases.count) cases", sourceLocation: sourceLocation)
        for (c, r) in zip(cases, results) {
            let ok = r["ok"] as? Bool ?? false
            switch c.celer {
            case .error:
                #expect(!ok, "NumPy accepted \(c.expr) which Celer rejects", sourceLocation: sourceLocation)
            case .text(let text):
                #expect(ok && (r["text"] as? String) == text, "\(c.expr): Celer \(text.debugDescription) NumPy \(String(describing: r["text"] ?? r["error"]).debugDescription)", sourceLocation: sourceLocation)
            case .array(let mine, let tolerance):
                guard ok, let shape = r["shape"] as? [Int], let data = r["data"] as? [String] else {
                    Issue.record("\(c.expr): NumPy failed: \(r["error"] ?? "?")", sourceLocation: sourceLocation)
                    continue
                }
                guard shape == mine.shape else {
                    Issue.record("\(c.expr): shape \(mine.shape) but NumPy \(shape)", sourceLocation: sourceLocation)
                    continue
                }
                let bad = zip(mine.data, data).enumerated().first { !NumPyCheck.same($0.element.0, $0.element.1, tolerance) }
                if let bad {
                    Issue.record("\(c.expr): element \(bad.offset) is \(bad.element.0), NumPy \(bad.element.1) (shape \(shape))", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// Whether two exchange texts are the same value (NaN equals NaN), or
    /// within `tolerance` relative to max(1, |b|).
    public static func same(_ a: String, _ b: String, _ tolerance: Double) -> Bool {
        if a == b { return true }
        let pa = a.split(separator: ","), pb = b.split(separator: ",")
        guard pa.count == pb.count else { return false }
        for (x, y) in zip(pa, pb) {
            guard let u = Double(x), let v = Double(y) else { return false }
            if u == v || (u.isNaN && v.isNaN) { continue }
            if tolerance > 0 && Swift.abs(u - v) <= tolerance * Swift.max(1, Swift.abs(v)) { continue }
            return false
        }
        return true
    }
}

/// Python text of one index entry (`3`, `None`, `...`, `1:-1:2`).
public func pythonText(_ i: NDIndex) -> String {
    switch i {
    case .index(let k): return "\(k)"
    case .newAxis: return "None"
    case .ellipsis: return "..."
    case .slice(let start, let stop, let step):
        return "\(start.map(String.init) ?? ""):\(stop.map(String.init) ?? ""):\(step)"
    }
}

/// Python text of an index tuple (`()` when empty).
public func pythonText(_ indices: [NDIndex]) -> String {
    indices.isEmpty ? "()" : indices.map(pythonText).joined(separator: ", ")
}
