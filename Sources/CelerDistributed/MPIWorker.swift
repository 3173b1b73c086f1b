import CelerCore
import CelerHarness
import CelerMPI
import CelerParallel
import CelerWorkloads
#if MPI
import CelerArray
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `celer mpi-worker WORKLOAD RUNG key=value…`: what every rank of an MPI
/// rung's job runs (started by `MPILaunch`, not by hand).
///
/// Each rank prepares its part (untimed), then runs `warmup` untimed and up
/// to `repeats` timed runs; a run's time is the slowest rank's, measured
/// from a barrier to the end of its part (an allreduce of the maxima, so all
/// ranks stop repeating after the same run once `budget` seconds are spent).
/// Rank 0 then prints one JSON line (`ExternalRecord`). Bad arguments: one
/// line and exit status 2 on every rank before MPI starts; a failure while
/// running: one line naming the rank and MPI_Abort (see `MPI`).
public enum MPIWorker {
    /// The parsed arguments.
    struct Job {
        var workload: String
        var rung: String
        var values: [String: String]
        var threads = 1, repeats = 5, warmup = 1
        var budget = 1.0

        func int(_ key: String, _ range: ClosedRange<Int>) throws(CelerError) -> Int {
            guard let s = values[key], let v = Int(s), range.contains(v) else {
                throw CelerError("mpi-worker", "\(key)=\(values[key] ?? "(missing)") is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }

        func real(_ key: String) throws(CelerError) -> Double {
            guard let s = values[key], let v = Double(s), v.isFinite else {
                throw CelerError("mpi-worker", "\(key)=\(values[key] ?? "(missing)") is not a finite number")
            }
            return v
        }
    }

    static let rungs: [String: Set<String>] = ["julia": ["mpi-rows", "mpi-jobs"], "mandelbrot": ["mpi-rows", "mpi-jobs"], "laplacian": ["mpi-rows"]]

    static func parse(_ arguments: [String]) throws(CelerError) -> Job {
        guard arguments.count >= 2 else {
            throw CelerError("mpi-worker", "usage: celer mpi-worker WORKLOAD RUNG key=value… (started by celer compare --ranks N)")
        }
        guard let known = rungs[arguments[0]] else {
            throw CelerError("mpi-worker", "unknown workload '\(arguments[0])'; MPI rungs exist for \(rungs.keys.sorted().joined(separator: ", "))")
        }
        guard known.contains(arguments[1]) else {
            throw CelerError("mpi-worker", "\(arguments[0]) has no MPI rung '\(arguments[1])'; it has \(known.sorted().joined(separator: ", "))")
        }
        var job = Job(workload: arguments[0], rung: arguments[1], values: [:])
        for a in arguments.dropFirst(2) {
            let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw CelerError("mpi-worker", "'\(a)' is not key=value") }
            job.values[kv[0]] = kv[1]
        }
        job.threads = try job.int("threads", 1...MPILaunch.maxThreadsPerRank)
        job.repeats = try job.int("repeats", 1...1000)
        job.warmup = try job.int("warmup", 0...100)
        job.budget = try job.real("budget")
        return job
    }

    /// Runs the worker on this rank; never returns.
    public static func main(_ arguments: [String]) -> Never {
        let job: Job
        do { job = try parse(arguments) } catch {
            writeStderr("celer mpi-worker: \(error)\n")
            exit(2)
        }
        #if MPI
        MPI.main(threadLevel: .funneled) { world in
            try Parallel.setThreadCount(job.threads)
            let part = try makePart(job, world)
            for _ in 0 ..< job.warmup {
                try world.barrier()
                try part.run()
            }
            var times: [Double] = []
            var spent = 0.0
            for _ in 0 ..< job.repeats {
                try world.barrier()
                let t0 = monotonicNanos()
                try part.run()
                let mine = Double(monotonicNanos() - t0) * 1e-9
                let slowest = try world.allreduce(mine, .max)
                times.append(slowest)
                spent += slowest
                if spent >= job.budget { break }
            }
            let values = try part.validation()
            if world.rank == 0 {
                let record = ExternalRecordText(impl: job.rung, ranks: world.size, threadsPerRank: job.threads,
                                                times: times, validation: values)
                var line = record.json + "\n"
                line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
            }
        }
        #else
        writeStderr("celer mpi-worker: \(MPI.buildHint)\n")
        exit(2)
        #endif
    }
}

/// One JSON line in the format `ExternalRecord` decodes.
struct ExternalRecordText {
    var impl: String
    var ranks: Int
    var threadsPerRank: Int
    var times: [Double]
    var validation: [ValidationValue]

