/// Parameters a user may set on the command line. `nil` means "the preset's
/// value". Each workload reads the fields that apply to it and ignores the
/// rest, so one set of options can drive a run of several workloads.
public struct WorkloadOptions: Sendable, Equatable {
    /// Named default sizes: `small` for tests and CI, `default` for
    /// `celer compare` (under two minutes in all), `seed` for the sizes of
    /// docs/workloads.md whose validation values are known exactly.
    public enum Preset: String, CaseIterable, Sendable { case small, `default`, seed }

    /// How julia and mandelbrot place their sample points (docs/workloads.md):
    /// `formula` computes each coordinate from its index (the default);
    /// `tutorial` accumulates them as the tutorials' Python does (x from x1
    /// while `< x2`, y from y2 down while `> y1`), with the 2011 guide's
    /// Mandelbrot output rule.
    public enum Grid: String, CaseIterable, Sendable { case formula, tutorial }

    public var preset: Preset = .default
    /// `--size`: [width, height], [rows, cols] or [n].
    public var size: [Int]? = nil
    /// `--limit` (sieve).
    public var limit: Int? = nil
    /// `--count-only` (sieve): count primes, do not return them.
    public var countOnly: Bool = false
    /// `--region=XMIN,XMAX,YMIN,YMAX` (julia, mandelbrot).
    public var region: [Double]? = nil
    /// `--c=RE,IM` (julia).
    public var c: [Double]? = nil
    /// `--maxiter` (julia, mandelbrot).
    public var maxiter: Int? = nil
    /// `--steps` (diffusion).
    public var steps: Int? = nil
    /// `--grid formula|tutorial` (julia, mandelbrot).
    public var grid: Grid = .formula

    public init() {}
}
