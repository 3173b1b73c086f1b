import CelerHarness
/// Every case study, in the order `celer compare` runs them.
public enum CaseStudies {
    public static let all: [AnyCaseStudy] = [
        AnyCaseStudy(Julia.self),
        AnyCaseStudy(Mandelbrot.self),
        AnyCaseStudy(Sieve.self),
        AnyCaseStudy(Derivative.self),
        AnyCaseStudy(Laplacian.self),
        AnyCaseStudy(Diffusion.self),
        AnyCaseStudy(VectorAdd.self),
    ]

    /// The case study with this command-line name, if any.
    public static func named(_ name: String) -> AnyCaseStudy? {
        all.first { $0.name == name }
    }
}
