#if canImport(Glibc)
import Glibc
#endif

/// Number formatting without Foundation (printf semantics via snprintf).
public enum Fmt {
    /// `value` formatted with a printf format for one double, e.g. "%.3f".
    public static func double(_ value: Double, _ format: String) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBufferPointer { buf in
            withVaList([value]) { vsnprintf(buf.baseAddress, buf.count, format, $0) }
        }
        return String(decoding: buffer.prefix(Int(max(0, min(n, 63)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A double with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String { double(value, "%.\(digits)f") }

    /// The shortest text that reads back as the same double ("%.17g" trimmed).
    public static func exact(_ value: Double) -> String { "\(value)" }

    /// A duration with a sensible unit: "12.3 ns", "4.56 µs", "7.89 ms", "1.234 s".
    public static func seconds(_ s: Double) -> String {
        let a = abs(s)
        if a == 0 { return "0 s" }
        if a < 1e-6 { return double(s * 1e9, "%.3g") + " ns" }
        if a < 1e-3 { return double(s * 1e6, "%.3g") + " µs" }
        if a < 1 { return double(s * 1e3, "%.3g") + " ms" }
        return double(s, "%.3f") + " s"
    }

    /// Bytes with a binary unit: "512 B", "1.5 KiB", "23.4 MiB", "1.20 GiB".
    public static func bytes(_ b: Double) -> String {
        let a = abs(b)
        if a < 1024 { return double(b, "%.0f") + " B" }
        if a < 1048576 { return double(b / 1024, "%.1f") + " KiB" }
        if a < 1073741824 { return double(b / 1048576, "%.1f") + " MiB" }
        return double(b / 1073741824, "%.2f") + " GiB"
    }

    /// `text` padded with spaces to `width` characters, on the left (right-aligned) or right.
    public static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let n = text.count
        if n >= width { return text }
        let fill = String(repeating: " ", count: width - n)
        return right ? fill + text : text + fill
    }
}
