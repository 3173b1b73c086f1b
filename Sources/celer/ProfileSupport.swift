import ArgumentParser
import CelerCore
import Foundation

// Helpers shared by `celer timeit`, `celer mprof` and `celer profile`.

/// Runs `body`; a `CelerError` becomes one line on stderr and exit status 2.
func reportingUserErrors(_ tool: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CelerError {
        printError("\(tool): \(error)")
        throw ExitCode(2)
    }
}


/// The command after an optional leading `--`. The command is captured
/// with everything after it, so an option celer does not know would look
/// like a command: refuse it instead of running it.
func commandAfterTerminator(_ words: [String]) throws(CelerError) -> [String] {
    if words.first == "--" { return Array(words.dropFirst()) }
    if let first = words.first, first.hasPrefix("-") {
        throw CelerError(first, "unknown option; put the command to run after --")
    }
    return words
}

/// Whether the captured command is a request for help.
func asksForHelp(_ words: [String]) -> Bool {
    words.first == "--help" || words.first == "-h"
}

/// Parses "3", "300x200" or "300,200" into sizes, naming `option` on error.
func parseProfileSize(_ text: String, option: String = "--size") throws(CelerError) -> [Int] {
    let parts = text.split(whereSeparator: { $0 == "x" || $0 == "," || $0 == "X" })
    var out: [Int] = []
    for p in parts {
        guard let v = Int(p), v > 0 else {
            throw CelerError.invalidOption(option, text, allowed: "give positive integers like 1000 or 1000x1000")
        }
        out.append(v)
    }
    if out.isEmpty || out.count > 3 {
        throw CelerError.invalidOption(option, text, allowed: "give 1 to 3 positive integers like 1000 or 1000x1000")
    }
    return out
}

/// Writes `text` to `path` atomically, and says so on stderr.
func writeOutput(_ text: String, to path: String, what: String) throws(CelerError) {
    try AtomicFile.write(text, to: path)
    printError("wrote \(what) to \(path)")
}
