#if MPI
import CMPI

/// A group of ranks that talk to each other: MPI's communicator.
///
/// Buffers go to MPI as they are (no copy): arrays through
/// `withUnsafeBufferPointer`, NDArray views from their own storage
/// (`NDArray+MPI.swift`). Every call reports failure as a thrown `MPIError`
/// (the world communicator and all derived from it use `MPI_ERRORS_RETURN`).
///
/// Threads: with the default `.funneled` level only the thread that called
/// `MPI.initialize` may use a communicator; Celer's thread pool computes
/// between the calls.
public struct Communicator: @unchecked Sendable {
    /// The MPI handle (an implicitly unwrapped optional so the same code
    /// compiles against Open MPI's pointer handles and MPICH's `int` handles).
    public let handle: MPI_Comm!
    /// This process's rank in the communicator, 0 ..< size.
    public let rank: Int
    /// The number of ranks.
    public let size: Int

    init(handle: MPI_Comm!) throws(MPIError) {
        var r: Int32 = 0, s: Int32 = 0
        try check(MPI_Comm_rank(handle, &r), "MPI_Comm_rank")
        try check(MPI_Comm_size(handle, &s), "MPI_Comm_size")
        self.handle = handle
        self.rank = Int(r)
        self.size = Int(s)
    }

    /// Every rank of the job. Requires `MPI.initialize`.
    public static var world: Communicator {
        precondition(MPI.isRunning, "Communicator.world before MPI.initialize (or after MPI.finalize)")
        return Communicator(uncheckedWorld: ())
    }

    private init(uncheckedWorld: ()) {
        handle = cmpi_comm_world()
        rank = Int(MPIState.worldRank)
        size = Int(MPIState.worldSize)
    }

    /// Ranks with the same `color` form a new communicator, ordered by `key`
    /// (then by old rank). A rank passing `nil` joins none and gets `nil`.
    /// Collective: every rank of `self` must call it.
    public func split(color: Int?, key: Int = 0) throws(MPIError) -> Communicator? {
        if let c = color, c < 0 { throw MPIError(.invalidArgument, "Communicator.split", "color \(c) is negative; use nil to join no group") }
        var newComm = cmpi_comm_null()
        try check(MPI_Comm_split(handle, color.map { Int32($0) } ?? cmpi_undefined(), Int32(clamping: key), &newComm), "MPI_Comm_split")
        if newComm == cmpi_comm_null() { return nil }
        try check(MPI_Comm_set_errhandler(newComm, cmpi_errors_return()), "MPI_Comm_set_errhandler")
        return try Communicator(handle: newComm)
    }

    /// A new communicator with the same ranks and a separate message space
    /// (a library's traffic cannot match the caller's). Collective.
    public func dup() throws(MPIError) -> Communicator {
        var newComm = cmpi_comm_null()
        try check(MPI_Comm_dup(handle, &newComm), "MPI_Comm_dup")
        try check(MPI_Comm_set_errhandler(newComm, cmpi_errors_return()), "MPI_Comm_set_errhandler")
        return try Communicator(handle: newComm)
    }

    /// Releases a communicator made by `split` or `dup` (never the world). Collective.
    public func free() throws(MPIError) {
        if handle == cmpi_comm_world() { throw MPIError(.invalidArgument, "Communicator.free", "the world communicator cannot be freed") }
        var h = handle
        try check(MPI_Comm_free(&h), "MPI_Comm_free")
    }

    /// Waits until every rank has called it.
    public func barrier() throws(MPIError) {
        try check(MPI_Barrier(handle), "MPI_Barrier")
    }

    // MARK: - Argument checks

    func checkRank(_ r: Int, _ what: String, _ function: String) throws(MPIError) {
        if r < 0 || r >= size {
            throw MPIError(.invalidArgument, function, "\(what) rank \(r) is outside 0..<\(size)")
        }
    }

    func checkTag(_ tag: Int, _ function: String) throws(MPIError) {
        // MPI guarantees tags up to 32767 everywhere.
        if tag < 0 || tag > 32767 { throw MPIError(.invalidArgument, function, "tag \(tag) is outside 0...32767") }
    }
}

/// Converts an element count to MPI's `int`.
func mpiCount(_ n: Int, _ function: String) throws(MPIError) -> Int32 {
    guard n >= 0, n <= Int(Int32.max) else {
        throw MPIError(.invalidArgument, function, "count \(n) is outside 0...\(Int32.max) (MPI counts are C ints); send it in pieces")
    }
    return Int32(n)
}

/// What arrived: from whom, with which tag, how many elements.
public struct MessageStatus: Sendable, Equatable {
    public let source: Int
    public let tag: Int
    /// Elements received (of the receive's element type).
    public let count: Int

    init<T: MPIElement>(_ status: MPI_Status, _: T.Type, datatype: MPI_Datatype! = T.mpiDatatype, function: String) throws(MPIError) {
        var status = status
        var n: Int32 = 0
        try check(MPI_Get_count(&status, datatype, &n), "MPI_Get_count")
        if n == cmpi_undefined() {
            var bytes: Int32 = 0
            _ = MPI_Get_count(&status, cmpi_byte(), &bytes)
            throw MPIError(.mismatch, function,
                           "message from rank \(cmpi_status_source(&status)) has \(bytes) bytes, not a whole number of \(T.mpiTypeName) (\(MemoryLayout<T>.stride) bytes): sent as another element type?")
        }
        source = Int(cmpi_status_source(&status))
        tag = Int(cmpi_status_tag(&status))
        count = Int(n)
    }
}
#endif
