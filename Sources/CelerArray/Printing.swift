import CelerCore
import ComplexModule

// NumPy-style text: `array([[1., 2.],\n       [3., 4.]])`. Floats use NumPy's
// default rules (at most 8 fractional digits, only as many as the most precise
// element needs, padded with spaces; scientific notation when the magnitudes
// call for it), integers are plain, Bool is True/False; arrays of more than
// 1000 elements show 3 items at each edge of each axis with `...` between.
// Lines wrap at 75 characters.

extension NDArray: CustomStringConvertible {
    /// NumPy's `repr`: `array([1., 2.])`, with `dtype=` for types other than
    /// float64, int64 and bool.
    public var description: String {
        let prefix = "array("
        var suffix = ")"
        if Element.self != Double.self && Element.self != Int64.self && Element.self != Bool.self && Element.self != Complex<Double>.self {
            suffix = ", dtype=\(Element.dtypeName))"
        }
        if count == 0 && ndim == 1 {
            return "array([], dtype=\(Element.dtypeName))"
        }
        return prefix + ArrayFormatter.render(self, indent: prefix.count) + suffix
    }
}

@usableFromInline
enum ArrayFormatter {
    static let lineWidth = 75
    static let threshold = 1000
    static let edgeItems = 3

    static func render<E: NDArrayElement>(_ a: NDArray<E>, indent: Int) -> String {
        let summarize = a.count > threshold
        // Collect the elements that will be shown, to choose one format for all.
        var shown: [E] = []
        collect(a, summarize: summarize, into: &shown)
        let format = elementFormatter(shown)
        if a.ndim == 0 { return format(a.baseAddress.pointee).trimmingLeadingSpaces() }
        let width = shown.map { format($0).count }.max() ?? 0
        func word(_ x: E) -> String { Fmt.pad(format(x), width, right: true) }
        return block(a, depth: 0, indent: indent, summarize: summarize, word: word)
    }

    static func visible(_ n: Int, _ summarize: Bool) -> [Int?] {
        if summarize && n > 2 * edgeItems { return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n) }
        return Array(0..<n)
    }

    static func collect<E: NDArrayElement>(_ a: NDArray<E>, summarize: Bool, into out: inout [E]) {
        if a.ndim == 0 { out.append(a.baseAddress.pointee); return }
        for i in visible(a.shape[0], summarize) {
            guard let i else { continue }
            collect(a[.index(i)], summarize: summarize, into: &out)
        }
    }

    static func block<E: NDArrayElement>(_ a: NDArray<E>, depth: Int, indent: Int, summarize: Bool, word: (E) -> String) -> String {
        let pad = String(repeating: " ", count: indent + depth + 1)
        if a.ndim == 1 {
            var lines: [String] = []
            var line = "["
            let items = visible(a.shape[0], summarize)
            for (k, i) in items.enumerated() {
                let text = (i.map { word(a[element: $0]) } ?? "...") + (k == items.count - 1 ? "" : ",")
                let reserve = k == items.count - 1 ? depth + 2 : 0
                if line.count > 1 && line.count + 1 + text.count + reserve > lineWidth {
                    lines.append(line)
                    line = pad + text
                } else {
                    line += (line == "[" ? "" : " ") + text
                }
            }
            lines.append(line)
            return lines.joined(separator: "\n") + "]"
        }
        let separator = "," + String(repeating: "\n", count: a.ndim - 1) + pad
        let parts = visible(a.shape[0], summarize).map { i -> String in
            guard let i else { return "..." }
            return block(a[.index(i)], depth: depth + 1, indent: indent, summarize: summarize, word: word)
        }
        return "[" + parts.joined(separator: separator) + "]"
    }

    /// One formatter for every shown element, as NumPy chooses it.
    static func elementFormatter<E: NDArrayElement>(_ values: [E]) -> (E) -> String {
        if E.self == Bool.self { return { ($0 as! Bool) ? "True" : "False" } }
        if let _ = values.first?.ndIntegerValue { return { "\($0.ndIntegerValue!)" } }
        if E.self == Complex<Double>.self || E.self == Complex<Float>.self {
            let re = realFormatter(values.map { $0.ndComplexValue.re }, sign: false)
            let im = realFormatter(values.map { $0.ndComplexValue.im }, sign: true)
            return { v in
                let (r, i) = v.ndComplexValue
                return re(r) + im(i).trimmingTrailingSpaces() + "j"
            }
        }
        let f = realFormatter(values.map { $0.ndComplexValue.re }, sign: false)
        return { f($0.ndComplexValue.re) }
    }

    static func realFormatter(_ values: [Double], sign: Bool) -> (Double) -> String {
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        let maxValue = magnitudes.max() ?? 0, minValue = magnitudes.min() ?? 0
        let scientific = maxValue >= 1e8 || (minValue > 0 && (minValue < 1e-4 || maxValue / minValue > 1e3))
        func special(_ x: Double) -> String? {
            if x.isNaN { return sign ? "+nan" : "nan" }
            if x.isInfinite { return x < 0 ? "-inf" : (sign ? "+inf" : "inf") }
            return nil
        }
        let plus = sign ? "+" : ""
        if scientific {
            // Mantissa digits: the most any element needs, at most 8.
            let digits = finite.map { x -> Int in
                let s = Fmt.double(x, "%.8e")
                let mantissa = s.split(separator: "e")[0]
                let fraction = mantissa.split(separator: ".").dropFirst().first ?? ""
                return fraction.count - fraction.reversed().prefix { $0 == "0" }.count
            }.max() ?? 0
            return { x in
                if let s = special(x) { return s }
                var s = Fmt.double(x, "%\(plus).\(digits)e")
                if digits == 0 { s = s.replacingFirst("e", with: ".e") }
                return s
            }
        }
        let fractions = finite.map { x -> Int in
            let s = Fmt.fixed(x, 8)
            let fraction = s.split(separator: ".").dropFirst().first ?? ""
            return fraction.count - fraction.reversed().prefix { $0 == "0" }.count
        }
        let digits = fractions.max() ?? 0
        let integerWidth = finite.map { Fmt.double($0, "%\(plus).0f").count + (($0 < 0 && $0 > -1) || ($0 == 0 && $0.sign == .minus) ? 0 : 0) }.max() ?? 1
        return { x in
            if let s = special(x) { return Fmt.pad(s, integerWidth + 1 + digits, right: true) }
            let fixed = Fmt.double(x, "%\(plus).8f")
            let parts = fixed.split(separator: ".", omittingEmptySubsequences: false)
            var fraction = String(parts.count > 1 ? parts[1] : "")
            while fraction.count > 0 && fraction.last == "0" { fraction.removeLast() }
            if fraction.count > digits { fraction = String(fraction.prefix(digits)) }
            let text = Fmt.pad(String(parts[0]), integerWidth, right: true) + "." + fraction
            return Fmt.pad(text, integerWidth + 1 + digits)
        }
    }
}

extension String {
    @usableFromInline func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
    @usableFromInline func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
    @usableFromInline func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}
