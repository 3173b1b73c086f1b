import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer compare is not implemented yet") }
}
