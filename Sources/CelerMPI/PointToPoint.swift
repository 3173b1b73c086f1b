#if MPI
import CMPI

/// Point-to-point messages on plain buffers and arrays. A message is a run of
/// elements of one `MPIElement` type; the receiver names the type and the
/// most elements it takes.
///
/// Sizes and types: a message longer than the receive buffer is an error
/// (MPI_ERR_TRUNCATE); one whose byte length is not a whole number of the
/// receiver's elements is an error (`.mismatch`, "sent as another element
/// type?"); `receive(count:)` and NDArray receives also reject a shorter
/// message. A message of another type with the same total size (Int64 as
/// Double) cannot be told apart by MPI and arrives as its bits.
extension Communicator {
    /// Sends `buffer` to `destination` (blocking until the buffer may be reused).
    public func send<T: MPIElement>(_ buffer: UnsafeBufferPointer<T>, to destination: Int, tag: Int = 0) throws(MPIError) {
        try checkRank(destination, "destination", "MPI_Send")
        try checkTag(tag, "MPI_Send")
        let n = try mpiCount(buffer.count, "MPI_Send")
        try check(MPI_Send(buffer.baseAddress, n, T.mpiDatatype, Int32(destination), Int32(tag), handle), "MPI_Send")
    }

    /// Sends the elements of `values` from the array's own memory.
    public func send<T: MPIElement>(_ values: [T], to destination: Int, tag: Int = 0) throws(MPIError) {
        try values.withUnsafeBufferPointer { (b) throws(MPIError) in try send(b, to: destination, tag: tag) }
    }

    /// Sends one value.
    public func send<T: MPIElement>(_ value: T, to destination: Int, tag: Int = 0) throws(MPIError) {
        try send([value], to: destination, tag: tag)
    }

    /// Receives at most `buffer.count` elements into `buffer`; `source` and
    /// `tag` nil match any. Returns who sent how many.
    @discardableResult
    public func receive<T: MPIElement>(into buffer: UnsafeMutableBufferPointer<T>, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> MessageStatus {
        if let s = source { try checkRank(s, "source", "MPI_Recv") }
        if let t = tag { try checkTag(t, "MPI_Recv") }
        let n = try mpiCount(buffer.count, "MPI_Recv")
        var status = MPI_Status()
        try check(MPI_Recv(buffer.baseAddress, n, T.mpiDatatype, source.map { Int32($0) } ?? cmpi_any_source(),
                           tag.map { Int32($0) } ?? cmpi_any_tag(), handle, &status), "MPI_Recv")
        return try MessageStatus(status, T.self, function: "MPI_Recv")
    }

    /// Receives exactly `count` elements; a message of any other length is an error.
    public func receive<T: MPIElement>(_: T.Type = T.self, count: Int, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> [T] {
        var values = [T](repeating: unsafeZero(), count: count)
        let status = try values.withUnsafeMutableBufferPointer { (b) throws(MPIError) in
            try receive(into: b, from: source, tag: tag)
        }
        if status.count != count {
            throw MPIError(.mismatch, "MPI_Recv", "expected \(count) \(T.mpiTypeName) from rank \(status.source), the message has \(status.count)")
        }
        return values
    }

    /// Receives exactly one value.
    public func receive<T: MPIElement>(_: T.Type = T.self, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> T {
        try receive(T.self, count: 1, from: source, tag: tag)[0]
    }

    /// Sends `send` to `destination` and receives into `receive` from `source`
    /// at once (no deadlock when every rank does both: halo exchanges).
    /// `destination`/`source` nil means no partner (MPI_PROC_NULL), for the
    /// edges of a non-periodic decomposition.
    @discardableResult
    public func sendReceive<T: MPIElement>(_ send: UnsafeBufferPointer<T>, to destination: Int?, sendTag: Int = 0,
                                           into receive: UnsafeMutableBufferPointer<T>, from source: Int?, receiveTag: Int = 0) throws(MPIError) -> MessageStatus {
        if let d = destination { try checkRank(d, "destination", "MPI_Sendrecv") }
        if let s = source { try checkRank(s, "source", "MPI_Sendrecv") }
        try checkTag(sendTag, "MPI_Sendrecv"); try checkTag(receiveTag, "MPI_Sendrecv")
        var status = MPI_Status()
        try check(MPI_Sendrecv(send.baseAddress, try mpiCount(send.count, "MPI_Sendrecv"), T.mpiDatatype,
                               destination.map { Int32($0) } ?? cmpi_proc_null(), Int32(sendTag),
                               receive.baseAddress, try mpiCount(receive.count, "MPI_Sendrecv"), T.mpiDatatype,
                               source.map { Int32($0) } ?? cmpi_proc_null(), Int32(receiveTag), handle, &status), "MPI_Sendrecv")
        return try MessageStatus(status, T.self, function: "MPI_Sendrecv")
    }

    /// Sends `values` and returns what `source` sent, of the same length.
    public func sendReceive<T: MPIElement>(_ values: [T], to destination: Int, from source: Int, tag: Int = 0) throws(MPIError) -> [T] {
        var out = [T](repeating: values.first ?? unsafeZero(), count: values.count)
        let status = try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try sendReceive(s, to: destination, sendTag: tag, into: r, from: source, receiveTag: tag)
            }
        }
        if status.count != values.count {
            throw MPIError(.mismatch, "MPI_Sendrecv", "expected \(values.count) \(T.mpiTypeName) from rank \(source), the message has \(status.count)")
        }
        return out
    }

    // MARK: Non-blocking

    /// Starts sending `values`; the request keeps them alive until it completes.
    public func isend<T: MPIElement>(_ values: [T], to destination: Int, tag: Int = 0) throws(MPIError) -> Request {
        try checkRank(destination, "destination", "MPI_Isend")
        try checkTag(tag, "MPI_Isend")
        let box = ArrayBox(values)
        var request = cmpi_request_null()
        try check(MPI_Isend(box.pointer, try mpiCount(values.count, "MPI_Isend"), T.mpiDatatype,
                            Int32(destination), Int32(tag), handle, &request), "MPI_Isend")
        return Request(request, keepAlive: box, describe: { _ in nil })
    }

    /// Starts receiving exactly `count` elements; `wait()` then `values` give them.
    public func irecv<T: MPIElement>(_: T.Type = T.self, count: Int, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> ReceiveRequest<T> {
        if let s = source { try checkRank(s, "source", "MPI_Irecv") }
        if let t = tag { try checkTag(t, "MPI_Irecv") }
        let box = ArrayBox<T>(count: count)
        var request = cmpi_request_null()
        try check(MPI_Irecv(box.pointer, try mpiCount(count, "MPI_Irecv"), T.mpiDatatype,
                            source.map { Int32($0) } ?? cmpi_any_source(), tag.map { Int32($0) } ?? cmpi_any_tag(),
                            handle, &request), "MPI_Irecv")
        let r = Request(request, keepAlive: box, describe: { (status: MPI_Status) throws(MPIError) -> MessageStatus? in
            let s = try MessageStatus(status, T.self, function: "MPI_Irecv")
            if s.count != count {
                throw MPIError(.mismatch, "MPI_Irecv", "expected \(count) \(T.mpiTypeName) from rank \(s.source), the message has \(s.count)")
            }
            return s
        })
        return ReceiveRequest(request: r, box: box)
    }
}

/// A zero of any bit-copyable type (all bits clear), to fill buffers that MPI overwrites.
@inline(__always)
func unsafeZero<T: BitwiseCopyable>() -> T {
    withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { p in
        UnsafeMutableRawPointer(p.baseAddress!).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.stride)
        return p[0]
    }
}

/// Memory owned by a pending request: MPI reads or writes it until completion.
final class ArrayBox<T: BitwiseCopyable>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(_ values: [T]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: count) }
    }
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
    }
    deinit { pointer.deallocate() }
    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A pending non-blocking operation. Complete it with `wait()` or by `test()`
