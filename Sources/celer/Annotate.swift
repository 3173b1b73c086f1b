import ArgumentParser
import CelerCore
import CelerProfile
import Foundation

/// `celer annotate`: `cython -a` for compiled Swift (and C).
struct AnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Show per source line the runtime calls, trap checks and vectorised loops of a built binary's machine code.",
        discussion: """
            celer annotate .build/release/celer --function juliaTuned
            celer annotate ./prog --file Sources/X/Kernel.swift:10-40 --html kernel.html --profile prog.lprof

            The binary needs debug info (-g; SwiftPM release builds have it). Lines are scored by \
            retain/release, exclusivity checks, allocations, generic metadata and witness calls, \
            indirect calls and trap checks; V marks lines in loops that run packed SIMD arithmetic.
            """)

    @Argument(help: "The binary (executable or shared library) to read.")
    var binary: String

    @Option(name: .long, help: "The function: its name, part of it, or its linkage name.")
    var function: String? = nil

    @Option(name: .long, help: "A file range instead: FILE:START-END (the file's path or its ending).")
    var file: String? = nil

    @Option(name: .long, help: "Write a self-contained HTML page.")
    var html: String? = nil

    @Option(name: .long, help: "A profile of this binary (celer lprof run) to show sampled time per line.")
    var profile: String? = nil

    @Flag(name: .long, help: "Colour the terminal view.")
    var color = false

    func run() throws {
        do {
            guard (function == nil) != (file == nil) else {
                throw CelerError("annotate", "give exactly one of --function NAME and --file FILE:START-END")
            }
            if let html { try AtomicFile.checkWritable(html) }
            let samples: SampleProfile?
            if let profile {
                let p = try SampleProfile(path: profile)
                try p.checkBinary(binary)
                samples = p
            } else { samples = nil }
            let annotations: [Annotation]
            if let function {
                annotations = [try Annotator.annotate(binary: binary, function: function, profile: samples)]
            } else {
                let (path, range) = try parseFileRange(file!)
                annotations = try Annotator.annotate(binary: binary, file: path, range: range, profile: samples)
            }
            for a in annotations { print(a.terminal(color: color)) }
            if let html { try writeOutput(AnnotationPage.html(annotations, binary: binary), to: html, what: "annotated HTML") }
        }
    }

    func parseFileRange(_ text: String) throws(CelerError) -> (String, ClosedRange<Int>) {
        let bad = CelerError.invalidOption("--file", text, allowed: "give FILE:START-END, e.g. Sources/X/Kernel.swift:10-40")
        guard let colon = text.lastIndex(of: ":") else { throw bad }
        let path = String(text[..<colon])
        let bounds = text[text.index(after: colon)...].split(separator: "-", omittingEmptySubsequences: false)
        guard !path.isEmpty, bounds.count == 2, let lo = Int(bounds[0]), let hi = Int(bounds[1]), lo >= 1, lo <= hi else { throw bad }
        return (path, lo...hi)
    }
}
