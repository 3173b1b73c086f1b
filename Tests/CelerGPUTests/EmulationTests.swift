import CelerCore
import CelerHarness
import CelerWorkloads
import Foundation
import Testing
@testable import CelerGPU

// The shipped CUDA text itself, run on the CPU: every StudyKernels module is
// compiled by g++ as C++ with a small emulation of the CUDA built-ins
// (blockIdx/threadIdx, __syncthreads as a barrier across one std::thread
// per CUDA thread, shared memory, atomics, __popc/__ffs), with
// -ffp-contract=off like --fmad=false. The launches are those of GPURungs at
// the small sizes; the outputs are summarised exactly as the CPU rungs'
// and must equal them bit for bit. This checks the kernels' indexing and
// arithmetic order without a GPU (not the hardware's memory model or speed).

let emulationPrelude = #"""
#include <algorithm>
#include <barrier>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>
using std::min; using std::max;
struct uint3e { unsigned x, y, z; };
static uint3e blockIdx, blockDim, gridDim;
static thread_local uint3e threadIdx;
static std::barrier<>* celer_barrier = nullptr;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
static inline void __syncthreads() { if (celer_barrier) celer_barrier->arrive_and_wait(); }
static inline unsigned atomicAnd(unsigned* p, unsigned v) { return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); }
static inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline int __popc(unsigned v) { return __builtin_popcount(v); }
static inline int __ffs(unsigned v) { return __builtin_ffs((int)v); }
// Dynamic shared memory of the tiled diffusion kernel.
double celer_tile[1 << 16];

/// Runs `kernel` over the grid, block after block; with `barriers`, the
/// threads of a block run concurrently and __syncthreads waits for all.
static void launch(unsigned gx, unsigned gy, unsigned bx, unsigned by, bool barriers, const std::function<void()>& kernel) {
    gridDim = {gx, gy, 1}; blockDim = {bx, by, 1};
    for (unsigned y = 0; y < gy; ++y) for (unsigned x = 0; x < gx; ++x) {
        blockIdx = {x, y, 0};
        if (!barriers) {
            for (unsigned ty = 0; ty < by; ++ty) for (unsigned tx = 0; tx < bx; ++tx) { threadIdx = {tx, ty, 0}; kernel(); }
            continue;
        }
        std::barrier<> barrier((std::ptrdiff_t)(bx * by));
        celer_barrier = &barrier;
        std::vector<std::thread> threads;
        for (unsigned ty = 0; ty < by; ++ty) for (unsigned tx = 0; tx < bx; ++tx)
            threads.emplace_back([=, &kernel] { threadIdx = {tx, ty, 0}; kernel(); });
        for (auto& t : threads) t.join();
        celer_barrier = nullptr;
    }
}

