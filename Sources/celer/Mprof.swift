import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct MprofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mprof", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer mprof is not implemented yet") }
}
