// celer-mpi-selftest: CelerMPI's test suite, run on every rank of an MPI job.
//
//   mpirun -n 3 .build/debug/celer-mpi-selftest            the suite
//   mpirun -n 3 .build/debug/celer-mpi-selftest --fault K  one rank fails on purpose:
//        exit  (exits with status 3), throw (an uncaught error), crash (a Swift
//        trap), kill (SIGKILL); the job must end within seconds, not hang.
//   mpirun -n 2 .build/debug/celer-mpi-selftest --pingpong  latency and bandwidth, 8 B … 4 MiB
//
// Every test runs on every rank; after each one the ranks agree on the
// outcome (a max-reduction of their failure flags), so one line per test is
// printed by rank 0 ("ok NAME" or "FAIL NAME"), a failing rank adds its own
// line with the detail, and rank 0 closes with "N passed, M failed" and exits
// 1 if any failed. The tests are written so every rank finishes its
// communication before checking, so a wrong value is a failure, not a hang.
import CelerCore
import CelerMPI
#if canImport(Glibc)
import Glibc
#endif

#if MPI
import CelerArray
import CelerParallel

/// Writes a line to standard output at once (ranks' lines interleave whole).
func say(_ line: String) {
    var s = line + "\n"
    s.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}

func complain(_ line: String) {
    var s = "celer-mpi-selftest: " + line + "\n"
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw Failure(description: message()) }
}

/// Runs `body` and expects it to throw an `MPIError` of `kind` whose text contains `text`.
func expectMPIError(_ kind: MPIError.Kind?, containing text: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as MPIError {
        if let k = kind {
            switch (k, e.kind) {
            case (.library, .library): break
            default: try expect(k == e.kind, "expected a \(k) error, got \(e.kind): \(e)")
            }
        }
        try expect(e.description.lowercased().contains(text.lowercased()), "error text '\(e)' lacks '\(text)'")
        return
    }
    throw Failure(description: "expected an MPIError containing '\(text)', nothing was thrown")
}

typealias SelfTest = (name: String, run: (Communicator) throws -> Void)

let left = { (c: Communicator) in (c.rank - 1 + c.size) % c.size }
let right = { (c: Communicator) in (c.rank + 1) % c.size }

