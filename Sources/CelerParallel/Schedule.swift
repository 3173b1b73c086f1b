import CelerCore
import Synchronization

/// How iterations of a parallel loop are dealt to threads, as OpenMP defines it.
///
/// Which to pick (measurements in docs/parallel.md):
/// - `.static` for uniform work (stencils, element-wise array code): one
///   contiguous block per thread, no shared counter, best cache locality.
/// - `.dynamic(c)` when the cost of iterations varies (fractal rows, tasks of
///   unknown size): threads claim chunks of `c` from a shared counter, so a
///   thread that finishes early takes more. Pick `c` so a chunk costs at
///   least a few microseconds.
/// - `.guided(c)`: like dynamic but chunks start large (remaining / (2 ×
///   threads)) and shrink to `c`: fewer claims than dynamic, nearly its balance.
/// - `.staticChunked(c)`: chunks of `c` dealt round robin, fixed in advance:
///   balances work that varies smoothly along the range, with no counter.
public enum Schedule: Sendable, Equatable {
    /// One contiguous block per thread: lowest overhead, for uniform work.
    case `static`
    /// Chunks of the given size dealt round robin.
    case staticChunked(Int)
    /// Chunks of the given size taken from a shared counter: for uneven work.
    case dynamic(Int)
    /// Chunks that shrink as work runs out, never below the given size.
    case guided(Int)

    /// The chunk size of a chunked schedule, nil for `.static`.
    public var chunkSize: Int? {
        switch self {
        case .static: nil
        case .staticChunked(let c), .dynamic(let c), .guided(let c): c
        }
    }

    /// Checks the chunk size: parallel loops require it to be at least 1
    /// (and trap otherwise, as for any broken precondition), so validate
    /// schedules that come from users first.
    public func validate() throws(CelerError) {
        if let c = chunkSize, c < 1 {
            throw CelerError.invalidOption("schedule", description, allowed: "use a chunk size of at least 1")
        }
    }

    /// Parses `static`, `static,C`, `dynamic[,C]`, `guided[,C]` (C defaults
    /// to 1), as OpenMP's OMP_SCHEDULE spells them.
    public init(parsing text: String) throws(CelerError) {
        let parts = text.trimmingSpaces().lowercased().split(separator: ",", omittingEmptySubsequences: false)
        let allowed = "use static, static,C, dynamic,C or guided,C with a chunk size C of at least 1"
        guard parts.count == 1 || parts.count == 2 else {
            throw CelerError.invalidOption("schedule", text, allowed: allowed)
        }
        var chunk = 1
        if parts.count == 2 {
            guard let c = Int(parts[1].trimmingSpaces()), c >= 1 else {
                throw CelerError.invalidOption("schedule", text, allowed: allowed)
            }
            chunk = c
        }
        switch parts[0].trimmingSpaces() {
        case "static": self = parts.count == 2 ? .staticChunked(chunk) : .static
        case "dynamic": self = .dynamic(chunk)
        case "guided": self = .guided(chunk)
        default: throw CelerError.invalidOption("schedule", text, allowed: allowed)
        }
    }

    /// How many chunks at most a loop over `count` iterations is cut into
    /// (`count` for `.static`, whose block count follows the threads).
    func maxChunks(_ count: Int) -> Int {
        guard let c = chunkSize else { return count }
        return count == 0 ? 0 : (count - 1) / c + 1
    }
}

extension Schedule: CustomStringConvertible {
    /// OpenMP spelling: `static`, `static,4`, `dynamic,1`, `guided,8`.
    public var description: String {
        switch self {
        case .static: "static"
        case .staticChunked(let c): "static,\(c)"
        case .dynamic(let c): "dynamic,\(c)"
        case .guided(let c): "guided,\(c)"
        }
    }
}

// MARK: - Dealing chunks

/// Calls `body` with the chunks of `range` that participant `p` of
/// `participants` runs under `schedule`. All participants together cover the
/// range exactly once. `counter` must start at 0 and be shared by all.
@inline(__always)
func runShare(_ schedule: Schedule, _ range: Range<Int>, participant p: Int, of participants: Int,
              counter: ChunkCounter, _ body: (Range<Int>) -> Void) {
    let n = range.count
    let lo = range.lowerBound
    switch schedule {
    case .static:
        let (q, r) = n.quotientAndRemainder(dividingBy: participants)
        let start = p * q + min(p, r)
        let length = q + (p < r ? 1 : 0)
        if length > 0 { body(lo + start ..< lo + start + length) }
    case .staticChunked(let c):
        // Chunk k goes to participant k % participants.
        let stride = c.multipliedReportingOverflow(by: participants)
        var start = p * c   // p < chunk count, so p * c < n
        while start < n {
            body(lo + start ..< lo + start + min(c, n - start))
            if stride.overflow || start > n - stride.partialValue { break }
            start += stride.partialValue
        }
    case .dynamic(let c):
        let step = min(c, n)
        while true {
            let start = counter.value.wrappingAdd(step, ordering: .relaxed).oldValue
            if start >= n { break }
            body(lo + start ..< lo + start + min(step, n - start))
        }
    case .guided(let minimum):
        var start = counter.value.load(ordering: .relaxed)
        while start < n {
            let length = guidedChunk(remaining: n - start, participants: participants, minimum: minimum)
            let (exchanged, seen) = counter.value.compareExchange(
                expected: start, desired: start + length, ordering: .relaxed)
            if exchanged {
                body(lo + start ..< lo + start + length)
                start = counter.value.load(ordering: .relaxed)
            } else {
                start = seen
            }
        }
    }
}

/// Guided chunk length: remaining / (2 × participants), at least `minimum`,
/// at most what remains.
@inline(__always)
func guidedChunk(remaining: Int, participants: Int, minimum: Int) -> Int {
    min(remaining, max(minimum, remaining / (2 * participants)))
}

/// The chunks one thread alone deals itself under `schedule`, in order: the
/// serial path keeps the chunk sizes a parallel run would use (at most `c`).
@inline(__always)
func runSerially(_ schedule: Schedule, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
    let n = range.count
    let lo = range.lowerBound
    switch schedule {
    case .static:
        body(range)
    case .staticChunked(let c), .dynamic(let c):
        var start = 0
        while start < n {
            let length = min(c, n - start)
            body(lo + start ..< lo + start + length)
            start += length
        }
    case .guided(let minimum):
        var start = 0
        while start < n {
            let length = guidedChunk(remaining: n - start, participants: 1, minimum: minimum)
            body(lo + start ..< lo + start + length)
            start += length
        }
    }
}
