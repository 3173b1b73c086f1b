import ArgumentParser
import CelerCore
import Foundation

// Helpers shared by `celer timeit`, `celer mprof` and `celer profile`.

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

/// Throws, naming `option`, unless a file can be created at `path`
/// (checked before any work, so a bad output path fails fast).
func checkOutput(_ path: String, option: String) throws(CelerError) {
    do { try AtomicFile.checkWritable(path) } catch {
        throw CelerError(option, "cannot write '\(path)': \(error.message.replacingOccurrences(of: "cannot write: ", with: ""))")
    }
}

/// Writes `text` to `path` atomically, and says so on stderr.
func writeOutput(_ text: String, to path: String, what: String) throws(CelerError) {
    try AtomicFile.write(text, to: path)
    printError("wrote \(what) to \(path)")
}
