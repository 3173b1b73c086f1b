import Foundation

/// `CELER_DOCS_QUICK=1`: the one switch that makes documented examples
/// short, set by `scripts/doc-examples.py` so that CI can run every example
/// of README.md and docs/*.md as written (docs/compare.md, "Running the
/// examples"). Under it, `celer compare` and `celer profile` use the `small`
/// preset in place of `default` or `seed` (a size, limit or iteration count
/// given as a number is kept), one timed run per variant and no warm-up.
/// Timing is then meaningless; the results are still validated.
enum DocsQuick {
    static var isOn: Bool {
        guard let v = ProcessInfo.processInfo.environment["CELER_DOCS_QUICK"] else { return false }
        return !v.isEmpty && v != "0"
    }
}
