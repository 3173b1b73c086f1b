#if MPI
import CMPI
import CelerArray

/// NDArray views go to MPI without a copy.
///
/// A contiguous view is sent or received from `baseAddress` as `count`
/// elements. Any other view (a column, the halo row or column of a 2-D block,
/// a reversed or stepped slice) is described to MPI as a derived datatype:
/// one `MPI_Type_create_hvector` per axis, innermost first, with the view's
/// strides in bytes (negative strides included). MPI then reads or writes the
/// view's elements in place, in row-major order of the view; whether it packs
/// internally is the library's business (Open MPI streams the pieces). The
/// datatype is freed when the operation completes.
///
/// The message is the view's elements in row-major order, so a column sent
/// from a strided view may be received into a contiguous array and back.
/// Receives check the element count exactly; receiving into a view that
/// repeats elements (a stride of 0, as broadcasting makes) is refused.
struct ViewDatatype {
    /// The datatype to pass, and how many of it.
    let datatype: MPI_Datatype!
    let count: Int32
    /// Elements described (the view's count).
    let elements: Int
    /// Whether `datatype` was built here and must be freed.
    let owned: Bool

    init<T: MPIElement & NDArrayElement>(_ array: NDArray<T>, forReceive: Bool, _ function: String) throws(MPIError) {
        elements = array.count
        if array.isContiguous || array.count <= 1 {
            datatype = T.mpiDatatype
            count = try mpiCount(array.count, function)
            owned = false
            return
        }
        if forReceive {
            for (n, s) in zip(array.shape, array.strides) where n > 1 && s == 0 {
                throw MPIError(.invalidArgument, function, "cannot receive into a view that repeats elements (a stride of 0, from broadcasting)")
            }
        }
        let size = MemoryLayout<T>.stride
        var current: MPI_Datatype! = T.mpiDatatype
        var built: [MPI_Datatype?] = []
        defer {
            // Intermediate types are no longer needed once the outer one is committed.
            for var t in built.dropLast() { _ = MPI_Type_free(&t) }
        }
        for axis in array.shape.indices.reversed() {
            let n = array.shape[axis]
            if n == 1 { continue }
            var next = cmpi_datatype_null()
            try check(MPI_Type_create_hvector(try mpiCount(n, function), 1, MPI_Aint(array.strides[axis] * size), current, &next),
                      "MPI_Type_create_hvector")
            built.append(next)
            current = next
        }
        var committed: MPI_Datatype? = current
        try check(MPI_Type_commit(&committed), "MPI_Type_commit")
        datatype = committed
        count = 1
        owned = true
    }

    func free() {
        if owned { var t: MPI_Datatype? = datatype; _ = MPI_Type_free(&t) }
    }
}

extension Communicator {
    /// Sends the elements of `array` (any view) from its own memory.
    public func send<T: MPIElement & NDArrayElement>(_ array: NDArray<T>, to destination: Int, tag: Int = 0) throws(MPIError) {
        try checkRank(destination, "destination", "MPI_Send")
        try checkTag(tag, "MPI_Send")
        let layout = try ViewDatatype(array, forReceive: false, "MPI_Send")
        defer { layout.free() }
        try check(MPI_Send(array.baseAddress, layout.count, layout.datatype, Int32(destination), Int32(tag), handle), "MPI_Send")
    }

