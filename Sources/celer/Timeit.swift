import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct TimeitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timeit", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer timeit is not implemented yet") }
}
