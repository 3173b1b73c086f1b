"""GPU peers: CuPy (plain array code, and its ElementwiseKernel / RawKernel
forms) and Numba's CUDA target. Written without a GPU at hand (see
docs/gpu.md for what was verified where); each is skipped with an install
hint when its package or a CUDA device is missing.

Timing: CuPy and Numba launch asynchronously, so every timed call ends with
a device synchronisation; inputs are copied to the device before timing, and
results stay there: `OnDevice` copies them back only when validated, outside
the timed region (as Celer's GPU rungs do). Kernels written here are compiled
with `--fmad=false` where the counts or sums must match bit for bit; plain
CuPy array code runs one kernel per operation, so nothing is contracted."""
import numpy as np

import inputs

INSTALL_CUPY = "pip install cupy-cuda12x (or cupy-cuda13x); needs an NVIDIA driver"
INSTALL_NUMBA_CUDA = "pip install numba-cuda; needs an NVIDIA driver"
EXACT = ("--fmad=false",)


def _cupy():
    import cupy as cp
    cp.cuda.runtime.getDeviceCount()  # raises when there is no driver or device
    return cp


class OnDevice:
    """A result left in device memory; `np.asarray` copies it to the host."""

    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        host = self.array.get()
        return host if dtype is None else host.astype(dtype, copy=False)


def _timed(cp, body):
    def run():
        out = body()
        cp.cuda.Device().synchronize()
        return out
    return run


# --- CuPy, plain array code (NumPy's peers, on the device) ---------------------

def _escape(cp, zr, zi, cr, ci, maxiter, strict):
    """Counts by masked iteration over the whole image (one kernel per operation)."""
    out = cp.zeros(zr.shape, dtype=cp.int32)
    alive = cp.ones(zr.shape, dtype=cp.bool_)
    for _ in range(maxiter):
        mag = zr * zr + zi * zi
        inside = (mag < 4.0) if strict else (mag <= 4.0)
        alive &= inside
        out += alive
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    return out


def julia(p):
    cp = _cupy()
    xs, ys = inputs.julia_axes(p)
    zr0 = cp.asarray(np.tile(xs, ys.size))
    zi0 = cp.asarray(np.repeat(ys, xs.size))
    return _timed(cp, lambda: OnDevice(_escape(cp, zr0, zi0, p["c_re"], p["c_im"], p["maxiter"], True)))


def mandelbrot(p):
    cp = _cupy()
    xs, ys = inputs.mandelbrot_axes(p)
    cr = cp.asarray(np.tile(xs, ys.size))
    ci = cp.asarray(np.repeat(ys, xs.size))
    zero = cp.zeros_like(cr)
    return _timed(cp, lambda: OnDevice(_escape(cp, zero, zero, cr, ci, p["maxiter"], False)))


