import CelerArray
import CelerCore
import CelerExpr
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CUDAEmitterTests {
    @Test func emitsOneStatementPerInstructionInTheCPUOrder() throws {
        let k = try CUDAKernel("2*a + b**10", types: ["a": .float64, "b": .float64], ndim: 1)
        #expect(k.parameters == [.count, .extent(axis: 0), .input(slot: 0, .float64), .inputStride(slot: 0, axis: 0),
                                 .input(slot: 1, .float64), .inputStride(slot: 1, axis: 0), .output(.float64), .outputStride(axis: 0)])
        // 2*a, b², b⁴, b⁸, b²·b⁸: five round-to-nearest multiplies, one add, no pow.
        #expect(occurrences("__dmul_rn(", in: k.source) == 5)
        #expect(occurrences("__dadd_rn(", in: k.source) == 1)
        #expect(!k.source.contains("pow("))
        #expect(k.source.contains("extern \"C\" __global__ void celer_fused("))
        #expect(k.source.contains("const double* __restrict__ in0"))
        #expect(k.source.contains("out[k0 * out_s0] = "))
    }

    @Test func typesCastsAndIntegers() throws {
        let k = try CUDAKernel("where(i > 3, float32(i) * x, -x) + abs(i)", types: ["i": .int32, "x": .float32], ndim: 3)
        #expect(k.resultType == .float64)   // float32 with int32 promotes to float64, as in NumPy
        #expect(k.parameters.filter { if case .extent = $0 { return true }; return false }.count == 3)
        #expect(k.source.contains("__fmul_rn("))
        #expect(k.source.contains("(unsigned int)"))        // abs wraps as on the CPU
        #expect(k.source.contains("const long long k2 = r % d2;"))
        let wrap = try CUDAKernel("a * b + 1", types: ["a": .int64, "b": .int64], ndim: 1)
        #expect(wrap.source.contains("(long long)((unsigned long long)"))
        let f2i = try CUDAKernel("int32(x)", types: ["x": .float64], ndim: 1)
        #expect(f2i.source.contains("celer_f2i((double)"))
    }

    @Test func boundArraysGiveTheirTypesAndReductionsAreRefused() throws {
        let a = NDArray<Double>.arange(10)
        let k = try CUDAKernel(sqrt(a.lazy) * Expr.input("s"), types: ["s": .float64], ndim: 1)
        #expect(k.inputTypes == [.float64, .float64])
        #expect(k.source.contains("__dsqrt_rn("))
        #expect(throws: CelerError("cuda", "only elementwise expressions become kernels (this one has reductions)")) {
            try CUDAKernel("sum(a * a)", types: ["a": .float64], ndim: 1)
        }
        #expect(throws: CelerError("cuda", "no dtype for input 'b' (types: a)")) {
            try CUDAKernel("a + b", types: ["a": .float64], ndim: 1)
        }
    }

    @Test(.enabled(if: NVRTC.shared != nil, "NVRTC (libnvrtc.so.12; pip nvidia-cuda-nvrtc-cu12) is not loadable here"))
    func nvrtcCompilesTheEmittedSource() throws {
        let nvrtc = try #require(NVRTC.shared)
        let texts = ["2*a + b**10", "where(a > b, a, b)", "sin(a)**2 + cos(b)**2", "minimum(a, -b) / sqrt(abs(a) + 1)",
                     "int32(a) * 3 + uint8(b)", "(a > 0) & ~(b < 0) | (a == b)", "exp(log(abs(a) + 1)) ** 0.5 - a ** -2"]
        for text in texts {
            for (t, ndim) in [(DType.float64, 1), (.float32, 2), (.float64, 4)] {
                let k = try CUDAKernel(text, types: ["a": t, "b": t], ndim: ndim)
                let log = nvrtc.compile(k.source, name: "fused.cu", options: CUDAKernel.compileOptions)
                #expect(log == nil, "\(text) (\(t), \(ndim)-d) did not compile: \(log ?? "")\n\(k.source)")
            }
        }
    }
}

/// NVRTC loaded at run time (no build-time CUDA dependency): compiles
/// CUDA C to PTX, which needs no GPU.
final class NVRTC: @unchecked Sendable {
    typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>, Int32,
                                       UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias Compile = @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias LogSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Int32
    typealias Log = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Int32
    typealias Destroy = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32

    let create: Create, compileProgram: Compile, logSize: LogSize, log: Log, destroy: Destroy

    static let shared: NVRTC? = NVRTC()

    init?() {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["CELER_NVRTC"] { candidates.append(p) }
        if let dir = NVRTC.pipDirectory() { candidates.append(dir + "/libnvrtc.so.12") }
        candidates.append("libnvrtc.so.12")
        for path in candidates {
            // NVRTC loads its builtins library by name, ignoring RPATH: load it first from the same folder.
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty, let builtins = try? FileManager.default.contentsOfDirectory(atPath: folder)
                .first(where: { $0.hasPrefix("libnvrtc-builtins.so.12") }) {
                _ = dlopen(folder + "/" + builtins, RTLD_NOW | RTLD_GLOBAL)
            }
            guard let h = dlopen(path, RTLD_NOW | RTLD_GLOBAL),
                  let c = dlsym(h, "nvrtcCreateProgram"), let k = dlsym(h, "nvrtcCompileProgram"),
                  let s = dlsym(h, "nvrtcGetProgramLogSize"), let l = dlsym(h, "nvrtcGetProgramLog"),
                  let d = dlsym(h, "nvrtcDestroyProgram") else { continue }
            create = unsafeBitCast(c, to: Create.self)
            compileProgram = unsafeBitCast(k, to: Compile.self)
            logSize = unsafeBitCast(s, to: LogSize.self)
            log = unsafeBitCast(l, to: Log.self)
            destroy = unsafeBitCast(d, to: Destroy.self)
            return
        }
        return nil
    }

    static func pipDirectory() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import nvidia.cuda_nvrtc as m; print(list(m.__path__)[0] + '/lib')"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// nil when `source` compiles; else NVRTC's log.
    func compile(_ source: String, name: String, options: [String]) -> String? {
        var program: OpaquePointer? = nil
        guard create(&program, source, name, 0, nil, nil) == 0 else { return "nvrtcCreateProgram failed" }
        defer { _ = destroy(&program) }
        let cOptions = options.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        let pointers = cOptions.map { UnsafePointer<CChar>($0) }
        let status = pointers.withUnsafeBufferPointer { compileProgram(program, Int32(options.count), $0.baseAddress) }
        if status == 0 { return nil }
        var size = 0
        _ = logSize(program, &size)
        var text = [CChar](repeating: 0, count: size + 1)
        _ = log(program, &text)
        return "status \(status): " + String(cString: text)
    }
}
