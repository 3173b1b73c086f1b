import CelerCore

// SKELETON STUB: replaced by the real case study.
public enum Sieve: CaseStudy {
    public struct Config: Sendable {}
    public static let name = "sieve"
    public static let summary = "(not implemented yet)"
    public static let optionsHelp = ""
    public static var rungs: [Rung<Config>] { [] }
    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config { Config() }
    public static func parameters(_ config: Config) -> [Parameter] { [] }
    public static func expected(_ config: Config) -> [ValidationValue]? { nil }
    public static func work(_ config: Config, result: [ValidationValue]) -> Work {
        Work(flops: 0, bytes: 0, bound: .memory)
    }
}
