# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Cython peers: typed memoryviews and OpenMP `prange` (threads from
OMP_NUM_THREADS). Built by impl_cython.py with -O3 -march=native
-ffp-contract=off, so C never contracts a*b+c into FMA and counts stay exact.
Inside prange, `n = n + 1` (not `n += 1`, which Cython treats as a reduction)."""
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t, uint8_t


def julia(const double[::1] xs, const double[::1] ys, double cr, double ci, int maxiter,
          int32_t[:, ::1] out):
    cdef Py_ssize_t i, j, h = ys.shape[0], w = xs.shape[0]
    cdef double zr, zi, t
    cdef int n
    for i in prange(h, nogil=True, schedule="dynamic"):
        for j in range(w):
            zr = xs[j]
            zi = ys[i]
            n = 0
            while n < maxiter and zr * zr + zi * zi < 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                n = n + 1
            out[i, j] = n
    return out


def mandelbrot(const double[::1] xs, const double[::1] ys, int maxiter, int32_t[:, ::1] out):
    cdef Py_ssize_t i, j, h = ys.shape[0], w = xs.shape[0]
    cdef double x, y, t, cr, ci
    cdef int n
    for i in prange(h, nogil=True, schedule="dynamic"):
        for j in range(w):
            cr = xs[j]
            ci = ys[i]
            x = 0.0
            y = 0.0
            n = 0
            while n < maxiter and x * x + y * y <= 4.0:
                t = x * x - y * y + cr
                y = 2.0 * x * y + ci
                x = t
                n = n + 1
            out[i, j] = n
    return out


def sieve_mark(const int64_t[::1] base, Py_ssize_t segment, uint8_t[::1] composite):
    """composite[k] = 1 for odd composites 2k+1, segments in parallel."""
    cdef Py_ssize_t nodd = composite.shape[0]
    cdef Py_ssize_t nseg = (nodd + segment - 1) // segment
    cdef Py_ssize_t s, lo, hi, b, k
    cdef int64_t q
    for s in prange(nseg, nogil=True, schedule="dynamic"):
        lo = s * segment
        hi = lo + segment
        if hi > nodd:
            hi = nodd
        for b in range(base.shape[0]):
            q = base[b]
            if q == 2:
                continue
            k = (q * q) // 2
            if k >= hi:
                break
            if k < lo:
                k = k + ((lo - k + q - 1) // q) * q
            while k < hi:
                composite[k] = 1
                k = k + q
    return composite


def derivative(const double[::1] f, double dx2, double[::1] out):
    cdef Py_ssize_t i, n = f.shape[0]
    for i in prange(1, n - 1, nogil=True):
        out[i - 1] = (f[i - 1] - 2.0 * f[i] + f[i + 1]) / dx2
    return out


def laplacian(const double[:, ::1] f, double dx2, double dy2, double[:, ::1] out):
    cdef Py_ssize_t i, j, n = f.shape[0], m = f.shape[1]
    cdef double k = 2.0 / dx2 + 2.0 / dy2
    for i in prange(1, n - 1, nogil=True):
        for j in range(1, m - 1):
            out[i - 1, j - 1] = ((f[i - 1, j] + f[i + 1, j]) / dx2 + (f[i, j - 1] + f[i, j + 1]) / dy2
                                 - f[i, j] * k)
    return out


cdef void _diffusion_step(const double[:, ::1] u, double[:, ::1] v, double alpha) noexcept nogil:
    """Periodic rows by index; the columns' wrap-around done apart from the
    interior loop, which then vectorises."""
    cdef Py_ssize_t i, j, up, down, n = u.shape[0], m = u.shape[1], k = m - 1
    for i in prange(n):
        up = i - 1 if i > 0 else n - 1
        down = i + 1 if i < n - 1 else 0
        v[i, 0] = u[i, 0] + alpha * (((u[up, 0] + u[down, 0]) + u[i, k]) + u[i, 1 % m] - 4.0 * u[i, 0])
        for j in range(1, k):
            v[i, j] = u[i, j] + alpha * (((u[up, j] + u[down, j]) + u[i, j - 1]) + u[i, j + 1] - 4.0 * u[i, j])
        if m > 1:
            v[i, k] = u[i, k] + alpha * (((u[up, k] + u[down, k]) + u[i, k - 1]) + u[i, 0] - 4.0 * u[i, k])


def diffusion(const double[:, ::1] u0, double[:, ::1] u, double[:, ::1] v, double alpha, int steps):
    cdef int s
    u[:, :] = u0
    for s in range(steps):
        if s % 2 == 0:
            _diffusion_step(u, v, alpha)
        else:
            _diffusion_step(v, u, alpha)
    return v if steps % 2 == 1 else u


def add(const double[::1] a, const double[::1] b, double[::1] c):
    cdef Py_ssize_t i, n = a.shape[0]
    for i in prange(n, nogil=True):
        c[i] = a[i] + b[i]
    return c
