import CCelerSystem
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the machine and process that parallel code and reports need.
public enum SystemInfo {
    /// CPUs this process may run on: its affinity mask (taskset, cgroups
    /// cpusets), falling back to the online core count.
    public static var availableCores: Int {
        let n = Int(celer_affinity_cpu_count())
        if n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The CPU model name from /proc/cpuinfo, or "unknown".
    public static var cpuModel: String {
        guard let text = readTextFile("/proc/cpuinfo") else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return String(line[line.index(after: colon)...]).trimmingSpaces()
            }
        }
        return "unknown"
    }

    /// Size in bytes of a cache level (1 = L1 data, 2, 3) from sysfs, if known.
    public static func cacheSize(level: Int) -> Int? {
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            guard let lv = readTextFile(dir + "level")?.trimmingSpaces(), Int(lv) == level,
                  let type = readTextFile(dir + "type")?.trimmingSpaces(), type != "Instruction",
                  let size = readTextFile(dir + "size")?.trimmingSpaces() else { continue }
            if size.hasSuffix("K"), let k = Int(size.dropLast()) { return k * 1024 }
            if size.hasSuffix("M"), let m = Int(size.dropLast()) { return m * 1024 * 1024 }
            if let b = Int(size) { return b }
        }
        return nil
    }
}

/// Reads a whole (small) text file, or nil if it cannot be read.
public func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
