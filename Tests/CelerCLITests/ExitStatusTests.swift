import Foundation
import Testing
import CelerCore
@testable import celer

/// One exit-status contract for every command (`Celer.main`): bad input of
/// any kind gives exactly one line on stderr that names the option, and exit
/// status 2, with nothing on stdout; `--help` prints help and exits 0.
@Suite struct ExitStatusTests {
    static let badInput: [([String], String)] = [
        // ArgumentParser's own errors, which used to exit 64 with a usage screen.
        (["compare", "julia", "--size"], "--size"),
        (["compare", "--repeat"], "--repeat"),
        (["render", "julia", "--bogus"], "--bogus"),
        (["render", "julia", "--size"], "--size"),
        (["render"], "<fractal>"),
        (["bogus"], "'bogus'"),
        (["mprof", "bogus"], "'bogus'"),
        (["machine", "--bogus"], "--bogus"),
        (["profile", "julia", "--bogus"], "--bogus"),
        (["timeit", "--bogus"], "--bogus"),
        // Bad values, through the one grammar.
        (["render", "julia", "--size", "0x5"], "--size"),
        (["render", "julia", "--maxiter", "1e99"], "--maxiter"),
        (["render", "julia", "--region", "1,0,0,1"], "--region"),
        (["render", "mandelbrot", "--c=1,1"], "--c"),
        (["render", "julia", "--colormap", "jet"], "--colormap"),
        (["render", "newton"], "fractal"),
        (["profile", "julia", "--maxiter", "0"], "--maxiter"),
        (["profile", "julia", "--repeat", "0"], "--repeat"),
        (["profile", "julia", "--repeats", "x"], "--repeat"),
        (["profile", "julia", "--size", "1e99"], "--size"),
        (["profile", "julia", "--preset", "huge"], "--preset"),
        (["profile", "julia", "--sort", "speed"], "--sort"),
        (["profile", "julia", "--top", "0"], "--top"),
        (["profile", "nosuch"], "workload"),
        (["profile", "--demo", "cpu"], "--demo"),
        (["timeit", "--runs", "0", "--", "true"], "--runs"),
        (["timeit", "--runs", "1.5", "--", "true"], "--runs"),
        (["timeit"], "command"),
        (["mprof", "run", "--interval", "abc", "--", "true"], "--interval"),
        (["mprof", "run"], "command"),
        (["mprof", "peak", "/nonexistent/celer.dat"], "/nonexistent/celer.dat"),
        (["machine", "--format", "xml"], "--format"),
        (["machine", "extra"], "'extra'"),
        (["lprof", "bogus"], "'bogus'"),
        (["lprof", "--bogus"], "--bogus"),
        (["lprof", "run"], "command"),
        (["annotate"], "<binary>"),
        (["render", "julia", "--out", "/nonexistent-dir/j.png"], "--out"),
        (["profile", "julia", "--flamegraph", "/nonexistent-dir/f.svg"], "--flamegraph"),
        (["mprof", "run", "-o", "/nonexistent-dir/m.dat", "--", "true"], "--output"),
    ]

    @Test(arguments: badInput)
    func badInputIsOneLineAndStatusTwo(args: [String], named: String) throws {
        let r = try CLI.celer(args)
        #expect(r.status == 2, "\(args): status \(r.status), \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(named), "\(args): \(r.stderr)")
        #expect(r.stderr.hasPrefix("celer"), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
    }

    /// `--maxiter` has one cap, whichever command reads it.
    @Test func oneCapForMaxiter() throws {
        let tooMany = String(OptionLimits.maxiter.upperBound + 1)
        let lines = try [["compare", "julia", "--maxiter", tooMany],
                         ["render", "julia", "--maxiter", tooMany],
                         ["profile", "julia", "--maxiter", tooMany]].map { args in
            let r = try CLI.celer(args)
            #expect(r.status == 2)
            return r.stderr.split(separator: ":", maxSplits: 2).dropFirst(2).joined()
        }
        #expect(Set(lines).count == 1, "\(lines)")
        #expect(lines[0].contains("from 1 to \(OptionLimits.maxiter.upperBound)"))
    }

    /// The same option spelled the same way is accepted the same way.
    @Test func regionWithOrWithoutEqualsInRenderAndCompare() throws {
        let dir = NSTemporaryDirectory() + "celer-cli-region-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for spelling in [["--region", "-1,1,-1,1"], ["--region=-1,1,-1,1"]] {
            let render = try CLI.celer(["render", "julia", "--size", "16x12", "--maxiter", "20",
                                        "--out", dir + "/j.png"] + spelling)
            #expect(render.status == 0, "\(spelling): \(render.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/j.png"))
            let compare = try CLI.celerWithCeilings(["compare", "julia", "--size", "16x12", "--maxiter", "20",
                                                     "--repeat", "1", "--format", "json"] + spelling)
            #expect(compare.status == 0, "\(spelling): \(compare.stderr)")
            #expect(compare.stdout.contains("-1.0,1.0,-1.0,1.0"), "\(compare.stdout.prefix(400))")
            try FileManager.default.removeItem(atPath: dir + "/j.png")
        }
    }

    @Test(arguments: [["--help"], ["compare", "--help"], ["render", "--help"], ["profile", "--help"],
                      ["timeit", "--help"], ["mprof", "run", "--help"], ["machine", "--help"], ["help", "compare"]])
    func helpExitsZeroWithTheHelpText(args: [String]) throws {
        let r = try CLI.celer(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        #expect(r.stdout.contains("USAGE:"), "\(args): \(r.stdout.prefix(200))")
    }

    @Test func theCommandPathNamesTheSubcommand() {
        #expect(Celer.commandPath(["mprof", "run", "--", "ls"]) == "celer mprof run")
        #expect(Celer.commandPath(["compare", "julia"]) == "celer compare")
        #expect(Celer.commandPath(["--bogus"]) == "celer")
    }
}
