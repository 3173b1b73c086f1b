"""Pythran peers: typed loops, compiled ahead of time by impl_pythran.py into
the module `celer_pythran` (-O3 -march=native -ffp-contract=off -fopenmp).

The `#pythran export` lines give the types; `#omp parallel for` spreads the
outer loop over OMP_NUM_THREADS threads. Every expression is written in the
order of the definitions (and of celer_cy.pyx), and with FMA contraction off
the compiled code rounds exactly as they do, so the validation values match
Celer's bit for bit. Results are written into arrays the caller allocated
(outside the timed call). This file is plain Python too: it runs, slowly,
without compiling, which is how Pythran code is meant to be tested.
"""

#pythran export julia(float64[:], float64[:], float64, float64, int, int32[:,:])
def julia(xs, ys, cr, ci, maxiter, out):
    h, w = ys.shape[0], xs.shape[0]
    #omp parallel for schedule(dynamic)
    for i in range(h):
        for j in range(w):
            zr = xs[j]
            zi = ys[i]
            n = 0
            while n < maxiter and zr * zr + zi * zi < 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                n += 1
            out[i, j] = n


#pythran export mandelbrot(float64[:], float64[:], int, int32[:,:])
def mandelbrot(xs, ys, maxiter, out):
    h, w = ys.shape[0], xs.shape[0]
    #omp parallel for schedule(dynamic)
    for i in range(h):
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
                n += 1
            out[i, j] = n


#pythran export derivative(float64[:], float64, float64[:])
def derivative(f, dx2, out):
    n = f.shape[0]
    #omp parallel for
    for i in range(1, n - 1):
        out[i - 1] = (f[i - 1] - 2.0 * f[i] + f[i + 1]) / dx2


#pythran export laplacian(float64[:,:], float64, float64, float64[:,:])
def laplacian(f, dx2, dy2, out):
    n, m = f.shape[0], f.shape[1]
    k = 2.0 / dx2 + 2.0 / dy2
    #omp parallel for
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i - 1, j - 1] = (f[i - 1, j] + f[i + 1, j]) / dx2 + (f[i, j - 1] + f[i, j + 1]) / dy2 - f[i, j] * k


def _diffusion_step(u, v, alpha):
    """One explicit step with periodic edges: rows by index, the columns'
    wrap-around apart from the interior loop."""
    n, m = u.shape[0], u.shape[1]
    k = m - 1
    #omp parallel for
    for i in range(n):
        up = i - 1 if i > 0 else n - 1
        down = i + 1 if i < n - 1 else 0
        v[i, 0] = u[i, 0] + alpha * (((u[up, 0] + u[down, 0]) + u[i, k]) + u[i, 1 % m] - 4.0 * u[i, 0])
        for j in range(1, k):
            v[i, j] = u[i, j] + alpha * (((u[up, j] + u[down, j]) + u[i, j - 1]) + u[i, j + 1] - 4.0 * u[i, j])
        if m > 1:
            v[i, k] = u[i, k] + alpha * (((u[up, k] + u[down, k]) + u[i, k - 1]) + u[i, 0] - 4.0 * u[i, k])


#pythran export diffusion(float64[:,:], float64[:,:], float64[:,:], float64, int)
def diffusion(u0, u, v, alpha, steps):
    """`steps` steps from u0, ping-ponging between u and v; the result is in
    v when steps is odd, else in u."""
    u[:, :] = u0
    for s in range(steps):
        if s % 2 == 0:
            _diffusion_step(u, v, alpha)
        else:
            _diffusion_step(v, u, alpha)


#pythran export add(float64[:], float64[:], float64[:])
def add(a, b, c):
    n = a.shape[0]
    #omp parallel for
    for i in range(n):
        c[i] = a[i] + b[i]
