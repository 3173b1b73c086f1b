/// What went wrong in a GPU operation, as one line that names the failing
/// CUDA or NVRTC call and the library's own error string.
public enum GPUError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No usable driver, device or compiler: which library, and the loader's
    /// or the driver's reason.
    case unavailable(String)
    /// A driver call failed: the call (`cuMemAlloc_v2`), the `CUresult`, its
    /// name (`CUDA_ERROR_INVALID_VALUE`) and its description (`cuGetErrorString`).
    case driver(call: String, code: Int32, name: String, message: String)
    /// Device memory ran out: the allocation asked for `bytes`.
    case outOfMemory(call: String, bytes: Int, message: String)
    /// An NVRTC call other than compilation failed (`nvrtcGetErrorString`).
    case nvrtc(call: String, code: Int32, message: String)
    /// A program did not compile: its name, the target, and NVRTC's log.
    case compilation(program: String, target: String, log: String)
    /// A caller passed something the API cannot accept.
    case invalidArgument(String)

    /// The message without the "GPU unavailable:" prefix for `.unavailable`.
    public var reason: String {
        if case .unavailable(let r) = self { return r }
        return description
    }

    public var description: String {
        switch self {
        case .unavailable(let reason):
            return "GPU unavailable: \(reason)"
        case let .driver(call, code, name, message):
            return "\(call) failed: \(name) (\(code)): \(message)"
        case let .outOfMemory(call, bytes, message):
            return "\(call) failed: out of device memory allocating \(bytes) bytes: \(message)"
        case let .nvrtc(call, code, message):
            return "\(call) failed: \(message) (\(code))"
        case let .compilation(program, target, log):
            let firstLines = log.split(separator: "\n", omittingEmptySubsequences: true).prefix(20).joined(separator: "\n")
            return "nvrtcCompileProgram failed for \(program) (\(target)):\n\(firstLines)"
        case .invalidArgument(let message):
            return message
        }
    }
}
