import CelerCore
import ComplexModule

// NumPy 2's `repr` of an array, character for character: a port of the parts
// of numpy/_core/arrayprint.py that the default print options use
// (precision 8, floatmode "maxprec", threshold 1000, edgeitems 3, linewidth 75).
//
//   array([[1. , 2.5],        floats: one format for every shown element,
//          [3. , 4. ]])       padded to a common width
//   array([ True, False])     Bool: " True" so the words align
//   array([1.+2.5j, 1.+2.j ]) complex: the real and imaginary parts are
//                             formatted as two float arrays, "j" goes before
//                             the padding
//   array([0, 1, 2, ..., 1997, 1998, 1999], shape=(2000,))
//
// Floats print the shortest digits that read back as the same value (of the
// element's own type, so Float32 0.3 is "0.3"), cut to 8 fractional digits
// with the exact value rounded half to even, as NumPy's Dragon4 does. Swift's
// `description` gives the same shortest digits as Dragon4 (checked on 400 000
// random float32 and float64 values, subnormals included); glibc's printf
// gives the exactly rounded ones.

extension NDArray: CustomStringConvertible {
    /// NumPy's `repr`: `array([1., 2.])`, with `shape=` when summarised (more
    /// than 1000 elements) or empty, and `dtype=` for empty arrays and types
    /// other than float64, int64, bool and complex128.
    public var description: String { ArrayFormatter.repr(self) }
}

@usableFromInline
enum ArrayFormatter {
    static let lineWidth = 75
    static let threshold = 1000
    static let edgeItems = 3

    // MARK: - Layout (_array_repr_implementation, _formatArray)

    static func repr<E: NDArrayElement>(_ a: NDArray<E>) -> String {
        let prefix = "array("
        // The closing ")" must fit on the last line, hence one column less.
        let body = a.count == 0 ? "[]" : render(a, separator: ", ", indent: prefix.count, width: lineWidth - 1)
        var extras: [String] = []
        if (a.count == 0 && a.shape != [0]) || a.count > threshold { extras.append("shape=" + shapeDescription(a.shape)) }
        let implied = E.self == Double.self || E.self == Int64.self || E.self == Bool.self || E.self == Complex<Double>.self
        if !implied || a.count == 0 { extras.append("dtype=" + E.dtypeName) }
        if extras.isEmpty { return prefix + body + ")" }
        let text = prefix + body + ","
        let extra = extras.joined(separator: ", ") + ")"
        let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0
        let spacer = lastLine + extra.count + 1 > lineWidth ? "\n" + String(repeating: " ", count: prefix.count) : " "
        return text + spacer + extra
    }

    /// The bracketed body of a non-empty array; continuation lines start with
    /// `indent` + 1 spaces (under the first element) and stay within `width`.
    static func render<E: NDArrayElement>(_ a: NDArray<E>, separator: String, indent: Int, width: Int) -> String {
        let summarize = a.count > threshold
        // One format for every element that will be shown, as NumPy chooses it.
        var shown: [E] = []
        collect(a, summarize: summarize, into: &shown)
        let format = elementFormatter(shown, zeroDimensional: a.ndim == 0)
        if a.ndim == 0 { return format(a.baseAddress.pointee) }
        return block(a, hanging: String(repeating: " ", count: indent + 1), width: width,
                     separator: separator, summarize: summarize, word: format)
    }

    /// The elements shown: all, or the 3 at each edge of every long axis.
    static func collect<E: NDArrayElement>(_ a: NDArray<E>, summarize: Bool, into out: inout [E]) {
        if a.ndim == 0 { out.append(a.baseAddress.pointee); return }
        for i in shownIndices(a.shape[0], summarize: summarize).compactMap({ $0 }) {
            collect(a[.index(i)], summarize: summarize, into: &out)
        }
    }

