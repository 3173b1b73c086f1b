import CelerCore
import Synchronization
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

// Streaming (non-temporal) stores for elementwise results too big for the
// last-level cache. An ordinary store first reads the cache line it writes
// (read-for-ownership), so `c = a + b` moves 32 bytes per element for 24
// compulsory ones; a streaming store writes the line without reading it and
// without evicting the inputs from the cache. Used only for outputs that no
// input shares (a fresh result, or `out:` into a separate array): when the
// output is also an input its lines have just been read, and streaming them
// out gains nothing.
//
// The kernel is unchanged: the loop body computes a block of results into a
// small buffer in L1 with its ordinary vectorised loop, then `StreamingStores`
// writes the block out (non-generic code, compiled once with the package's
// AVX2 flags). Only whole, aligned 32-byte pieces are streamed; the few bytes
// before and after are stored normally.

/// Whether, and how, big outputs are streamed.
@usableFromInline
enum StreamingStores {
    /// Bytes computed per block before streaming them out (fits L1 with the inputs' lines).
    @usableFromInline static let blockBytes = 4096

    /// Outputs at least this big are streamed: the last-level cache, since a
    /// bigger output would be evicted before it is read again anyway.
    @usableFromInline static let thresholdBytes: Int = {
        StreamingStore.available ? Swift.max(StreamingStore.lastLevelCache, 1 << 20) : Int.max
    }()

    /// Whether writing `out` should use streaming stores: it is big,
    /// row-major, and shares no storage with the inputs.
    @inlinable
    static func worthwhile<T, A>(_ out: NDArray<T>, _ a: NDArray<A>) -> Bool {
        out.count &* MemoryLayout<T>.stride >= thresholdBytes && out.isContiguous && !out.sharesStorage(with: a)
    }

    /// `worthwhile` for an output of two inputs.
    @inlinable
    static func worthwhile<T, A, B>(_ out: NDArray<T>, _ a: NDArray<A>, _ b: NDArray<B>) -> Bool {
        worthwhile(out, a) && !out.sharesStorage(with: b)
    }

    /// Copies `bytes` bytes, streaming the aligned middle (CelerCore's primitive).
    @usableFromInline
    static func store(_ source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, bytes: Int) {
        StreamingStore.copy(source, to: destination, bytes: bytes)
    }

    @usableFromInline
    static func fence() { StreamingStore.fence() }

    /// Runs `fill(count, buffer)` for blocks of the `n` results at `out`, each
    /// computed into an L1 buffer and then streamed out.
    @inlinable @inline(__always)
    static func run<T>(_ n: Int, _ out: UnsafeMutablePointer<T>, _ fill: (_ start: Int, _ count: Int, _ buffer: UnsafeMutablePointer<T>) -> Void) {
        let block = Swift.max(1, blockBytes / MemoryLayout<T>.stride)
        withUnsafeTemporaryAllocation(of: T.self, capacity: block) { buffer in
            let b = buffer.baseAddress!
            var i = 0
            while i < n {
                let m = Swift.min(block, n &- i)
                fill(i, m, b)
                store(UnsafeRawPointer(b), to: UnsafeMutableRawPointer(out + i), bytes: m &* MemoryLayout<T>.stride)
                i &+= m
            }
        }
        fence()
    }
}
