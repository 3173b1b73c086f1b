// The one grammar of celer's option values. Every command (compare, render,
// profile, timeit, mprof, machine) takes its values as text and parses them
// here, so an option spelled the same way is accepted the same way
// everywhere, and a bad value gets one line naming the option and what it
// allows (the commands print it and exit with status 2).
//
//   integers   1000, 1_000_000, 3e7, 1E10 (an integer mantissa, exponent 0...18)
//   sizes      N, WxH, ROWSxCOLS, AxBxC (`x`, `X`, `×` or `,` between the parts),
//              or a preset name the command offers (small, default, seed)
//   reals      a fixed count of finite decimals separated by commas: -2,1,-1.5,1.5
//   seconds    a finite decimal in a range: 0.25, 1e-3
//   names      NAME[,NAME…]

/// The ranges every command checks the same options against.
public enum OptionLimits {
    /// `--maxiter`: escape-time iterations per point.
    public static let maxiter: ClosedRange<Int> = 1...10_000_000
    /// `--threads`.
    public static let threads: ClosedRange<Int> = 1...1024
    /// `--repeat` (and `celer profile --repeats`): timed runs per variant.
    public static let repeats: ClosedRange<Int> = 1...10_000
    /// `--warmup`: untimed runs first.
    public static let warmup: ClosedRange<Int> = 0...10_000
    /// `--steps`: diffusion time steps.
    public static let steps: ClosedRange<Int> = 0...10_000_000
    /// `--limit`: the sieve's largest number (the workload checks what each
    /// mode can hold).
    public static let limit: ClosedRange<Int> = 1...1_000_000_000_000_000_000
    /// Durations in seconds (`--time-budget`, `--peer-max-run`): more than 0.
    public static let seconds: ClosedRange<Double> = 1e-6...3600
}

/// Parsers for option values; each throws one `CelerError` whose subject is
/// the option.
public enum OptionGrammar {
    /// What `--size` said: a preset's name, or the dimensions.
    public enum Size: Equatable, Sendable {
        case preset(String)
        case dimensions([Int])
    }

    /// `--size`: one of `presets` (case-insensitive, returned lower-cased),
    /// or 1 to `maxDimensions` positive integers joined by `x`, `X`, `×` or `,`.
    public static func size(_ text: String, option: String = "--size", presets: [String] = [],
                            maxDimensions: Int = 3) throws(CelerError) -> Size {
        let lowered = text.lowercased()
        if presets.contains(lowered) { return .preset(lowered) }
        let allowed = "use N or WIDTHxHEIGHT (positive integers, e.g. 1000 or 1920x1080)"
            + (presets.isEmpty ? "" : ", or a preset: " + presets.joined(separator: ", "))
        return .dimensions(try dimensions(text, option: option, maxDimensions: maxDimensions, allowed: allowed))
    }

    /// 1 to `maxDimensions` positive integers joined by `x`, `X`, `×` or `,`.
    public static func dimensions(_ text: String, option: String = "--size", maxDimensions: Int = 3,
                                  allowed: String? = nil) throws(CelerError) -> [Int] {
        let why = allowed ?? "use N or WIDTHxHEIGHT (positive integers, e.g. 1000 or 1920x1080)"
        let parts = text.lowercased().split(omittingEmptySubsequences: false) { $0 == "x" || $0 == "×" || $0 == "," }
        guard parts.count <= maxDimensions else { throw .invalidOption(option, text, allowed: why) }
        var result: [Int] = []
        for part in parts {
            guard let n = integerValue(String(part)), n > 0 else { throw .invalidOption(option, text, allowed: why) }
            result.append(n)
        }
        return result
    }

    /// One integer in `range`, in the integer grammar above.
    public static func integer(_ text: String, option: String, in range: ClosedRange<Int>) throws(CelerError) -> Int {
        guard let n = integerValue(text), range.contains(n) else {
            throw .invalidOption(option, text, allowed: "use an integer from \(range.lowerBound) to \(range.upperBound)"
                                 + (range.upperBound >= 100_000 ? " (1e6 and 1_000_000 are accepted)" : ""))
        }
        return n
    }

    /// Exactly `count` finite decimals separated by commas (`-2.13,0.77,-1.3,1.3`).
    public static func reals(_ text: String, count: Int, option: String) throws(CelerError) -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let example = (0..<count).map { $0 % 2 == 0 ? "-1.5" : "1.5" }.joined(separator: ",")
        guard parts.count == count else {
            throw .invalidOption(option, text, allowed: "give \(count) comma-separated numbers, e.g. \(option)=\(example)")
        }
        var result: [Double] = []
        for part in parts {
            guard let value = decimalValue(String(part)) else {
                throw .invalidOption(option, text, allowed: "each of the \(count) values must be a finite decimal number")
            }
            result.append(value)
        }
        return result
    }

    /// A duration in seconds within `range`.
    public static func seconds(_ text: String, option: String,
                               in range: ClosedRange<Double> = OptionLimits.seconds) throws(CelerError) -> Double {
        guard let d = decimalValue(text), range.contains(d) else {
            throw .invalidOption(option, text, allowed: "use seconds, more than 0 and at most \(Int(range.upperBound))")
        }
        return d
    }

    /// A real within `range` (e.g. `celer mprof run --interval`).
    public static func real(_ text: String, option: String, in range: ClosedRange<Double>) throws(CelerError) -> Double {
        guard let d = decimalValue(text), range.contains(d) else {
            throw .invalidOption(option, text, allowed: "use a number from \(Fmt.double(range.lowerBound, "%g")) to \(Fmt.double(range.upperBound, "%g"))")
        }
        return d
    }

    /// One of `choices` (case-insensitive); returns the choice as listed.
    public static func choice(_ text: String, option: String, from choices: [String]) throws(CelerError) -> String {
        guard let c = choices.first(where: { $0 == text.lowercased() }) else {
            throw .invalidOption(option, text, allowed: "use " + listed(choices))
        }
        return c
    }

    /// `NAME[,NAME…]`: non-empty names separated by commas (spaces trimmed).
    public static func names(_ text: String, option: String) throws(CelerError) -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        guard !names.contains(where: \.isEmpty) else {
            throw .invalidOption(option, text, allowed: "use NAME[,NAME…]")
        }
        return names
    }

    /// "a, b or c".
    public static func listed(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }

    /// The integer `text` spells, or nil: an optional sign, digits with
    /// optional underscores, optionally `e` and an exponent 0...18.
    static func integerValue(_ text: String) -> Int? {
        let s = String(text.trimmingSpaces().lowercased().filter { $0 != "_" })
        let pieces = s.split(separator: "e", omittingEmptySubsequences: false)
        guard pieces.count <= 2, !pieces[0].isEmpty, let mantissa = Int(pieces[0]) else { return nil }
        guard pieces.count == 2 else { return mantissa }
        guard !pieces[1].hasPrefix("+") || pieces[1].count > 1,
              let exponent = Int(pieces[1]), (0...18).contains(exponent) else { return nil }
        var value = mantissa
        for _ in 0..<exponent {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = product
        }
        return value
    }

    /// A finite decimal (no hexadecimal, inf or nan), spaces trimmed.
    static func decimalValue(_ text: String) -> Double? {
        let t = text.trimmingSpaces()
        guard !t.lowercased().contains("x"), let d = Double(t), d.isFinite else { return nil }
        return d
    }
}
