import CelerCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on stderr for long loops and maps:
/// `label [#########...........]  45.0%  4500/10000  1.23k/s  elapsed 0:03  ETA 0:04`.
///
/// Cost: ``advance(by:)`` is one atomic add; when drawing is on it also reads
/// the monotonic clock (~20 ns), and only the thread that first passes the
/// next redraw time (at most every 0.1 s) draws. Call it per chunk, not per
/// item. Drawing is off when stderr is not a terminal (logs, pipes, CI),
/// unless `force`. Thread-safe.
public final class ProgressBar: @unchecked Sendable {
    public let total: Int
    public let label: String
    /// Whether this bar writes to stderr at all.
    public let isDrawing: Bool

    /// Nanoseconds between redraws.
    public static let redrawInterval: UInt64 = 100_000_000

    private let startNanos: UInt64
    private let completed = Atomic<Int>(0)
    private let nextDraw: Atomic<UInt64>
    private let finished = Atomic<Bool>(false)
    private let drawLock = PthreadLock()

    /// Draws only when stderr is a terminal, unless `force`.
    public init(total: Int, label: String, force: Bool = false) {
        self.total = total
        self.label = label
        self.isDrawing = force || isatty(2) == 1
        self.startNanos = monotonicNanos()
        self.nextDraw = Atomic(startNanos &+ Self.redrawInterval)
    }

    /// Items done so far.
    public var done: Int { completed.load(ordering: .relaxed) }

    /// Records `n` more items done; cheap, call it per chunk, not per item.
    public func advance(by n: Int = 1) {
        let done = completed.wrappingAdd(n, ordering: .relaxed).newValue
        guard isDrawing else { return }
        let now = monotonicNanos()
        let due = nextDraw.load(ordering: .relaxed)
        guard now >= due,
              nextDraw.compareExchange(expected: due, desired: now &+ Self.redrawInterval, ordering: .relaxed).exchanged
        else { return }
        draw(done: done, now: now, final: false)
    }

    /// Draws the final state and a newline (once; later calls do nothing).
    public func finish() {
        guard !finished.exchange(true, ordering: .relaxed) else { return }
        guard isDrawing else { return }
        draw(done: done, now: monotonicNanos(), final: true)
    }

    private func draw(done: Int, now: UInt64, final: Bool) {
        drawLock.withLock {
            if !final && finished.load(ordering: .relaxed) { return }
            let seconds = Double(now &- startNanos) * 1e-9
            let line = "\r" + Self.formatLine(label: label, done: done, total: total, elapsed: seconds)
                + "\u{1B}[K" + (final ? "\n" : "")
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 { break }
                offset += written
            }
            bytes.removeAll()
        }
    }

    // MARK: - Formatting (pure)

    /// The text of one bar: label, bar, percentage, done/total, rate, elapsed
    /// time and estimated time left. `width` is the number of bar cells.
    public static func formatLine(label: String, done: Int, total: Int, elapsed: Double, width: Int = 20) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let percent = Fmt.pad(Fmt.fixed(fraction * 100, 1) + "%", 6, right: true)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let rateText = elapsed > 0 && done > 0 ? formatCount(rate) + "/s" : "--/s"
        var eta = "--:--"
        if done >= total { eta = formatDuration(0) }
        else if rate > 0 { eta = formatDuration(Double(total - done) / rate) }
        var parts = [bar, percent, "\(done)/\(total)", rateText, "elapsed " + formatDuration(elapsed), "ETA " + eta]
        if !label.isEmpty { parts.insert(label, at: 0) }
        return parts.joined(separator: "  ")
    }

    /// `m:ss` under an hour, else `h:mm:ss` (seconds rounded down).
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(min(seconds, 1e9))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h == 0 { return "\(m):\(ss)" }
        return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)"
    }

    /// A count with three significant digits and a k/M/G suffix: "950", "1.23k", "45.6M".
    public static func formatCount(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where value >= scale * 0.9995 {
            return Fmt.double(value / scale, "%.3g") + suffix
        }
        return Fmt.double(value, "%.3g")
    }
}