    /// Receives exactly `array.count` elements into the elements of `array`
    /// (any view, written in place).
    @discardableResult
    public func receive<T: MPIElement & NDArrayElement>(into array: NDArray<T>, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> MessageStatus {
        if let s = source { try checkRank(s, "source", "MPI_Recv") }
        if let t = tag { try checkTag(t, "MPI_Recv") }
        let layout = try ViewDatatype(array, forReceive: true, "MPI_Recv")
        defer { layout.free() }
        var status = MPI_Status()
        try check(MPI_Recv(array.baseAddress, layout.count, layout.datatype, source.map { Int32($0) } ?? cmpi_any_source(),
                           tag.map { Int32($0) } ?? cmpi_any_tag(), handle, &status), "MPI_Recv")
        return try elementStatus(status, layout, T.self, "MPI_Recv")
    }

    /// Sends `send` to `destination` and receives `receive.count` elements into
    /// `receive` from `source` (nil: no partner at that edge). Both views may
    /// be strided: the halo exchange of a block decomposition.
    @discardableResult
    public func sendReceive<T: MPIElement & NDArrayElement>(_ send: NDArray<T>, to destination: Int?, sendTag: Int = 0,
                                                            into receive: NDArray<T>, from source: Int?, receiveTag: Int = 0) throws(MPIError) -> MessageStatus {
        if let d = destination { try checkRank(d, "destination", "MPI_Sendrecv") }
        if let s = source { try checkRank(s, "source", "MPI_Sendrecv") }
        try checkTag(sendTag, "MPI_Sendrecv"); try checkTag(receiveTag, "MPI_Sendrecv")
        let out = try ViewDatatype(send, forReceive: false, "MPI_Sendrecv")
        defer { out.free() }
        let into = try ViewDatatype(receive, forReceive: true, "MPI_Sendrecv")
        defer { into.free() }
        var status = MPI_Status()
        try check(MPI_Sendrecv(send.baseAddress, out.count, out.datatype, destination.map { Int32($0) } ?? cmpi_proc_null(), Int32(sendTag),
                               receive.baseAddress, into.count, into.datatype, source.map { Int32($0) } ?? cmpi_proc_null(), Int32(receiveTag),
                               handle, &status), "MPI_Sendrecv")
        if source == nil { return MessageStatus(source: -1, tag: receiveTag, count: 0) }
        return try elementStatus(status, into, T.self, "MPI_Sendrecv")
    }

    /// Starts sending the elements of `array`; the request keeps the view (and
    /// so its storage) alive until it completes. Do not write the elements
    /// before then.
    public func isend<T: MPIElement & NDArrayElement>(_ array: NDArray<T>, to destination: Int, tag: Int = 0) throws(MPIError) -> Request {
        try checkRank(destination, "destination", "MPI_Isend")
        try checkTag(tag, "MPI_Isend")
        let layout = try ViewDatatype(array, forReceive: false, "MPI_Isend")
        var request = cmpi_request_null()
        do {
            try check(MPI_Isend(array.baseAddress, layout.count, layout.datatype, Int32(destination), Int32(tag), handle, &request), "MPI_Isend")
        } catch { layout.free(); throw error }
        return Request(request, keepAlive: ViewBox(array), describe: { _ in nil }, onComplete: { layout.free() })
    }

    /// Starts receiving exactly `array.count` elements into `array` (any view).
    /// Read the elements only after `wait()`.
    public func irecv<T: MPIElement & NDArrayElement>(into array: NDArray<T>, from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> Request {
        if let s = source { try checkRank(s, "source", "MPI_Irecv") }
        if let t = tag { try checkTag(t, "MPI_Irecv") }
        let layout = try ViewDatatype(array, forReceive: true, "MPI_Irecv")
        var request = cmpi_request_null()
        do {
            try check(MPI_Irecv(array.baseAddress, layout.count, layout.datatype, source.map { Int32($0) } ?? cmpi_any_source(),
                                tag.map { Int32($0) } ?? cmpi_any_tag(), handle, &request), "MPI_Irecv")
        } catch { layout.free(); throw error }
        let me = self
        return Request(request, keepAlive: ViewBox(array),
                       describe: { (status: MPI_Status) throws(MPIError) -> MessageStatus? in try me.elementStatus(status, layout, T.self, "MPI_Irecv") },
                       onComplete: { layout.free() })
    }

    /// Sends `root`'s elements of `array` into every rank's `array` (same shape everywhere).
    public func broadcast<T: MPIElement & NDArrayElement>(_ array: NDArray<T>, root: Int = 0) throws(MPIError) {
        try checkRank(root, "root", "MPI_Bcast")
        let layout = try ViewDatatype(array, forReceive: rank != root, "MPI_Bcast")
        defer { layout.free() }
        try check(MPI_Bcast(array.baseAddress, layout.count, layout.datatype, Int32(root), handle), "MPI_Bcast")
    }

    /// The status of a view receive, counted in elements; any other count than
    /// the view's is an error.
    func elementStatus<T: MPIElement>(_ status: MPI_Status, _ layout: ViewDatatype, _: T.Type, _ function: String) throws(MPIError) -> MessageStatus {
        var status = status
        var n: Int32 = 0
        try check(MPI_Get_elements(&status, layout.datatype, &n), "MPI_Get_elements")
        let source = Int(cmpi_status_source(&status))
        if n == cmpi_undefined() {
            throw MPIError(.mismatch, function, "message from rank \(source) is not a whole number of \(T.mpiTypeName): sent as another element type?")
        }
        if Int(n) != layout.elements {
            throw MPIError(.mismatch, function, "expected \(layout.elements) \(T.mpiTypeName) from rank \(source), the message has \(n)")
        }
        return MessageStatus(source: source, tag: Int(cmpi_status_tag(&status)), count: Int(n))
    }
}

/// Keeps a view's storage alive while a request uses it.
final class ViewBox<T: NDArrayElement>: @unchecked Sendable {
    let array: NDArray<T>
    init(_ array: NDArray<T>) { self.array = array }
}

extension MessageStatus {
    init(source: Int, tag: Int, count: Int) {
        self.source = source
        self.tag = tag
        self.count = count
    }
}
#endif
