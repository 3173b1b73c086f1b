import ArgumentParser
import CelerCore
import CelerHarness
#if canImport(Glibc)
import Glibc
#endif

// Parsers for the values of command-line options that ArgumentParser takes
// as strings (sizes like 4000x3000, comma lists like -2,1,-1.5,1.5), so that
// a bad value gets one line naming the option and what it allows. Commands
// print the error and exit with status 2.

/// `N`, `WxH` or `AxBxC…`: positive integers separated by `x`, each written
/// as digits (underscores allowed) or as `Me` + exponent (`3e7`).
func parseSize(_ text: String, option: String) throws(CelerError) -> [Int] {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    var result: [Int] = []
    for part in parts {
        guard let n = integerValue(String(part)), n > 0 else {
            throw CelerError.invalidOption(option, text, allowed: "use positive integers like 1000 or 1920x1080")
        }
        result.append(n)
    }
    return result
}

/// Exactly `count` finite reals separated by commas (`-2.13,0.77,-1.3,1.3`).
func parseReals(_ text: String, count: Int, option: String) throws(CelerError) -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let example = (0..<count).map { "\($0 % 2 == 0 ? "-" : "")1.5" }.joined(separator: ",")
    guard parts.count == count else {
        throw CelerError.invalidOption(option, text, allowed: "give \(count) comma-separated numbers, e.g. \(option)=\(example)")
    }
    var result: [Double] = []
    for part in parts {
        let trimmed = String(part).trimmingSpaces()
        guard let value = Double(trimmed), value.isFinite, !trimmed.lowercased().hasPrefix("0x") else {
            throw CelerError.invalidOption(option, text, allowed: "each of the \(count) values must be a finite decimal number")
        }
        result.append(value)
    }
    return result
}

/// `--grid`: `formula` or `tutorial` (julia, mandelbrot).
func parseGrid(_ text: String) throws(CelerError) -> WorkloadOptions.Grid {
    guard let grid = WorkloadOptions.Grid(rawValue: text.trimmingSpaces().lowercased()) else {
        throw CelerError.invalidOption("--grid", text, allowed: "use formula or tutorial")
    }
    return grid
}

/// One integer in `range`: digits (underscores allowed) or `Me` + exponent.
func parseInteger(_ text: String, option: String, in range: ClosedRange<Int>) throws(CelerError) -> Int {
    guard let n = integerValue(text), range.contains(n) else {
        throw CelerError.invalidOption(option, text, allowed: "use an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return n
}

/// The integer `text` spells, or nil: an optional sign, then digits with
/// optional underscores, optionally followed by `e` and a small exponent.
private func integerValue(_ text: String) -> Int? {
    let s = text.trimmingSpaces().replacingUnderscores()
    let pieces = s.lowercased().split(separator: "e", omittingEmptySubsequences: false)
    guard pieces.count <= 2, let mantissa = Int(pieces[0]) else { return nil }
    guard pieces.count == 2 else { return mantissa }
    guard let exponent = Int(pieces[1]), (0...18).contains(exponent) else { return nil }
    var value = mantissa
    for _ in 0..<exponent {
        let (product, overflow) = value.multipliedReportingOverflow(by: 10)
        if overflow { return nil }
        value = product
    }
    return value
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
