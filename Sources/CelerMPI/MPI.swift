#if MPI
import CMPI
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The MPI environment of this process: start, stop, and the job-wide end of
/// a failed rank.
///
/// Contract:
/// - `MPI.initialize(threadLevel:)` calls `MPI_Init_thread`, checks that the
///   library provides the thread level asked for, sets `MPI_ERRORS_RETURN` on
///   the world communicator (every MPI error becomes a thrown `MPIError`
///   instead of the default abort), and checks each Swift element type against
///   the size of its MPI datatype.
/// - Every way out of the process ends MPI properly: returning from
///   `MPI.main` or calling `MPI.finalize()` finalizes; `exit(0)` finalizes
///   (an `on_exit` handler); `exit` with a non-zero status, an error that
///   reaches `MPI.main`, and a fatal signal (a crash, a Swift trap) print one
///   line naming the rank and call `MPI_Abort`, so `mpirun` ends every rank
///   within seconds instead of leaving the others blocked forever (the lesson
///   of mpi4py's `python -m mpi4py`).
/// - Without the package trait `MPI` the module still builds; `isAvailable`
///   is false and everything that would need MPI is absent.
public enum MPI {
    /// The one-line hint for a build without MPI.
    public static let buildHint = "built without MPI: swift build --traits MPI (needs libopenmpi-dev, openmpi-bin)"

    #if MPI
    /// Whether this build has the MPI backend.
    public static let isAvailable = true
    #else
    /// Whether this build has the MPI backend.
    public static let isAvailable = false
    #endif
}

/// Why an MPI operation failed. `description` is one line.
public struct MPIError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The MPI library returned an error code (with its error class).
        case library(code: Int32, errorClass: Int32)
        /// A message of another length or element type than the receiver expects.
        case mismatch
        /// An argument outside what the operation allows (a rank, a count, a view).
        case invalidArgument
        /// The library cannot provide what is needed (thread level, type sizes).
        case unsupported
        /// MPI is not initialized, or already finalized.
        case notInitialized
    }

    public let kind: Kind
    /// The MPI call or Celer operation that failed, e.g. "MPI_Send".
    public let function: String
    /// What went wrong; for library errors the text of `MPI_Error_string`.
    public let message: String

    public init(_ kind: Kind, _ function: String, _ message: String) {
        self.kind = kind
        self.function = function
        self.message = message
    }

    public var description: String { "\(function): \(message)" }
}

/// How many threads of a rank may call MPI (MPI's thread support levels).
public enum ThreadLevel: Int, Comparable, Sendable, CustomStringConvertible {
    /// One thread in the process.
    case single = 0
    /// Many threads (Celer's thread pool), but only the thread that called
    /// `initialize` calls MPI. What CelerMPI's rungs need: workers compute,
    /// the main thread communicates between parallel sections.
    case funneled = 1
    /// Any thread calls MPI, one at a time.
    case serialized = 2
    /// Any thread calls MPI at any time.
    case multiple = 3

    public static func < (a: ThreadLevel, b: ThreadLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .single: "MPI_THREAD_SINGLE"
        case .funneled: "MPI_THREAD_FUNNELED"
        case .serialized: "MPI_THREAD_SERIALIZED"
        case .multiple: "MPI_THREAD_MULTIPLE"
        }
    }
}

#if MPI

extension ThreadLevel {
    var mpiValue: Int32 {
        switch self {
        case .single: cmpi_thread_single()
        case .funneled: cmpi_thread_funneled()
        case .serialized: cmpi_thread_serialized()
        case .multiple: cmpi_thread_multiple()
        }
    }

    init(mpiValue v: Int32) {
        if v == cmpi_thread_multiple() { self = .multiple }
        else if v == cmpi_thread_serialized() { self = .serialized }
        else if v == cmpi_thread_funneled() { self = .funneled }
        else { self = .single }
    }
}

/// Throws the library's error for a non-success return code.
@inline(__always)
func check(_ rc: Int32, _ function: @autoclosure () -> String) throws(MPIError) {
    if rc != cmpi_success() { throw MPIError.library(rc, function()) }
}

