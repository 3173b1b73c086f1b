import Testing
@testable import CelerCore

@Suite struct AlignedMemoryTests {
    @Test func blocksAreAlignedAndWritable() {
        for count in [1, 7, 64, 1000, (3 << 20) / 8 + 5] {
            let p = AlignedMemory.allocate(Double.self, count: count)
            #expect(Int(bitPattern: p) % AlignedMemory.alignment == 0)
            p.initialize(repeating: 1.5, count: count)
            #expect(p[count - 1] == 1.5)
            AlignedMemory.deallocate(p)
        }
    }

    @Test func aFreedLargeBlockIsReusedForTheSameRoundedSize() {
        let cache = LargeBlockCache(limitBytes: 8 << 20, limitBlocks: 2)
        let a = UnsafeMutableRawPointer.allocate(byteCount: 4 << 20, alignment: 64)
        cache.recordLive(a, bytes: 4 << 20)
        #expect(cache.keep(a))
        #expect(cache.cachedBytes == 4 << 20)
        #expect(cache.take(bytes: 2 << 20) == nil, "only the same rounded size is reused")
        #expect(cache.take(bytes: 4 << 20) == a)
        #expect(cache.cachedBytes == 0)
        #expect(cache.keep(a))
        cache.releaseAll()
        #expect(cache.cachedBytes == 0)
    }

    @Test func theCacheKeepsWithinItsLimitsAndIgnoresUnknownPointers() {
        let cache = LargeBlockCache(limitBytes: 8 << 20, limitBlocks: 2)
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<3 {
            let p = UnsafeMutableRawPointer.allocate(byteCount: 2 << 20, alignment: 64)
            cache.recordLive(p, bytes: 2 << 20)
            blocks.append(p)
        }
        for p in blocks { #expect(cache.keep(p)) }
        #expect(cache.cachedBytes == 4 << 20, "at most two blocks kept; the oldest was freed")
        let big = UnsafeMutableRawPointer.allocate(byteCount: 16 << 20, alignment: 64)
        cache.recordLive(big, bytes: 16 << 20)
        #expect(cache.keep(big), "a block over the byte limit is freed by the cache")
        #expect(cache.cachedBytes == 4 << 20)
        let stranger = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        #expect(!cache.keep(stranger), "a pointer the cache did not hand out is the caller's to free")
        stranger.deallocate()
        cache.releaseAll()
    }
}
