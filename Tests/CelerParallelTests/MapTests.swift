import CelerCore
import CelerParallel
import Synchronization
import Testing

struct ItemFailed: Error, Equatable { let item: Int }

@Suite struct MapTests {
    @Test(arguments: [1, 2, 3, 8])
    func resultsComeInInputOrder(threads: Int) {
        for n in [0, 1, 2, 7, 1000] {
            let words = (0..<n).map { "w\($0)" }
            for schedule in [Schedule.dynamic(1), .static, .guided(3)] {
                let lengths = Parallel.withThreadCount(threads) {
                    parallelMap(words, schedule: schedule) { $0.count * 10 + Int($0.dropFirst())! % 10 }
                }
                #expect(lengths == words.map { $0.count * 10 + Int($0.dropFirst())! % 10 })
            }
        }
    }

    @Test func mapsAnyCollection() {
        let squares = Parallel.withThreadCount(2) { parallelMap(stride(from: 0, to: 50, by: 5).lazy.map { $0 }) { $0 * $0 } }
        #expect(squares == [0, 25, 100, 225, 400, 625, 900, 1225, 1600, 2025])
    }

    @Test func rethrowsTheFirstErrorAndSkipsItemsNotStarted() {
        let started = Atomic<Int>(0)
        let flag = CancellationFlag()
        let n = 1000
        #expect(throws: ItemFailed(item: 0)) {
            try Parallel.withThreadCount(3) {
                try parallelMap(Array(0..<n), cancellation: flag) { (item: Int) throws(ItemFailed) -> Int in
                    started.wrappingAdd(1, ordering: .relaxed)
                    if item == 0 { throw ItemFailed(item: 0) }
                    // Running items wait until they are told to stop, then fail too.
                    let deadline = monotonicNanos() + 5_000_000_000
                    while !flag.isCancelled && monotonicNanos() < deadline {}
                    throw ItemFailed(item: item)
                }
            }
        }
        #expect(flag.isCancelled)
        #expect(started.load(ordering: .relaxed) < 10)
    }

    @Test func serialMapStopsAtTheFirstError() {
        var seen: [Int] = []
        #expect(throws: ItemFailed(item: 3)) {
            try Parallel.withThreadCount(1) {
                try parallelMap(Array(0..<10)) { (item: Int) throws(ItemFailed) -> Int in
                    seen.append(item)
                    if item == 3 || item == 7 { throw ItemFailed(item: item) }
                    return item
                }
            }
        }
        #expect(seen == [0, 1, 2, 3])
    }

    @Test func failedMapReleasesFinishedResults() {
        final class Tracked: Sendable {
            static let alive = Atomic<Int>(0)
            init() { Self.alive.wrappingAdd(1, ordering: .relaxed) }
            deinit { Self.alive.wrappingAdd(-1, ordering: .relaxed) }
        }
        do throws(ItemFailed) {
            _ = try Parallel.withThreadCount(2) { () throws(ItemFailed) -> [Tracked] in
                try parallelMap(Array(0..<100), schedule: .dynamic(1)) { (item: Int) throws(ItemFailed) -> Tracked in
                    if item == 60 { throw ItemFailed(item: item) }
                    return Tracked()
                }
            }
            Issue.record("expected an error")
        } catch {
            #expect(error == ItemFailed(item: 60))
        }
        #expect(Tracked.alive.load(ordering: .relaxed) == 0)
    }

    @Test func cancellationFromOutsideStopsTheMap() {
        let flag = CancellationFlag()
        let done = Atomic<Int>(0)
        #expect(throws: CancellationError.self) {
            try Parallel.withThreadCount(2) {
                try parallelMap(Array(0..<500), cancellation: flag) { item in
                    try flag.check()
                    if done.wrappingAdd(1, ordering: .relaxed).newValue == 20 { flag.cancel() }
                    return item
                }
            }
        }
        #expect(done.load(ordering: .relaxed) < 500)
    }
}
