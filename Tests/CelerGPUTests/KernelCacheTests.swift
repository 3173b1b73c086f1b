import Testing
@testable import CelerGPU
#if canImport(Glibc)
import Glibc
#endif

// The disk cache on the CPU: miss, hit, damaged and truncated entries,
// entries of another key, and concurrent writers of one key.

/// A fresh directory under /tmp.
func temporaryDirectory(_ tag: String) -> String {
    var template = Array("/tmp/celer-gpu-\(tag)-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}

func removeTree(_ path: String) {
    for file in globPaths(path + "/*") + globPaths(path + "/.*") where !file.hasSuffix("/.") && !file.hasSuffix("/..") {
        unlink(file)
    }
    rmdir(path)
}

let sampleKey = KernelCacheKey(source: "extern \"C\" __global__ void k() {}", name: "k", options: ["--fmad=false"],
                               target: .cubin(90), nvrtcVersion: "12.9", driverVersion: nil)
let sampleKernel = CompiledKernel(target: .cubin(90), image: (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }, log: "")

@Suite struct KernelCacheTests {
    @Test func keyChangesWithEverythingThatChangesTheImage() {
        func key(source: String = "s", name: String = "n", options: [String] = ["--fmad=false"],
                 target: GPUTarget = .cubin(90), nvrtc: String = "12.9", driver: Int? = 12040) -> KernelCacheKey {
            KernelCacheKey(source: source, name: name, options: options, target: target, nvrtcVersion: nvrtc, driverVersion: driver)
        }
        let base = key()
        #expect(key() == base)
        let variants = [key(source: "s "), key(name: "m"), key(options: ["--fmad=true"]), key(options: []),
                        key(target: .cubin(80)), key(target: .ptx(90)), key(nvrtc: "13.0"), key(driver: 12050), key(driver: nil)]
        #expect(Set(variants.map(\.hex)).count == variants.count)
        #expect(!variants.contains(base))
        // Options are not confused by how they are split.
        #expect(key(options: ["-a", "-b"]) != key(options: ["-a -b"]))
    }

    @Test func missThenStoreThenHit() {
        let dir = temporaryDirectory("cache")
        defer { removeTree(dir) }
        let cache = KernelDiskCache(directory: dir + "/nested/kernels")
        #expect(cache.load(sampleKey) == nil)
        #expect(cache.store(sampleKernel, for: sampleKey))
        let hit = cache.load(sampleKey)
        #expect(hit?.image == sampleKernel.image)
        #expect(hit?.target == .cubin(90))
        #expect(cache.statistics == KernelDiskCache.Statistics(hits: 1, misses: 1, rejected: 0, writes: 1, writeFailures: 0))
        // No temporary file is left behind.
        #expect(globPaths(dir + "/nested/kernels/*") == [cache.path(for: sampleKey)])
    }

    @Test func damagedEntriesAreIgnoredAndRewritten() throws {
        let dir = temporaryDirectory("corrupt")
        defer { removeTree(dir) }
        let cache = KernelDiskCache(directory: dir)
        #expect(cache.store(sampleKernel, for: sampleKey))
        let path = cache.path(for: sampleKey)
        let good = try #require(readFile(path))

        var flipped = good
        flipped[KernelDiskCache.headerSize + 1234] ^= 0x10       // one payload bit
        #expect(writeAtomically(flipped, to: path))
        #expect(cache.load(sampleKey) == nil)

        #expect(writeAtomically(Array(good.prefix(good.count - 1)), to: path))  // truncated
        #expect(cache.load(sampleKey) == nil)

        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        #expect(writeAtomically(badMagic, to: path))
        #expect(cache.load(sampleKey) == nil)

        #expect(writeAtomically([], to: path))                    // empty file
        #expect(cache.load(sampleKey) == nil)
        #expect(cache.statistics.rejected == 4)

        // The next store replaces the damaged file; then it hits again.
        #expect(cache.store(sampleKernel, for: sampleKey))
        #expect(cache.load(sampleKey)?.image == sampleKernel.image)
    }

    @Test func anEntryOfAnotherKeyIsNotServed() throws {
        let dir = temporaryDirectory("otherkey")
        defer { removeTree(dir) }
        let cache = KernelDiskCache(directory: dir)
        let other = KernelCacheKey(source: "other", name: "k", options: [], target: .cubin(90), nvrtcVersion: "12.9", driverVersion: nil)
        #expect(cache.store(sampleKernel, for: other))
        // A file copied (or renamed) to the wrong name: the header's key does not match.
        #expect(writeAtomically(try #require(readFile(cache.path(for: other))), to: cache.path(for: sampleKey)))
        #expect(cache.load(sampleKey) == nil)
        #expect(cache.load(other) != nil)
    }

    @Test func unwritableDirectoryIsAMissNotACrash() {
        let cache = KernelDiskCache(directory: "/proc/celer-cannot-write-here")
        #expect(!cache.store(sampleKernel, for: sampleKey))
        #expect(cache.load(sampleKey) == nil)
        #expect(cache.statistics.writeFailures == 1)
    }

    /// Writers of one key in several threads, each with its own cache object
    /// (as separate processes would have), while readers read: every read is
    /// a miss or the whole entry, never a damaged one, and no temporary file
    /// survives.
    @Test func concurrentWritersOfOneKey() async {
        let dir = temporaryDirectory("concurrent")
        defer { removeTree(dir) }
        let rounds = 40
        let outcomes = await withTaskGroup(of: [Bool].self) { group in
            for w in 0..<4 {
                group.addTask {
                    let cache = KernelDiskCache(directory: dir)
                    var ok: [Bool] = []
                    for _ in 0..<rounds {
                        ok.append(cache.store(sampleKernel, for: sampleKey))
                        if w % 2 == 0, let hit = cache.load(sampleKey) { ok.append(hit.image == sampleKernel.image) }
                    }
                    // Damaged reads would show as rejected entries.
                    ok.append(cache.statistics.rejected == 0)
                    return ok
                }
            }
            var all: [Bool] = []
            for await results in group { all += results }
            return all
        }
        #expect(outcomes.count >= 4 * rounds)
        #expect(outcomes.allSatisfy { $0 })
        #expect(globPaths(dir + "/*") == [KernelDiskCache(directory: dir).path(for: sampleKey)])
        #expect(KernelDiskCache(directory: dir).load(sampleKey)?.image == sampleKernel.image)
    }
}
