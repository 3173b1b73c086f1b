import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "machine", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer machine is not implemented yet") }
}