def sieve(p):
    cp = _cupy()
    limit, count_only = p["limit"], p["count_only"]
    base = [int(q) for q in inputs.base_primes(limit) if q > 2]

    def run():
        if limit < 2:
            return 0 if count_only else OnDevice(cp.zeros(0, dtype=cp.int64))
        odd = cp.ones((limit + 1) // 2, dtype=cp.bool_)  # odd[k] stands for 2k+1
        odd[0] = False
        for q in base:
            odd[q * q // 2::q] = False
        if count_only:
            return int(cp.count_nonzero(odd)) + 1
        primes = cp.flatnonzero(odd).astype(cp.int64) * 2 + 1
        return OnDevice(cp.concatenate((cp.asarray([2], dtype=cp.int64), primes)))
    return _timed(cp, run)


def derivative(p):
    cp = _cupy()
    f = cp.asarray(inputs.splitmix64_uniform(p["seed"], p["n"]))
    dx2 = p["dx"] * p["dx"]
    return _timed(cp, lambda: OnDevice((f[:-2] - 2.0 * f[1:-1] + f[2:]) / dx2))


def laplacian(p):
    cp = _cupy()
    f = cp.asarray(inputs.splitmix64_uniform(p["seed"], p["rows"] * p["cols"]).reshape(p["rows"], p["cols"]))
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]
    k = 2.0 / dx2 + 2.0 / dy2
    return _timed(cp, lambda: OnDevice((f[:-2, 1:-1] + f[2:, 1:-1]) / dx2 + (f[1:-1, :-2] + f[1:-1, 2:]) / dy2
                                       - f[1:-1, 1:-1] * k))


def diffusion(p):
    cp = _cupy()
    u0 = cp.asarray(inputs.diffusion_initial(p))
    u = cp.empty_like(u0)
    lap = cp.empty_like(u0)
    alpha = p["d"] * p["dt"]
    steps = p["steps"]

    def run():
        u[:] = u0
        for _ in range(steps):
            cp.add(cp.roll(u, 1, axis=0), cp.roll(u, -1, axis=0), out=lap)
            cp.add(lap, cp.roll(u, 1, axis=1), out=lap)
            cp.add(lap, cp.roll(u, -1, axis=1), out=lap)
            cp.subtract(lap, 4.0 * u, out=lap)
            cp.multiply(lap, alpha, out=lap)
            cp.add(u, lap, out=u)
        return OnDevice(u)
    return _timed(cp, run)


def add(p):
    cp = _cupy()
    a = cp.asarray(inputs.splitmix64_uniform(1, p["n"]))
    b = cp.asarray(inputs.splitmix64_uniform(2, p["n"]))
    c = cp.empty_like(a)
    return _timed(cp, lambda: OnDevice(cp.add(a, b, out=c)))


# --- CuPy kernels: ElementwiseKernel and RawKernel -----------------------------

_ORBIT = """
    int k = 0;
    while (k < maxiter) {
        const double x2 = zr * zr, y2 = zi * zi;
        if (!(x2 + y2 %s 4.0)) break;
        const double xy = zr * zi;
        zr = x2 - y2 + cr;
        zi = xy * 2.0 + ci;
        ++k;
    }
    n = k;
"""


def julia_kernel(p):
    cp = _cupy()
    xs, ys = inputs.julia_axes(p)
    x = cp.asarray(xs).reshape(1, -1)
    y = cp.asarray(ys).reshape(-1, 1)
    k = cp.ElementwiseKernel("float64 x, float64 y, float64 cr, float64 ci, int32 maxiter", "int32 n",
                             "double zr = x, zi = y;" + _ORBIT % "<", "celer_peer_julia", options=EXACT)
    out = cp.empty((ys.size, xs.size), dtype=cp.int32)
    return _timed(cp, lambda: OnDevice(k(x, y, p["c_re"], p["c_im"], np.int32(p["maxiter"]), out)))


def mandelbrot_kernel(p):
    cp = _cupy()
    xs, ys = inputs.mandelbrot_axes(p)
    x = cp.asarray(xs).reshape(1, -1)
    y = cp.asarray(ys).reshape(-1, 1)
    k = cp.ElementwiseKernel("float64 cr, float64 ci, int32 maxiter", "int32 n",
                             "double zr = 0.0, zi = 0.0;" + _ORBIT % "<=", "celer_peer_mandelbrot", options=EXACT)
    out = cp.empty((ys.size, xs.size), dtype=cp.int32)
    return _timed(cp, lambda: OnDevice(k(x, y, np.int32(p["maxiter"]), out)))


def derivative_kernel(p):
    cp = _cupy()
    f = cp.asarray(inputs.splitmix64_uniform(p["seed"], p["n"]))
    k = cp.ElementwiseKernel("float64 a, float64 b, float64 c, float64 dx2", "float64 out",
                             "out = (a - 2.0 * b + c) / dx2", "celer_peer_derivative", options=EXACT)
    out = cp.empty(max(p["n"] - 2, 0))
    dx2 = p["dx"] * p["dx"]
    return _timed(cp, lambda: OnDevice(k(f[:-2], f[1:-1], f[2:], dx2, out)))


_LAPLACIAN_RAW = r"""
extern "C" __global__ void celer_peer_laplacian(const double* f, double* out, int rows, int cols,
                                                double dx2, double dy2, double k) {
    int c = blockIdx.x * blockDim.x + threadIdx.x, r = blockIdx.y * blockDim.y + threadIdx.y;
    if (c >= cols - 2 || r >= rows - 2) return;
    long long m = (long long)(r + 1) * cols + c + 1;
    out[(long long)r * (cols - 2) + c] = (f[m - cols] + f[m + cols]) / dx2 + (f[m - 1] + f[m + 1]) / dy2 - f[m] * k;
}
"""


def laplacian_kernel(p):
    cp = _cupy()
    rows, cols = p["rows"], p["cols"]
    f = cp.asarray(inputs.splitmix64_uniform(p["seed"], rows * cols))
    kernel = cp.RawKernel(_LAPLACIAN_RAW, "celer_peer_laplacian", options=EXACT)
    out = cp.empty((rows - 2, cols - 2))
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]
    k = 2.0 / dx2 + 2.0 / dy2
    grid = ((cols - 2 + 31) // 32, (rows - 2 + 7) // 8)
    args = (f, out, np.int32(rows), np.int32(cols), np.float64(dx2), np.float64(dy2), np.float64(k))
    return _timed(cp, lambda: (kernel(grid, (32, 8), args), OnDevice(out))[1])


_DIFFUSION_RAW = r"""
extern "C" __global__ void celer_peer_diffusion(const double* u, double* v, int rows, int cols, double w) {
    int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y * blockDim.y + threadIdx.y;
    if (j >= cols || i >= rows) return;
    int iu = i == 0 ? rows - 1 : i - 1, id = i == rows - 1 ? 0 : i + 1;
    int jl = j == 0 ? cols - 1 : j - 1, jr = j == cols - 1 ? 0 : j + 1;
    long long r = (long long)i * cols;
    double c = u[r + j];
    v[r + j] = c + w * (u[(long long)iu * cols + j] + u[(long long)id * cols + j] + u[r + jl] + u[r + jr] - 4.0 * c);
}
"""


def diffusion_kernel(p):
    cp = _cupy()
    rows, cols, steps = p["rows"], p["cols"], p["steps"]
    u0 = cp.asarray(inputs.diffusion_initial(p))
    a, b = cp.empty_like(u0), cp.empty_like(u0)
    kernel = cp.RawKernel(_DIFFUSION_RAW, "celer_peer_diffusion", options=EXACT)
    grid = ((cols + 31) // 32, (rows + 7) // 8)
    w = np.float64(p["d"] * p["dt"])

    def run():
        a[:] = u0
        src, dst = a, b
        for _ in range(steps):
            kernel(grid, (32, 8), (src, dst, np.int32(rows), np.int32(cols), w))
            src, dst = dst, src
        return OnDevice(src)
    return _timed(cp, run)


def add_kernel(p):
    cp = _cupy()
    a = cp.asarray(inputs.splitmix64_uniform(1, p["n"]))
    b = cp.asarray(inputs.splitmix64_uniform(2, p["n"]))
    c = cp.empty_like(a)
    k = cp.ElementwiseKernel("float64 a, float64 b", "float64 c", "c = a + b", "celer_peer_add")
    return _timed(cp, lambda: OnDevice(k(a, b, c)))


# --- Numba's CUDA target ---------------------------------------------------------

def _numba_cuda():
    from numba import cuda
    if not cuda.is_available():
        raise RuntimeError("numba.cuda finds no CUDA device")
    return cuda


def _numba_timed(cuda, body):
    def run():
        out = body()
        cuda.synchronize()
        return out
    return run


class _NumbaOnDevice(OnDevice):
    def __array__(self, dtype=None, copy=None):
        host = self.array.copy_to_host()
        return host if dtype is None else host.astype(dtype, copy=False)


def _numba_escape(p, julia_set):
    cuda = _numba_cuda()
    maxiter = p["maxiter"]

    @cuda.jit
    def kernel(xs, ys, cr, ci, out):
        j, i = cuda.grid(2)
        if i >= ys.size or j >= xs.size:
            return
        if julia_set:
            zr, zi, ar, ai = xs[j], ys[i], cr, ci
        else:
            zr, zi, ar, ai = 0.0, 0.0, xs[j], ys[i]
        n = 0
        while n < maxiter:
            x2 = zr * zr
            y2 = zi * zi
            if julia_set:
                if not (x2 + y2 < 4.0):
                    break
            elif not (x2 + y2 <= 4.0):
                break
            xy = zr * zi
            zr = x2 - y2 + ar
            zi = xy * 2.0 + ai
            n += 1
        out[i, j] = n

    xs, ys = inputs.julia_axes(p) if julia_set else inputs.mandelbrot_axes(p)
    dx, dy = cuda.to_device(xs), cuda.to_device(ys)
    out = cuda.device_array((ys.size, xs.size), dtype=np.int32)
    grid = ((xs.size + 15) // 16, (ys.size + 15) // 16)
    cr, ci = (p["c_re"], p["c_im"]) if julia_set else (0.0, 0.0)
    return _numba_timed(cuda, lambda: (kernel[grid, (16, 16)](dx, dy, cr, ci, out), _NumbaOnDevice(out))[1])


def julia_numba_cuda(p):
    return _numba_escape(p, True)


def mandelbrot_numba_cuda(p):
    return _numba_escape(p, False)


def add_numba_cuda(p):
    cuda = _numba_cuda()

    @cuda.jit
    def kernel(a, b, c):
        i = cuda.grid(1)
        stride = cuda.gridsize(1)
        while i < c.size:
            c[i] = a[i] + b[i]
            i += stride

    a = cuda.to_device(inputs.splitmix64_uniform(1, p["n"]))
    b = cuda.to_device(inputs.splitmix64_uniform(2, p["n"]))
    c = cuda.device_array(p["n"])
    blocks = min((p["n"] + 255) // 256, 65535)
    return _numba_timed(cuda, lambda: (kernel[blocks, 256](a, b, c), _NumbaOnDevice(c))[1])


def derivative_numba_cuda(p):
    cuda = _numba_cuda()
    dx2 = p["dx"] * p["dx"]

    @cuda.jit
    def kernel(f, out):
        k = cuda.grid(1)
        stride = cuda.gridsize(1)
        while k < out.size:
            out[k] = (f[k] - 2.0 * f[k + 1] + f[k + 2]) / dx2
            k += stride

    f = cuda.to_device(inputs.splitmix64_uniform(p["seed"], p["n"]))
    out = cuda.device_array(max(p["n"] - 2, 0))
    blocks = max(1, min((p["n"] + 255) // 256, 65535))
    return _numba_timed(cuda, lambda: (kernel[blocks, 256](f, out), _NumbaOnDevice(out))[1])


def laplacian_numba_cuda(p):
    cuda = _numba_cuda()
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]
    k = 2.0 / dx2 + 2.0 / dy2

    @cuda.jit
    def kernel(f, out):
        c, r = cuda.grid(2)
        if r >= out.shape[0] or c >= out.shape[1]:
            return
        out[r, c] = (f[r, c + 1] + f[r + 2, c + 1]) / dx2 + (f[r + 1, c] + f[r + 1, c + 2]) / dy2 - f[r + 1, c + 1] * k

    rows, cols = p["rows"], p["cols"]
    f = cuda.to_device(inputs.splitmix64_uniform(p["seed"], rows * cols).reshape(rows, cols))
    out = cuda.device_array((rows - 2, cols - 2))
    grid = ((cols - 2 + 31) // 32, (rows - 2 + 7) // 8)
    return _numba_timed(cuda, lambda: (kernel[grid, (32, 8)](f, out), _NumbaOnDevice(out))[1])


# name in peers.json -> factory, per workload
FACTORIES = {
    "cupy": {"julia": julia, "mandelbrot": mandelbrot, "sieve": sieve, "derivative": derivative,
             "laplacian": laplacian, "diffusion": diffusion, "add": add},
    "cupy-kernel": {"julia": julia_kernel, "mandelbrot": mandelbrot_kernel, "derivative": derivative_kernel,
                    "laplacian": laplacian_kernel, "diffusion": diffusion_kernel, "add": add_kernel},
    "numba-cuda": {"julia": julia_numba_cuda, "mandelbrot": mandelbrot_numba_cuda, "add": add_numba_cuda,
                   "derivative": derivative_numba_cuda, "laplacian": laplacian_numba_cuda},
}
