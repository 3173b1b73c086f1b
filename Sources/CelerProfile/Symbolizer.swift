import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// A source location of one (possibly inlined) function.
public struct SourceFrame: Hashable, Sendable {
    /// Demangled, simplified name (`??` plus the module's name when unknown).
    public var function: String
    public var file: String
    public var line: Int
    /// The line where the function begins (DW_AT_decl_line), 0 when unknown.
    public var startLine: Int
    /// The mangled (linkage) name, as the symbol table spells it.
    public var linkageName: String
}

/// The LLVM tools of the Swift toolchain: found beside `swift` on PATH (or
/// in CELER_LLVM_BIN, or /opt/swift/usr/bin).
public enum Toolchain {
    public static func tool(_ name: String) -> String? {
        var dirs: [String] = []
        if let env = getenv("CELER_LLVM_BIN") { dirs.append(String(cString: env)) }
        for dir in (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin").split(separator: ":") {
            let swift = "\(dir)/swift"
            if access(swift, X_OK) == 0 {
                var buf = [CChar](repeating: 0, count: 4096)
                if realpath(swift, &buf) != nil {
                    let real = String(cString: buf)
                    if let slash = real.lastIndex(of: "/") { dirs.append(String(real[..<slash])) }
                }
                dirs.append(String(dir))
            }
        }
        dirs += ["/opt/swift/usr/bin", "/usr/bin"]
        return dirs.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Runs `arguments`, returning its exit status and standard output
    /// (standard error is read and dropped).
    public static func run(_ arguments: [String]) throws(CelerError) -> (status: Int32, output: String) {
        let child = try ChildProcess(arguments, captureOutput: true)
        let out = readAll(child.stdoutPipe!)
        _ = readAll(child.stderrPipe!)
        let t = child.wait()
        return (t?.exitCode ?? -1, String(decoding: out, as: UTF8.self))
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data += chunk[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            return data
        }
    }
}

/// Addresses to source frames (inlined frames included) with the
/// toolchain's `llvm-symbolizer`, one batch per module, and Swift names
/// demangled with `swift-demangle --simplified`, one batch for all.
public enum Symbolizer {
    /// For each module-relative address of `object`, its frames innermost
    /// first (one frame for code that was not inlined). Unknown addresses get
    /// one frame named `?? (basename)`.
    public static func symbolize(object: String, addresses: [UInt64]) -> [UInt64: [SourceFrame]] {
        let base = object.split(separator: "/").last.map(String.init) ?? object
        let unknown = SourceFrame(function: "?? (\(base))", file: "??", line: 0, startLine: 0, linkageName: "")
        var result: [UInt64: [SourceFrame]] = [:]
        guard access(object, R_OK) == 0, let tool = Toolchain.tool("llvm-symbolizer") else {
            for a in addresses { result[a] = [unknown] }
            return result
        }
        var start = 0
        while start < addresses.count {
            let batch = Array(addresses[start..<min(start + 4000, addresses.count)])
            start += batch.count
            let args = [tool, "--obj=\(object)", "--functions=linkage", "--inlines", "--verbose", "--no-demangle"]
                + batch.map { "0x" + String($0, radix: 16) }
            let blocks = (try? Toolchain.run(args))?.output.components(separatedByBlankLines: ()) ?? []
            for (i, a) in batch.enumerated() {
                var frames = i < blocks.count ? parseBlock(blocks[i]) : []
                frames = frames.filter { $0.function != "??" }
                result[a] = frames.isEmpty ? [unknown] : frames
            }
        }
        return result
    }

    /// One address's answer from `llvm-symbolizer --verbose`: per frame a
    /// name line, then indented `Key: value` lines.
    static func parseBlock(_ block: [Substring]) -> [SourceFrame] {
        var frames: [SourceFrame] = []
        for line in block {
            if !line.hasPrefix(" ") {
                frames.append(SourceFrame(function: String(line), file: "??", line: 0, startLine: 0, linkageName: String(line)))
                continue
            }
            guard !frames.isEmpty, let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingSpaces()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            switch key {
            case "Filename": frames[frames.count - 1].file = value
            case "Line": frames[frames.count - 1].line = Int(value) ?? 0
            case "Function start line": frames[frames.count - 1].startLine = Int(value) ?? 0
            default: break
            }
        }
        return frames
    }

    /// Demangled names (simplified) for Swift's mangled ones; others as they are.
    public static func demangle(_ names: [String]) -> [String: String] {
        var result: [String: String] = [:]
        let swiftNames = Array(Set(names.filter { $0.hasPrefix("$s") || $0.hasPrefix("_$s") || $0.hasPrefix("$S") || $0.hasPrefix("_T") }))
        for n in names where result[n] == nil { result[n] = n }
        guard !swiftNames.isEmpty, let tool = Toolchain.tool("swift-demangle") else { return result }
        var start = 0
        while start < swiftNames.count {
            let batch = Array(swiftNames[start..<min(start + 2000, swiftNames.count)])
            start += batch.count
            guard let out = try? Toolchain.run([tool, "--simplified", "--compact"] + batch), out.status == 0 else { continue }
            let lines = out.output.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count >= batch.count else { continue }
            for (i, n) in batch.enumerated() where !lines[i].isEmpty { result[n] = String(lines[i]) }
        }
        return result
    }
}

extension String {
    /// Lines grouped into blocks separated by empty lines.
    func components(separatedByBlankLines: ()) -> [[Substring]] {
        var blocks: [[Substring]] = []
        var current: [Substring] = []
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { if !current.isEmpty { blocks.append(current); current = [] } } else { current.append(line) }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}