    /// The indices shown along an axis of length `n`, nil standing for "...".
    static func shownIndices(_ n: Int, summarize: Bool) -> [Int?] {
        summarize && n > 2 * edgeItems ? Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n) : Array(0..<n)
    }

    /// NumPy's `_formatArray` recursion: rows of the last axis wrap at
    /// `width`; outer axes put `ndim - 1` newlines between their blocks.
    static func block<E: NDArrayElement>(_ a: NDArray<E>, hanging: String, width: Int, separator: String,
                                         summarize: Bool, word: (E) -> String) -> String {
        let items = shownIndices(a.shape[0], summarize: summarize)
        var s = ""
        if a.ndim == 1 {
            let elementWidth = width - 1  // room for "," or "]"
            var line = hanging
            for (k, i) in items.enumerated() {
                let w = i.map { word(a[element: $0]) } ?? "..."
                // Wrap unless the line holds only the indent (wrapping would not help).
                if line.count + w.count > elementWidth && line.count > hanging.count {
                    s += line.trimmingTrailingSpaces() + "\n"
                    line = hanging
                }
                line += w
                if k < items.count - 1 { line += separator }
            }
            s += line
        } else {
            let rowSeparator = separator.trimmingTrailingSpaces() + String(repeating: "\n", count: a.ndim - 1)
            for (k, i) in items.enumerated() {
                let nested = i.map {
                    block(a[.index($0)], hanging: hanging + " ", width: width - 1, separator: separator, summarize: summarize, word: word)
                } ?? "..."
                s += hanging + nested + (k < items.count - 1 ? rowSeparator : "")
            }
        }
        return "[" + s.dropFirst(hanging.count) + "]"
    }

    // MARK: - Elements (_get_format_function)

    /// One formatter for every shown element; all its words have one width.
    static func elementFormatter<E: NDArrayElement>(_ values: [E], zeroDimensional: Bool) -> (E) -> String {
        if E.self == Bool.self {
            // " True" lines up with "False", except alone in a 0-d array.
            let trueText = zeroDimensional ? "True" : " True"
            return { ($0 as! Bool) ? trueText : "False" }
        }
        if values.first?.ndIntegerValue != nil {
            let width = values.map { "\($0.ndIntegerValue!)".count }.max() ?? 0
            return { Fmt.pad("\($0.ndIntegerValue!)", width, right: true) }
        }
        let single = E.self == Float.self || E.self == Complex<Float>.self
        if E.self == Complex<Double>.self || E.self == Complex<Float>.self {
            let parts = values.map(complexParts)
            let real = FloatFormat(parts.map(\.re), single: single, plusSign: false)
            let imaginary = FloatFormat(parts.map(\.im), single: single, plusSign: true)
            return { v in
                let (re, im) = complexParts(v)
                // "j" goes after the digits, before the imaginary part's padding.
                let i = imaginary(im)
                let digits = i.trimmingTrailingSpaces()
                return real(re) + digits + "j" + String(repeating: " ", count: i.count - digits.count)
            }
        }
        let format = FloatFormat(values.map { $0.ndComplexValue.re }, single: single, plusSign: false)
        return { format($0.ndComplexValue.re) }
    }

    /// The stored parts of a complex element. (`Complex.real` and `.imaginary`
    /// are NaN for every non-finite value, but NumPy prints `inf-infj` and
    /// `nan+1.j`.)
    static func complexParts<E: NDArrayElement>(_ v: E) -> (re: Double, im: Double) {
        if let z = v as? Complex<Double> { return (z.rawStorage.x, z.rawStorage.y) }
        if let z = v as? Complex<Float> { return (Double(z.rawStorage.x), Double(z.rawStorage.y)) }
        return v.ndComplexValue
    }
}

// MARK: - Floats (FloatingFormat, dragon4_positional, dragon4_scientific)

/// NumPy's `FloatingFormat` for the default options: chooses positional or
/// scientific notation and the paddings from all shown values, then formats
/// each value to the common width.
struct FloatFormat {
    /// Values are Float32 (shortest digits and exponent cut-offs of that type).
    let single: Bool
    /// Print "+" on non-negative values (the imaginary part of complex numbers).
    let plusSign: Bool
    private(set) var scientific = false
    private(set) var padLeft = 0, padRight = 0
    /// Fractional digits: at most this many…
    private(set) var precision = 8
    /// …and at least this many (scientific notation shows the same count everywhere).
    private(set) var minDigits = 0
    /// Digits of the exponent, at least 2.
    private(set) var exponentDigits = 2

    init(_ values: [Double], single: Bool, plusSign: Bool) {
        self.single = single
        self.plusSign = plusSign
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.filter { $0 != 0 }.map { Swift.abs($0) }
        if let largest = magnitudes.max(), let smallest = magnitudes.min() {
            // NumPy compares in the array's own type; the largest positional
            // value is 10**min(8, decimal precision of the type).
            scientific = single ? FloatFormat.wantsScientific(Float(largest), Float(smallest), limit: 1e6)
                                : FloatFormat.wantsScientific(largest, smallest, limit: 1e8)
        }
        if finite.isEmpty {
            padLeft = 0; padRight = 0
        } else if scientific {
            let words = finite.map { FloatFormat.scientificText($0, single: single, plusSign: plusSign, precision: 8, minDigits: 0, exponentDigits: 2) }
            let mantissas = words.map { $0.split(separator: "e")[0] }
            exponentDigits = words.map { $0.split(separator: "e")[1].count - 1 }.max()!
            precision = mantissas.map { $0.split(separator: ".", omittingEmptySubsequences: false)[1].count }.max()!
            minDigits = precision
            padLeft = mantissas.map { $0.split(separator: ".", omittingEmptySubsequences: false)[0].count }.max()!
            padRight = exponentDigits + 2 + precision  // only used to pad nan and inf
        } else {
            let words = finite.map { FloatFormat.positionalText($0, single: single, plusSign: plusSign, precision: 8) }
            let parts = words.map { $0.split(separator: ".", omittingEmptySubsequences: false) }
            padLeft = parts.map { $0[0].count }.max()!
            padRight = parts.map { $0[1].count }.max()!
        }
        if finite.count != values.count {
            // Room for "nan", "inf" and "-inf" (or "+inf") right-aligned.
            let negativeInfinity = plusSign || values.contains { $0 == -.infinity }
            let offset = padRight + 1
            padLeft = Swift.max(padLeft, 3 - offset, 3 + (negativeInfinity ? 1 : 0) - offset)
        }
    }

