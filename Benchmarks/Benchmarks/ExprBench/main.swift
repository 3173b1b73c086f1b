// Fused expressions (CelerExpr) against unfused NDArray, on numexpr's
// micro-benchmarks, at 1e3, 1e5 and 1e7 elements. A plain executable (no
// benchmark plugin), so it builds with the Celer package alone:
//   swift run -c release ExprBench [--repeat N] [--json FILE]
// Benchmarks/compare-expr.sh runs it and Benchmarks/peers/expr_numexpr.py
// (NumPy and numexpr on the same expressions, names and sizes) one after the
// other and prints one table with same-run ratios.
// Each case: 2 warm-up calls, then `--repeat` timed batches (default 7) of
// enough calls to take about 20 ms; the median per call is reported.
import CelerArray
import CelerCore
import CelerExpr
import CelerParallel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

@inline(never) func sink<T>(_ x: T) { withExtendedLifetime(x) {} }

/// Median seconds per call of `body`.
func time(_ repeats: Int, _ body: () -> Void) -> Double {
    body(); body()
    var calls = 1
    while true {
        let t0 = now()
        for _ in 0..<calls { body() }
        let dt = now() - t0
        if dt > 0.02 || calls > 1 << 20 { break }
        calls *= 2
    }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        for _ in 0..<calls { body() }
        samples.append((now() - t0) / Double(calls))
    }
    samples.sort()
    return samples[samples.count / 2]
}

var repeats = 7
var jsonPath: String? = nil
var filter: String? = nil
var args = Array(CommandLine.arguments.dropFirst())
while let a = args.first {
    args.removeFirst()
    switch a {
    case "--repeat":
        guard let v = args.first.flatMap(Int.init), v >= 1 else {
            FileHandleStderr.write("ExprBench: --repeat needs a positive count\n"); exit(2)
        }
        repeats = v; args.removeFirst()
    case "--filter":
        guard let v = args.first else { FileHandleStderr.write("ExprBench: --filter needs a text\n"); exit(2) }
        filter = v; args.removeFirst()
    case "--json":
        guard let v = args.first else { FileHandleStderr.write("ExprBench: --json needs a file\n"); exit(2) }
        jsonPath = v; args.removeFirst()
    default:
        FileHandleStderr.write("ExprBench: unknown option '\(a)' (allowed: --repeat N, --json FILE, --filter TEXT)\n"); exit(2)
    }
}

enum FileHandleStderr { static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) } }

var results: [(String, Double)] = []
/// Times `body` unless `--filter` excludes `name`.
@MainActor func record(_ name: String, _ body: () -> Void) {
    if let filter, !name.contains(filter) { return }
    record(name, time(repeats, body))
}

@MainActor func record(_ name: String, _ seconds: Double) {
    results.append((name, seconds))
    print("\(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%10.2f", seconds * 1e6)) µs")
}

for n in [1_000, 100_000, 10_000_000] {
    let label = n == 1_000 ? "1e3" : n == 100_000 ? "1e5" : "1e7"
    if let filter, !filter.contains(", 1e"), filter.contains("1e") && !filter.contains(label) { continue }
    if let filter, filter.contains(", 1e") && !filter.contains(", \(label)") { continue }
    let a = NDArray<Double>.randomUniform([n], seed: 1), b = NDArray<Double>.randomUniform([n], seed: 2)
    let c = NDArray<Double>.randomUniform([n], seed: 3)
    let wide = NDArray<Double>.randomUniform([2 * n], seed: 4)
    let strided = wide[.step(2)]
    let rows = NDArray<Double>.randomUniform([n / 1000, 1000], seed: 5), row = NDArray<Double>.randomUniform([1000], seed: 6)

    let e1 = try! CompiledExpression("2*a + b**10")
    record("2*a + b**10, \(label), fused") { sink(try! e1.evaluate(["a": a, "b": b])) }
    record("2*a + b**10, \(label), ndarray") {
        let b2 = b * b, b4 = b2 * b2, b8 = b4 * b4
        sink(2 * a + b2 * b8)
    }
    let e2 = try! CompiledExpression("a*b + c")
    record("a*b + c, \(label), fused") { sink(try! e2.evaluate(["a": a, "b": b, "c": c])) }
    record("a*b + c, \(label), ndarray") { sink(a * b + c) }
    let outABC = NDArray<Double>.zeros([n])
    record("a*b + c into out, \(label), fused") { try! e2.evaluate(into: outABC, ["a": a, "b": b, "c": c]) }
    record("a*b + c into out, \(label), ndarray") { try! multiply(a, b, out: outABC); outABC += c }
    let e3 = try! CompiledExpression("sin(a)**2 + cos(b)**2")
    record("sin(a)**2 + cos(b)**2, \(label), fused") { sink(try! e3.evaluate(["a": a, "b": b])) }
    record("sin(a)**2 + cos(b)**2, \(label), ndarray") {
        let s = sin(a), k = cos(b)
        sink(s * s + k * k)
    }
    let e4 = try! CompiledExpression("where(a > b, a, b)")
    record("where(a > b, a, b), \(label), fused") { sink(try! e4.evaluate(["a": a, "b": b])) }
    record("where(a > b, a, b), \(label), ndarray") { sink(`where`(a .> b, a, b)) }
    let e5 = try! CompiledExpression("sum((a - b)**2)")
    record("sum((a - b)**2), \(label), fused") { sink(try! e5.evaluate(["a": a, "b": b])) }
    record("sum((a - b)**2), \(label), ndarray") {
        let d = a - b
        sink((d * d).sum())
    }
    let e6 = try! CompiledExpression("2*s + b")
    record("2*s + b, s strided, \(label), fused") { sink(try! e6.evaluate(["s": strided, "b": b])) }
    record("2*s + b, s strided, \(label), ndarray") { sink(2 * strided + b) }
    let e7 = try! CompiledExpression("m * r + 1")
    record("m * r + 1, r broadcast, \(label), fused") { sink(try! e7.evaluate(["m": rows, "r": row])) }
    record("m * r + 1, r broadcast, \(label), ndarray") { sink(rows * row + 1) }
}

if let jsonPath {
    let body = results.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n")
    let text = "{\n\(body)\n}\n"
    do { try AtomicFile.write(text, to: jsonPath) } catch {
        FileHandleStderr.write("ExprBench: cannot write \(jsonPath): \(error)\n"); exit(1)
    }
}
print("threads: \(Parallel.threadCount)")
