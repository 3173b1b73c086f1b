/// Errors a user can cause and recover from: bad options, bad input files,
/// unwritable paths. Each renders as one line that names what was wrong and
/// what is allowed. Programmer errors (broken invariants) trap instead.
public struct CelerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What the error is about: an option (`--size`), a file, a shape.
    public let subject: String
    /// What was wrong and what is allowed, as one sentence.
    public let message: String

    public init(_ subject: String, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { subject.isEmpty ? message : "\(subject): \(message)" }

    /// `--option`: `value` is not allowed; `allowed` says what is.
    public static func invalidOption(_ option: String, _ value: String, allowed: String) -> CelerError {
        CelerError(option, "invalid value '\(value)'; \(allowed)")
    }
}