    static func wantsScientific<T: BinaryFloatingPoint>(_ largest: T, _ smallest: T, limit: T) -> Bool {
        largest >= limit || smallest < 0.0001 || largest / smallest > 1000
    }

    func callAsFunction(_ x: Double) -> String {
        if !x.isFinite {
            let text = x.isNaN ? (plusSign ? "+nan" : "nan") : (x < 0 ? "-inf" : (plusSign ? "+inf" : "inf"))
            return Fmt.pad(text, padLeft + padRight + 1, right: true)
        }
        if scientific {
            let text = FloatFormat.scientificText(x, single: single, plusSign: plusSign, precision: precision,
                                                  minDigits: minDigits, exponentDigits: exponentDigits)
            return Fmt.pad(text, padLeft + text.count - text.prefix { $0 != "." }.count, right: true)
        }
        let text = FloatFormat.positionalText(x, single: single, plusSign: plusSign, precision: precision)
        let point = text.firstIndex(of: ".")!
        return Fmt.pad(String(text[..<point]), padLeft, right: true) + Fmt.pad(String(text[point...]), padRight + 1)
    }

    /// `dragon4_positional(x, precision, unique=True, fractional=True, trim='.')`:
    /// "12.5", "0.3333", "-0.", "3.".
    static func positionalText(_ x: Double, single: Bool, plusSign: Bool, precision: Int) -> String {
        var d = DecimalDigits(shortest: x, single: single)
        if d.digits.count - 1 - d.exponent > precision { d = DecimalDigits(parsing: Fmt.double(x, "%.\(precision)f")) }
        var integer = "0", fraction = ""
        if !d.digits.isEmpty {
            if d.exponent >= 0 {
                let whole = d.digits.prefix(d.exponent + 1)
                integer = String(decoding: whole, as: UTF8.self) + String(repeating: "0", count: d.exponent + 1 - whole.count)
                fraction = String(decoding: d.digits.dropFirst(d.exponent + 1), as: UTF8.self)
            } else {
                fraction = String(repeating: "0", count: -d.exponent - 1) + String(decoding: d.digits, as: UTF8.self)
            }
        }
        return (d.negative ? "-" : plusSign ? "+" : "") + integer + "." + fraction
    }

    /// `dragon4_scientific(x, precision, min_digits, unique=True)`: "1.5e-05",
    /// "1.e+10", with at least `minDigits` fractional digits (those beyond the
    /// shortest digits are the exact value's, rounded) and at least
    /// `exponentDigits` exponent digits.
    static func scientificText(_ x: Double, single: Bool, plusSign: Bool, precision: Int, minDigits: Int, exponentDigits: Int) -> String {
        var d = DecimalDigits(shortest: x, single: single)
        let fractionDigits = Swift.max(0, d.digits.count - 1)
        if fractionDigits > precision {
            d = DecimalDigits(parsing: Fmt.double(x, "%.\(precision)e"))
        } else if fractionDigits < minDigits {
            d = DecimalDigits(parsing: Fmt.double(x, "%.\(minDigits)e"))
        }
        let first = d.digits.first.map { String(UnicodeScalar($0)) } ?? "0"
        let rest = String(decoding: d.digits.dropFirst(), as: UTF8.self)
        let fraction = rest + String(repeating: "0", count: Swift.max(0, minDigits - rest.count))
        let exponent = String(Swift.abs(d.exponent))
        return (d.negative ? "-" : plusSign ? "+" : "") + first + "." + fraction
            + "e" + (d.exponent < 0 ? "-" : "+") + String(repeating: "0", count: Swift.max(0, exponentDigits - exponent.count)) + exponent
    }
}

/// A finite number as significant decimal digits: ±d₁.d₂d₃… × 10^exponent,
/// without leading or trailing zeros (no digits at all for zero).
struct DecimalDigits {
    var negative: Bool
    /// ASCII digits.
    var digits: [UInt8]
    var exponent: Int

    /// The shortest digits that read back as `x` (as a Float32 when `single`).
    init(shortest x: Double, single: Bool) {
        self.init(parsing: single ? Float(x).description : x.description)
    }

    /// Reads "-12.50", "1e-05", "3.25e+20" (Swift's and printf's output).
    init(parsing text: String) {
        var chars = Array(text.utf8)
        negative = chars.first == UInt8(ascii: "-")
        if negative || chars.first == UInt8(ascii: "+") { chars.removeFirst() }
        var power = 0
        if let e = chars.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            power = Int(String(decoding: chars[(e + 1)...], as: UTF8.self))!
            chars.removeSubrange(e...)
        }
        let point = chars.firstIndex(of: UInt8(ascii: ".")) ?? chars.count
        var all = chars.filter { $0 != UInt8(ascii: ".") }
        var exponent = point - 1 + power
        while all.first == UInt8(ascii: "0") { all.removeFirst(); exponent -= 1 }
        while all.last == UInt8(ascii: "0") { all.removeLast() }
        digits = all
        self.exponent = all.isEmpty ? 0 : exponent
    }
}

extension String {
    @usableFromInline func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
