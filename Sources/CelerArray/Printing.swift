import CelerCore
import ComplexModule

// NumPy-style text: `array([[1., 2.],\n       [3., 4.]])`. Floats use NumPy's
// default rules (at most 8 fractional digits, only as many as the most precise
// element needs, padded with spaces; scientific notation when the magnitudes
// call for it), integers are plain, Bool is True/False; arrays of more than
// 1000 elements show 3 items at each edge of each axis with `...` between.
// Lines wrap at 75 characters.

extension NDArray: CustomStringConvertible {
    /// NumPy's `repr`: `array([1., 2.])`, with `shape=` when summarised and
    /// `dtype=` for types other than float64, int64, bool and complex128.
    public var description: String {
        let prefix = "array("
        let implied = Element.self == Double.self || Element.self == Int64.self || Element.self == Bool.self || Element.self == Complex<Double>.self
        var extras: [String] = []
        if count > ArrayFormatter.threshold || (count == 0 && shape != [0]) { extras.append("shape=\(shapeDescription(shape))") }
        if !implied || count == 0 { extras.append("dtype=\(Element.dtypeName)") }
        let body = count == 0 ? String(repeating: "[", count: Swift.max(ndim, 1)) + String(repeating: "]", count: Swift.max(ndim, 1))
                              : ArrayFormatter.render(self, indent: prefix.count)
        if extras.isEmpty { return prefix + body + ")" }
        let text = prefix + body + ","
        let lastLine = text.count - (text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) + 1 } ?? 0)
        let extra = extras.joined(separator: ", ")
        let spacer = lastLine + extra.count + 1 > ArrayFormatter.lineWidth ? "\n" + String(repeating: " ", count: prefix.count) : " "
        return text + spacer + extra + ")"
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
        // NumPy's _formatArray: a hanging indent of len("array(") + 1, lines
        // of 75 characters less the closing ")".
        return block(a, hanging: String(repeating: " ", count: indent + 1), width: lineWidth - 1, summarize: summarize, word: word)
    }

    static func collect<E: NDArrayElement>(_ a: NDArray<E>, summarize: Bool, into out: inout [E]) {
        if a.ndim == 0 { out.append(a.baseAddress.pointee); return }
        let n = a.shape[0]
        let show = summarize && n > 2 * edgeItems
        for i in 0..<n where !show || i < edgeItems || i >= n - edgeItems {
            collect(a[.index(i)], summarize: summarize, into: &out)
        }
    }

    static func block<E: NDArrayElement>(_ a: NDArray<E>, hanging: String, width: Int, summarize: Bool, word: (E) -> String) -> String {
        let n = a.shape[0]
        let show = summarize && n > 2 * edgeItems
        let items: [Int?] = show ? Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n) : Array(0..<n)
        var s = ""
        if a.ndim == 1 {
            let elementWidth = width - 1
            var line = hanging
            for (k, i) in items.enumerated() {
                let w = i.map { word(a[element: $0]) } ?? "..."
                if line.count + w.count > elementWidth && line.count > hanging.count {
                    s += line.trimmingTrailingSpaces() + "\n"
                    line = hanging
                }
                line += w
                if k < items.count - 1 { line += ", " }
            }
            s += line
        } else {
            let separator = "," + String(repeating: "\n", count: a.ndim - 1)
            for (k, i) in items.enumerated() {
                let nested = i.map { block(a[.index($0)], hanging: hanging + " ", width: width - 1, summarize: summarize, word: word) } ?? "..."
                s += hanging + nested + (k < items.count - 1 ? separator : "")
            }
        }
        return "[" + s.dropFirst(hanging.count) + "]"
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
