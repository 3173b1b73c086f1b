"""NumPy peers (whole-array expressions), numexpr peers (blocked, threaded
expressions into a preallocated output) and the primesieve library.

Each factory takes the parameters and returns `run()`, the timed call, with
inputs made beforehand. Names ending in `-out` write into an output allocated
outside the timed region, like Celer's rungs do."""
import numpy as np

import inputs


# --- escape-time fractals: iterate only the points still inside -------------

def _escape(zr, zi, cr, ci, maxiter, strict, out):
    """Counts of iterations with |z|² < 4 (strict, Julia) or ≤ 4 (Mandelbrot);
    arrays are flat; `cr`, `ci` scalars or per-point arrays."""
    idx = np.arange(zr.size)
    per_point = np.ndim(cr) > 0
    for it in range(maxiter):
        mag = zr * zr + zi * zi
        alive = mag < 4.0 if strict else mag <= 4.0
        if not alive.all():
            out[idx[~alive]] = it
            idx, zr, zi = idx[alive], zr[alive], zi[alive]
            if per_point:
                cr, ci = cr[alive], ci[alive]
            if idx.size == 0:
                return out
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    out[idx] = maxiter
    return out


def julia(p):
    xs, ys = inputs.julia_axes(p)
    zr0 = np.tile(xs, ys.size)
    zi0 = np.repeat(ys, xs.size)
    out = np.empty(zr0.size, dtype=np.int32)
    return lambda: _escape(zr0, zi0, p["c_re"], p["c_im"], p["maxiter"], True, out)


def mandelbrot(p):
    xs, ys = inputs.mandelbrot_axes(p)
    cr = np.tile(xs, ys.size)
    ci = np.repeat(ys, xs.size)
    out = np.empty(cr.size, dtype=np.int32)
    return lambda: _escape(np.zeros_like(cr), np.zeros_like(ci), cr, ci, p["maxiter"], False, out)


# --- sieve: odd numbers only, one byte each ------------------------------------

def sieve_numpy(limit, count_only):
    if limit < 2:
        return 0 if count_only else np.zeros(0, dtype=np.int64)
    odd = np.ones((limit + 1) // 2, dtype=bool)  # odd[k] stands for 2k+1
    odd[0] = False
    k = 1
    while (2 * k + 1) * (2 * k + 1) <= limit:
        if odd[k]:
            q = 2 * k + 1
            odd[q * q // 2::q] = False
        k += 1
    if count_only:
        return int(np.count_nonzero(odd)) + 1
    primes = np.flatnonzero(odd).astype(np.int64)
    primes *= 2
    primes += 1
    return np.concatenate((np.array([2], dtype=np.int64), primes))


def sieve(p):
    return lambda: sieve_numpy(p["limit"], p["count_only"])


def primesieve_lib(p):
    import primesieve
    limit, count_only = p["limit"], p["count_only"]
    if count_only:
        return lambda: primesieve.count_primes(limit)
    return lambda: np.frombuffer(primesieve.primes(limit), dtype=np.uint64)


# --- stencils and vectors -------------------------------------------------------

def derivative(p):
    f = inputs.splitmix64_uniform(p["seed"], p["n"])
    dx2 = p["dx"] * p["dx"]
    return lambda: (f[:-2] - 2.0 * f[1:-1] + f[2:]) / dx2


def derivative_numexpr(p):
    import numexpr as ne
    f = inputs.splitmix64_uniform(p["seed"], p["n"])
    a, b, c = f[:-2], f[1:-1], f[2:]
    dx2 = p["dx"] * p["dx"]
    out = np.empty(max(p["n"] - 2, 0))
    env = {"a": a, "b": b, "c": c, "dx2": dx2}
    return lambda: ne.evaluate("(a - 2.0 * b + c) / dx2", local_dict=env, out=out)


def _laplacian_input(p):
    return inputs.splitmix64_uniform(p["seed"], p["rows"] * p["cols"]).reshape(p["rows"], p["cols"])


def laplacian(p):
    f = _laplacian_input(p)
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]
    k = 2.0 / dx2 + 2.0 / dy2
    return lambda: ((f[:-2, 1:-1] + f[2:, 1:-1]) / dx2 + (f[1:-1, :-2] + f[1:-1, 2:]) / dy2
                    - f[1:-1, 1:-1] * k)


def laplacian_numexpr(p):
    import numexpr as ne
    f = _laplacian_input(p)
    up, down, left, right, mid = f[:-2, 1:-1], f[2:, 1:-1], f[1:-1, :-2], f[1:-1, 2:], f[1:-1, 1:-1]
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]
    k = 2.0 / dx2 + 2.0 / dy2
    out = np.empty((max(p["rows"] - 2, 0), max(p["cols"] - 2, 0)))
    env = {"up": up, "down": down, "left": left, "right": right, "mid": mid, "dx2": dx2, "dy2": dy2, "k": k}
    return lambda: ne.evaluate("(up + down) / dx2 + (left + right) / dy2 - mid * k", local_dict=env, out=out)


def diffusion(p):
    """In place, like the tutorial's NumPy version: np.roll for the periodic
    neighbours, accumulated into preallocated buffers."""
    u0 = inputs.diffusion_initial(p)
    u = np.empty_like(u0)
    lap = np.empty_like(u0)
    alpha = p["d"] * p["dt"]
    steps = p["steps"]

    def run():
        u[:] = u0
        for _ in range(steps):
            np.add(np.roll(u, 1, axis=0), np.roll(u, -1, axis=0), out=lap)
            np.add(lap, np.roll(u, 1, axis=1), out=lap)
            np.add(lap, np.roll(u, -1, axis=1), out=lap)
            np.subtract(lap, 4.0 * u, out=lap)
            np.multiply(lap, alpha, out=lap)
            np.add(u, lap, out=u)
        return u
    return run


def _add_inputs(p):
    return inputs.splitmix64_uniform(1, p["n"]), inputs.splitmix64_uniform(2, p["n"])


def add(p):
    a, b = _add_inputs(p)
    return lambda: a + b


def add_out(p):
    a, b = _add_inputs(p)
    c = np.empty_like(a)
    return lambda: np.add(a, b, out=c)


def add_numexpr(p):
    import numexpr as ne
    a, b = _add_inputs(p)
    c = np.empty_like(a)
    env = {"a": a, "b": b}
    return lambda: ne.evaluate("a + b", local_dict=env, out=c)