    var json: String {
        let v = validation.map { value -> String in
            switch value.value {
            case .integer(let i): return "[\(JSONText.quote(value.name)), \"i\", \"\(i)\"]"
            case .real(let d): return "[\(JSONText.quote(value.name)), \"r\", \"\(d)\"]"
            }
        }
        return "{\"impl\": \(JSONText.quote(impl)), \"threads\": \(ranks * threadsPerRank), "
            + "\"times\": [\(times.map { "\($0)" }.joined(separator: ", "))], "
            + "\"validation\": [\(v.joined(separator: ", "))], \"skipped\": null, \"error\": null, "
            + "\"backend\": {\"kind\": \"mpi\", \"ranks\": \(ranks), \"threads_per_rank\": \(threadsPerRank)}}"
    }
}

func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if MPI

/// One rank's share of a rung: `run` is timed (communication included),
/// `validation` is collective and gives every rank the reduced values.
struct Part {
    let run: () throws -> Void
    let validation: () throws -> [ValidationValue]
}

func makePart(_ job: MPIWorker.Job, _ world: Communicator) throws -> Part {
    switch job.workload {
    case "julia":
        let region = Region(xmin: try job.real("xmin"), xmax: try job.real("xmax"), ymin: try job.real("ymin"), ymax: try job.real("ymax"))
        let config = Julia.Config(width: try job.int("width", 1...100_000), height: try job.int("height", 1...100_000), region: region,
                                  cRe: try job.real("cre"), cIm: try job.real("cim"), maxiter: try job.int("maxiter", 1...10_000_000))
        return try EscapePart<JuliaRule>(problem: config.problem, world: world, dynamic: job.rung == "mpi-jobs").part
    case "mandelbrot":
        let region = Region(xmin: try job.real("xmin"), xmax: try job.real("xmax"), ymin: try job.real("ymin"), ymax: try job.real("ymax"))
        let config = Mandelbrot.Config(width: try job.int("width", 1...100_000), height: try job.int("height", 1...100_000), region: region,
                                       maxiter: try job.int("maxiter", 1...10_000_000))
        return try EscapePart<MandelbrotRule>(problem: config.problem, world: world, dynamic: job.rung == "mpi-jobs").part
    case "laplacian":
        return try LaplacianPart(rows: try job.int("rows", 3...1_000_000), cols: try job.int("cols", 3...1_000_000),
                                 dx: try job.real("dx"), dy: try job.real("dy"), world: world).part
    default:
        throw CelerError("mpi-worker", "unknown workload \(job.workload)")
    }
}

/// Escape-time counts over row blocks. Every rank keeps a full-size image
/// (simple; the counts of the rows it did not compute stay unused) and
/// remembers which blocks it computed in the last run, for the validation.
final class EscapePart<Rule: EscapeRule>: @unchecked Sendable {
    let problem: EscapeProblem
    let world: Communicator
    let image: AlignedBuffer<Int32>
    let blockRows: Int
    let blocks: Int
    var mine: [Int] = []

    init(problem: EscapeProblem, world: Communicator, dynamic: Bool) throws {
        if world.size > problem.height {
            throw CelerError("--ranks", "\(world.size) ranks for \(problem.height) image rows; use at most \(problem.height)")
        }
        self.problem = problem
        self.world = world
        image = AlignedBuffer<Int32>(repeating: 0, count: problem.pixels)
        // About 8 blocks per rank and thread, at most 16 rows each.
        blockRows = max(1, min(16, problem.height / (8 * world.size * max(1, Parallel.threadCount))))
        blocks = (problem.height + blockRows - 1) / blockRows
        self.dynamic = dynamic
    }
    let dynamic: Bool

    var part: Part {
        Part(run: { [self] in dynamic ? try runJobServer() : runBlockCyclic() },
             validation: { [self] in
                 var sum: Int64 = 0
                 for b in mine { for k in rows(b).lowerBound * problem.width ..< rows(b).upperBound * problem.width { sum &+= Int64(image.pointer[k]) } }
                 return [ValidationValue("sum", try world.allreduce(sum, .sum), countsWork: true)]
             })
    }

    func rows(_ block: Int) -> Range<Int> { block * blockRows ..< min(problem.height, (block + 1) * blockRows) }

    /// Computes `blocks` on this rank's threads, one row at a time each.
    func compute(_ list: [Int]) {
        let all = list.flatMap { Array(rows($0)) }
        let out = UncheckedSendable(image.pointer)
        let p = problem
        parallelFor(0 ..< all.count, schedule: .dynamic(1)) { range in
            for i in range { EscapeKernel.countRows(Rule.self, p, rows: all[i] ..< all[i] + 1, into: out.value) }
        }
    }

    func runBlockCyclic() {
        mine = Array(stride(from: world.rank, to: blocks, by: world.size))
        compute(mine)
    }

