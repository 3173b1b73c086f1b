import ArgumentParser

// SKELETON STUB: replaced by the real command.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("celer render is not implemented yet") }
}
