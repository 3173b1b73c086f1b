import CelerCore
import CelerHarness
import CelerMPI
import CelerWorkloads

/// The MPI rungs that CelerDistributed adds to the case studies
/// (docs/distributed.md). Each runs out of process: `celer compare` starts
/// `mpirun … celer mpi-worker WORKLOAD RUNG …` (`MPILaunch`), every rank runs
/// its part with its own threads, and rank 0 prints one record with the
/// time of each run (the slowest rank's, between barriers) and the
/// validation values, reduced over the ranks.
///
/// - julia, mandelbrot `mpi-rows`: blocks of rows dealt block-cyclically to
///   the ranks (block b to rank b mod N), each rank's blocks shared out to its
///   threads; the sum of counts reduced to rank 0 (integers: exact).
/// - julia, mandelbrot `mpi-jobs`: rank 0 is a job server (Parallel Python's
///   pattern): it hands out the next block of rows to any rank that asks,
///   and computes blocks itself between requests.
/// - laplacian `mpi-rows`: each rank owns a block of grid rows (generated in
///   place from the SplitMix64 stream), gets one halo row from each neighbour
///   per run (`sendReceive` of NDArray rows), computes its output rows with
///   the SIMD row kernel on its threads; sum and sum_abs are exact sums over
///   all ranks (`Communicator.exactSum`), so they equal `math.fsum`'s.
///
/// Without the `MPI` trait the rows are skipped with the build command;
/// without `--ranks` they are skipped saying to add it.
public enum MPIRungs {
    public static let extensions: [RungExtension] = [
        RungExtension(Julia.self, rungs: [
            escapeRung(Julia.self, "mpi-rows", "rows in blocks dealt block-cyclically to MPI ranks, threads inside each rank", config: juliaArguments),
            escapeRung(Julia.self, "mpi-jobs", "rank 0 hands out row blocks on request (job server), threads inside each rank", config: juliaArguments),
        ]),
        RungExtension(Mandelbrot.self, rungs: [
            escapeRung(Mandelbrot.self, "mpi-rows", "rows in blocks dealt block-cyclically to MPI ranks, threads inside each rank", config: mandelbrotArguments),
            escapeRung(Mandelbrot.self, "mpi-jobs", "rank 0 hands out row blocks on request (job server), threads inside each rank", config: mandelbrotArguments),
        ]),
        RungExtension(Laplacian.self, rungs: [
            Rung("mpi-rows", "row blocks per MPI rank, one halo row exchanged with each neighbour, SIMD rows on threads",
                 backend: .mpi) { (config: Laplacian.Config) in
                prepare(workload: Laplacian.name, rung: "mpi-rows", rowsOfWork: config.rows - 2, what: "output rows",
                        arguments: ["rows=\(config.rows)", "cols=\(config.cols)", "dx=\(config.dx)", "dy=\(config.dy)"])
            },
        ]),
    ]

    /// Why MPI rungs do not run here, or nil when they can.
    public static var unavailable: String? {
        MPI.isAvailable ? nil : MPI.buildHint
    }

    static func escapeRung<W: CaseStudy>(_: W.Type, _ name: String, _ summary: String,
                                         config arguments: @escaping @Sendable (W.Config) -> (height: Int, [String])) -> Rung<W.Config> {
        Rung(name, summary, backend: .mpi) { config in
            let (height, args) = arguments(config)
            return prepare(workload: W.name, rung: name, rowsOfWork: height, what: "image rows", arguments: args)
        }
    }

    @Sendable static func juliaArguments(_ c: Julia.Config) -> (height: Int, [String]) {
        (c.height, ["width=\(c.width)", "height=\(c.height)", "xmin=\(c.region.xmin)", "xmax=\(c.region.xmax)",
                    "ymin=\(c.region.ymin)", "ymax=\(c.region.ymax)", "cre=\(c.cRe)", "cim=\(c.cIm)", "maxiter=\(c.maxiter)"])
    }

    @Sendable static func mandelbrotArguments(_ c: Mandelbrot.Config) -> (height: Int, [String]) {
        (c.height, ["width=\(c.width)", "height=\(c.height)", "xmin=\(c.region.xmin)", "xmax=\(c.region.xmax)",
                    "ymin=\(c.region.ymin)", "ymax=\(c.region.ymax)", "maxiter=\(c.maxiter)"])
    }

    static func prepare(workload: String, rung: String, rowsOfWork: Int, what: String, arguments: [String]) -> Preparation {
        if let why = unavailable { return .refused(why) }
        guard let launch = MPILaunch.configured else {
            return .refused("add --ranks N (and --threads-per-rank T) to run on MPI ranks")
        }
        if launch.ranks > rowsOfWork {
            return .refused("--ranks \(launch.ranks) is more than the \(rowsOfWork) \(what) of \(workload); use at most \(rowsOfWork)")
        }
        return .external(launch.externalRun(workload: workload, rung: rung, arguments: arguments))
    }
}
