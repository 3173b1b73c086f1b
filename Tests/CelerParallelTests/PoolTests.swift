import CelerCore
import CelerParallel
import Dispatch
import Synchronization
import Testing

@Suite struct PoolTests {
    @Test func nestedLoopsRunInlineAndCoverTheGrid() {
        let (rows, cols) = (37, 53)
        let hits = HitCounter(0 ..< rows * cols)
        let innerWasSerial = Atomic<Bool>(true)
        Parallel.withThreadCount(3) {
            parallelFor(0..<rows, schedule: .dynamic(1)) { rowChunk in
                #expect(Parallel.isInParallelRegion)
                for r in rowChunk {
                    let calls = Atomic<Int>(0)
                    parallelFor(0..<cols, schedule: .dynamic(5)) { colChunk in
                        calls.wrappingAdd(1, ordering: .relaxed)
                        hits.hit(r * cols + colChunk.lowerBound ..< r * cols + colChunk.upperBound)
                    }
                    // Serial inline: chunks of 5 in order, on this thread.
                    if calls.load(ordering: .relaxed) != (cols + 4) / 5 { innerWasSerial.store(false, ordering: .relaxed) }
                }
            }
        }
        #expect(hits.coveredExactlyOnce)
        let serial = innerWasSerial.load(ordering: .relaxed)
        #expect(serial)
        #expect(!Parallel.isInParallelRegion)
    }

    @Test func nestedReduceAndMapInsideALoop() {
        let totals = Locked<[Int]>([])
        Parallel.withThreadCount(2) {
            parallelFor(0..<4, schedule: .dynamic(1)) { chunk in
                for k in chunk {
                    let squares = parallelMap(Array(0..<10)) { $0 * $0 + k }
                    let sum = parallelReduce(0..<10, identity: 0, { r in r.reduce(0) { $0 + squares[$1] } }, combine: +)
                    totals.withLock { $0.append(sum) }
                }
            }
        }
        #expect(totals.withLock { $0 }.sorted() == (0..<4).map { 285 + 10 * $0 })
    }

    @Test(arguments: [2, 3, 8])
    func thousandsOfSmallLoopsInARow(threads: Int) {
        Parallel.withThreadCount(threads) {
            var wrong = 0
            for round in 0..<1500 {
                let n = 1 + round % 17
                let schedule = allSchedules[round % allSchedules.count]
                let total = parallelReduce(0..<n, identity: 0, schedule: schedule, { $0.reduce(0, +) }, combine: +)
                if total != n * (n - 1) / 2 { wrong += 1 }
                let hits = HitCounter(0..<n)
                parallelFor(0..<n, schedule: schedule) { hits.hit($0) }
                if !hits.coveredExactlyOnce { wrong += 1 }
            }
            #expect(wrong == 0)
        }
    }

    @Test func concurrentCallersTakeTurns() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            Parallel.withThreadCount(2 + caller % 2) {
                for round in 0..<200 {
                    let n = 10 + round
                    let hits = HitCounter(0..<n)
                    parallelFor(0..<n, schedule: .dynamic(3)) { hits.hit($0) }
                    if !hits.coveredExactlyOnce { failures.wrappingAdd(1, ordering: .relaxed) }
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test func writesAreVisibleAfterTheLoop() {
        let n = 10_000
        var values = [Int](repeating: 0, count: n)
        Parallel.withThreadCount(3) {
            values.withUnsafeMutableBufferPointer { buffer in
                let out = UncheckedSendable(buffer)
                parallelFor(0..<n, schedule: .guided(8)) { chunk in
                    for i in chunk { out.value[i] = i * 3 }
                }
            }
        }
        #expect(values == (0..<n).map { $0 * 3 })
    }
}

/// Tests that look at the pool's workers, one at a time (shutdown would
/// otherwise race with the worker count check).
@Suite(.serialized) struct PoolLifecycleTests {
    @Test func poolGrowsToTheThreadCountAndCallerTakesPart() {
        let threadsSeen = Locked<Set<UInt>>([])
        Parallel.withThreadCount(4) {
            parallelFor(0..<4, schedule: .staticChunked(1)) { _ in
                threadsSeen.withLock { _ = $0.insert(pthreadSelfID()) }
                // Keep each chunk busy long enough for the workers to wake.
                let start = monotonicNanos()
                while monotonicNanos() - start < 10_000_000 {}
            }
        }
        #expect(Parallel.workerCount >= 3)
        let seen = threadsSeen.withLock { $0 }
        // Shares go to whoever claims them first: the caller always runs
        // one, and takes over the shares of workers that are slow to wake.
        #expect(seen.count >= 2)
        #expect(seen.contains(pthreadSelfID()))
    }

    @Test func poolRestartsAfterShutdown() {
        Parallel.withThreadCount(2) {
            parallelFor(0..<2) { _ in }
            Parallel.shutdown()
            let hits = HitCounter(0..<100)
            parallelFor(0..<100, schedule: .dynamic(7)) { hits.hit($0) }
            #expect(hits.coveredExactlyOnce)
            #expect(Parallel.workerCount >= 1)
        }
    }
}

@Suite struct ThreadCountSettingTests {
    @Test func parsesTheEnvironmentVariable() throws {
        #expect(try Parallel.parseThreadCount(nil) == nil)
        #expect(try Parallel.parseThreadCount("") == nil)
        #expect(try Parallel.parseThreadCount("  ") == nil)
        #expect(try Parallel.parseThreadCount("4") == 4)
        #expect(try Parallel.parseThreadCount(" 12\n") == 12)
        #expect(try Parallel.parseThreadCount("1024") == 1024)
        for bad in ["abc", "0", "-2", "1025", "2.5", "4 threads"] {
            #expect(throws: CelerError.self, "\(bad)") { try Parallel.parseThreadCount(bad) }
        }
        do {
            _ = try Parallel.parseThreadCount("abc")
        } catch {
            #expect(error.subject == "CELER_NUM_THREADS")
            #expect(error.description.contains("abc"))
        }
    }

    @Test func rejectsBadThreadCounts() {
        #expect(throws: CelerError.self) { try Parallel.setThreadCount(0) }
        #expect(throws: CelerError.self) { try Parallel.setThreadCount(-1) }
        #expect(throws: CelerError.self) { try Parallel.setThreadCount(Parallel.maxThreadCount + 1) }
    }

    @Test func defaultsAndOverrides() {
        #expect(Parallel.defaultThreadCount >= 1)
        #expect(Parallel.threadCount >= 1)
        Parallel.withThreadCount(7) {
            #expect(Parallel.threadCount == 7)
            #expect(Parallel.threadCountSummary == "7 threads (set for this thread)")
            Parallel.withThreadCount(2) { #expect(Parallel.threadCount == 2) }
            #expect(Parallel.threadCount == 7)
        }
        if Parallel.environmentError == nil {
            // With a valid or unset variable the default is honoured.
            #expect(Parallel.defaultThreadCount == (try? Parallel.parseThreadCount(envValue())) ?? SystemInfo.availableCores)
        }
    }
}

#if canImport(Glibc)
import Glibc
func pthreadSelfID() -> UInt { UInt(pthread_self()) }
func envValue() -> String? { getenv("CELER_NUM_THREADS").map { String(cString: $0) } }
#endif