static double uniform(uint64_t seed, uint64_t k) {  // SplitMix64, as CelerCore
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
template <class T> static void save(const std::string& path, const std::vector<T>& v) {
    FILE* f = fopen(path.c_str(), "wb"); fwrite(v.data(), sizeof(T), v.size(), f); fclose(f);
}
static unsigned blocks(long long n, unsigned b) { return (unsigned)std::max(1LL, (n + b - 1) / b); }
"""#

/// The launches of GPURungs at the small presets; each writes its output to a file.
let emulationMain = #"""
int main(int argc, char** argv) {
    std::string dir = argv[1];
    auto at = [&](const char* name) { return dir + "/" + name; };
    { // julia 100x100 over [-1.8, 1.8]^2, c = -0.62772 - 0.42193i, maxiter 300
        int w = 100, h = 100;
        std::vector<double> xs(w), ys(h);
        for (int j = 0; j < w; ++j) xs[j] = -1.8 + (double)j * (1.8 - -1.8) / (double)w;
        for (int i = 0; i < h; ++i) ys[i] = -1.8 + (double)i * (1.8 - -1.8) / (double)h;
        std::vector<int> counts(w * h);
        launch(blocks(w, 16), blocks(h, 16), 16, 16, false,
               [&] { celer_julia(xs.data(), ys.data(), w, h, -0.62772, -0.42193, 300, counts.data()); });
        save(at("julia.bin"), counts);
    }
    { // mandelbrot 64x64 over [-2.13, 0.77] x [-1.3, 1.3], maxiter 200
        int w = 64, h = 64;
        std::vector<double> xs(w), ys(h);
        double sx = (0.77 - -2.13) / (double)(w - 1), sy = (1.3 - -1.3) / (double)(h - 1);
        for (int j = 0; j < w; ++j) xs[j] = -2.13 + (double)j * sx;
        for (int i = 0; i < h; ++i) ys[i] = -1.3 + (double)i * sy;
        std::vector<int> a(w * h), b(w * h);
        launch(blocks(w, 16), blocks(h, 16), 16, 16, false, [&] { celer_mandelbrot(xs.data(), ys.data(), w, h, 200, a.data()); });
        launch(blocks(w, 16), blocks(h, 16), 16, 16, false, [&] { celer_mandelbrot_cardioid(xs.data(), ys.data(), w, h, 200, b.data()); });
        save(at("mandelbrot.bin"), a);
        save(at("cardioid.bin"), b);
    }
    { // derivative n = 10007, dx = 0.5 (exact reciprocal 4)
        long long n = 10007, m = n - 2;
        std::vector<double> f(n), out(m);
        for (long long k = 0; k < n; ++k) f[k] = uniform(7, k);
        launch(std::min(blocks(m, 256), 132u * 32), 1, 256, 1, false, [&] { celer_derivative(f.data(), out.data(), m, 0.25, 4.0, 1); });
        save(at("derivative.bin"), out);
    }
    { // laplacian 67 x 61, dx = dy = 1
        int rows = 67, cols = 61;
        std::vector<double> f(rows * cols), out((rows - 2) * (cols - 2));
        for (int k = 0; k < rows * cols; ++k) f[k] = uniform(42, k);
        launch(blocks(cols - 2, 32), blocks(rows - 2, 8), 32, 8, false,
               [&] { celer_laplacian(f.data(), out.data(), rows, cols, 1.0, 1.0, 1.0, 1.0, 4.0, 1); });
        save(at("laplacian.bin"), out);
    }
    { // diffusion 48 x 37, 20 steps, weight 0.1: one step per launch, and 4 per launch on tiles
        int rows = 48, cols = 37, steps = 20;
        std::vector<double> u0(rows * cols, 0.0);
        for (int i = (int)(0.4 * rows); i < (int)(0.5 * rows); ++i)
            for (int j = (int)(0.4 * cols); j < (int)(0.5 * cols); ++j) u0[i * cols + j] = 0.005;
        std::vector<double> a = u0, b(rows * cols);
        for (int s = 0; s < steps; ++s) {
            launch(blocks(cols, 32), blocks(rows, 8), 32, 8, false, [&] { celer_diffusion_step(a.data(), b.data(), rows, cols, 0.1); });
            std::swap(a, b);
        }
        save(at("diffusion.bin"), a);
        std::vector<double> c = u0, d(rows * cols);
        for (int done = 0; done < steps; done += 4) {
            int k = std::min(4, steps - done);
            launch(blocks(cols, 64), blocks(rows, 32), 64, 8, true,
                   [&] { celer_diffusion_tiled(c.data(), d.data(), rows, cols, 0.1, k, 32, 64); });
            std::swap(c, d);
        }
        save(at("diffusion_tiled.bin"), c);
    }
    { // add n = 10007
        long long n = 10007;
        std::vector<double> a(n), b(n), out(n);
        for (long long k = 0; k < n; ++k) { a[k] = uniform(1, k); b[k] = uniform(2, k); }
        launch(blocks(n, 256), 1, 256, 1, false, [&] { celer_add(a.data(), b.data(), out.data(), n); });
        save(at("add.bin"), out);
    }
    { // sieve: N = 100000 (one segment) and N = 1100000 (five)
        for (long long limit : {100000LL, 1100000LL}) {
            std::vector<unsigned> primes;
            for (unsigned p = 3; (unsigned long long)p * p <= (unsigned long long)limit; p += 2) {
                bool prime = true;
                for (unsigned q = 3; q * q <= p; q += 2) if (p % q == 0) { prime = false; break; }
                if (prime) primes.push_back(p);
            }
            unsigned long long oddCount = (limit + 1) / 2;
            int segments = (int)((oddCount + 262144 - 1) / 262144);
            std::vector<unsigned> words(segments * 8192), counts(segments);
            std::vector<unsigned long long> offsets(segments), total(1);
            std::vector<long long> out(limit / 2 + 2, -1);
            out[0] = 2;
            launch(segments, 1, 256, 1, true, [&] {
                celer_sieve_segments(primes.data(), (int)primes.size(), oddCount, words.data(), counts.data()); });
            launch(1, 1, 1024, 1, true, [&] { celer_sieve_offsets(counts.data(), segments, offsets.data(), total.data()); });
            launch(segments, 1, 256, 1, true, [&] { celer_sieve_compact(words.data(), offsets.data(), out.data(), 1); });
            out.resize(1 + total[0]);
            save(at(limit == 100000 ? "sieve_small.bin" : "sieve_large.bin"), out);
        }
    }
    return 0;
}
"""#

func readBinary<T>(_ path: String, as: T.Type) -> [T] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
}

let cxx = ["/usr/bin/g++", "/usr/bin/c++"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite struct EmulationTests {
    @Test(.enabled(if: cxx != nil, "no C++ compiler (apt-get install g++)"))
    func shippedKernelsMatchTheCPURungsWhenRunAsCPlusPlus() throws {
        let dir = temporaryDirectory("emulate")
        defer { removeTree(dir) }
        // The one textual change: dynamic shared memory (`extern __shared__`) becomes the prelude's array.
        let kernels = StudyKernels.all.map(\.source).joined(separator: "\n")
            .replacingOccurrences(of: "extern __shared__", with: "extern")
        let source = emulationPrelude + "\n" + kernels + "\n" + emulationMain
        try source.write(toFile: dir + "/emulate.cpp", atomically: true, encoding: .utf8)
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: cxx!)
        compile.arguments = ["-std=c++20", "-O1", "-ffp-contract=off", "-pthread", "-w", "-o", dir + "/emulate", dir + "/emulate.cpp"]
        let errors = Pipe()
        compile.standardError = errors
        try compile.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        compile.waitUntilExit()
        try #require(compile.terminationStatus == 0, "g++ failed:\n\(message.prefix(3000))")
        let run = Process()
        run.executableURL = URL(fileURLWithPath: dir + "/emulate")
        run.arguments = [dir]
        try run.run()
        run.waitUntilExit()
        try #require(run.terminationStatus == 0)

        // The CPU rungs' validation at the same configurations.
        func cpu(_ name: String, _ variant: String, configure: (inout WorkloadOptions) -> Void = { _ in }) throws -> [ValidationValue] {
            let study = CaseStudies.all.first { $0.name == name }!
            var options = WorkloadOptions()
            options.preset = .small
            configure(&options)
            let rows = try Harness.run(try study.configure(options), variants: [variant], settings: HarnessSettings(repeats: 1, warmup: 0))
            return rows[0].validation
        }
        func countSum(_ file: String) -> [ValidationValue] {
            [ValidationValue("sum", readBinary(dir + "/" + file, as: Int32.self).reduce(Int64(0)) { $0 + Int64($1) }, countsWork: true)]
        }
        func summary(_ file: String) -> Summary {
            readBinary(dir + "/" + file, as: Double.self).withUnsafeBufferPointer { Summary($0) }
        }
        #expect(countSum("julia.bin") == (try cpu("julia", "simd")))
        #expect(countSum("mandelbrot.bin") == (try cpu("mandelbrot", "simd")))
        #expect(countSum("cardioid.bin") == (try cpu("mandelbrot", "cardioid")))
        let d = summary("derivative.bin")
        #expect([ValidationValue("sum", d.sum.value), ValidationValue("sum_abs", d.sumAbs.value)] == (try cpu("derivative", "tuned")))
        let l = summary("laplacian.bin")
        #expect([ValidationValue("sum", l.sum.value), ValidationValue("sum_abs", l.sumAbs.value)] == (try cpu("laplacian", "tuned")))
        let diffusionCPU = try cpu("diffusion", "tuned")
        for file in ["diffusion.bin", "diffusion_tiled.bin"] {
            let s = summary(file)
            #expect([ValidationValue("sum", s.sum.value), ValidationValue("max", s.maximum),
                     ValidationValue("sum_sq", s.sumSquares.value)] == diffusionCPU, "\(file)")
        }
        #expect([ValidationValue("sum", summary("add.bin").sum.value)] == (try cpu("add", "tuned")))
        for (file, limit) in [("sieve_small.bin", 100_000), ("sieve_large.bin", 1_100_000)] {
            let primes = readBinary(dir + "/" + file, as: Int64.self)
            #expect(primes == referencePrimes(limit), "\(file)")
            let expected = try cpu("sieve", "segmented") { $0.limit = limit }
            #expect([ValidationValue("count", primes.count, countsWork: true),
                     ValidationValue("sum", primes.reduce(0, +))] == expected)
        }
    }
}