/// returning non-nil; dropping a pending request waits for it first (its
/// buffer must outlive the transfer), so drop only completed ones.
public final class Request: @unchecked Sendable {
    var handle: MPI_Request!
    private let keepAlive: AnyObject
    private let describe: (MPI_Status) throws(MPIError) -> MessageStatus?
    private let onComplete: () -> Void
    public private(set) var isComplete = false
    private var result: MessageStatus? = nil

    init(_ handle: MPI_Request!, keepAlive: AnyObject, describe: @escaping (MPI_Status) throws(MPIError) -> MessageStatus?,
         onComplete: @escaping () -> Void = {}) {
        self.handle = handle
        self.keepAlive = keepAlive
        self.describe = describe
        self.onComplete = onComplete
    }

    /// Blocks until done; returns the message status for receives (nil for sends).
    @discardableResult
    public func wait() throws(MPIError) -> MessageStatus? {
        if isComplete { return result }
        var status = MPI_Status()
        let rc = MPI_Wait(&handle, &status)
        return try finish(rc, status, "MPI_Wait")
    }

    /// Whether done, without blocking: the status (or `.some(nil)` for a send) once complete.
    public func test() throws(MPIError) -> MessageStatus?? {
        if isComplete { return .some(result) }
        var flag: Int32 = 0
        var status = MPI_Status()
        let rc = MPI_Test(&handle, &flag, &status)
        if rc == cmpi_success() && flag == 0 { return nil }
        return .some(try finish(rc, status, "MPI_Test"))
    }

    private func finish(_ rc: Int32, _ status: MPI_Status, _ function: String) throws(MPIError) -> MessageStatus? {
        isComplete = true
        onComplete()
        try check(rc, function)
        result = try describe(status)
        return result
    }

    /// Waits for all of `requests` (in order; the first error is thrown after all are done).
    public static func waitAll(_ requests: [Request]) throws(MPIError) {
        var first: MPIError? = nil
        for r in requests {
            do { try r.wait() } catch { if first == nil { first = error } }
        }
        if let f = first { throw f }
    }

    deinit {
        if !isComplete {
            var status = MPI_Status()
            _ = MPI_Wait(&handle, &status)
            onComplete()
        }
    }
}

/// A pending receive of `count` elements into memory it owns.
public struct ReceiveRequest<T: MPIElement>: @unchecked Sendable {
    public let request: Request
    let box: ArrayBox<T>

    /// Waits, checks the length, and returns the elements.
    public func wait() throws(MPIError) -> [T] {
        try request.wait()
        return box.array
    }
}
#endif