nonisolated(unsafe) let tests: [SelfTest] = [
    ("world: rank and size", { c in
        try expect(c.rank >= 0 && c.rank < c.size, "rank \(c.rank) of \(c.size)")
        if let s = getenv("OMPI_COMM_WORLD_SIZE").flatMap({ Int(String(cString: $0)) }) {
            try expect(s == c.size, "size \(c.size), mpirun says \(s)")
        }
        try expect(try c.allgather(Int64(c.rank)) == (0 ..< c.size).map { Int64($0) }, "allgather of ranks out of order")
        try expect(MPI.providedThreadLevel >= .funneled, "thread level \(MPI.providedThreadLevel)")
    }),
    ("send/receive: blocking pairs 0<->last", { c in
        guard c.size > 1 else { return }
        let last = c.size - 1
        if c.rank == 0 {
            try c.send([1.5, 2.5, -3.25], to: last, tag: 7)
            let back: [Int64] = try c.receive(count: 2, from: last, tag: 8)
            try expect(back == [42, -42], "got \(back)")
        } else if c.rank == last {
            let got: [Double] = try c.receive(count: 3, from: 0, tag: 7)
            try expect(got == [1.5, 2.5, -3.25], "got \(got)")
            try c.send([Int64(42), -42], to: 0, tag: 8)
        }
    }),
    ("send/receive: any source reports the sender", { c in
        if c.rank != 0 {
            try c.send(Int32(c.rank * 3), to: 0, tag: 5)
        } else {
            var seen = Set<Int>()
            var buffer = [Int32](repeating: 0, count: 4)
            for _ in 1 ..< c.size {
                let status = try buffer.withUnsafeMutableBufferPointer { try c.receive(into: $0, from: nil, tag: 5) }
                try expect(status.count == 1 && buffer[0] == Int32(status.source * 3), "status \(status), value \(buffer[0])")
                seen.insert(status.source)
            }
            try expect(seen == Set(1 ..< max(c.size, 1)), "senders \(seen)")
        }
    }),
    ("sendReceive: ring shift", { c in
        let mine = (0 ..< 5).map { Double(c.rank * 100 + $0) }
        let got = try c.sendReceive(mine, to: right(c), from: left(c), tag: 3)
        try expect(got == (0 ..< 5).map { Double(left(c) * 100 + $0) }, "got \(got)")
    }),
    ("isend/irecv: wait and test", { c in
        let r = try c.irecv(Int64.self, count: 3, from: left(c), tag: 11)
        let s = try c.isend([Int64(c.rank), 7, -1], to: right(c), tag: 11)
        var polled = 0
        while try s.test() == nil { polled += 1 }
        let got = try r.wait()
        try expect(got == [Int64(left(c)), 7, -1], "got \(got)")
        try expect(r.request.isComplete && s.isComplete, "requests not complete")
        let status = try r.request.wait()
        try expect(status?.source == left(c) && status?.count == 3, "status \(String(describing: status))")
    }),
    ("barrier and broadcast from the last rank", { c in
        try c.barrier()
        let root = c.size - 1
        let v = try c.broadcast(c.rank == root ? [3.0, 1.0, 4.0, 1.0, 5.0] : [], root: root)
        try expect(v == [3.0, 1.0, 4.0, 1.0, 5.0], "got \(v)")
        let x = try c.broadcast(Int32(c.rank == root ? 99 : -1), root: root)
        try expect(x == 99, "got \(x)")
    }),
    ("reduce/allreduce: integers, max, min", { c in
        let n = Int64(c.size)
        try expect(try c.allreduce(Int64(c.rank + 1), .sum) == n * (n + 1) / 2, "sum of rank+1")
        try expect(try c.allreduce(Int32(c.rank), .max) == Int32(c.size - 1), "max")
        try expect(try c.allreduce(-2.5 * Double(c.rank), .min) == -2.5 * Double(c.size - 1), "min")
        let r = try c.reduce([Int64(c.rank), 1], .sum, root: 0)
        if c.rank == 0 { try expect(r == [n * (n - 1) / 2, n], "reduce \(String(describing: r))") }
        else { try expect(r == nil, "non-root got \(String(describing: r))") }
        try expectMPIError(.invalidArgument, containing: "not defined") { _ = try c.allreduce(true, .max) }
    }),
    ("allreduce: floating-point sum in rank order, same bits every time", { c in
        // Values whose sum depends on the order of addition.
        func value(_ r: Int, _ i: Int) -> Double { (r % 2 == 0 ? 1e16 : -1e16) + 0.1 * Double(r + 1) + Double(i) * 1e-3 }
        let mine = (0 ..< 4).map { value(c.rank, $0) }
        let expected = (0 ..< 4).map { i in
            var s = value(0, i)
            for r in 1 ..< c.size { s += value(r, i) }
            return s
        }
        for _ in 0 ..< 3 {
            let got = try c.allreduce(mine, .sum)
            try expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "allreduce \(got), rank-order sum \(expected)")
        }
        let f = try c.allreduce(Float(c.rank) * 0.1, .sum)
        var ef: Float = 0
        for r in 0 ..< c.size { ef += Float(r) * 0.1 }
        try expect(f.bitPattern == ef.bitPattern, "float sum \(f), expected \(ef)")
    }),
    ("exactSum: same bits for any rank count", { c in
        // 1,001 ill-conditioned terms; each rank sums a block of them.
        let all = (0 ..< 1001).map { i -> Double in
            let x = Double(i) * 0.1 + 1.0 / Double(i + 3)
            return i % 3 == 0 ? x * 1e15 : (i % 3 == 1 ? -x * 1e15 + 0.7 : x)
        }
        let lo = c.rank * all.count / c.size, hi = (c.rank + 1) * all.count / c.size
        let got = try c.exactSum(Array(all[lo ..< hi]))
        let serial = ExactSum.of(all)
        try expect(got.bitPattern == serial.bitPattern, "distributed \(got), serial exact \(serial)")
    }),
    ("gather/gatherv/scatterv/allgatherv: counts and order", { c in
        let mine = (0 ..< c.rank + 1).map { Int64(c.rank * 100 + $0) }
        let expected = (0 ..< c.size).flatMap { r in (0 ..< r + 1).map { Int64(r * 100 + $0) } }
        let counts = (0 ..< c.size).map { $0 + 1 }
        let g = try c.gatherv(mine, counts: c.rank == 0 ? counts : [], root: 0)
        if c.rank == 0 { try expect(g == expected, "gatherv \(String(describing: g))") } else { try expect(g == nil, "non-root gatherv") }
        let root = c.size - 1
        let g2 = try c.gather(mine, root: root)
        if c.rank == root { try expect(g2?.values == expected && g2?.counts == counts, "gather \(String(describing: g2))") }
        let a = try c.allgatherv(mine)
        try expect(a.values == expected && a.counts == counts, "allgatherv \(a)")
        let piece = try c.scatterv(c.rank == root ? expected : [], counts: counts, root: root)
        try expect(piece == mine, "scatterv gave \(piece)")
        let fixed = try c.gather([Double(c.rank), 0.5], count: 2, root: 0)
        if c.rank == 0 { try expect(fixed == (0 ..< c.size).flatMap { [Double($0), 0.5] }, "gather \(String(describing: fixed))") }
        try expectMPIError(.invalidArgument, containing: "counts for") { _ = try c.scatterv([Int64](), counts: [Int](repeating: 1, count: c.size + 1), root: 0) as [Int64] }
    }),
    ("split by parity and dup", { c in
        guard let sub = try c.split(color: c.rank % 2, key: c.rank) else { throw Failure(description: "split gave nil") }
        let parity = (0 ..< c.size).filter { $0 % 2 == c.rank % 2 }
        try expect(sub.size == parity.count && sub.rank == parity.firstIndex(of: c.rank), "sub \(sub.rank) of \(sub.size)")
        let s = try sub.allreduce(Int64(c.rank), .sum)
        try expect(s == Int64(parity.reduce(0, +)), "parity sum \(s)")
        try sub.free()
        let none = try c.split(color: c.rank == 0 ? nil : 1)
        try expect((none == nil) == (c.rank == 0), "nil color")
        try none?.free()
        let d = try c.dup()
        try expect(d.rank == c.rank && d.size == c.size, "dup")
        let got = try d.sendReceive([Int32(c.rank)], to: right(c), from: left(c), tag: 1)
        try expect(got == [Int32(left(c))], "dup ring \(got)")
        try d.free()
        try expectMPIError(.invalidArgument, containing: "cannot be freed") { try c.free() }
    }),
    ("NDArray: contiguous rows, reversed and stepped views", { c in
        let a = NDArray<Double>.arange(24).reshaped(4, 6) + Double(c.rank * 1000)
        let into = NDArray<Double>.zeros([6])
        try c.sendReceive(a[1, .all], to: right(c), into: into, from: left(c))     // a contiguous row
        try expect(into.scalars == (6 ..< 12).map { Double($0 + left(c) * 1000) }, "row \(into.scalars)")
        let rev = NDArray<Double>.zeros([4])
        try c.sendReceive(a[.step(-1), 2], to: right(c), into: rev, from: left(c)) // column 2, reversed
        try expect(rev.scalars == [20, 14, 8, 2].map { Double($0 + left(c) * 1000) }, "reversed column \(rev.scalars)")
        let grid = NDArray<Int32>.zeros([4, 6])
        try c.sendReceive(NDArray<Int32>.arange(6), to: right(c), into: grid[.s(0, 4, 3), .s(0, 6, 2)], from: left(c))
        try expect(grid.scalars == [0, 0, 1, 0, 2, 0] + [Int32](repeating: 0, count: 12) + [3, 0, 4, 0, 5, 0], "stepped receive \(grid.scalars)")
    }),
    ("NDArray: halo exchange of strided columns (periodic, column blocks)", { c in
        // The global grid is 7 × (5·size) with f(i, j) = 100 i + j; each rank
        // owns 5 columns plus a ghost column on each side.
        let rows = 7, cols = 5
        let block = NDArray<Double>.zeros([rows, cols + 2])
        for i in 0 ..< rows { for j in 0 ..< cols { block[element: i, j + 1] = Double(100 * i + c.rank * cols + j) } }
        try expect(!block[.all, 1].isContiguous, "a column should be a strided view")
        // Send my first column left, receive my right ghost from the right; then the mirror.
        try c.sendReceive(block[.all, 1], to: left(c), sendTag: 1, into: block[.all, .index(cols + 1)], from: right(c), receiveTag: 1)
        try c.sendReceive(block[.all, .index(cols)], to: right(c), sendTag: 2, into: block[.all, 0], from: left(c), receiveTag: 2)
        let total = cols * c.size
        for i in 0 ..< rows {
            let ghostRight = Double(100 * i + (c.rank * cols + cols) % total)
            let ghostLeft = Double(100 * i + (c.rank * cols - 1 + total) % total)
            try expect(block[element: i, cols + 1] == ghostRight, "row \(i): right ghost \(block[element: i, cols + 1]), neighbour has \(ghostRight)")
            try expect(block[element: i, 0] == ghostLeft, "row \(i): left ghost \(block[element: i, 0]), neighbour has \(ghostLeft)")
        }
        // Non-blocking, overlapped with interior work: the same exchange of rows.
        let ghostTop = NDArray<Double>.zeros([cols + 2]), ghostBottom = NDArray<Double>.zeros([cols + 2])
        let reqs = [try c.irecv(into: ghostTop, from: left(c), tag: 3), try c.irecv(into: ghostBottom, from: right(c), tag: 4),
                    try c.isend(block[.index(rows - 1), .all], to: right(c), tag: 3), try c.isend(block[0, .all], to: left(c), tag: 4)]
        let interior = block[.s(1, -1), .s(1, -1)].sum()
        try Request.waitAll(reqs)
        try expect(interior.isFinite, "interior")
        try expect(ghostBottom[element: 1] == Double((right(c) * cols) % total), "bottom ghost \(ghostBottom.scalars)")
        try expect(ghostTop[element: 1] == Double(100 * (rows - 1) + left(c) * cols), "top ghost \(ghostTop.scalars)")
    }),
    ("NDArray: broadcast into a strided view", { c in
        let a = NDArray<Int64>.zeros([3, 4])
        if c.rank == 0 { try a[.all, 3].assign(NDArray<Int64>([7, 8, 9])) }
        try c.broadcast(a[.all, 3], root: 0)
        try expect(a.scalars == [0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9], "got \(a.scalars)")
    }),
    ("errors: wrong size, wrong type, bad rank, repeated view", { c in
        let me = c.rank
        // A message of 3 Int32 (12 bytes) read as Double: not a whole number of elements.
        var s = try c.isend([Int32(1), 2, 3], to: me, tag: 20)
        try expectMPIError(.mismatch, containing: "not a whole number of MPI_DOUBLE") { _ = try c.receive(Double.self, count: 2, from: me, tag: 20) }
        try s.wait()
        // Shorter than expected.
        s = try c.isend([1.0, 2.0, 3.0], to: me, tag: 21)
        try expectMPIError(.mismatch, containing: "expected 4 MPI_DOUBLE") { _ = try c.receive(Double.self, count: 4, from: me, tag: 21) }
        try s.wait()
        // Longer than the buffer: MPI's own truncation error, with its text.
        s = try c.isend([1.0, 2.0, 3.0, 4.0, 5.0], to: me, tag: 22)
        try expectMPIError(.library(code: 0, errorClass: 0), containing: "MPI_Recv: ") { _ = try c.receive(Double.self, count: 4, from: me, tag: 22) }
        try s.wait()
        // A strided view receive of the wrong length.
        s = try c.isend(NDArray<Double>.arange(5), to: me, tag: 23)
        try expectMPIError(nil, containing: "MPI_Recv") { try c.receive(into: NDArray<Double>.zeros([4, 2])[.all, 1], from: me, tag: 23) }
        try s.wait()
        try expectMPIError(.invalidArgument, containing: "rank \(c.size) is outside") { try c.send([1.0], to: c.size) }
        try expectMPIError(.invalidArgument, containing: "tag -1") { try c.send([1.0], to: 0, tag: -1) }
        try expectMPIError(.invalidArgument, containing: "repeats elements") {
            try c.receive(into: try NDArray<Double>.zeros([1]).broadcast(to: [3]), from: me, tag: 24)
        }
    }),
    ("threads inside a rank: parallel partial sums, then allreduce", { c in
        let n = 100_000
        let partial = UncheckedSendable(UnsafeMutablePointer<Int64>.allocate(capacity: 64))
        defer { partial.value.deallocate() }
        let chunks = 16
        parallelFor(0 ..< chunks) { range in
            for k in range {
                var s: Int64 = 0
                let lo = c.rank * n + k * n / chunks, hi = c.rank * n + (k + 1) * n / chunks
                for i in lo ..< hi { s &+= Int64(i) }
                partial.value[k] = s
            }
        }
        let local = (0 ..< chunks).reduce(Int64(0)) { $0 + partial.value[$1] }
        let total = try c.allreduce(local, .sum)
        let m = Int64(n * c.size)
        try expect(total == m * (m - 1) / 2, "total \(total)")
    }),
]

