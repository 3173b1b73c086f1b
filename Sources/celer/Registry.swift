import CelerGPU
import CelerDistributed
import CelerHarness
import CelerWorkloads

/// What `celer` runs: every case study with the rungs each backend adds.
///
/// This is the one place that knows the backends. A backend module (GPU,
/// MPI) publishes `RungExtension`s for existing studies and one line here
/// adds them; no study file changes. Ceiling sources for non-CPU backends
/// are listed here too.
enum Registry {
    /// Rungs added by backends, in the order their rows appear.
    static let extensions: [RungExtension] = FusedRungs.extensions + GPURungs.extensions + MPIRungs.extensions

    /// Ceilings of the non-CPU backends (asked after the CPU's).
    static let ceilingSources: [any CeilingSource] = [GPUCeilings.shared]

    /// Every case study, in the order `celer compare` runs them.
    static let studies: [AnyCaseStudy] = CaseStudies.all.map { $0.extended(with: extensions) }

    /// The study with this command-line name, if any.
    static func named(_ name: String) -> AnyCaseStudy? {
        studies.first { $0.name == name }
    }
}