    /// Rank 0 serves the next block to whoever asks (tag 1: a request, tag 2:
    /// the block number or -1 for "no more"), computing one block itself
    /// whenever no request is waiting.
    func runJobServer() throws {
        mine = []
        if world.size == 1 {
            mine = Array(0 ..< blocks)
            compute(mine)
            return
        }
        if world.rank == 0 {
            var next = 0
            var active = world.size - 1
            var pending: ReceiveRequest<Int64>? = try world.irecv(Int64.self, count: 1, from: nil, tag: 1)
            func serve(_ request: ReceiveRequest<Int64>) throws {
                let status = try request.request.wait()
                let source = status?.source ?? 0
                if next < blocks {
                    try world.send(Int64(next), to: source, tag: 2)
                    next += 1
                } else {
                    try world.send(Int64(-1), to: source, tag: 2)
                    active -= 1
                }
                pending = active > 0 ? try world.irecv(Int64.self, count: 1, from: nil, tag: 1) : nil
            }
            while true {
                if let p = pending {
                    if next >= blocks {
                        try serve(p)   // nothing left to compute here: wait for the next request
                        continue
                    }
                    if try p.request.test() != nil {
                        try serve(p)
                        continue
                    }
                }
                if next < blocks {
                    mine.append(next)
                    compute([next])
                    next += 1
                } else if pending == nil {
                    break
                }
            }
        } else {
            while true {
                try world.send(Int64(world.rank), to: 0, tag: 1)
                let block: Int64 = try world.receive(from: 0, tag: 2)
                if block < 0 { break }
                mine.append(Int(block))
                compute([Int(block)])
            }
        }
    }
}

/// The Laplacian over row blocks. Rank r computes output rows lo..<hi (of
/// rows − 2) and so needs input rows lo ..< hi + 2: it owns (generates) rows
/// lo+1 ... hi (and the grid's first or last row at the edges) and receives
/// row lo from rank r−1 and row hi+1 from rank r+1 in each run.
final class LaplacianPart: @unchecked Sendable {
    let world: Communicator
    let cols: Int, dx: Double, dy: Double
    let lo: Int, hi: Int
    let f: NDArray<Double>         // (hi − lo + 2) × cols: input rows lo ... hi+1
    let out: NDArray<Double>       // (hi − lo) × (cols − 2)

    init(rows: Int, cols: Int, dx: Double, dy: Double, world: Communicator) throws {
        let outputRows = rows - 2
        if world.size > outputRows {
            throw CelerError("--ranks", "\(world.size) ranks for \(outputRows) output rows; use at most \(outputRows)")
        }
        self.world = world
        self.cols = cols; self.dx = dx; self.dy = dy
        lo = world.rank * outputRows / world.size
        hi = (world.rank + 1) * outputRows / world.size
        f = NDArray<Double>.zeros([hi - lo + 2, cols])
        out = NDArray<Double>.zeros([hi - lo, cols - 2])
        // Generate the rows this rank owns, in place (no rank holds the whole grid).
        let generator = SplitMix64(seed: Laplacian.inputSeed)
        let firstOwned = world.rank == 0 ? lo : lo + 1
        let lastOwned = world.rank == world.size - 1 ? hi + 1 : hi
        let base = UncheckedSendable(f.baseAddress)
        let (l, c) = (lo, cols)
        parallelFor(firstOwned ..< lastOwned + 1, schedule: .static) { range in
            for g in range {
                let row = base.value + (g - l) * c
                for j in 0 ..< c { row[j] = generator.uniform(g * c + j) }
            }
        }
    }

    var part: Part {
        Part(run: { [self] in try run() }, validation: { [self] in
            var sum = ExactSum(), sumAbs = ExactSum()
            out.withContiguousElements { values in
                for v in values { sum.add(v); sumAbs.add(abs(v)) }
            }
            return [ValidationValue("sum", try world.exactSum(sum)), ValidationValue("sum_abs", try world.exactSum(sumAbs))]
        })
    }

    func run() throws {
        let up = world.rank > 0 ? world.rank - 1 : nil
        let down = world.rank < world.size - 1 ? world.rank + 1 : nil
        let last = hi - lo + 1
        // The halo: my first owned row up, my last owned row down; rows are contiguous views.
        try world.sendReceive(f[.index(1), .all], to: up, sendTag: 1, into: f[.index(last), .all], from: down, receiveTag: 1)
        try world.sendReceive(f[.index(last - 1), .all], to: down, sendTag: 2, into: f[.index(0), .all], from: up, receiveTag: 2)
        let input = UncheckedSendable(UnsafePointer(f.baseAddress))
        let output = UncheckedSendable(out.baseAddress)
        let (c, x, y) = (cols, dx, dy)
        parallelFor(0 ..< hi - lo, schedule: .static) { range in
            Laplacian.outputRows(input.value, cols: c, dx: x, dy: y, into: output.value, rows: range)
        }
    }
}
#endif