extension MPIError {
    /// The error for an MPI return code, with `MPI_Error_string`'s text.
    static func library(_ code: Int32, _ function: String) -> MPIError {
        var errorClass: Int32 = 0
        _ = MPI_Error_class(code, &errorClass)
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        let text: String
        if MPI_Error_string(code, &buffer, &length) == cmpi_success() {
            text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            text = "MPI error code \(code)"
        }
        return MPIError(.library(code: code, errorClass: errorClass), function, text)
    }
}

/// Process-wide state, written once by `initialize` on the main thread and
/// read by the exit and signal handlers (which cannot capture context).
enum MPIState {
    nonisolated(unsafe) static var initialized = false
    nonisolated(unsafe) static var finalized = false
    nonisolated(unsafe) static var providedLevel = ThreadLevel.single
    nonisolated(unsafe) static var worldRank: Int32 = -1
    nonisolated(unsafe) static var worldSize: Int32 = 0
    /// "celer-mpi: rank 1 of 3 on host n2: " as a C string, preformatted so
    /// the signal handler only calls write(2).
    nonisolated(unsafe) static var linePrefix: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) static var linePrefixLength = 0
}

extension MPI {
    /// Starts MPI in this process (once; later calls return the same world).
    ///
    /// `threadLevel` is the least the caller needs; the default, funneled,
    /// lets Celer's thread pool compute inside each rank while the calling
    /// thread does all communication. Throws `.unsupported` when the library
    /// provides less.
    @discardableResult
    public static func initialize(threadLevel: ThreadLevel = .funneled) throws(MPIError) -> Communicator {
        if MPIState.finalized { throw MPIError(.notInitialized, "MPI.initialize", "MPI was finalized; it cannot start again in this process") }
        if !MPIState.initialized {
            var already: Int32 = 0
            try check(MPI_Initialized(&already), "MPI_Initialized")
            var provided: Int32 = 0
            if already == 0 {
                try check(MPI_Init_thread(nil, nil, threadLevel.mpiValue, &provided), "MPI_Init_thread")
            } else {
                try check(MPI_Query_thread(&provided), "MPI_Query_thread")
            }
            MPIState.initialized = true
            MPIState.providedLevel = ThreadLevel(mpiValue: provided)
            try check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler")
            var rank: Int32 = 0, size: Int32 = 0
            try check(MPI_Comm_rank(cmpi_comm_world(), &rank), "MPI_Comm_rank")
            try check(MPI_Comm_size(cmpi_comm_world(), &size), "MPI_Comm_size")
            MPIState.worldRank = rank
            MPIState.worldSize = size
            let prefix = "celer-mpi: rank \(rank) of \(size) on \(processorName()): "
            let bytes = Array(prefix.utf8CString)
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            p.initialize(from: bytes, count: bytes.count)
            MPIState.linePrefix = p
            MPIState.linePrefixLength = bytes.count - 1
            installExitHandlers()
            try checkElementTypes()
        }
        if MPIState.providedLevel < threadLevel {
            throw MPIError(.unsupported, "MPI_Init_thread",
                           "asked for \(threadLevel), the MPI library provides only \(MPIState.providedLevel)")
        }
        return Communicator.world
    }

    /// Whether MPI is running in this process (initialized, not finalized).
    public static var isRunning: Bool { MPIState.initialized && !MPIState.finalized }

    /// The thread level the library provides (after `initialize`).
    public static var providedThreadLevel: ThreadLevel { MPIState.providedLevel }

    /// Ends MPI normally: collective over the world, so every rank must call it
    /// (returning from `MPI.main` does). A second call does nothing.
    public static func finalize() throws(MPIError) {
        guard MPIState.initialized, !MPIState.finalized else { return }
        MPIState.finalized = true
        try check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Prints `celer-mpi: rank R of N on HOST: <message>` on standard error and
    /// ends the whole job with `status` (MPI_Abort on the world). Never returns.
    public static func abort(_ message: String, status: Int32 = 1) -> Never {
        writeLine(message)
        if MPIState.initialized && !MPIState.finalized {
            _ = MPI_Abort(cmpi_comm_world(), status)
        }
        _exit(status)
    }

    /// Runs `body` on every rank with the world communicator, then finalizes
    /// and exits 0. An error thrown by `body` (or by initialization) on any
    /// rank aborts the whole job with a line naming that rank.
    public static func main(threadLevel: ThreadLevel = .funneled, _ body: (Communicator) throws -> Void) -> Never {
        do {
            let world = try initialize(threadLevel: threadLevel)
            try body(world)
            try finalize()
        } catch {
            abort("error: \(error)")
        }
        exit(0)
    }

    /// The library's name and version ("Open MPI v4.1.4"): its version string up to the first comma.
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard cmpi_library_version(&buffer, &length) == cmpi_success() else { return "unknown MPI" }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(text.split(separator: ",").first ?? "unknown MPI")
    }

