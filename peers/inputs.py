"""Inputs, parameters and validation shared by every Python peer.

The definitions follow docs/workloads.md: the SplitMix64 stream, the grids,
and the validation values. Validation sums are computed as accurately as
Celer's compensated sums (math.fsum, or an extended-precision pairwise sum for
very large arrays), so a peer is judged exactly like a Celer rung.
"""
import math

import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


_streams = {}


def splitmix64_uniform(seed, count, start=0, out=None, chunk=1 << 22):
    """Values start ..< start+count of SplitMix64 stream `seed` as doubles in
    [0, 1), vectorised in NumPy (uint64 arithmetic wraps like the definition).
    Without `out`, the array is made once per process and shared by every
    peer (read-only: peers never write their inputs)."""
    if out is None:
        key = (seed, count, start)
        if key not in _streams:
            arr = splitmix64_uniform(seed, count, start, np.empty(count, dtype=np.float64), chunk)
            arr.flags.writeable = False
            if len(_streams) >= 2:  # add uses two streams; keep no more
                _streams.pop(next(iter(_streams)))
            _streams[key] = arr
        return _streams[key]
    s = np.uint64(seed)
    for lo in range(0, count, chunk):
        hi = min(count, lo + chunk)
        z = np.arange(start + lo + 1, start + hi + 1, dtype=np.uint64)
        z *= GOLDEN
        z += s
        z ^= z >> np.uint64(30)
        z *= MIX1
        z ^= z >> np.uint64(27)
        z *= MIX2
        z ^= z >> np.uint64(31)
        z >>= np.uint64(11)
        np.multiply(z, 2.0 ** -53, out=out[lo:hi])
    return out


# ---------------------------------------------------------------------------
# Parameters. Celer passes its workload's parameters (names as the Swift case
# study reports them); the aliases below accept the usual spellings.

ALIASES = {
    "width": ["width", "w", "nx", "cols", "columns"],
    "height": ["height", "h", "ny", "rows"],
    "rows": ["rows", "n", "nrows", "height", "ny"],
    "cols": ["cols", "m", "ncols", "columns", "width", "nx"],
    "xmin": ["xmin", "x1", "xlo", "x0"],
    "xmax": ["xmax", "x2", "xhi"],
    "ymin": ["ymin", "y1", "ylo", "y0"],
    "ymax": ["ymax", "y2", "yhi"],
    "c_re": ["cre", "cr", "creal", "re"],
    "c_im": ["cim", "ci", "cimag", "im"],
    "maxiter": ["maxiter", "maxiterations", "iterations"],
    "limit": ["limit", "n", "max", "upto"],
    "count_only": ["countonly", "count"],
    "n": ["n", "size", "count", "length"],
    "dx": ["dx", "h", "spacing"],
    "dy": ["dy"],
    "steps": ["steps", "nsteps", "timesteps"],
    "d": ["d", "diffusivity", "diffusion"],
    "dt": ["dt"],
    "seed": ["seed"],
}

SEED_DEFAULTS = {
    # Values that the Swift side may leave implicit (fixed by workloads.md).
    "julia": {"xmin": -1.8, "xmax": 1.8, "ymin": -1.8, "ymax": 1.8, "c_re": -0.62772, "c_im": -0.42193},
    "mandelbrot": {"xmin": -2.13, "xmax": 0.77, "ymin": -1.3, "ymax": 1.3},
    "sieve": {"count_only": False},
    "derivative": {"dx": 0.5, "seed": 7},
    "laplacian": {"dx": 1.0, "dy": 1.0, "seed": 42},
    "diffusion": {"d": 1.0, "dt": 0.1},
    "add": {},
}

REQUIRED = {
    "julia": ["width", "height", "xmin", "xmax", "ymin", "ymax", "c_re", "c_im", "maxiter"],
    "mandelbrot": ["width", "height", "xmin", "xmax", "ymin", "ymax", "maxiter"],
    "sieve": ["limit", "count_only"],
    "derivative": ["n", "dx", "seed"],
    "laplacian": ["rows", "cols", "dx", "dy", "seed"],
    "diffusion": ["rows", "cols", "steps", "d", "dt"],
    "add": ["n"],
}


class ParameterError(Exception):
    pass


def _key(name):
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _numbers(value):
    if isinstance(value, (list, tuple)):
        return [float(v) for v in value]
    if isinstance(value, str):
        return [float(v) for v in value.replace("x", ",").replace("×", ",").split(",") if v.strip()]
    return [float(value)]


