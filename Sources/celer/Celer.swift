import ArgumentParser
import CelerCore
import CelerDistributed
import CelerParallel
#if canImport(Glibc)
import Glibc
#endif

@main
struct Celer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celer",
        abstract: "High-performance numerical computing for Swift, with the tools to prove every speed-up.",
        discussion: """
            Exit status of every command: 0 success, 1 a validation or a run failed, 2 bad input \
            (one line on stderr naming the option and what is allowed; nothing run or written). \
            A command run under celer (timeit, mprof run) passes its own status on.
            """,
        subcommands: [CompareCommand.self, MachineCommand.self, RenderCommand.self,
                      TimeitCommand.self, MprofCommand.self, ProfileCommand.self,
                      LprofCommand.self, AnnotateCommand.self, GPUCommand.self, MPIWorkerCommand.self])

    /// The one exit-status contract of every `celer` command, in one place:
    /// ArgumentParser's own errors (unknown option, missing value, bad
    /// subcommand: exit 64 with a usage screen by default) and every
    /// `CelerError` a command throws become one line on stderr,
    /// `celer COMMAND: error: …`, and exit status 2. `--help` and `help`
    /// still print the help text on stdout and exit 0; an `ExitCode` a
    /// command throws (after printing its own message) is passed on.
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
        let arguments = Array(CommandLine.arguments.dropFirst())
        let path = commandPath(arguments)
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            badInput(path, parseErrorLine(error, path: path, arguments: arguments))
        }
        do {
            try command.run()
        } catch let error as CelerError {
            badInput(path, error.description)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let line = firstLine(message(for: error))
            if code == .validationFailure { badInput(path, line) }
            printError("\(path): error: \(line)")
            Glibc.exit(1)
        }
    }

    /// Prints `celer COMMAND: error: LINE` and exits with status 2.
    static func badInput(_ path: String, _ line: String) -> Never {
        printError("\(path): error: \(line)")
        Glibc.exit(2)
    }

    /// `celer`, `celer compare`, `celer mprof run`: the subcommands named at
    /// the start of `arguments`.
    static func commandPath(_ arguments: [String]) -> String {
        resolve(arguments).names.joined(separator: " ")
    }

    /// The commands named at the start of `arguments`, the innermost one's
    /// type, and the word after them.
    static func resolve(_ arguments: [String]) -> (names: [String], type: ParsableCommand.Type, next: String?) {
        var type: ParsableCommand.Type = Celer.self
        var names = ["celer"]
        for word in arguments {
            guard let sub = type.configuration.subcommands.first(where: { $0._commandName == word }) else {
                return (names, type, word)
            }
            names.append(word)
            type = sub
        }
        return (names, type, nil)
    }

    /// One line for an ArgumentParser error: its own first line (which names
    /// the option or argument, e.g. "Missing value for '--size <WxH|N|preset>'"),
    /// and where the allowed options are listed; an unknown subcommand lists
    /// the known ones.
    static func parseErrorLine(_ error: Error, path: String, arguments: [String]) -> String {
        let (_, type, next) = resolve(arguments)
        let subcommands = type.configuration.subcommands.map { $0._commandName }
        if !subcommands.isEmpty, let word = next, !word.hasPrefix("-"), word != "help" {
            return "unknown command '\(word)'; use \(OptionGrammar.listed(subcommands)) (see '\(path) --help')"
        }
        var line = firstLine(message(for: error))
        while line.hasSuffix(".") { line.removeLast() }
        return line + " (see '\(path) --help')"
    }

    static func firstLine(_ text: String) -> String {
        let trimmed = text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
        return trimmed.split(separator: "\n").first.map(String.init)?.trimmingSpaces() ?? "bad input"
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
