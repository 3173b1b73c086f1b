// The CUDA C kernels of the case studies. Every arithmetic expression is the
// CPU kernel's, operation for operation and in the same order (see the
// comments naming the Swift source), and the modules are compiled with
// `--fmad=false`, so no multiply-add is contracted into an FMA: the GPU's
// IEEE double operations then round exactly as the CPU's do and the
// validation values (Mandelbrot and Julia counts, stencil sums) match bit
// for bit. Divisions use IEEE division (NVRTC's default `--prec-div=true`).

/// The shipped kernels, as source modules; `all` is what the tests compile.
public enum StudyKernels {
    /// Julia and Mandelbrot counts, one thread per pixel.
    /// (CelerWorkloads: Julia.scalarCount, Mandelbrot.scalarCount, MandelbrotInterior.contains.)
    public static let escapeTime = SourceModule("""
        // Escape-time counts: pixel (i, j) has real part xs[j] and imaginary
        // part ys[i]; counts are row-major. One orbit step is
        //   x2 = zr*zr, y2 = zi*zi; stop unless x2 + y2 is inside;
        //   xy = zr*zi; zr = (x2 - y2) + cr; zi = (xy * 2) + ci
        // as in the CPU kernels (compiled without FMA contraction).

        extern "C" __global__ void celer_julia(const double* __restrict__ xs, const double* __restrict__ ys,
                                               const int width, const int height, const double cr, const double ci,
                                               const int maxiter, int* __restrict__ counts) {
            const int j = blockIdx.x * blockDim.x + threadIdx.x;
            const int i = blockIdx.y * blockDim.y + threadIdx.y;
            if (j >= width || i >= height) return;
            double zr = xs[j], zi = ys[i];
            int n = 0;
            while (n < maxiter) {
                const double x2 = zr * zr, y2 = zi * zi;
                if (!(x2 + y2 < 4.0)) break;
                const double xy = zr * zi;
                zr = x2 - y2 + cr;
                zi = xy * 2.0 + ci;
                ++n;
            }
            counts[(long long)i * width + j] = n;
        }

        __device__ __forceinline__ int celer_mandelbrot_count(const double cr, const double ci, const int maxiter) {
            double zr = 0.0, zi = 0.0;
            int n = 0;
            while (n < maxiter) {
                const double x2 = zr * zr, y2 = zi * zi;
                if (!(x2 + y2 <= 4.0)) break;
                const double xy = zr * zi;
                zr = x2 - y2 + cr;
                zi = xy * 2.0 + ci;
                ++n;
            }
            return n;
        }

        // The main cardioid and the period-2 disc, shrunk by a margin (the CPU's
        // MandelbrotInterior.contains): points there never escape, so they get maxiter.
        __device__ __forceinline__ bool celer_mandelbrot_interior(const double x, const double y) {
            const double margin = 1e-9;
            const double xq = x - 0.25;
            const double y2 = y * y;
            const double q = xq * xq + y2;
            if (q * (q + xq) < 0.25 * y2 - margin) return true;
            const double xp = x + 1.0;
            return xp * xp + y2 < 0.0625 - margin;
        }

        extern "C" __global__ void celer_mandelbrot(const double* __restrict__ xs, const double* __restrict__ ys,
                                                    const int width, const int height, const int maxiter,
                                                    int* __restrict__ counts) {
            const int j = blockIdx.x * blockDim.x + threadIdx.x;
            const int i = blockIdx.y * blockDim.y + threadIdx.y;
            if (j >= width || i >= height) return;
            counts[(long long)i * width + j] = celer_mandelbrot_count(xs[j], ys[i], maxiter);
        }

        extern "C" __global__ void celer_mandelbrot_cardioid(const double* __restrict__ xs, const double* __restrict__ ys,
                                                             const int width, const int height, const int maxiter,
                                                             int* __restrict__ counts) {
            const int j = blockIdx.x * blockDim.x + threadIdx.x;
            const int i = blockIdx.y * blockDim.y + threadIdx.y;
            if (j >= width || i >= height) return;
            const double cr = xs[j], ci = ys[i];
            counts[(long long)i * width + j] =
                celer_mandelbrot_interior(cr, ci) ? maxiter : celer_mandelbrot_count(cr, ci, maxiter);
        }

        """, name: "celer_escape_time")

