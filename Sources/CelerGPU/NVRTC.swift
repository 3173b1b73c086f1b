#if canImport(Glibc)
import Glibc
#endif

// NVRTC, the CUDA runtime compiler, loaded at run time. It needs no GPU: the
// tests compile every kernel on the CPU-only CI machine. The library comes
// from the CUDA toolkit or from a pip wheel (`nvidia-cuda-nvrtc` for CUDA 13,
// `nvidia-cuda-nvrtc-cu12` for 12). NVRTC opens `libnvrtc-builtins` itself,
// by its soname, and ignores our search path, so the builtins library next to
// the chosen libnvrtc is opened first: the loader then reuses it.

/// A compilation target: a real architecture (CUBIN, `sm_XY`) or a virtual
/// one (PTX, `compute_XY`) that the driver compiles when loading.
public struct GPUTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case cubin, ptx }
    public let kind: Kind
    /// Compute capability as 10·major + minor: 90 for sm_90, 80 for sm_80.
    public let arch: Int

    public init(_ kind: Kind, arch: Int) { self.kind = kind; self.arch = arch }
    public static func cubin(_ arch: Int) -> GPUTarget { GPUTarget(.cubin, arch: arch) }
    public static func ptx(_ arch: Int) -> GPUTarget { GPUTarget(.ptx, arch: arch) }

    /// The `--gpu-architecture` value: `sm_90` or `compute_90`.
    public var architectureOption: String { (kind == .cubin ? "sm_" : "compute_") + "\(arch)" }
    public var description: String { "\(kind.rawValue) \(architectureOption)" }
}

/// A compiled program: CUBIN or PTX bytes (PTX with its terminating NUL, as
/// `cuModuleLoadData` expects).
public struct CompiledKernel: Sendable, Equatable {
    public let target: GPUTarget
    public let image: [UInt8]
    /// NVRTC's log (warnings), possibly empty.
    public let log: String
}

