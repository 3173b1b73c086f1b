import CelerParallel
import Testing

@Suite struct ProgressBarTests {
    @Test func formatsALine() {
        let line = ProgressBar.formatLine(label: "sum", done: 4500, total: 10000, elapsed: 3.0)
        #expect(line == "sum  [#########...........]   45.0%  4500/10000  1.5k/s  elapsed 0:03  ETA 0:03")
    }

    @Test func formatsStartAndEnd() {
        #expect(ProgressBar.formatLine(label: "", done: 0, total: 7, elapsed: 0, width: 4)
                == "[....]    0.0%  0/7  --/s  elapsed 0:00  ETA --:--")
        #expect(ProgressBar.formatLine(label: "rows", done: 7, total: 7, elapsed: 125.5, width: 4)
                == "rows  [####]  100.0%  7/7  0.0558/s  elapsed 2:05  ETA 0:00")
        #expect(ProgressBar.formatLine(label: "x", done: 0, total: 0, elapsed: 1, width: 2)
                == "x  [##]  100.0%  0/0  --/s  elapsed 0:01  ETA 0:00")
    }

    @Test func formatsDurationsAndCounts() {
        #expect(ProgressBar.formatDuration(0) == "0:00")
        #expect(ProgressBar.formatDuration(59.9) == "0:59")
        #expect(ProgressBar.formatDuration(3599) == "59:59")
        #expect(ProgressBar.formatDuration(3600 * 26 + 61) == "26:01:01")
        #expect(ProgressBar.formatDuration(.infinity) == "--:--")
        #expect(ProgressBar.formatCount(950) == "950")
        #expect(ProgressBar.formatCount(1234) == "1.23k")
        #expect(ProgressBar.formatCount(45_600_000) == "45.6M")
        #expect(ProgressBar.formatCount(2.5e9) == "2.5G")
    }

    @Test func countsEveryItemOfALoop() {
        let bar = ProgressBar(total: 10007, label: "test")
        Parallel.withThreadCount(3) {
            parallelFor(0..<10007, schedule: .dynamic(100)) { bar.advance(by: $0.count) }
        }
        bar.finish()
        bar.finish()
        #expect(bar.done == 10007)
    }

    @Test func progressLoopCoversTheRange() {
        let hits = HitCounter(0..<5003)
        Parallel.withThreadCount(2) {
            parallelFor(hits.range, schedule: .static, progress: "cover") { hits.hit($0) }
        }
        #expect(hits.coveredExactlyOnce)
    }
}
