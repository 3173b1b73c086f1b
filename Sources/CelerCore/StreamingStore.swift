import Synchronization
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

// The one streaming-store primitive of the package, used by the stencil and
// vector-add kernels, by CelerArray's elementwise results and by the memory
// roof probes of `celer machine`.
//
// Non-temporal ("streaming") stores write whole cache lines to memory without
// first reading them (no write-allocate), so `out = f(in)` moves 16 instead
// of 24 bytes per double, and does not evict the inputs from the cache.
// Swift has no such store; the compiler's own x86 intrinsics module provides
// `_mm256_stream_pd` (legal in every build: without AVX it becomes two SSE2
// stores). Elsewhere these are ordinary stores.

/// Streaming stores for outputs far larger than the last-level cache.
public enum StreamingStore {
    /// The last-level cache in bytes (L3, else L2, else 8 MiB).
    public static let lastLevelCache: Int = SystemInfo.cacheSize(level: 3) ?? SystemInfo.cacheSize(level: 2) ?? (8 << 20)

    /// Whether this build can stream at all (x86-64 with the intrinsics module).
    public static var available: Bool {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        return true
        #else
        return false
        #endif
    }

    /// Whether an output of this many bytes should be streamed: when it is
    /// larger than the last-level cache, so it would be evicted anyway.
    @inlinable
    public static func worthwhile(bytes: Int) -> Bool {
        available && bytes > lastLevelCache
    }

    /// Stores `v` at `p`, which must be 32-byte aligned. With AVX (release
    /// builds target haswell) this is one `vmovntpd` of 32 bytes, measured
    /// 5–25 % faster than two 16-byte ones; without AVX, LLVM splits it into
    /// two SSE2 `movntps`.
    @inlinable @inline(__always)
    public static func store(_ v: SIMD4<Double>, to p: UnsafeMutablePointer<Double>) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        _mm256_stream_pd(p, v)
        #else
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Double>.self)
        #endif
    }

    /// Copies `bytes` bytes from `source` to `destination`, streaming the
    /// 32-byte-aligned middle part and storing the ends normally.
    public static func copy(_ source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, bytes: Int) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        let misalignment = Int(bitPattern: destination) & 31
        let head = misalignment == 0 ? 0 : Swift.min(bytes, 32 - misalignment)
        if head > 0 { destination.copyMemory(from: source, byteCount: head) }
        var i = head
        let end = head + (bytes - head) / 32 * 32
        while i < end {
            let v = source.loadUnaligned(fromByteOffset: i, as: SIMD4<Double>.self)
            _mm256_stream_pd((destination + i).assumingMemoryBound(to: Double.self), v)
            i &+= 32
        }
        if i < bytes { (destination + i).copyMemory(from: source + i, byteCount: bytes - i) }
        #else
        destination.copyMemory(from: source, byteCount: bytes)
        #endif
    }

    /// Makes this thread's streaming stores visible before its later ordinary
    /// ones (and so before it reports its work done to other threads). A
    /// locked instruction; `sfence` is not reachable from Swift.
    @inlinable @inline(__always)
    public static func fence() {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
    }

    /// Where SIMD kernels put their results: plain stores, or streaming
    /// stores. `count` elements from `out` are computed by `vector(i)`
    /// (elements i ..< i+4) and `scalar(i)`. Streaming covers only whole
    /// 64-byte cache lines: the elements before the first line boundary and
    /// after the last are stored normally, since a partly streamed line costs
    /// a slow partial write and mixing the two kinds of store on one line
    /// flushes the write-combining buffer. One loop for every kernel.
    @inlinable @inline(__always)
    public static func storeSIMD4(count: Int, to out: UnsafeMutablePointer<Double>, streaming: Bool,
                                  vector: (Int) -> SIMD4<Double>, scalar: (Int) -> Double) {
        @inline(__always) func plain(_ i: Int) {
            UnsafeMutableRawPointer(out + i).storeBytes(of: vector(i), as: SIMD4<Double>.self)
        }
        var i = 0
        if streaming {
            // Plain stores up to the first cache-line boundary (at most 7 elements).
            let misalignment = (Int(bitPattern: out) & 63) / 8
            let head = misalignment == 0 ? 0 : Swift.min(count, 8 - misalignment)
            while i < head { out[i] = scalar(i); i &+= 1 }
            let lines = i + (count - i) / 8 * 8
            while i < lines {
                store(vector(i), to: out + i)
                store(vector(i &+ 4), to: out + (i &+ 4))
                i &+= 8
            }
        } else {
            // Two vectors per iteration: two independent dependency chains.
            let pairs = (count / 8) * 8
            while i < pairs { plain(i); plain(i &+ 4); i &+= 8 }
        }
        if count - i >= 4 { plain(i); i &+= 4 }
        while i < count { out[i] = scalar(i); i &+= 1 }
    }
}

extension UnsafePointer<Double> {
    /// Four doubles from `self + i` (any alignment).
    @inlinable @inline(__always)
    public func load4(_ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD4<Double>.self)
    }
}
