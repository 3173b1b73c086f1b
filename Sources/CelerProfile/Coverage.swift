import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// Exact execution counts per source line from LLVM's coverage counters:
/// a program built with `-profile-generate -profile-coverage-mapping` writes
/// a .profraw file at exit (LLVM_PROFILE_FILE names it); `llvm-profdata
/// merge` indexes it, and `llvm-cov export -format=lcov` gives each line's
/// count (`DA:line,count`), computed the way `llvm-cov show` does.
public enum Coverage {
    /// Counts per line for the files in `files` (all files when empty);
    /// empty when a tool is missing or fails.
    public static func lineHits(binary: String, profraw: String, files: Set<String> = []) -> [String: [Int: Int]] {
        guard let profdata = Toolchain.tool("llvm-profdata"), let cov = Toolchain.tool("llvm-cov") else { return [:] }
        let indexed = profraw + ".profdata"
        defer { unlink(indexed) }
        guard let merged = try? Toolchain.run([profdata, "merge", "-sparse", profraw, "-o", indexed]), merged.status == 0,
              let export = try? Toolchain.run([cov, "export", "-format=lcov", "-instr-profile", indexed, binary]), export.status == 0
        else { return [:] }
        return parseLcov(export.output, files: files)
    }

    /// `SF:path` opens a file's records, `DA:line,count` gives one line, `end_of_record` closes.
    public static func parseLcov(_ text: String, files: Set<String> = []) -> [String: [Int: Int]] {
        var out: [String: [Int: Int]] = [:]
        var current: String? = nil
        for line in text.split(separator: "\n") {
            if line.hasPrefix("SF:") {
                let f = String(line.dropFirst(3))
                current = files.isEmpty || files.contains(f) ? f : nil
            } else if line.hasPrefix("DA:"), let file = current {
                let parts = line.dropFirst(3).split(separator: ",")
                if parts.count >= 2, let l = Int(parts[0]), let c = Int(parts[1]) { out[file, default: [:]][l] = c }
            } else if line == "end_of_record" { current = nil }
        }
        return out
    }
}