func runSuite(_ world: Communicator) throws -> Int32 {
    if world.rank == 0 {
        say("celer-mpi-selftest: \(world.size) rank\(world.size == 1 ? "" : "s"), \(MPI.libraryVersion), thread level \(MPI.providedThreadLevel)")
    }
    let hosts = try world.gather(Array(MPI.processorName().utf8).map { Int32($0) }, root: 0)
    if let h = hosts {
        var names: [String] = [], offset = 0
        for n in h.counts { names.append(String(decoding: h.values[offset ..< offset + n].map { UInt8($0) }, as: UTF8.self)); offset += n }
        say("hosts: \(names.enumerated().map { "\($0.offset)@\($0.element)" }.joined(separator: " "))")
    }
    var passed = 0, failed = 0
    for test in tests {
        var failure: String? = nil
        do { try test.run(world) } catch { failure = "\(error)" }
        if let f = failure { say("FAIL \(test.name) (rank \(world.rank)): \(f)") }
        let anyFailed = try world.allreduce(Int32(failure == nil ? 0 : 1), .max)
        if anyFailed == 0 { passed += 1 } else { failed += 1 }
        if world.rank == 0 { say(anyFailed == 0 ? "ok   \(test.name)" : "FAIL \(test.name)") }
    }
    if world.rank == 0 { say("\(passed) passed, \(failed) failed") }
    return failed == 0 ? 0 : 1
}

