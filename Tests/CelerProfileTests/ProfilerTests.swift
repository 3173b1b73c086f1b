import CelerCore
import Foundation
import Testing
@testable import CelerProfile

/// Everything that switches the process-wide profiler or malloc counters on
/// runs in this one serialized suite.
@Suite(.serialized)
struct GlobalStateTests {
    func record(memory: Bool = false, _ body: () -> Void) -> ProfileReport {
        Profiler.stop()
        Profiler.reset()
        Profiler.start(memory: memory)
        body()
        Profiler.stop()
        let report = Profiler.report()
        Profiler.reset()
        return report
    }

    /// The thread profile that holds a span named `name`.
    func thread(_ report: ProfileReport, with name: String) -> CallNode? {
        report.threads.first { $0.root.children.contains { $0.name == name } }?.root
    }

    @Test func spansNestAndSum() throws {
        let report = record {
            for _ in 0..<3 {
                profile("outer") {
                    busy(200_000)
                    profile("inner A") { busy(300_000) }
                    for _ in 0..<2 { profile("inner B") { busy(100_000) } }
                }
            }
        }
        let root = try #require(thread(report, with: "outer"))
        let outer = try #require(root.children.first { $0.name == "outer" })
        #expect(outer.calls == 3)
        #expect(outer.children.map(\.name) == ["inner A", "inner B"])
        #expect(outer.children.map(\.calls) == [3, 6])
        // Self time plus children's cumulative time is the cumulative time, at every node.
        func check(_ node: CallNode) {
            let children = node.children.reduce(UInt64(0)) { $0 + $1.cumNanos }
            #expect(node.selfNanos + children == node.cumNanos, "\(node.name)")
            node.children.forEach(check)
        }
        check(outer)
        // The busy loops last at least what they were asked for.
        #expect(Double(outer.children[0].cumNanos) >= 0.98 * 3 * 300_000)
        #expect(Double(outer.children[1].cumNanos) >= 0.98 * 6 * 100_000)
        #expect(Double(outer.selfNanos) >= 0.98 * 3 * 200_000)
        // The flat table agrees with the tree.
        let rows = Dictionary(uniqueKeysWithValues: report.functions.map { ($0.name, $0) })
        #expect(rows["outer"]?.cumNanos == outer.cumNanos)
        #expect(rows["inner B"]?.calls == 6)
        #expect(rows["outer"]!.totNanos + rows["inner A"]!.cumNanos + rows["inner B"]!.cumNanos == outer.cumNanos)
        // Title, blank line, header, rule, two rows.
        #expect(report.table(sortBy: .tottime, top: 2).split(separator: "\n", omittingEmptySubsequences: false).count == 1 + 1 + 2 + 2 + 1)
    }

