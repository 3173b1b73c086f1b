import CelerCore
import CelerParallel
import Synchronization
import Testing

@Suite struct ScheduleCoverageTests {
    static let sizes = [0, 1, 2, 3, 7, 1000, 10007]

    @Test(arguments: [1, 2, 3, 8])
    func everyScheduleCoversEachIndexOnce(threads: Int) {
        Parallel.withThreadCount(threads) {
            for schedule in allSchedules {
                for n in Self.sizes {
                    let hits = HitCounter(5 ..< 5 + n)
                    parallelFor(hits.range, schedule: schedule) { hits.hit($0) }
                    #expect(hits.coveredExactlyOnce, "\(schedule), n = \(n), \(threads) threads")
                }
            }
        }
    }

    @Test func negativeBoundsAndHugeChunks() {
        Parallel.withThreadCount(3) {
            for schedule in [Schedule.staticChunked(Int.max / 2), .dynamic(Int.max / 2), .guided(Int.max / 2), .static] {
                let hits = HitCounter(-50 ..< 51)
                parallelFor(hits.range, schedule: schedule) { hits.hit($0) }
                #expect(hits.coveredExactlyOnce, "\(schedule)")
            }
        }
    }

    @Test func staticGivesOneContiguousBlockPerThread() {
        let chunks = Locked<[Range<Int>]>([])
        Parallel.withThreadCount(3) {
            parallelFor(0..<10) { chunk in chunks.withLock { $0.append(chunk) } }
        }
        #expect(chunks.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound } == [0..<4, 4..<7, 7..<10])
    }

    @Test func chunkedSchedulesKeepTheirChunkSize() {
        for schedule in [Schedule.staticChunked(4), .dynamic(4)] {
            let chunks = Locked<[Range<Int>]>([])
            Parallel.withThreadCount(3) {
                parallelFor(0..<30, schedule: schedule) { chunk in chunks.withLock { $0.append(chunk) } }
            }
            let sorted = chunks.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
            let expected = stride(from: 0, to: 30, by: 4).map { $0 ..< min(30, $0 + 4) }
            #expect(sorted == expected, "\(schedule)")
        }
    }

    @Test func guidedChunksShrinkButNotBelowTheMinimum() {
        let chunks = Locked<[Range<Int>]>([])
        Parallel.withThreadCount(2) {
            parallelFor(0..<1000, schedule: .guided(7)) { chunk in chunks.withLock { $0.append(chunk) } }
        }
        let sorted = chunks.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        // The first chunk is remaining / (2 × threads); sizes never grow.
        #expect(sorted.first == 0..<250)
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.count >= b.count) }
        for chunk in sorted.dropLast() { #expect(chunk.count >= 7) }
    }

    @Test func serialRunKeepsChunkSizes() {
        var chunks: [Range<Int>] = []
        Parallel.withThreadCount(1) {
            parallelFor(0..<10, schedule: .dynamic(3)) { chunks.append($0) }
        }
        #expect(chunks == [0..<3, 3..<6, 6..<9, 9..<10])
    }

    @Test func parsesAndValidatesSchedules() throws {
        #expect(try Schedule(parsing: "static") == .static)
        #expect(try Schedule(parsing: "static,8") == .staticChunked(8))
        #expect(try Schedule(parsing: " Dynamic ") == .dynamic(1))
        #expect(try Schedule(parsing: "dynamic,4") == .dynamic(4))
        #expect(try Schedule(parsing: "guided,16") == .guided(16))
        for bad in ["", "dynamic,0", "guided,-1", "static,x", "auto", "dynamic,1,2"] {
            #expect(throws: CelerError.self, "\(bad)") { try Schedule(parsing: bad) }
        }
        #expect(throws: CelerError.self) { try Schedule.dynamic(0).validate() }
        #expect(throws: CelerError.self) { try Schedule.staticChunked(-3).validate() }
        try Schedule.guided(1).validate()
        try Schedule.static.validate()
        #expect(Schedule.dynamic(4).description == "dynamic,4")
    }
}
