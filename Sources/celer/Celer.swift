import ArgumentParser

@main
struct Celer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celer",
        abstract: "High-performance numerical computing for Swift, with the tools to prove every speed-up.",
        subcommands: [CompareCommand.self, MachineCommand.self, RenderCommand.self,
                      TimeitCommand.self, MprofCommand.self, ProfileCommand.self],
        defaultSubcommand: nil)
}
