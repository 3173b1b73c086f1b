#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader never sees half of one: the bytes go to a
/// temporary file beside the target, which is renamed over it only after a
/// complete write. An interrupted run leaves the old file (or none).
public enum AtomicFile {
    /// Writes `bytes` to `path`; throws a one-line error naming the path.
    public static func write(_ bytes: [UInt8], to path: String) throws(CelerError) {
        let tmp = path + ".tmp-\(getpid())"
        guard let f = fopen(tmp, "wb") else {
            throw CelerError(path, "cannot write: \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let flushed = fflush(f) == 0
        fclose(f)
        guard written == bytes.count, flushed else {
            unlink(tmp)
            throw CelerError(path, "write failed: \(String(cString: strerror(errno)))")
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw CelerError(path, "cannot rename into place: \(reason)")
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws(CelerError) {
        try write(Array(text.utf8), to: path)
    }

    /// Throws unless a file can be created in the directory of `path`
    /// (checked before long work, so a bad `--out` fails fast).
    public static func checkWritable(_ path: String) throws(CelerError) {
        let probe = path + ".probe-\(getpid())"
        guard let f = fopen(probe, "wb") else {
            throw CelerError(path, "cannot write: \(String(cString: strerror(errno)))")
        }
        fclose(f)
        unlink(probe)
    }
}
