import ArgumentParser
import CelerParallel

@main
struct Celer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celer",
        abstract: "High-performance numerical computing for Swift, with the tools to prove every speed-up.",
        subcommands: [CompareCommand.self, MachineCommand.self, RenderCommand.self,
                      TimeitCommand.self, MprofCommand.self, ProfileCommand.self, GPUCommand.self])

    /// Reports a malformed `CELER_NUM_THREADS` (the default thread count is
    /// used instead) before running the command.
    static func main() {
        if let problem = Parallel.environmentError {
            printError("celer: warning: \(problem)")
        }
        main(nil)
    }
}