    /// The 1-D second derivative and the 2-D 5-point Laplacian.
    /// (CelerWorkloads: Derivative.point, Laplacian.point; `exact` selects the
    /// multiplication by an exact reciprocal that the CPU uses when dx² is a
    /// power of two: the same double as the division.)
    public static let stencils = SourceModule("""
        // out[k] = ((f[k] - 2*f[k+1]) + f[k+2]) / dx2, k in 0 ..< count (grid-stride).
        extern "C" __global__ void celer_derivative(const double* __restrict__ f, double* __restrict__ out,
                                                    const long long count, const double dx2,
                                                    const double reciprocal, const int exact) {
            const long long stride = (long long)blockDim.x * gridDim.x;
            for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < count; k += stride) {
                const double v = f[k] - 2.0 * f[k + 1] + f[k + 2];
                out[k] = exact ? v * reciprocal : v / dx2;
            }
        }

        // Interior points of a rows x cols grid: out is (rows-2) x (cols-2),
        // out = ((up + down)/dx2 + (left + right)/dy2) - center*weight.
        extern "C" __global__ void celer_laplacian(const double* __restrict__ f, double* __restrict__ out,
                                                   const int rows, const int cols,
                                                   const double dx2, const double dy2,
                                                   const double rx, const double ry,
                                                   const double weight, const int exact) {
            const int c = blockIdx.x * blockDim.x + threadIdx.x;
            const int r = blockIdx.y * blockDim.y + threadIdx.y;
            if (c >= cols - 2 || r >= rows - 2) return;
            const long long center = (long long)(r + 1) * cols + c + 1;
            const double up = f[center - cols], down = f[center + cols];
            const double left = f[center - 1], right = f[center + 1], mid = f[center];
            const double v = exact ? (up + down) * rx + (left + right) * ry - mid * weight
                                   : (up + down) / dx2 + (left + right) / dy2 - mid * weight;
            out[(long long)r * (cols - 2) + c] = v;
        }

        """, name: "celer_stencils")

    /// Periodic 2-D diffusion: one step per launch, or `steps` steps per
    /// launch on a shared-memory tile with a halo of `steps` points.
    /// (CelerWorkloads: Diffusion.point, `center + weight * ((((up + down) + left) + right) - 4*center)`.)
    public static let diffusion = SourceModule("""
        __device__ __forceinline__ double celer_diffusion_point(const double up, const double down, const double left,
                                                                const double right, const double center,
                                                                const double weight) {
            return center + weight * (up + down + left + right - 4.0 * center);
        }

        extern "C" __global__ void celer_diffusion_step(const double* __restrict__ u, double* __restrict__ next,
                                                        const int rows, const int cols, const double weight) {
            const int j = blockIdx.x * blockDim.x + threadIdx.x;
            const int i = blockIdx.y * blockDim.y + threadIdx.y;
            if (j >= cols || i >= rows) return;
            const int iu = i == 0 ? rows - 1 : i - 1, id = i == rows - 1 ? 0 : i + 1;
            const int jl = j == 0 ? cols - 1 : j - 1, jr = j == cols - 1 ? 0 : j + 1;
            const long long row = (long long)i * cols;
            next[row + j] = celer_diffusion_point(u[(long long)iu * cols + j], u[(long long)id * cols + j],
                                                  u[row + jl], u[row + jr], u[row + j], weight);
        }

        // `steps` steps of a tileRows x tileCols tile per block. The block loads
        // its tile and a halo of `steps` points on every side (wrapping around
        // the periodic grid; virtual row y is grid row y mod rows, so any grid
        // size works), then computes step s on the region shrunk by s, in
        // shared memory, and writes the tile. Every point is computed from the
        // same operands as in a one-step-per-launch sweep: the same bits.
        // Dynamic shared memory: 2 * (tileRows + 2*steps) * (tileCols + 2*steps) doubles.
        extern "C" __global__ void celer_diffusion_tiled(const double* __restrict__ u, double* __restrict__ next,
                                                         const int rows, const int cols, const double weight,
                                                         const int steps, const int tileRows, const int tileCols) {
            extern __shared__ double celer_tile[];
            const int H = tileRows + 2 * steps, W = tileCols + 2 * steps;
            double* a = celer_tile;
            double* b = celer_tile + H * W;
            const int row0 = blockIdx.y * tileRows - steps, col0 = blockIdx.x * tileCols - steps;
            for (int r = threadIdx.y; r < H; r += blockDim.y) {
                int gr = (row0 + r) % rows;
                if (gr < 0) gr += rows;
                for (int c = threadIdx.x; c < W; c += blockDim.x) {
                    int gc = (col0 + c) % cols;
                    if (gc < 0) gc += cols;
                    a[r * W + c] = u[(long long)gr * cols + gc];
                }
            }
            __syncthreads();
            for (int s = 1; s <= steps; ++s) {
                for (int r = s + threadIdx.y; r < H - s; r += blockDim.y) {
                    for (int c = s + threadIdx.x; c < W - s; c += blockDim.x) {
                        const int k = r * W + c;
                        b[k] = celer_diffusion_point(a[k - W], a[k + W], a[k - 1], a[k + 1], a[k], weight);
                    }
                }
                __syncthreads();
                double* t = a; a = b; b = t;
            }
            for (int r = threadIdx.y; r < tileRows; r += blockDim.y) {
                const int i = blockIdx.y * tileRows + r;
                if (i >= rows) break;
                for (int c = threadIdx.x; c < tileCols; c += blockDim.x) {
                    const int j = blockIdx.x * tileCols + c;
                    if (j >= cols) break;
                    next[(long long)i * cols + j] = a[(r + steps) * W + c + steps];
                }
            }
        }

        """, name: "celer_diffusion")