    /// This rank's host name as MPI reports it.
    public static func processorName() -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        guard MPI_Get_processor_name(&buffer, &length) == cmpi_success() else { return "?" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes the rank-prefixed line with one write(2) per piece (also safe
    /// where stdio is not, e.g. while the process is going down).
    static func writeLine(_ message: String) {
        if let p = MPIState.linePrefix { _ = write(2, p, MPIState.linePrefixLength) }
        else { writeRaw("celer-mpi: ") }
        writeRaw(message + "\n")
    }

    private static func writeRaw(_ s: String) {
        var s = s
        s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Checks that each Swift element type has the size of its MPI datatype.
    private static func checkElementTypes() throws(MPIError) {
        func one<T: MPIElement>(_: T.Type) throws(MPIError) {
            var size: Int32 = 0
            try check(MPI_Type_size(T.mpiDatatype, &size), "MPI_Type_size")
            if Int(size) != MemoryLayout<T>.stride {
                throw MPIError(.unsupported, "MPI.initialize",
                               "\(T.mpiTypeName) has \(size) bytes in this MPI library, Swift's \(T.self) has \(MemoryLayout<T>.stride)")
            }
        }
        try one(Double.self); try one(Float.self); try one(Int64.self); try one(Int32.self)
        try one(UInt64.self); try one(UInt8.self); try one(Bool.self); try one(Int.self)
    }
}

// MARK: - Every exit path

/// `exit(0)` finalizes; any other status aborts the job (a rank that leaves
/// early with an error must not leave the others blocked in a receive).
private func onExit(_ status: Int32, _: UnsafeMutableRawPointer?) {
    guard MPIState.initialized, !MPIState.finalized else { return }
    if status == 0 {
        MPIState.finalized = true
        _ = MPI_Finalize()
    } else {
        MPI.writeLine("exited with status \(status) before MPI.finalize; aborting the job")
        _ = MPI_Abort(cmpi_comm_world(), status)
    }
}

/// A fatal signal (segmentation fault, Swift trap, abort) on one rank ends
/// the job: one line, then MPI_Abort. Only write(2) and MPI_Abort run here.
private func onFatalSignal(_ signal: Int32) {
    if let p = MPIState.linePrefix { _ = write(2, p, MPIState.linePrefixLength) }
    let name: StaticString
    switch signal {
    case SIGSEGV: name = "fatal signal SIGSEGV (segmentation fault); aborting the job\n"
    case SIGBUS: name = "fatal signal SIGBUS; aborting the job\n"
    case SIGILL: name = "fatal signal SIGILL (a Swift trap: precondition, overflow, fatalError); aborting the job\n"
    case SIGTRAP: name = "fatal signal SIGTRAP (a Swift trap); aborting the job\n"
    case SIGFPE: name = "fatal signal SIGFPE; aborting the job\n"
    case SIGABRT: name = "fatal signal SIGABRT (abort); aborting the job\n"
    default: name = "fatal signal; aborting the job\n"
    }
    _ = write(2, name.utf8Start, name.utf8CodeUnitCount)
    MPIState.finalized = true
    _ = MPI_Abort(cmpi_comm_world(), 128 + signal)
    _exit(128 + signal)
}

private func installExitHandlers() {
    _ = on_exit(onExit, nil)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = onFatalSignal
    action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
    sigemptyset(&action.sa_mask)
    for s in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT] {
        _ = sigaction(s, &action, nil)
    }
}

#endif
