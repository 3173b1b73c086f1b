import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// Resident memory of processes, read from /proc (Linux).
public enum ProcessMemory {
    /// The page size, for /proc/PID/stat and statm which count pages.
    public static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// VmRSS (resident now) and VmHWM (the highest resident, the kernel's
    /// peak) of this process, in bytes.
    public static func current() -> (rss: Int, hwm: Int) {
        status(pid: nil)
    }

    /// Resident bytes now of this process (cheap: one read of /proc/self/statm).
    public static func residentBytes() -> Int {
        residentBytes(pid: getpid()) ?? 0
    }

    /// VmRSS and VmHWM of a process from /proc/PID/status (0 when unreadable).
    public static func status(pid: pid_t?) -> (rss: Int, hwm: Int) {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let text = readTextFile(path) else { return (0, 0) }
        var rss = 0, hwm = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = kib(line) }
            else if line.hasPrefix("VmHWM:") { hwm = kib(line) }
        }
        return (rss, hwm)
    }

    /// Resident bytes of one process (second field of /proc/PID/statm), nil if gone.
    public static func residentBytes(pid: pid_t) -> Int? {
        guard let text = readSmallFile("/proc/\(pid)/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
    }

    /// One process in the table: its parent and its resident bytes.
    public struct Entry: Sendable, Equatable {
        public let pid: pid_t
        public let parent: pid_t
        /// The session id (a process that called setsid leads its own).
        public let session: pid_t
        public let residentBytes: Int
    }

    /// Every process visible in /proc with its parent and resident size
    /// (from /proc/PID/stat: field 4 is the parent, field 24 the RSS in pages).
    public static func processTable() -> [Entry] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(name), let stat = readSmallFile("/proc/\(name)/stat"),
                  let entry = parseStat(pid: pid, stat) else { continue }
            entries.append(entry)
        }
        return entries
    }

    /// Parses /proc/PID/stat. The command name (field 2) is in parentheses
    /// and may hold spaces, so fields are counted after the last ')'.
    static func parseStat(pid: pid_t, _ stat: String) -> Entry? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[3] field 6
        // (session), rest[21] field 24 (rss).
        guard rest.count > 21, let parent = pid_t(rest[1]), let session = pid_t(rest[3]),
              let pages = Int(rest[21]) else { return nil }
        return Entry(pid: pid, parent: parent, session: session, residentBytes: pages * pageSize)
    }

    /// `root` and all its descendants, with their resident bytes (root first).
    public static func tree(of root: pid_t, in table: [Entry]? = nil) -> [Entry] {
        let all = table ?? processTable()
        var children: [pid_t: [Entry]] = [:]
        var rootEntry: Entry? = nil
        for e in all {
            children[e.parent, default: []].append(e)
            if e.pid == root { rootEntry = e }
        }
        guard let first = rootEntry else { return [] }
        var out = [first]
        var i = 0
        while i < out.count {
            out.append(contentsOf: children[out[i].pid] ?? [])
            i += 1
        }
        return out
    }

    private static func kib(_ line: Substring) -> Int {
        let digits = line.split(separator: " ").first { Int($0) != nil }
        return (digits.flatMap { Int($0) } ?? 0) * 1024
    }

    /// Reads a small /proc file with one read (no stdio buffering).
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