    /// The segmented sieve: odd numbers only (bit k of the sieve is 2k + 1),
    /// one segment of 262144 odd numbers per block in shared memory; then
    /// the segments' prime counts are scanned into offsets, and each segment
    /// writes its primes at its offset, in ascending order.
    public static let sieve = SourceModule("""
        typedef unsigned long long u64;
        #define CELER_SEGMENT_WORDS 8192
        #define CELER_SEGMENT_BITS (CELER_SEGMENT_WORDS * 32)
        #define CELER_SIEVE_THREADS 256
        #define CELER_SMALL_PRIME 8192

        // The first odd index k >= base with p | 2k+1 and 2k+1 >= p*p.
        __device__ __forceinline__ u64 celer_first_index(const u64 p, const u64 base) {
            const u64 r = (p - 1) / 2;
            const u64 k = base + (r + p - base % p) % p;
            const u64 square = (p * p - 1) / 2;
            return k > square ? k : square;
        }

        __device__ __forceinline__ void celer_cross(unsigned int* seg, const u64 k, const u64 base) {
            const unsigned bit = (unsigned)(k - base);
            atomicAnd(&seg[bit >> 5], ~(1u << (bit & 31)));
        }

        // primes: the odd sieving primes 3 ... sqrt(N), ascending; oddCount = (N + 1) / 2.
        // words (may be null: count only) receives the segment's bits; segmentCounts its prime count.
        extern "C" __global__ void celer_sieve_segments(const unsigned int* __restrict__ primes, const int primeCount,
                                                        const u64 oddCount, unsigned int* __restrict__ words,
                                                        unsigned int* __restrict__ segmentCounts) {
            __shared__ unsigned int seg[CELER_SEGMENT_WORDS];
            __shared__ unsigned int total;
            const u64 base = (u64)blockIdx.x * CELER_SEGMENT_BITS;
            const u64 top = base + CELER_SEGMENT_BITS;
            for (int w = threadIdx.x; w < CELER_SEGMENT_WORDS; w += blockDim.x) seg[w] = 0xffffffffu;
            if (threadIdx.x == 0) total = 0;
            __syncthreads();
            int q = 0;
            // Small primes cross off many numbers per segment: all threads share each one.
            for (; q < primeCount && primes[q] < CELER_SMALL_PRIME; ++q) {
                const u64 p = primes[q];
                for (u64 k = celer_first_index(p, base) + (u64)threadIdx.x * p; k < top; k += (u64)blockDim.x * p)
                    celer_cross(seg, k, base);
            }
            // Larger primes (at most 32 crossings each): one thread per prime.
            for (int r = q + threadIdx.x; r < primeCount; r += blockDim.x) {
                const u64 p = primes[r];
                for (u64 k = celer_first_index(p, base); k < top; k += p) celer_cross(seg, k, base);
            }
            __syncthreads();
            unsigned count = 0;
            for (int w = threadIdx.x; w < CELER_SEGMENT_WORDS; w += blockDim.x) {
                unsigned v = seg[w];
                const u64 first = base + (u64)w * 32;
                if (first == 0) v &= ~1u;  // 1 is not prime
                if (first + 32 > oddCount)  // bits at or past oddCount are beyond N
                    v = first >= oddCount ? 0u : v & ((1u << (unsigned)(oddCount - first)) - 1u);
                if (words) words[(u64)blockIdx.x * CELER_SEGMENT_WORDS + w] = v;
                count += __popc(v);
            }
            atomicAdd(&total, count);
            __syncthreads();
            if (threadIdx.x == 0) segmentCounts[blockIdx.x] = total;
        }

        // One block: offsets[s] = sum of segmentCounts[0 ..< s]; total = the sum of all.
        extern "C" __global__ void celer_sieve_offsets(const unsigned int* __restrict__ segmentCounts, const int segments,
                                                       u64* __restrict__ offsets, u64* __restrict__ total) {
            __shared__ u64 sums[1024];
            const int t = threadIdx.x, threads = blockDim.x;
            const int per = (segments + threads - 1) / threads;
            const int lo = min(segments, t * per), hi = min(segments, lo + per);
            u64 s = 0;
            for (int k = lo; k < hi; ++k) s += segmentCounts[k];
            sums[t] = s;
            __syncthreads();
            for (int d = 1; d < threads; d <<= 1) {
                const u64 v = t >= d ? sums[t - d] : 0;
                __syncthreads();
                sums[t] += v;
                __syncthreads();
            }
            u64 running = t == 0 ? 0 : sums[t - 1];
            for (int k = lo; k < hi; ++k) { offsets[k] = running; running += segmentCounts[k]; }
            if (t == threads - 1) *total = sums[threads - 1];
        }

        // Block s writes the primes of segment s from primes[first + offsets[s]] on,
        // ascending; launched with CELER_SIEVE_THREADS threads, each owning 32 words.
        extern "C" __global__ void celer_sieve_compact(const unsigned int* __restrict__ words,
                                                       const u64* __restrict__ offsets,
                                                       long long* __restrict__ primes, const long long first) {
            __shared__ unsigned int sums[CELER_SIEVE_THREADS];
            const int per = CELER_SEGMENT_WORDS / CELER_SIEVE_THREADS;
            const u64 w0 = (u64)blockIdx.x * CELER_SEGMENT_WORDS + (u64)threadIdx.x * per;
            unsigned c = 0;
            for (int w = 0; w < per; ++w) c += __popc(words[w0 + w]);
            const int t = threadIdx.x;
            sums[t] = c;
            __syncthreads();
            for (int d = 1; d < CELER_SIEVE_THREADS; d <<= 1) {
                const unsigned v = t >= d ? sums[t - d] : 0;
                __syncthreads();
                sums[t] += v;
                __syncthreads();
            }
            u64 position = (u64)first + offsets[blockIdx.x] + (t == 0 ? 0 : sums[t - 1]);
            for (int w = 0; w < per; ++w) {
                unsigned v = words[w0 + w];
                const u64 index = (w0 + w) * 32;
                while (v) {
                    const int b = __ffs(v) - 1;
                    primes[position++] = (long long)(2 * (index + b) + 1);
                    v &= v - 1;
                }
            }
        }

        """, name: "celer_sieve")

    /// Odd numbers per sieve segment (one block), and threads per block of the compaction.
    public static let sieveSegmentBits = 8192 * 32
    public static let sieveSegmentWords = 8192
    public static let sieveThreads = 256

    /// `out = a + b`, as an `ElementwiseKernel` (CelerWorkloads: VectorAdd).
    public static let add: ElementwiseKernel = try! ElementwiseKernel(
        "celer_add", [.input("a", Double.self), .input("b", Double.self), .output("out", Double.self)], "out = a + b")

    /// Every shipped module, for the compile tests.
    public static var all: [SourceModule] { [escapeTime, stencils, diffusion, sieve, add.module] }
}
