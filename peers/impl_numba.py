"""Numba peers: `@njit` loops and `@njit(parallel=True)` with `prange`.
No `fastmath`, so LLVM neither reorders nor contracts into FMA and the
results match Celer's bit for bit. Compilation happens on the warm-up call
and is reported apart (compile_s)."""
import numpy as np
from numba import njit, prange

import inputs


def _escape_kernels(parallel):
    loop = prange if parallel else range

    @njit(parallel=parallel, cache=False)
    def julia(xs, ys, cr, ci, maxiter, out):
        for i in loop(ys.size):
            for j in range(xs.size):
                zr = xs[j]
                zi = ys[i]
                n = 0
                while n < maxiter and zr * zr + zi * zi < 4.0:
                    t = zr * zr - zi * zi + cr
                    zi = 2.0 * zr * zi + ci
                    zr = t
                    n += 1
                out[i, j] = n
        return out

    @njit(parallel=parallel, cache=False)
    def mandelbrot(xs, ys, maxiter, out):
        for i in loop(ys.size):
            ci = ys[i]
            for j in range(xs.size):
                cr = xs[j]
                x = 0.0
                y = 0.0
                n = 0
                while n < maxiter and x * x + y * y <= 4.0:
                    t = x * x - y * y + cr
                    y = 2.0 * x * y + ci
                    x = t
                    n += 1
                out[i, j] = n
        return out

    return julia, mandelbrot


_SERIAL = _escape_kernels(False)
_PARALLEL = _escape_kernels(True)


def _sieve_kernel(parallel):
    loop = prange if parallel else range

    @njit(parallel=parallel, cache=False)
    def mark(limit, base, segment, composite):
        """composite[k] for the odd number 2k+1, segment by segment."""
        nodd = composite.size
        nseg = (nodd + segment - 1) // segment
        for s in loop(nseg):
            lo = s * segment
            hi = min(lo + segment, nodd)
            for b in range(base.size):
                q = base[b]
                if q == 2:
                    continue
                k = (q * q) // 2
                if k >= hi:
                    break
                if k < lo:
                    k += ((lo - k + q - 1) // q) * q
                while k < hi:
                    composite[k] = 1
                    k += q
        return composite
    return mark


_MARK_SERIAL = _sieve_kernel(False)
_MARK_PARALLEL = _sieve_kernel(True)


def _sieve(p, mark):
    limit, count_only = p["limit"], p["count_only"]
    composite = np.zeros((limit + 1) // 2, dtype=np.uint8)

    def run():
        if limit < 2:
            return 0 if count_only else np.zeros(0, dtype=np.int64)
        composite[:] = 0
        mark(limit, inputs.base_primes(limit), 1 << 17, composite)
        composite[0] = 1
        if count_only:
            return int(composite.size - np.count_nonzero(composite)) + 1
        odd = np.flatnonzero(composite == 0).astype(np.int64)
        odd *= 2
        odd += 1
        return np.concatenate((np.array([2], dtype=np.int64), odd))
    return run


@njit(parallel=True, cache=False)
def _derivative(f, dx2, out):
    for i in prange(1, f.size - 1):
        out[i - 1] = (f[i - 1] - 2.0 * f[i] + f[i + 1]) / dx2
    return out


@njit(parallel=True, cache=False)
def _laplacian(f, dx2, dy2, out):
    k = 2.0 / dx2 + 2.0 / dy2
    n, m = f.shape
    for i in prange(1, n - 1):
        for j in range(1, m - 1):
            out[i - 1, j - 1] = ((f[i - 1, j] + f[i + 1, j]) / dx2 + (f[i, j - 1] + f[i, j + 1]) / dy2
                                 - f[i, j] * k)
    return out


@njit(parallel=True, cache=False)
def _diffusion_step(u, v, alpha):
    """One step u → v. Periodic rows by index; the columns' wrap-around done
    apart from the interior loop, which then vectorises."""
    n, m = u.shape
    for i in prange(n):
        up = i - 1 if i > 0 else n - 1
        down = i + 1 if i < n - 1 else 0
        v[i, 0] = u[i, 0] + alpha * (((u[up, 0] + u[down, 0]) + u[i, m - 1]) + u[i, 1 % m] - 4.0 * u[i, 0])
        for j in range(1, m - 1):
            v[i, j] = u[i, j] + alpha * (((u[up, j] + u[down, j]) + u[i, j - 1]) + u[i, j + 1] - 4.0 * u[i, j])
        if m > 1:
            k = m - 1
            v[i, k] = u[i, k] + alpha * (((u[up, k] + u[down, k]) + u[i, k - 1]) + u[i, 0] - 4.0 * u[i, k])


def _diffusion(u0, u, v, alpha, steps):
    """Steps alternate between the two grids from Python: swapping array
    variables inside one @njit(parallel=True) function made Numba's code
    about 5x slower here."""
    u[:, :] = u0
    for s in range(steps):
        if s % 2 == 0:
            _diffusion_step(u, v, alpha)
        else:
            _diffusion_step(v, u, alpha)
    return v if steps % 2 == 1 else u


@njit(parallel=True, cache=False)
def _add(a, b, c):
    for i in prange(a.size):
        c[i] = a[i] + b[i]
    return c


# --- factories ---------------------------------------------------------------

def julia(p, parallel):
    xs, ys = inputs.julia_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)
    k = (_PARALLEL if parallel else _SERIAL)[0]
    return lambda: k(xs, ys, p["c_re"], p["c_im"], p["maxiter"], out)


def mandelbrot(p, parallel):
    xs, ys = inputs.mandelbrot_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)
    k = (_PARALLEL if parallel else _SERIAL)[1]
    return lambda: k(xs, ys, p["maxiter"], out)


def sieve(p, parallel):
    return _sieve(p, _MARK_PARALLEL if parallel else _MARK_SERIAL)


def derivative(p):
    f = inputs.splitmix64_uniform(p["seed"], p["n"])
    out = np.empty(max(p["n"] - 2, 0))
    dx2 = p["dx"] * p["dx"]
    return lambda: _derivative(f, dx2, out)


def laplacian(p):
    f = inputs.splitmix64_uniform(p["seed"], p["rows"] * p["cols"]).reshape(p["rows"], p["cols"])
    out = np.empty((max(p["rows"] - 2, 0), max(p["cols"] - 2, 0)))
    return lambda: _laplacian(f, p["dx"] * p["dx"], p["dy"] * p["dy"], out)


def diffusion(p):
    u0 = inputs.diffusion_initial(p)
    u, v = np.empty_like(u0), np.empty_like(u0)
    return lambda: _diffusion(u0, u, v, p["d"] * p["dt"], p["steps"])


def add(p):
    a, b = inputs.splitmix64_uniform(1, p["n"]), inputs.splitmix64_uniform(2, p["n"])
    c = np.empty_like(a)
    return lambda: _add(a, b, c)
