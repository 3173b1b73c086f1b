#if canImport(Glibc)
import Glibc
#endif

/// Writes a folder of files (a report) so that a reader never sees half of
/// one: the files go into a hidden temporary folder beside the target
/// (`PARENT/.NAME.tmp-PID`, never inside it), which is renamed into place
/// only when every file is written. An existing target is moved aside
/// first and removed after the swap; if anything fails, the temporary
/// folder is removed and the old target is put back.
///
/// `check` runs before any long work, so a path that cannot be written is
/// refused up front; `write` then only fails on errors the check cannot
/// foresee (a full disk). Folders are flat: only files are written.
public enum AtomicDirectory {
    /// `path` without trailing slashes (`report/` → `report`; `/` stays).
    public static func normalized(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// The parent folder of `path` and its last component (`a/b/` → (`a`, `b`),
    /// `b` → (`.`, `b`), `/b` → (`/`, `b`)).
    public static func split(_ path: String) -> (parent: String, name: String) {
        let p = normalized(path)
        guard let slash = p.lastIndex(of: "/") else { return (".", p) }
        let parent = String(p[..<slash])
        return (parent.isEmpty ? "/" : parent, String(p[p.index(after: slash)...]))
    }

    /// A hidden sibling of `path`: `PARENT/.NAME.TAG-PID`.
    public static func sibling(of path: String, tag: String) -> String {
        let (parent, name) = split(path)
        return (parent == "/" ? "" : parent) + "/.\(name).\(tag)-\(getpid())"
    }

    /// The names in folder `path` (without `.` and `..`), or nil if it cannot be read.
    public static func entries(_ path: String) -> [String]? {
        guard let d = opendir(path) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// What is at `path`: nil (nothing), or whether it is a folder.
    static func kind(_ path: String) -> Bool? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Throws (naming `option`) unless `path` can be written: its parent is
    /// an existing, writable folder, and `path` is absent, an empty folder, or
    /// a folder whose entries `replaceable` accepts (say, a previous report:
    /// an arbitrary folder such as `.` or `$HOME` is never replaced).
    public static func check(_ path: String, option: String,
                             replaceable: ([String]) -> Bool) throws(CelerError) {
        let p = normalized(path)
        let (parent, name) = split(p)
        guard !p.isEmpty, p != "/", name != ".", name != ".." else {
            throw CelerError(option, "'\(path)' is not a folder celer can create; give a new folder name, e.g. \(option) report")
        }
        guard kind(parent) == true else {
            throw CelerError(option, "the parent folder '\(parent)' of '\(path)' does not exist; create it first or give another path")
        }
        if let isDir = kind(p) {
            guard isDir else {
                throw CelerError(option, "'\(path)' exists and is not a folder; give a folder path")
            }
            guard let names = entries(p) else {
                throw CelerError(option, "cannot read the existing folder '\(path)'; give a new folder")
            }
            guard names.isEmpty || replaceable(names) else {
                throw CelerError(option, "'\(path)' exists and is not a previous report (it holds \(names.count) other entr\(names.count == 1 ? "y" : "ies")); give a new or empty folder")
            }
            guard access(p, W_OK) == 0 else {
                throw CelerError(option, "cannot replace '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        // The parent must take a new folder and a rename: try exactly that.
        let probe = sibling(of: p, tag: "probe")
        guard mkdir(probe, 0o755) == 0 else {
            throw CelerError(option, "cannot create '\(path)': \(String(cString: strerror(errno))) in '\(parent)'; give a path in a writable folder")
        }
        rmdir(probe)
    }

    /// Builds the folder with `body` (given the temporary folder's path, in
    /// which it writes its files) and renames it into place at `path`.
    public static func write(_ path: String, option: String,
                             _ body: (String) throws(CelerError) -> Void) throws(CelerError) {
        let p = normalized(path)
        let tmp = sibling(of: p, tag: "tmp")
        removeFlat(tmp)
        guard mkdir(tmp, 0o755) == 0 else {
            throw CelerError(option, "cannot create '\(tmp)': \(String(cString: strerror(errno)))")
        }
        do {
            try body(tmp)
        } catch {
            removeFlat(tmp)
            throw error
        }
        if kind(p) != nil {
            let old = sibling(of: p, tag: "old")
            removeFlat(old)
            guard rename(p, old) == 0 else {
                let why = String(cString: strerror(errno))
                removeFlat(tmp)
                throw CelerError(option, "cannot move the old '\(path)' aside: \(why)")
            }
            guard rename(tmp, p) == 0 else {
                let why = String(cString: strerror(errno))
                rename(old, p)
                removeFlat(tmp)
                throw CelerError(option, "cannot rename the new report into '\(path)': \(why)")
            }
            removeFlat(old)
        } else if rename(tmp, p) != 0 {
            let why = String(cString: strerror(errno))
            removeFlat(tmp)
            throw CelerError(option, "cannot rename the new report into '\(path)': \(why)")
        }
    }

    /// Removes a flat folder (its files, then itself); nothing if absent.
    static func removeFlat(_ path: String) {
        guard kind(path) == true else { return }
        for name in entries(path) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}
