import ArgumentParser
import CelerCore
import Foundation

// How every celer command talks to the user on stderr: one-line errors
// (exit status 2 for bad input), warnings, progress notes.

/// Writes text to standard error, unbuffered.
func writeStderr(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
}

/// Writes one line to standard error.
func printError(_ line: String) {
    writeStderr(line + "\n")
}

/// Prints a one-line user error, prefixed with the command name.
func harnessPrintError(_ e: CelerError, command: String = "celer") {
    writeStderr("\(command): error: \(e)\n")
}

/// Prints `celer COMMAND: error` and gives the exit status for bad input (2):
/// `catch { throw usageError(error, command: "render") }`.
func usageError(_ error: CelerError, command: String) -> ExitCode {
    writeStderr("celer \(command): \(error)\n")
    return ExitCode(2)
}
