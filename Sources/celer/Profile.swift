import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profile", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer profile is not implemented yet") }
}
