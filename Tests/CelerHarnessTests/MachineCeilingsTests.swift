import CelerCore
import Foundation
import Testing
@testable import CelerHarness

/// The memory roof and the cache format of `MachineCeilings`, and the
/// bandwidth probe's loops (their results, not their speed).
@Suite struct MachineCeilingsTests {
    /// Ceilings for a made-up 3-core machine where each probe wins somewhere.
    static func sample(version: Int = MachineCeilings.currentVersion) -> MachineCeilings {
        MachineCeilings(cpuModel: "x", cores: 3, flopsPerCoreGFLOPS: 50, flopsAllCoresGFLOPS: 140,
                        readGBps: [25, 30, 31], copyGBps: [20, 24, 26], copyStreamingGBps: [27, 29, 30],
                        triadGBps: [21, 25, 27], triadStreamingGBps: [26, 33, 32],
                        arrayBytes: 1 << 27, quick: false, version: version)
    }

    @Test func memoryRoofIsTheBestCompulsoryRateOfAnyProbe() {
        let c = Self.sample()
        #expect(c.bestBandwidth(exactlyThreads: 1) == 27)   // copy-nt
        #expect(c.bestBandwidth(exactlyThreads: 2) == 33)   // triad-nt
        #expect(c.bestBandwidth(exactlyThreads: 3) == 32)
        #expect(c.bestBandwidth(exactlyThreads: 4) == 0)
        #expect(c.bandwidth(threads: 1) == 27)
        #expect(c.bandwidth(threads: 2) == 33)
        // Never below what fewer threads achieved; clamped above the core count.
        #expect(c.bandwidth(threads: 3) == 33)
        #expect(c.bandwidth(threads: 64) == 33)
        #expect(c.bandwidth(threads: 0) == 27)
        #expect(c.ceiling(for: .memory, threads: 1) == 27)
        #expect(c.ceiling(for: .compute, threads: 2) == 100)
        #expect(c.bandwidthProbes.map(\.name) == ["read", "copy", "copy-nt", "triad", "triad-nt"])
    }

    @Test func ceilingsWithoutTheNewProbesStillHaveARoof() {
        let c = MachineCeilings(cpuModel: "x", cores: 2, flopsPerCoreGFLOPS: 1, flopsAllCoresGFLOPS: 2,
                                copyGBps: [20, 15], triadGBps: [18, 16], arrayBytes: 1, quick: true)
        #expect(c.bandwidth(threads: 2) == 20)
        #expect(!c.matchesThisMachine)
        let none = MachineCeilings(cpuModel: "x", cores: 1, flopsPerCoreGFLOPS: 1, flopsAllCoresGFLOPS: 1,
                                   copyGBps: [], triadGBps: [], arrayBytes: 1, quick: true)
        #expect(none.bandwidth(threads: 1) == 0)
    }

    @Test func onlyACompleteCacheOfThisVersionForThisMachineMatches() {
        var c = Self.sample()
        c.cpuModel = SystemInfo.cpuModel
        c.cores = SystemInfo.availableCores
        let full = Array(repeating: 10.0, count: c.cores)
        c.readGBps = full; c.copyGBps = full; c.copyStreamingGBps = full
        c.triadGBps = full; c.triadStreamingGBps = full
        #expect(c.matchesThisMachine)
        var old = c; old.version = MachineCeilings.currentVersion - 1
        #expect(!old.matchesThisMachine)
        var partial = c; partial.triadStreamingGBps = []
        #expect(!partial.matchesThisMachine)
        var other = c; other.cores += 1
        #expect(!other.matchesThisMachine)
    }

    @Test func cacheRoundTripsAndAVersion1CacheDoesNotDecode() throws {
        let c = Self.sample()
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(MachineCeilings.self, from: data) == c)
        // The layout before streaming-store probes: no version, copy and triad only.
        let version1 = #"""
            {"arrayBytes":134217728,"copyGBps":[31.0,32.4],"cores":2,"cpuModel":"AMD EPYC",
             "flopsAllCoresGFLOPS":119.9,"flopsPerCoreGFLOPS":60.4,"quick":false,"triadGBps":[32.6,33.3]}
            """#
        #expect((try? JSONDecoder().decode(MachineCeilings.self, from: Data(version1.utf8))) == nil)
    }

    @Test(arguments: [(1, 1), (8, 1), (8, 3), (37, 2), (1000, 7), (4099, 16)])
    func slicesPartitionTheArrayOnCacheLines(n: Int, threads: Int) {
        var next = 0
        for t in 0..<threads {
            let r = StreamProbe.slice(t, of: threads, n: n)
            #expect(r.lowerBound == next)
            #expect(r.lowerBound % 8 == 0 || r.lowerBound == n)
            next = r.upperBound
        }
        #expect(next == n)
    }

    /// Every loop on ranges that start on and off a cache line, of lengths
    /// around the SIMD width and the 8-element line.
    @Test(arguments: [0, 1, 3, 4, 7, 8, 13, 16, 37, 101])
    func probeLoopsComputeTheirResults(count: Int) {
        let n = 128
        let a = AlignedBuffer<Double>(uninitializedCount: n)
        let b = AlignedBuffer<Double>(uninitializedCount: n)
        let c = AlignedBuffer<Double>(uninitializedCount: n)
        for start in [0, 3, 8] {
            let r = start..<(start + count)
            for i in 0..<n { a.pointer[i] = -1; b.pointer[i] = Double(i); c.pointer[i] = Double(2 * i + 1) }
            let expectedSum = r.reduce(0.0) { $0 + Double($1) }
            #expect(StreamProbe.sum(b.pointer, r) == expectedSum)
            for streaming in [false, true] {
                for i in 0..<n { a.pointer[i] = -1 }
                StreamProbe.copy(b.pointer, a.pointer, r, streaming: streaming)
                #expect((0..<n).allSatisfy { a.pointer[$0] == (r.contains($0) ? Double($0) : -1) })
                for i in 0..<n { a.pointer[i] = -1 }
                StreamProbe.triad(a.pointer, b.pointer, c.pointer, r, streaming: streaming)
                #expect((0..<n).allSatisfy { a.pointer[$0] == (r.contains($0) ? Double($0) + 3 * Double(2 * $0 + 1) : -1) })
            }
        }
    }

    @Test func everyKernelCountsItsCompulsoryBytes() {
        let bytes = Dictionary(uniqueKeysWithValues: StreamProbe.Kernel.allCases.map { ($0, $0.bytesPerElement) })
        #expect(bytes == [.read: 8, .copy: 16, .copyStreaming: 16, .triad: 24, .triadStreaming: 24])
    }
}
