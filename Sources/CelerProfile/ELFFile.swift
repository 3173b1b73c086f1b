import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// What the sampling profiler and `celer annotate` need to know about a
/// native binary before they trust it: whether it is an ELF file, its GNU
/// build id, whether it carries line tables (`.debug_line`) and coverage
/// counters (`__llvm_prf_cnts`). Reads the headers only, with pread.
public struct ELFFile: Sendable {
    public let path: String
    /// The NT_GNU_BUILD_ID note as hex, or nil when the linker wrote none.
    public let buildID: String?
    public let sectionNames: Set<String>
    /// Size and modification time: the fallback identity of a binary without a build id.
    public let fingerprint: String

    public var hasLineTables: Bool { sectionNames.contains(".debug_line") }
    public var hasCoverageCounters: Bool { sectionNames.contains("__llvm_prf_cnts") }

    /// Reads `path`'s ELF headers; a one-line error names what is wrong.
    public init(_ path: String) throws(CelerError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CelerError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CelerError(path, "not a regular file")
        }
        fingerprint = "\(st.st_size):\(st.st_mtim.tv_sec)"
        func read(_ offset: Int, _ count: Int) -> [UInt8]? {
            guard count >= 0, count < 1 << 28, offset >= 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? bytes : nil
        }
        guard let header = read(0, 64), header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46 else {
            throw CelerError(path, "not a native executable (no ELF header); give a compiled program, not a script")
        }
        guard header[4] == 2, header[5] == 1 else {
            throw CelerError(path, "only 64-bit little-endian ELF files are supported")
        }
        func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ b: [UInt8], _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }
        func u64(_ b: [UInt8], _ o: Int) -> Int { u32(b, o) | u32(b, o + 4) << 32 }
        let shoff = u64(header, 0x28), shentsize = u16(header, 0x3a), shnum = u16(header, 0x3c), shstrndx = u16(header, 0x3e)
        var names = Set<String>()
        var id: String? = nil
        if shoff > 0, shentsize >= 64, shnum > 0, shstrndx < shnum, let table = read(shoff, shnum * shentsize) {
            let strHeader = shstrndx * shentsize
            let strings = read(u64(table, strHeader + 0x18), u64(table, strHeader + 0x20)) ?? []
            for i in 0..<shnum {
                let h = i * shentsize
                let nameOffset = u32(table, h)
                var name = ""
                if nameOffset < strings.count {
                    let end = strings[nameOffset...].firstIndex(of: 0) ?? strings.count
                    name = String(decoding: strings[nameOffset..<end], as: UTF8.self)
                }
                names.insert(name)
                let type = u32(table, h + 4)
                if type == 7 /* SHT_NOTE */, id == nil, let note = read(u64(table, h + 0x18), min(u64(table, h + 0x20), 4096)) {
                    id = ELFFile.buildID(inNotes: note)
                }
            }
        }
        sectionNames = names
        buildID = id
    }

    /// The identity a profile records: the build id, else size:mtime.
    public var identity: String { buildID ?? "fingerprint:\(fingerprint)" }

    static func buildID(inNotes note: [UInt8]) -> String? {
        var p = 0
        func u32(_ o: Int) -> Int { Int(note[o]) | Int(note[o + 1]) << 8 | Int(note[o + 2]) << 16 | Int(note[o + 3]) << 24 }
        while p + 12 <= note.count {
            let namesz = u32(p), descsz = u32(p + 4), type = u32(p + 8)
            let desc = p + 12 + ((namesz + 3) & ~3)
            guard desc + descsz <= note.count else { return nil }
            if type == 3, namesz == 4, note[p + 12] == 0x47, note[p + 13] == 0x4e, note[p + 14] == 0x55 {
                return note[desc..<desc + descsz].map { b in
                    let s = String(b, radix: 16)
                    return s.count == 1 ? "0" + s : s
                }.joined()
            }
            p = desc + ((descsz + 3) & ~3)
        }
        return nil
    }
}
