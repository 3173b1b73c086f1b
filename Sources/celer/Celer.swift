import ArgumentParser
import CelerDistributed
import CelerParallel

@main
struct Celer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celer",
        abstract: "High-performance numerical computing for Swift, with the tools to prove every speed-up.",
        subcommands: [CompareCommand.self, MachineCommand.self, RenderCommand.self,
                      TimeitCommand.self, MprofCommand.self, ProfileCommand.self, MPIWorkerCommand.self])

    /// Reports a malformed `CELER_NUM_THREADS` (the default thread count is
    /// used instead) before running the command.
    static func main() {
        // The ranks of an MPI rung run `celer mpi-worker …`; it owns the
        // process from here (MPI_Init to MPI_Finalize or MPI_Abort).
        let args = CommandLine.arguments
        if args.count > 1 && args[1] == "mpi-worker" {
            MPIWorker.main(Array(args.dropFirst(2)))
        }
        if let problem = Parallel.environmentError {
            printError("celer: warning: \(problem)")
        }
        main(nil)
    }
}

/// `celer mpi-worker`: listed for `--help`; `Celer.main` runs it before
/// argument parsing (its arguments are the worker's own key=value pairs).
struct MPIWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-worker",
        abstract: "What each MPI rank runs for 'celer compare --ranks N' (not run by hand; docs/distributed.md).")

    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws { MPIWorker.main(arguments) }
}
