#if canImport(Glibc)
import Glibc
#endif

// Loading shared libraries at run time. Celer links no CUDA library at build
// time: the driver (libcuda) and the compiler (NVRTC) are opened with dlopen
// when first needed, so the default build needs no toolkit and `celer` runs on
// machines without a GPU, reporting why the GPU rungs cannot run.

/// An opened shared library; never closed (the driver and NVRTC keep global
/// state for the life of the process).
final class DynamicLibrary: @unchecked Sendable {
    /// The name or path it was opened by.
    let path: String
    private let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    /// Opens `path`, or returns the loader's reason (`dlerror`) why not.
    static func open(_ path: String, global: Bool = false) -> Result<DynamicLibrary, LoadFailure> {
        _ = dlerror()  // clear a stale error
        let flags = RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL)
        guard let handle = dlopen(path, flags) else {
            return .failure(LoadFailure(library: path, reason: lastError() ?? "dlopen failed"))
        }
        return .success(DynamicLibrary(path: path, handle: handle))
    }

    /// Opens the first of `candidates` that loads; the failure lists every reason.
    static func openFirst(_ candidates: [String], global: Bool = false) -> Result<DynamicLibrary, LoadFailure> {
        var reasons: [String] = []
        for candidate in candidates {
            switch open(candidate, global: global) {
            case .success(let library): return .success(library)
            case .failure(let failure): reasons.append(failure.reason)
            }
        }
        let names = candidates.joined(separator: ", ")
        return .failure(LoadFailure(library: names, reason: reasons.isEmpty ? "no candidates" : reasons.joined(separator: "; ")))
    }

    /// The address of `symbol`, or nil.
    func symbol(_ symbol: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, symbol)
    }

    /// `symbol` as a C function type, or a failure naming the symbol.
    func function<F>(_ symbol: String, as type: F.Type) -> Result<F, LoadFailure> {
        _ = dlerror()
        guard let address = dlsym(handle, symbol) else {
            return .failure(LoadFailure(library: path, reason: "symbol \(symbol) not found: \(Self.lastError() ?? "dlsym failed")"))
        }
        return .success(unsafeBitCast(address, to: type))
    }

    static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }
}

/// Why a library or one of its symbols could not be loaded.
struct LoadFailure: Error, Sendable, CustomStringConvertible {
    let library: String
    let reason: String
    var description: String { "dlopen \(library): \(reason)" }
}

/// Whether a file exists at `path` (and is not a directory).
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR
}

/// Whether a directory exists at `path`.
func directoryExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// The paths matching a shell pattern (`glob(3)`), sorted; none if nothing matches.
func globPaths(_ pattern: String) -> [String] {
    var result = glob_t()
    defer { globfree(&result) }
    guard glob(pattern, 0, nil, &result) == 0 else { return [] }
    var paths: [String] = []
    for k in 0..<Int(result.gl_pathc) {
        if let p = result.gl_pathv[k] { paths.append(String(cString: p)) }
    }
    return paths.sorted()
}

/// The value of an environment variable, nil when unset or empty.
func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}
