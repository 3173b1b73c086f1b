import ArgumentParser
import CelerCore
import Foundation

// How every celer command talks to the user on stderr: warnings and progress
// notes. Errors are thrown (`CelerError`) and printed by `Celer.main`, one
// line each, with exit status 2 for bad input.

/// Writes text to standard error, unbuffered.
func writeStderr(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
}

/// Writes one line to standard error.
func printError(_ line: String) {
    writeStderr(line + "\n")
}