/// OSU-style ping-pong between ranks 0 and 1: for each size (8 B … 4 MiB,
/// doubling), 16 untimed round trips, then timed ones
/// until 0.2 s or 10,000 of them; one-way latency is half a round trip,
/// bandwidth the size over it. Other ranks wait at the barrier.
func runPingPong(_ world: Communicator) throws {
    guard world.size >= 2 else { throw Failure(description: "--pingpong needs 2 ranks or more") }
    if world.rank == 0 {
        say("pingpong between \(MPI.processorName()) and rank 1; size, one-way latency, bandwidth")
    }
    var size = 8
    while size <= 4 << 20 {
        var buffer = [UInt8](repeating: 1, count: size)
        // 16 untimed round trips first (connections, page faults).
        try buffer.withUnsafeMutableBufferPointer { (b) throws in
            for _ in 0 ..< 16 {
                if world.rank == 0 {
                    try world.send(UnsafeBufferPointer(b), to: 1, tag: 42)
                    try world.receive(into: b, from: 1, tag: 43)
                } else if world.rank == 1 {
                    try world.receive(into: b, from: 0, tag: 42)
                    try world.send(UnsafeBufferPointer(b), to: 0, tag: 43)
                }
            }
        }
        try world.barrier()
        var trips = 0
        let t0 = monotonicSeconds()
        var elapsed = 0.0
        try buffer.withUnsafeMutableBufferPointer { (b) throws in
            while true {
                if world.rank == 0 {
                    try world.send(UnsafeBufferPointer(b), to: 1, tag: 40)
                    try world.receive(into: b, from: 1, tag: 41)
                } else if world.rank == 1 {
                    try world.receive(into: b, from: 0, tag: 40)
                    try world.send(UnsafeBufferPointer(b), to: 0, tag: 41)
                }
                trips += 1
                // Rank 0 decides when to stop, every 16 trips: the broadcast adds about
                // 1/32 of its own cost to each one-way time.
                if trips % 16 == 0 {
                    elapsed = monotonicSeconds() - t0
                    let stop = try world.broadcast(Int32(world.rank == 0 && (elapsed > 0.2 || trips >= 10_000) ? 1 : 0), root: 0)
                    if stop == 1 { break }
                }
            }
        }
        let oneWay = (monotonicSeconds() - t0) / Double(2 * trips)
        if world.rank == 0 {
            let label = size >= 1 << 20 ? "\(size >> 20) MiB" : size >= 1024 ? "\(size >> 10) KiB" : "\(size) B"
            let rate = Double(size) / oneWay / 1e6
            say("pingpong \(label): \(String(format1: oneWay * 1e6)) µs, \(String(format1: rate)) MB/s")
        }
        size *= 2
    }
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

extension String {
    /// One decimal place, without Foundation.
    init(format1 x: Double) {
        let tenths = Int((x * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}

enum Fault: String { case exit, `throw`, crash, kill }

func runFault(_ fault: Fault, _ world: Communicator) throws {
    let victim = world.size - 1
    try world.barrier()
    if world.rank == victim {
        usleep(200_000)
        switch fault {
        case .exit: exit(3)
        case .throw: throw Failure(description: "injected failure on purpose")
        case .crash:
            let a = [1, 2, 3]
            let i = Int(getenv("CELER_SELFTEST_INDEX").map { String(cString: $0) } ?? "7") ?? 7
            say("\(a[i])")   // index out of range: a Swift trap
        case .kill: _ = raise(SIGKILL)
        }
    }
    // The others wait for a message the victim never sends.
    if world.rank != victim {
        let _: Double = try world.receive(from: victim, tag: 99)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
var fault: Fault? = nil
var pingPong = false
if arguments == ["--pingpong"] {
    pingPong = true
} else if arguments.count == 2, arguments[0] == "--fault" {
    guard let f = Fault(rawValue: arguments[1]) else {
        complain("--fault '\(arguments[1])' is not one of exit, throw, crash, kill")
        exit(2)
    }
    fault = f
} else if !arguments.isEmpty {
    complain("unknown arguments \(arguments); usage: celer-mpi-selftest [--fault exit|throw|crash|kill | --pingpong]")
    exit(2)
}
MPI.main { world in
    if pingPong {
        try runPingPong(world)
        return
    }
    if let f = fault {
        try runFault(f, world)
        return
    }
    let status = try runSuite(world)
    if status != 0 {
        // Every rank knows the outcome; finalize, then exit non-zero everywhere.
        try MPI.finalize()
        exit(status)
    }
}
#else
var line = "celer-mpi-selftest: \(MPI.buildHint)\n"
line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
exit(2)
#endif