    @Test func recursionIsNotCountedTwice() throws {
        func fib(_ n: Int) -> Int {
            profile("fib") { n < 2 ? n : fib(n - 1) + fib(n - 2) }
        }
        let report = record { #expect(fib(7) == 13) }
        let row = try #require(report.functions.first { $0.name == "fib" })
        // fib(7) makes 41 calls; one of them is primitive (not inside another fib).
        #expect(row.calls == 41)
        #expect(row.primitiveCalls == 1)
        let root = try #require(thread(report, with: "fib"))
        let outermost = try #require(root.children.first { $0.name == "fib" })
        #expect(row.cumNanos == outermost.cumNanos)
        // Self times over all recursion levels add up to the outermost call's cumulative time.
        #expect(row.totNanos == outermost.cumNanos)
        #expect(report.table().contains("41/1"))
    }

    @Test func tokensCloseSpansLeftOpen() throws {
        let report = record {
            let a = Profiler.begin("a")
            _ = Profiler.begin("b")  // never ended explicitly
            busy(50_000)
            Profiler.end(a)
            let c = Profiler.begin("c")
            Profiler.end(c)
            Profiler.end(c)  // a second end of the same token changes nothing
        }
        let root = try #require(thread(report, with: "a"))
        #expect(root.children.map(\.name) == ["a", "c"])
        #expect(root.children[0].children.map(\.name) == ["b"])
        #expect(root.children[0].calls == 1 && root.children[1].calls == 1)
    }

    @Test func inertWhenOff() {
        Profiler.stop()
        Profiler.reset()
        let token = Profiler.begin("never")
        profile("never either") { busy(1000) }
        Profiler.end(token)
        #expect(!Profiler.report().functions.contains { $0.name.hasPrefix("never") })
    }

    @Test func threadsRecordSeparately() {
        let report = record {
            let done = DispatchSemaphore(value: 0)
            let t1 = Thread { profile("worker span") { busy(20_000) }; done.signal() }
            let t2 = Thread { profile("worker span 2") { busy(20_000) }; done.signal() }
            t1.start(); t2.start()
            done.wait(); done.wait()
            profile("main span") { busy(20_000) }
        }
        let holders = ["worker span", "worker span 2", "main span"].map { name in
            report.threads.firstIndex { $0.root.children.contains { $0.name == name } }
        }
        #expect(holders.allSatisfy { $0 != nil })
        #expect(Set(holders.compactMap { $0 }).count == 3)
    }

    @Test func exportsParse() throws {
        let report = record(memory: true) {
            profile("load; data") {  // a ';' in a name must not break collapsed stacks
                profile("parse") { busy(30_000); blackHole([UInt8](repeating: 1, count: 8_000_000)) }
                profile("parse") { busy(10_000) }
            }
            profile("solve") { busy(40_000) }
        }
        // Collapsed stacks: "frame;frame weight", weights sum to the self times.
        let collapsed = report.collapsedStacks()
        var total = 0
        for line in collapsed.split(separator: "\n") {
            let weight = try #require(Int(line.split(separator: " ").last!))
            total += weight
        }
        #expect(UInt64(total) == report.threads.reduce(0) { $0 + $1.root.cumNanos })
        #expect(collapsed.contains("load: data;parse "))

        // speedscope JSON.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.speedscopeJSON().utf8)) as? [String: Any])
        let frames = try #require((json["shared"] as? [String: Any])?["frames"] as? [[String: Any]])
        #expect(Set(frames.compactMap { $0["name"] as? String }) == ["load; data", "parse", "solve"])
        let profiles = try #require(json["profiles"] as? [[String: Any]])
        #expect(profiles.count == report.threads.count)
        let p = profiles[0]
        #expect(p["type"] as? String == "sampled")
        #expect((p["samples"] as? [[Int]])?.count == (p["weights"] as? [Int])?.count)

        // callgrind.
        let cg = try Callgrind(report.callgrind())
        #expect(cg.events == ["Nanoseconds", "AllocatedBytes"])
        #expect(cg.edges["load; data->parse"]?.calls == 2)
        #expect(cg.selfCost.values.reduce(0, +) == cg.summary)
        let load = try #require(report.threads.flatMap(\.root.children).first { $0.name == "load; data" })
        #expect(cg.edges["load; data->parse"]?.inclusive == Int(load.children[0].cumNanos))

        // Flame graph SVG.
        let svg = report.flameGraphSVG()
        #expect(isWellFormedXML(svg))
        #expect(svg.contains("parse"))

        // Memory per span: the 8 MB array was allocated and freed inside "parse"
        // (spans count the whole process: other suites' frees may lower the peak a little).
        let parse = try #require(report.functions.first { $0.name == "parse" })
        #expect(parse.memory.allocatedBytes >= 8_000_000)
        #expect(parse.memory.peakBytes >= 6_000_000)
        #expect(report.table().contains("allocated"))
    }

    @Test func mallocCountingSeesKnownAllocations() {
        #expect(AllocationCounter.intercepts)
        AllocationCounter.disable()
        AllocationCounter.reset()
        // Thread scope: exact, whatever other suites do meanwhile.
        // A C allocation of known size (usable size: at most a page more).
        let (_, c) = AllocationCounter.measure(scope: .thread) {
            let p = malloc(3_000_000)!
            memset(p, 1, 3_000_000)
            free(p)
        }
        #expect(c.allocatedBytes >= 3_000_000 && c.allocatedBytes < 3_000_000 + 8192)
        #expect(c.freedBytes == c.allocatedBytes)
        #expect(c.peakBytes == c.allocatedBytes)
        #expect(c.netBytes == 0)
        // A Swift array (the Swift runtime's allocation): 4 MB of elements plus a header.
        let (kept, s) = AllocationCounter.measure(scope: .thread) { [Int64](repeating: 7, count: 500_000) }
        #expect(s.netBytes >= 4_000_000 && s.netBytes < 4_000_000 + 8192)
        #expect(kept.count == 500_000)
        // Nested measurements each see their own peak; the outer sees the inner's.
        let (_, outer) = AllocationCounter.measure(scope: .thread) {
            let (_, inner) = AllocationCounter.measure(scope: .thread) {
                blackHole([UInt8](repeating: 0, count: 2_000_000))
            }
            #expect(inner.peakBytes >= 2_000_000 && inner.peakBytes < 2_000_000 + 8192)
            blackHole([UInt8](repeating: 0, count: 500_000))
        }
        #expect(outer.peakBytes >= 2_000_000 && outer.peakBytes < 2_000_000 + 8192)
        // Process scope sees at least as much (other suites may free meanwhile,
        // lowering a peak a little, so only the allocated bytes are bounded).
        let (_, p) = AllocationCounter.measure { blackHole([UInt8](repeating: 0, count: 3_000_000)) }
        #expect(p.allocatedBytes >= 3_000_000)
        // Requests for counting nest: the profiler's stop does not end another's.
        AllocationCounter.enable()
        Profiler.start(memory: true)
        Profiler.stop()
        #expect(AllocationCounter.isEnabled)
        AllocationCounter.disable()
        // Counting is off again: nothing moves.
        #expect(!AllocationCounter.isEnabled)
        let before = AllocationCounter.stats
        blackHole([UInt8](repeating: 0, count: 1_000_000))
        #expect(AllocationCounter.stats == before)
    }

    @Test func sieveMemoryLessons() {
        AllocationCounter.reset()
        Profiler.reset()
        // The sieve itself, on a prime-ish odd limit.
        _ = MemoryDemo.run(limit: 200_003, pause: 0)
        #expect(MemoryDemo.lastPrimeCount == 17_985)  // π(200003)
        // The memory lessons (the arrays only, counted on this thread).
        let limit = 2_000_003
        let steps = MemoryDemo.run(limit: limit, pause: 0, crossOut: false)
        let peak = Dictionary(uniqueKeysWithValues: steps.map { ($0.name, Double($0.memory.peakBytes)) })
        // Concatenation holds two flag arrays at once; one allocation holds one.
        let ratio = peak["concatenation"]! / peak["one allocation"]!
        #expect(abs(ratio - 2) < 0.01, "ratio \(ratio)")
        #expect(peak["one allocation"]! >= Double(limit + 1))
        // A one-byte flag takes an eighth of an eight-byte one.
        let size = peak["1-byte flags [Bool]"]! / peak["8-byte flags [Int]"]!
        #expect(abs(size - 0.125) < 0.001, "size ratio \(size)")
    }

    @Test func inProcessSamplerRecordsPhases() throws {
        let sampler = MemorySampler(command: "test", interval: 0.001, heap: true)
        sampler.start()
        sampler.phase("big") {
            var a = [UInt8](repeating: 1, count: 20_000_000)
            a[12345] = 2
            usleep(20_000)
            blackHole(a)
        }
        MemoryPhase.phase("after") { usleep(5_000) }
        let rec = sampler.stop()
        #expect(rec.phases.map(\.label) == ["big", "after"])
        #expect(rec.samples.count >= 3)
        let heapPeak = try #require(rec.heapPeak)
        // (The heap level is relative to the sampler's start; older blocks freed since lower it a little.)
        #expect(heapPeak.bytes >= 19_000_000)
        let big = rec.phases[0]
        #expect(rec.samples.contains { $0.time >= big.start && $0.time <= big.end && $0.bytes >= 19_000_000 })
        // The recording survives its file format.
        let back = try MemoryRecording.parse(rec.datText())
        #expect(back.phases.map(\.label) == ["big", "after"])
        #expect(back.samples.count == rec.samples.count)
        #expect(back.heap.count == rec.heap.count)
        #expect(isWellFormedXML(back.chart().svg().render()))
    }
}

@Suite struct TimeitTests {
    @Test func callsTheClosureAsAsked() {
        var calls = 0
        let r = Timeit.measure(repeats: 3, number: 7, warmup: 2) { calls += 1; return calls }
        #expect(calls == 2 + 3 * 7)
        #expect(r.number == 7 && r.perLoop.samples.count == 3)
        #expect(r.perLoop.min > 0)
        #expect(r.description.hasPrefix("7 loops, best of 3: "))
    }

    @Test func autorangeStepsLikePython() {
        var calls = 0
        let n = Timeit.autorange(targetSeconds: 0.001) { calls += 1; busy(100_000) }
        // Tries 1, 2, 5, 10, … calls; 10 calls of at least 0.1 ms reach 1 ms,
        // so it stops at 10 at the latest, having made every try before.
        let triedCalls = [1: 1, 2: 1 + 2, 5: 1 + 2 + 5, 10: 1 + 2 + 5 + 10]
        #expect(triedCalls[n] != nil, "n = \(n)")
        #expect(calls == triedCalls[n])
    }

    @Test func pairedComparisonAlternates() {
        var order: [Character] = []
        let c = Timeit.compare(pairs: 4, number: 1, { order.append("A") }, { order.append("B") })
        #expect(String(order) == "AB" + String(repeating: "AB", count: 4))
        #expect(c.ratios.count == 4)
        #expect(c.ratios.allSatisfy { $0 > 0 })
    }
}
