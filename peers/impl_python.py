"""Pure-Python peers: plain loops over Python floats (array.array storage so
big inputs stay compact). Each kernel calls `budget.tick(done, total)` now and
then; the budget raises `OverBudget` once the projected time of a run exceeds
its limit, so a seed-size run is skipped with a reason instead of hanging.

The same code runs under CPython (`python`) and PyPy (`pypy`), and the
escape-time rows are what the `multiprocessing` peer ships to its workers.
NumPy is optional: without it (PyPy usually has none) the inputs come from
inputs.py's pure-Python paths and results stay array.array / lists."""
import array
import itertools

import inputs


class OverBudget(Exception):
    pass


def julia_row(xs, y, cr, ci, maxiter, out, k):
    """One row of the Julia set: the counts of points (x, y), x in xs, into out[k:]."""
    for x in xs:
        zr, zi, n = x, y, 0
        while n < maxiter and zr * zr + zi * zi < 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            n += 1
        out[k] = n
        k += 1


def mandelbrot_row(xs, ci, maxiter, out, k):
    """One row of the Mandelbrot set: the counts of c = cr + i·ci, cr in xs, into out[k:]."""
    for cr in xs:
        x = y = 0.0
        n = 0
        while n < maxiter and x * x + y * y <= 4.0:
            x, y = x * x - y * y + cr, 2.0 * x * y + ci
            n += 1
        out[k] = n
        k += 1


def julia(p, budget):
    xs, ys = inputs.julia_axis_lists(p)
    cr, ci, maxiter = p["c_re"], p["c_im"], p["maxiter"]
    out = array.array("i", bytes(4 * len(xs) * len(ys)))

    def run():
        for row, y in enumerate(ys):
            julia_row(xs, y, cr, ci, maxiter, out, row * len(xs))
            budget.tick(row + 1, len(ys))
        return out
    return run


def mandelbrot(p, budget):
    xs, ys = inputs.mandelbrot_axis_lists(p)
    maxiter = p["maxiter"]
    out = array.array("i", bytes(4 * len(xs) * len(ys)))

    def run():
        for row, ci in enumerate(ys):
            mandelbrot_row(xs, ci, maxiter, out, row * len(xs))
            budget.tick(row + 1, len(ys))
        return out
    return run


def sieve(p, budget):
    limit, count_only = p["limit"], p["count_only"]
    if limit > 300_000_000:
        raise OverBudget("pure-Python sieve is limited to 3e8 (one byte per number)")

    def run():
        if limit < 2:
            return 0 if count_only else []
        flags = bytearray([1]) * (limit + 1)
        flags[0] = flags[1] = 0
        p_ = 2
        while p_ * p_ <= limit:
            if flags[p_]:
                flags[p_ * p_::p_] = bytes(len(range(p_ * p_, limit + 1, p_)))
            p_ += 1
        if count_only:
            return flags.count(1)
        return list(itertools.compress(range(limit + 1), flags))
    return run


def derivative(p, budget):
    n, dx = p["n"], p["dx"]
    f = inputs.uniform_doubles(p["seed"], n)
    out = array.array("d", bytes(8 * max(n - 2, 0)))
    dx2 = dx * dx
    step = 1 << 16

    def run():
        for lo in range(1, n - 1, step):
            for i in range(lo, min(lo + step, n - 1)):
                out[i - 1] = (f[i - 1] - 2.0 * f[i] + f[i + 1]) / dx2
            budget.tick(min(lo + step, n - 1), n - 1)
        return inputs.as_result(out)
    return run


def laplacian(p, budget):
    n, m, dx, dy = p["rows"], p["cols"], p["dx"], p["dy"]
    if n * m > 50_000_000:
        raise OverBudget("pure Python: %d points would take minutes per run" % (n * m))
    f = inputs.uniform_doubles(p["seed"], n * m)
    out = array.array("d", bytes(8 * max(n - 2, 0) * max(m - 2, 0)))
    dx2, dy2 = dx * dx, dy * dy
    k = 2.0 / dx2 + 2.0 / dy2

    def run():
        o = 0
        for i in range(1, n - 1):
            r = i * m
            for j in range(1, m - 1):
                c = r + j
                out[o] = (f[c - m] + f[c + m]) / dx2 + (f[c - 1] + f[c + 1]) / dy2 - f[c] * k
                o += 1
            budget.tick(i, n - 2)
        return inputs.as_result(out)
    return run


def diffusion(p, budget):
    n, m, steps = p["rows"], p["cols"], p["steps"]
    u0 = inputs.diffusion_initial(p)
    u0 = u0 if isinstance(u0, list) else u0.tolist()
    alpha = p["d"] * p["dt"]

    def run():
        u = [row[:] for row in u0]
        v = [[0.0] * m for _ in range(n)]
        for s in range(steps):
            for i in range(n):
                up, row, down, new = u[i - 1], u[i], u[(i + 1) % n], v[i]
                for j in range(m):
                    lap = ((up[j] + down[j]) + row[j - 1]) + row[(j + 1) % m] - 4.0 * row[j]
                    new[j] = row[j] + alpha * lap
            u, v = v, u
            budget.tick(s + 1, steps)
        return u
    return run


def add(p, budget):
    n = p["n"]
    a = inputs.uniform_doubles(1, n)
    b = inputs.uniform_doubles(2, n)
    c = array.array("d", bytes(8 * n))
    step = 1 << 18

    def run():
        for lo in range(0, n, step):
            hi = min(lo + step, n)
            c[lo:hi] = array.array("d", map(float.__add__, a[lo:hi], b[lo:hi]))
            budget.tick(hi, n)
        return inputs.as_result(c)
    return run


KERNELS = {
    "julia": julia, "mandelbrot": mandelbrot, "sieve": sieve, "derivative": derivative,
    "laplacian": laplacian, "diffusion": diffusion, "add": add,
}
