// Ceilings per backend: a row's achieved rate is divided by the ceiling of
// the backend it ran on. The CPU's ceilings come from `MachineCeilings`
// (measured by `celer machine`); a GPU or MPI backend supplies its own
// source, and `CeilingSources` asks each in turn.

/// Something that knows the peak rate of some backends.
public protocol CeilingSource: Sendable {
    /// GFLOP/s (compute-bound) or GB/s (memory-bound) for `backend`, or nil
    /// when this source does not know that backend.
    func ceiling(for bound: Work.Bound, backend: Backend) -> Double?
}

extension MachineCeilings: CeilingSource {
    /// This machine's CPU ceilings for serial and threaded runs; nil for any
    /// other backend (a GPU's bandwidth is not this machine's).
    public func ceiling(for bound: Work.Bound, backend: Backend) -> Double? {
        switch backend {
        case .serial: return ceiling(for: bound, threads: 1)
        case .threads(let n): return ceiling(for: bound, threads: n)
        case .gpu, .mpi: return nil
        }
    }
}

/// Several sources, asked in order; the first that knows a backend answers.
public struct CeilingSources: CeilingSource {
    public var sources: [any CeilingSource]
    public init(_ sources: [any CeilingSource]) { self.sources = sources }
    public func ceiling(for bound: Work.Bound, backend: Backend) -> Double? {
        for s in sources { if let c = s.ceiling(for: bound, backend: backend) { return c } }
        return nil
    }
}