/// The loaded NVRTC library.
public final class NVRTC: @unchecked Sendable {
    typealias Program = OpaquePointer?
    private let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private let nvrtcGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    private let nvrtcCreateProgram: @convention(c) (UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>?,
                                                    Int32, UnsafePointer<UnsafePointer<CChar>?>?,
                                                    UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<Program>) -> Int32
    private let nvrtcCompileProgram: @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let nvrtcGetProgramLogSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let nvrtcGetProgramLog: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let nvrtcGetPTXSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let nvrtcGetPTX: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let nvrtcGetCUBINSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let nvrtcGetCUBIN: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let nvrtcGetNumSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32)?
    private let nvrtcGetSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32)?

    /// The libnvrtc that was opened, and the builtins library preloaded (if found).
    public let libraryPath: String
    public let builtinsPath: String?
    /// (major, minor) from `nvrtcVersion`.
    public let version: (major: Int, minor: Int)
    /// The real architectures this NVRTC can generate CUBIN for (e.g. [75, 80, 86, 89, 90, 100, 120]).
    public let supportedArchs: [Int]

    public var versionString: String { "\(version.major).\(version.minor)" }

    /// The process's NVRTC, loaded on first use from `candidatePaths()`, or
    /// why not. When a driver is loaded, libraries of a CUDA major version no
    /// newer than the driver's are tried first: a CUBIN or PTX from a newer
    /// major version does not load on an older driver.
    public static let shared: Result<NVRTC, GPUError> = {
        var candidates = candidatePaths()
        if case .success(let driver) = CUDADriver.shared {
            let explicit = environment("CELER_NVRTC") != nil ? candidates.prefix(1) : []
            let rest = candidates.dropFirst(explicit.count)
            let fitting = rest.filter { majorVersion($0) <= driver.version / 1000 }
            candidates = Array(explicit) + fitting + rest.filter { majorVersion($0) > driver.version / 1000 }
        }
        return load(candidates: candidates)
    }()

    /// One NVRTC of each CUDA major version found (for the tests, which
    /// compile every kernel with each).
    public static func allInstalled() -> [NVRTC] {
        var byMajor: [Int: NVRTC] = [:]
        if case .success(let shared) = shared { byMajor[shared.version.major] = shared }
        for path in candidatePaths() where byMajor[majorVersion(path)] == nil {
            if case .success(let nvrtc) = load(candidates: [path]), byMajor[nvrtc.version.major] == nil {
                byMajor[nvrtc.version.major] = nvrtc
            }
        }
        return byMajor.keys.sorted().map { byMajor[$0]! }
    }

    /// Where libnvrtc is looked for, in order:
    /// 1. `$CELER_NVRTC`: a libnvrtc file, or a directory holding one;
    /// 2. the pip wheels' `nvidia/cu13/lib` and `nvidia/cuda_nvrtc/lib` under
    ///    every site-packages found (the active virtual environment, pyenv
    ///    versions, the user's and the system's Python);
    /// 3. the CUDA toolkit (`$CUDA_HOME`, `/usr/local/cuda`);
    /// 4. `libnvrtc.so.13`, then `libnvrtc.so.12`, on the loader's search path.
    public static func candidatePaths() -> [String] {
        var paths: [String] = []
        if let given = environment("CELER_NVRTC") {
            if directoryExists(given) {
                paths += libraries(in: given)
            } else {
                paths.append(given)
            }
        }
        for site in sitePackages() {
            paths += libraries(in: site + "/nvidia/cu13/lib")
            paths += libraries(in: site + "/nvidia/cuda_nvrtc/lib")
        }
        var toolkits = ["/usr/local/cuda"]
        if let home = environment("CUDA_HOME") ?? environment("CUDA_PATH") { toolkits.insert(home, at: 0) }
        for toolkit in toolkits { paths += libraries(in: toolkit + "/lib64") }
        paths += ["libnvrtc.so.13", "libnvrtc.so.12"]
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// `libnvrtc.so.<major>` files in `directory`, newest major first.
    static func libraries(in directory: String) -> [String] {
        globPaths(directory + "/libnvrtc.so.[0-9]*")
            .filter { path in
                let name = path.split(separator: "/").last.map(String.init) ?? ""
                return name.split(separator: ".").count == 3  // libnvrtc.so.13, not .so.13.0.48
            }
            .sorted { majorVersion($0) > majorVersion($1) }
    }

    static func majorVersion(_ path: String) -> Int {
        Int(path.split(separator: ".").last ?? "") ?? 0
    }

    /// site-packages directories of the Python installations this process can see.
    static func sitePackages() -> [String] {
        var prefixes: [String] = []
        if let venv = environment("VIRTUAL_ENV") { prefixes.append(venv) }
        if let conda = environment("CONDA_PREFIX") { prefixes.append(conda) }
        let home = environment("HOME") ?? "/root"
        let pyenv = environment("PYENV_ROOT") ?? home + "/.pyenv"
        prefixes += globPaths(pyenv + "/versions/*")
        prefixes += [home + "/.local", "/usr/local", "/usr", "/opt/conda"]
        var dirs: [String] = []
        for prefix in prefixes {
            dirs += globPaths(prefix + "/lib/python3*/site-packages")
            dirs += globPaths(prefix + "/lib/python3*/dist-packages")
            dirs += globPaths(prefix + "/lib/python3/dist-packages")
        }
        return dirs.filter(directoryExists)
    }

    /// Loads the first candidate that opens, after preloading the builtins
    /// library beside it.
    public static func load(candidates: [String]) -> Result<NVRTC, GPUError> {
        var reasons: [String] = []
        for candidate in candidates {
            let builtins = candidate.contains("/") ? preloadBuiltins(besides: candidate) : nil
            switch DynamicLibrary.open(candidate) {
            case .failure(let f):
                reasons.append(f.reason)
            case .success(let library):
                do {
                    return .success(try NVRTC(library, builtins: builtins))
                } catch {
                    reasons.append("\(candidate): \(error)")
                }
            }
        }
        let tried = candidates.joined(separator: ", ")
        return .failure(.unavailable("no NVRTC: tried \(tried): \(reasons.joined(separator: "; ")) "
                                     + "(install it with `pip install nvidia-cuda-nvrtc` or set CELER_NVRTC)"))
    }

    /// Opens `libnvrtc-builtins.so.*` from the directory of `library`, if any.
    private static func preloadBuiltins(besides library: String) -> String? {
        let directory = String(library[..<(library.lastIndex(of: "/") ?? library.startIndex)])
        let major = library.split(separator: "/").last?.split(separator: ".").last.map(String.init) ?? ""
        for path in globPaths(directory + "/libnvrtc-builtins.so.\(major)*") where !path.contains(".alt.") {
            if case .success = DynamicLibrary.open(path, global: true) { return path }
        }
        return nil
    }

    private init(_ library: DynamicLibrary, builtins: String?) throws(GPUError) {
        func f<F>(_ name: String, _ type: F.Type) throws(GPUError) -> F {
            switch library.function(name, as: type) {
            case .success(let fn): return fn
            case .failure(let failure): throw .unavailable(failure.description)
            }
        }
        nvrtcVersion = try f("nvrtcVersion", (@convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32).self)
        nvrtcGetErrorString = try f("nvrtcGetErrorString", (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)
        nvrtcCreateProgram = try f("nvrtcCreateProgram", (@convention(c) (UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32).self)
        nvrtcDestroyProgram = try f("nvrtcDestroyProgram", (@convention(c) (UnsafeMutablePointer<Program>) -> Int32).self)
        nvrtcCompileProgram = try f("nvrtcCompileProgram", (@convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32).self)
        nvrtcGetProgramLogSize = try f("nvrtcGetProgramLogSize", (@convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32).self)
        nvrtcGetProgramLog = try f("nvrtcGetProgramLog", (@convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32).self)
        nvrtcGetPTXSize = try f("nvrtcGetPTXSize", (@convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32).self)
        nvrtcGetPTX = try f("nvrtcGetPTX", (@convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32).self)
        nvrtcGetCUBINSize = try f("nvrtcGetCUBINSize", (@convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32).self)
        nvrtcGetCUBIN = try f("nvrtcGetCUBIN", (@convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32).self)
        nvrtcGetNumSupportedArchs = try? f("nvrtcGetNumSupportedArchs", (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32).self)
        nvrtcGetSupportedArchs = try? f("nvrtcGetSupportedArchs", (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32).self)
        libraryPath = library.path
        builtinsPath = builtins
        var major: Int32 = 0, minor: Int32 = 0
        _ = nvrtcVersion(&major, &minor)
        version = (Int(major), Int(minor))
        var archs: [Int] = []
        if let count = nvrtcGetNumSupportedArchs, let get = nvrtcGetSupportedArchs {
            var n: Int32 = 0
            if count(&n) == 0, n > 0 {
                var values = [Int32](repeating: 0, count: Int(n))
                if get(&values) == 0 { archs = values.map(Int.init) }
            }
        }
        supportedArchs = archs
    }

    private func errorString(_ code: Int32) -> String {
        nvrtcGetErrorString(code).map { String(cString: $0) } ?? "NVRTC error \(code)"
    }

    private func check(_ code: Int32, _ call: String) throws(GPUError) {
        if code != 0 { throw .nvrtc(call: call, code: code, message: errorString(code)) }
    }

    /// The options Celer always passes: no FMA contraction (results match the
    /// CPU kernels bit for bit), IEEE division and square root, C++17.
    public static let defaultOptions = ["--fmad=false", "--std=c++17"]

    /// Whether NVRTC can generate CUBIN for `arch` (unknown list: assume yes).
    public func supportsCUBIN(_ arch: Int) -> Bool {
        supportedArchs.isEmpty || supportedArchs.contains(arch)
    }

    /// The target to compile for on a device of compute capability `arch`:
    /// CUBIN for it when this NVRTC knows it, else PTX for the newest
    /// architecture it knows below it (the driver then compiles that).
    public func preferredTarget(deviceArch arch: Int) -> GPUTarget {
        if supportsCUBIN(arch) { return .cubin(arch) }
        let older = supportedArchs.filter { $0 <= arch }.max() ?? supportedArchs.min() ?? arch
        return .ptx(older)
    }

    /// Compiles `source` (named `name` in messages) for `target` with
    /// `options` (added after the architecture option). On failure the error
    /// carries NVRTC's log; with `CELER_GPU_DUMP_SOURCE=1` the source, with
    /// line numbers, and the options are also written to standard error.
    public func compile(_ source: String, name: String, target: GPUTarget,
                        options: [String] = NVRTC.defaultOptions) throws(GPUError) -> CompiledKernel {
        var program: Program = nil
        try check(nvrtcCreateProgram(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = nvrtcDestroyProgram(&program) }
        let all = ["--gpu-architecture=\(target.architectureOption)"] + options
        let cStrings = all.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = cStrings.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { buffer in
            nvrtcCompileProgram(program, Int32(buffer.count), buffer.baseAddress)
        }
        let log = programLog(program)
        if status != 0 {
            if environment("CELER_GPU_DUMP_SOURCE") == "1" { Self.dump(source, name: name, options: all, log: log) }
            if status == 6 {  // NVRTC_ERROR_COMPILATION
                throw .compilation(program: name, target: target.description, log: log)
            }
            throw .nvrtc(call: "nvrtcCompileProgram(\(name), \(target))", code: status,
                         message: errorString(status) + (log.isEmpty ? "" : ": " + log))
        }
        var size = 0
        var image: [UInt8]
        switch target.kind {
        case .cubin:
            try check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize")
            image = [UInt8](repeating: 0, count: size)
            let code = image.withUnsafeMutableBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { nvrtcGetCUBIN(program, $0) }
            }
            try check(code, "nvrtcGetCUBIN")
        case .ptx:
            try check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize")  // includes the NUL
            image = [UInt8](repeating: 0, count: size)
            let code = image.withUnsafeMutableBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { nvrtcGetPTX(program, $0) }
            }
            try check(code, "nvrtcGetPTX")
        }
        guard !image.isEmpty else {
            throw .nvrtc(call: "nvrtcGet\(target.kind == .cubin ? "CUBIN" : "PTX")", code: 0,
                         message: "empty image for \(name) (\(target))")
        }
        return CompiledKernel(target: target, image: image, log: log)
    }

    private func programLog(_ program: Program) -> String {
        var size = 0
        guard nvrtcGetProgramLogSize(program, &size) == 0, size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard nvrtcGetProgramLog(program, &bytes) == 0 else { return "" }
        return String(decoding: bytes.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func dump(_ source: String, name: String, options: [String], log: String) {
        var bytes = Array(dumpText(source, name: name, options: options, log: log).utf8)
        _ = write(2, &bytes, bytes.count)
    }

    /// What `CELER_GPU_DUMP_SOURCE=1` prints for a program that did not
    /// compile: its name and options, the source with line numbers (NVRTC's
    /// log refers to them), and the log.
    static func dumpText(_ source: String, name: String, options: [String], log: String) -> String {
        var text = "=== CELER_GPU_DUMP_SOURCE: \(name), options: \(options.joined(separator: " "))\n"
        for (k, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            text += "\(k + 1)".leftPadded(to: 5) + "  " + line + "\n"
        }
        text += "=== NVRTC log:\n\(log)\n"
        return text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
