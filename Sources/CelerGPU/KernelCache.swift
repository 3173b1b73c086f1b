import CCelerSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The on-disk kernel cache. Compiling a kernel takes NVRTC 0.1–1 s; a
// program whose source, options, compiler, driver and target are unchanged
// is read back instead. Each entry is one file named by the SHA-256 of
// everything that changes the image, written to a unique temporary file and
// renamed into place, so a reader sees a whole entry or none, and two writers
// of one key (threads or processes) simply replace one complete file with
// another. The header carries the key and a SHA-256 of the payload, so a
// damaged or truncated file is ignored (and rewritten) rather than loaded.
//
// Entry layout (little-endian):
//   "CELERKC1"  8 bytes   magic and format version
//   key         32 bytes  SHA-256 of the key material
//   checksum    32 bytes  SHA-256 of the payload
//   length      8 bytes   payload bytes
//   kind        1 byte    0 = CUBIN, 1 = PTX
//   arch        4 bytes   e.g. 90
//   payload     length bytes

/// Everything that changes a compiled image, hashed.
public struct KernelCacheKey: Hashable, Sendable, CustomStringConvertible {
    /// SHA-256 of the key material.
    public let digest: [UInt8]
    public var hex: String { SHA256.hex(digest) }
    public var description: String { hex }

    /// `driverVersion` is nil when no driver is loaded (compile-only use).
    public init(source: String, name: String, options: [String], target: GPUTarget,
                nvrtcVersion: String, driverVersion: Int?) {
        var h = SHA256()
        for part in ["celer-kernel-cache 1", source, name, options.joined(separator: "\u{1}"),
                     target.description, "nvrtc \(nvrtcVersion)", "driver \(driverVersion.map(String.init) ?? "none")"] {
            h.update(part)
            h.update([0])
        }
        digest = h.finalize()
    }
}

/// A directory of compiled kernels. Best effort: a failure to read gives a
/// miss, a failure to write is counted and otherwise ignored.
public final class KernelDiskCache: Sendable {
    public let directory: String

    /// What happened so far, for tests and `celer gpu` reports.
    public struct Statistics: Sendable, Equatable {
        public var hits = 0, misses = 0, rejected = 0, writes = 0, writeFailures = 0
    }
    private let stats = Mutex(Statistics())
    public var statistics: Statistics { stats.withLock { $0 } }

    static let magic = Array("CELERKC1".utf8)
    static let headerSize = 8 + 32 + 32 + 8 + 1 + 4

    public init(directory: String) {
        self.directory = directory
    }

    /// The default cache: `$CELER_GPU_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/celer/kernels`, else `~/.cache/celer/kernels`; nil when
    /// `CELER_GPU_CACHE=0` (or `off`) turns the disk cache off.
    public static let shared: KernelDiskCache? = {
        if let off = environment("CELER_GPU_CACHE"), ["0", "off", "no", "false"].contains(off.lowercased()) { return nil }
        if let dir = environment("CELER_GPU_CACHE_DIR") { return KernelDiskCache(directory: dir) }
        if let xdg = environment("XDG_CACHE_HOME") { return KernelDiskCache(directory: xdg + "/celer/kernels") }
        return KernelDiskCache(directory: (environment("HOME") ?? "/tmp") + "/.cache/celer/kernels")
    }()

    /// The file of `key`.
    public func path(for key: KernelCacheKey) -> String { directory + "/" + key.hex + ".kernel" }

    /// The entry of `key`, or nil when absent, damaged, or for another key.
    public func load(_ key: KernelCacheKey) -> CompiledKernel? {
        guard let bytes = readFile(path(for: key)) else {
            stats.withLock { $0.misses += 1 }
            return nil
        }
        guard let kernel = Self.decode(bytes, key: key) else {
            stats.withLock { $0.rejected += 1; $0.misses += 1 }
            return nil
        }
        stats.withLock { $0.hits += 1 }
        return kernel
    }

    /// Writes the entry of `key` atomically; returns whether it was written.
    @discardableResult
    public func store(_ kernel: CompiledKernel, for key: KernelCacheKey) -> Bool {
        let ok = makeDirectories(directory) && writeAtomically(Self.encode(kernel, key: key), to: path(for: key))
        stats.withLock { if ok { $0.writes += 1 } else { $0.writeFailures += 1 } }
        return ok
    }

    // MARK: Format

    static func encode(_ kernel: CompiledKernel, key: KernelCacheKey) -> [UInt8] {
        var out = magic
        out += key.digest
        out += SHA256.hash(kernel.image)
        out += littleEndian(UInt64(kernel.image.count))
        out.append(kernel.target.kind == .cubin ? 0 : 1)
        out += littleEndian(UInt32(kernel.target.arch))
        out += kernel.image
        return out
    }

    static func decode(_ bytes: [UInt8], key: KernelCacheKey) -> CompiledKernel? {
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic, Array(bytes[8..<40]) == key.digest else { return nil }
        let length = Int(readLittleEndian(bytes, at: 72, count: 8))
        guard length > 0, bytes.count == headerSize + length else { return nil }
        let kindByte = bytes[80]
        guard kindByte <= 1 else { return nil }
        let arch = Int(readLittleEndian(bytes, at: 81, count: 4))
        let payload = Array(bytes[headerSize...])
        guard SHA256.hash(payload) == Array(bytes[40..<72]) else { return nil }
        return CompiledKernel(target: GPUTarget(kindByte == 0 ? .cubin : .ptx, arch: arch), image: payload, log: "")
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    private static func readLittleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        return v
    }
}

// MARK: - Files

/// A counter that makes temporary names unique within the process.
private let temporaryCounter = Atomic<Int>(0)

/// Writes `bytes` to a temporary file unique to this process, thread and
/// call beside `path`, then renames it over `path`.
func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
    let n = temporaryCounter.add(1, ordering: .relaxed).newValue
    let tmp = "\(path).tmp.\(getpid()).\(celer_gettid()).\(n)"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { return false }
    var written = 0
    let ok = bytes.withUnsafeBytes { raw -> Bool in
        while written < raw.count {
            let r = write(fd, raw.baseAddress! + written, raw.count - written)
            if r <= 0 { return false }
            written += r
        }
        return true
    }
    close(fd)
    guard ok, rename(tmp, path) == 0 else {
        unlink(tmp)
        return false
    }
    return true
}

/// The whole file at `path`, or nil.
func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let r = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if r < 0 { return nil }
        if r == 0 { break }
        bytes += chunk[0..<r]
    }
    return bytes
}

/// `mkdir -p`; true if the directory exists afterwards.
func makeDirectories(_ path: String) -> Bool {
    if directoryExists(path) { return true }
    var prefix = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        prefix += "/" + part
        if !directoryExists(prefix) { _ = mkdir(prefix, 0o755) }
    }
    return directoryExists(path)
}