def normalise(workload, raw):
    """The parameters a peer needs, from Celer's parameter names (see ALIASES).
    Compound values are accepted too: `region` (xmin,xmax,ymin,ymax), `c`
    (re,im), `size` (width×height or rows×cols or n)."""
    keyed = {_key(k): v for k, v in raw.items()}
    p = dict(SEED_DEFAULTS.get(workload, {}))
    if "region" in keyed:
        r = _numbers(keyed["region"])
        if len(r) == 4:
            p.update(xmin=r[0], xmax=r[1], ymin=r[2], ymax=r[3])
    if "c" in keyed:
        c = _numbers(keyed["c"])
        if len(c) == 2:
            p.update(c_re=c[0], c_im=c[1])
    if "size" in keyed and workload in ("julia", "mandelbrot", "laplacian", "diffusion"):
        s = _numbers(keyed["size"])
        if len(s) == 2:
            a, b = int(s[0]), int(s[1])
            p.update(width=a, height=b) if workload in ("julia", "mandelbrot") else p.update(rows=a, cols=b)
        elif len(s) == 1:
            a = int(s[0])
            p.update(width=a, height=a, rows=a, cols=a)
    for name in REQUIRED[workload]:
        for alias in ALIASES.get(name, [name]):
            v = keyed.get(alias)
            if isinstance(v, (int, float, bool)) or (v is not None and name == "count_only"):
                p[name] = v
                break
    missing = [n for n in REQUIRED[workload] if n not in p]
    if missing:
        raise ParameterError("peer needs %s; Celer passed %s" % (", ".join(missing), ", ".join(sorted(raw)) or "nothing"))
    ints = {"width", "height", "rows", "cols", "maxiter", "limit", "n", "steps", "seed"}
    out = {}
    for name in REQUIRED[workload]:
        v = p[name]
        if name == "count_only":
            out[name] = v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes")
        elif name in ints:
            out[name] = int(v)
        else:
            out[name] = float(v)
    return out


# ---------------------------------------------------------------------------
# Grids and inputs (made outside the timed region).

def julia_axes(p):
    """xs[i] = x1 + (i·(x2 − x1))/width, as workloads.md writes it and Celer's
    Julia computes it (grids must agree bit for bit off the seed size too)."""
    w, h = p["width"], p["height"]
    xs = np.array([p["xmin"] + i * (p["xmax"] - p["xmin"]) / w for i in range(w)])
    ys = np.array([p["ymin"] + i * (p["ymax"] - p["ymin"]) / h for i in range(h)])
    return xs, ys


def mandelbrot_axes(p):
    w, h = p["width"], p["height"]
    # xmin + j·step with step = (xmax − xmin)/(W − 1), as np.linspace does: the
    # grid whose sum is 51198208 at the seed size ((j·(xmax − xmin))/(W − 1) gives 51198099).
    sx, sy = (p["xmax"] - p["xmin"]) / max(w - 1, 1), (p["ymax"] - p["ymin"]) / max(h - 1, 1)
    xs = np.array([p["xmin"] + j * sx for j in range(w)])
    ys = np.array([p["ymin"] + i * sy for i in range(h)])
    return xs, ys


def base_primes(limit):
    """Primes up to sqrt(limit) (the sieving primes), as int64."""
    r = int(limit ** 0.5)
    while r * r > limit:
        r -= 1
    while (r + 1) * (r + 1) <= limit:
        r += 1
    if r < 2:
        return np.zeros(0, dtype=np.int64)
    flags = np.ones(r + 1, dtype=bool)
    flags[:2] = False
    for q in range(2, int(r ** 0.5) + 1):
        if flags[q]:
            flags[q * q::q] = False
    return np.flatnonzero(flags).astype(np.int64)


def diffusion_initial(p):
    n, m = p["rows"], p["cols"]
    u = np.zeros((n, m))
    u[int(0.4 * n):int(0.5 * n), int(0.4 * m):int(0.5 * m)] = 0.005
    return u


# ---------------------------------------------------------------------------
# Validation: (name, value) pairs; integers exact, reals accurately summed.

def accurate_sum(a):
    """The sum of a float array to within an ulp of the exact sum: math.fsum
    up to 4e6 elements, else a pairwise sum in x87 extended precision (64-bit
    mantissa), whose error is far below the 1e-11 tolerance."""
    a = np.ascontiguousarray(a, dtype=np.float64).ravel()
    if a.size <= 4_000_000:
        return math.fsum(a.tolist())
    return float(np.sum(a, dtype=np.longdouble))


def validate(workload, p, out):
    if workload in ("julia", "mandelbrot"):
        return [("sum", int(np.sum(np.asarray(out), dtype=np.int64)))]
    if workload == "sieve":
        if p["count_only"]:
            return [("count", int(out))]
        arr = np.asarray(out)
        return [("count", int(arr.size)), ("sum", int(np.sum(arr, dtype=np.uint64)))]
    if workload in ("derivative", "laplacian"):
        return [("sum", accurate_sum(out)), ("sum_abs", accurate_sum(np.abs(out)))]
    if workload == "diffusion":
        u = np.asarray(out)
        return [("sum", accurate_sum(u)), ("max", float(u.max())), ("sumsq", accurate_sum(u * u))]
    if workload == "add":
        return [("sum", accurate_sum(out))]
    raise ValueError(workload)
