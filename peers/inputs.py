"""Inputs, parameters and validation shared by every Python peer.

The definitions follow docs/workloads.md: the SplitMix64 stream, the grids,
and the validation values. Validation sums are computed as accurately as
Celer's compensated sums (math.fsum, or an extended-precision pairwise sum for
very large arrays), so a peer is judged exactly like a Celer rung.
"""
import array
import math

try:
    import numpy as np
except ImportError:  # PyPy (or python3 -S) without NumPy: the pure-Python paths below
    np = None

GOLDEN_INT = 0x9E3779B97F4A7C15
MIX1_INT = 0xBF58476D1CE4E5B9
MIX2_INT = 0x94D049BB133111EB
MASK64 = (1 << 64) - 1
if np is not None:
    GOLDEN = np.uint64(GOLDEN_INT)
    MIX1 = np.uint64(MIX1_INT)
    MIX2 = np.uint64(MIX2_INT)


_streams = {}


def splitmix64_doubles(seed, count, start=0):
    """The same values as `splitmix64_uniform`, in pure Python (Python ints
    masked to 64 bits), as an array.array("d"). Bit for bit the NumPy
    stream: the top 53 bits convert to a double exactly and the scaling by
    2^-53 is exact (`python3 peers/inputs.py --check` compares the two)."""
    out = array.array("d", bytes(8 * count))
    s = seed & MASK64
    for i in range(count):
        z = (s + (start + i + 1) * GOLDEN_INT) & MASK64
        z = ((z ^ (z >> 30)) * MIX1_INT) & MASK64
        z = ((z ^ (z >> 27)) * MIX2_INT) & MASK64
        out[i] = ((z ^ (z >> 31)) >> 11) * (2.0 ** -53)
    return out


def uniform_doubles(seed, count):
    """Stream `seed` as an array.array("d") of Python floats: from the NumPy
    stream when NumPy is there (fast), else computed in pure Python."""
    if np is None:
        return splitmix64_doubles(seed, count)
    out = array.array("d")
    out.frombytes(np.ascontiguousarray(splitmix64_uniform(seed, count), dtype=np.float64).tobytes())
    return out


def as_result(buf):
    """A pure-Python kernel's array.array result: a NumPy view when NumPy is
    there (validated like every other peer), else the array itself."""
    return buf if np is None else np.frombuffer(buf, dtype=np.float64 if buf.typecode == "d" else np.int32)


def splitmix64_uniform(seed, count, start=0, out=None, chunk=1 << 22):
    """Values start ..< start+count of SplitMix64 stream `seed` as doubles in
    [0, 1), vectorised in NumPy (uint64 arithmetic wraps like the definition).
    Without `out`, the array is made once per process and shared by every
    peer (read-only: peers never write their inputs)."""
    if np is None:
        return splitmix64_doubles(seed, count, start)
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
    if workload in ("julia", "mandelbrot"):
        _grid(workload, keyed, out)
    return out


def _grid(workload, keyed, out):
    """`grid: "tutorial"` (Celer's --grid tutorial): the accumulated grid,
    whose steps divide the region by `divisions` (`width` and `height` are
    then the points sampled, possibly one more). Mandelbrot on it follows the
    2011 guide's rule. The peers' count kernels stay as they are: the guide's
    loop (update, then test |z| > 2, output = iteration) escapes at iteration
    k exactly when the definition's loop (test, then update) counts k + 1, so
    running that loop to maxiter + 1 and reading count − 1 gives the guide's
    iteration at its escape, or maxiter for a point that never escapes
    (`validate` turns that into the guide's figures)."""
    grid = str(keyed.get("grid", "formula")).lower()
    if grid not in ("formula", "tutorial"):
        raise ParameterError("grid must be formula or tutorial, got %r" % grid)
    if grid == "formula":
        return
    d = _numbers(keyed.get("divisions", []))
    if len(d) != 2:
        raise ParameterError("grid tutorial needs divisions WxH; Celer passed %r" % keyed.get("divisions"))
    out["grid"] = "tutorial"
    out["width"], out["height"] = int(d[0]), int(d[1])
    if workload == "mandelbrot":
        out["guide_maxiter"] = out["maxiter"]
        out["maxiter"] += 1


# ---------------------------------------------------------------------------
# Grids and inputs (made outside the timed region).

def tutorial_axis_lists(p):
    """The tutorials' grid: x from xmin while < xmax by (xmax − xmin)/width;
    y from ymax down while > ymin by (ymin − ymax)/height (Celer refuses a
    region whose steps would not advance, so these loops end), as lists of
    Python floats."""
    x_step = (p["xmax"] - p["xmin"]) / p["width"]
    y_step = (p["ymin"] - p["ymax"]) / p["height"]
    xs, ys = [], []
    x = p["xmin"]
    while x < p["xmax"]:
        xs.append(x)
        x += x_step
    y = p["ymax"]
    while y > p["ymin"]:
        ys.append(y)
        y += y_step
    return xs, ys


def julia_axis_lists(p):
    """xs[i] = x1 + (i·(x2 − x1))/width, as workloads.md writes it and Celer's
    Julia computes it (grids must agree bit for bit off the seed size too),
    as lists of Python floats (what the pure-Python peers iterate over)."""
    if p.get("grid") == "tutorial":
        return tutorial_axis_lists(p)
    w, h = p["width"], p["height"]
    xs = [p["xmin"] + i * (p["xmax"] - p["xmin"]) / w for i in range(w)]
    ys = [p["ymin"] + i * (p["ymax"] - p["ymin"]) / h for i in range(h)]
    return xs, ys


def mandelbrot_axis_lists(p):
    if p.get("grid") == "tutorial":
        return tutorial_axis_lists(p)
    w, h = p["width"], p["height"]
    # xmin + j·step with step = (xmax − xmin)/(W − 1), as np.linspace does: the
    # grid whose sum is 51198208 at the seed size ((j·(xmax − xmin))/(W − 1) gives 51198099).
    sx, sy = (p["xmax"] - p["xmin"]) / max(w - 1, 1), (p["ymax"] - p["ymin"]) / max(h - 1, 1)
    xs = [p["xmin"] + j * sx for j in range(w)]
    ys = [p["ymin"] + i * sy for i in range(h)]
    return xs, ys


def julia_axes(p):
    """The Julia axes as NumPy arrays (the same values)."""
    return tuple(np.array(v) for v in julia_axis_lists(p))


def mandelbrot_axes(p):
    return tuple(np.array(v) for v in mandelbrot_axis_lists(p))


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
    if np is None:
        u = [[0.0] * m for _ in range(n)]
        for i in range(int(0.4 * n), int(0.5 * n)):
            for j in range(int(0.4 * m), int(0.5 * m)):
                u[i][j] = 0.005
        return u
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


def _validate_pure(workload, p, out):
    """validate() for results that are Python sequences (no NumPy): the same
    values, every real sum by math.fsum (correctly rounded)."""
    if workload in ("julia", "mandelbrot"):
        return [("sum", sum(out))]
    if workload == "sieve":
        if p["count_only"]:
            return [("count", int(out))]
        return [("count", len(out)), ("sum", sum(out))]
    if workload in ("derivative", "laplacian"):
        return [("sum", math.fsum(out)), ("sum_abs", math.fsum(abs(x) for x in out))]
    if workload == "diffusion":
        flat = [x for row in out for x in row]
        return [("sum", math.fsum(flat)), ("max", max(flat)), ("sumsq", math.fsum(x * x for x in flat))]
    if workload == "add":
        return [("sum", math.fsum(out))]
    raise ValueError(workload)


def validate(workload, p, out):
    if workload == "mandelbrot" and "guide_maxiter" in p:
        # Counts of the loop run to maxiter + 1, less one: the guide's
        # iteration at the escape, maxiter if none (see _grid).
        m = p["guide_maxiter"]
        at = [int(c) - 1 for row in out for c in (row if hasattr(row, "__iter__") else [row])] \
            if (np is None or isinstance(out, (array.array, list))) else np.asarray(out, dtype=np.int64).ravel() - 1
        if np is None or isinstance(at, list):
            escaped = [a for a in at if a < m]
            return [("sum", sum(escaped)), ("updates", sum(a + 1 for a in escaped) + m * (len(at) - len(escaped))),
                    ("escaped", len(escaped))]
        escaped = at < m
        return [("sum", int(np.sum(at[escaped]))),
                ("updates", int(np.sum(at[escaped] + 1)) + m * int(np.count_nonzero(~escaped))),
                ("escaped", int(np.count_nonzero(escaped)))]
    if np is None or isinstance(out, (array.array, list)):
        return _validate_pure(workload, p, out)
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


def _check(argv):
    """`inputs.py --check`: the pure-Python stream against the NumPy one
    (exit 1 on any difference); `inputs.py --dump SEED START COUNT`: the
    pure-Python values as exact hex floats (for a test to compare with its
    own SplitMix64)."""
    if argv[:1] == ["--dump"]:
        seed, start, count = (int(v) for v in argv[1:4])
        for x in splitmix64_doubles(seed, count, start):
            print(x.hex())
        return 0
    if np is None:
        print("inputs.py --check needs NumPy (pip install numpy)", file=sys.stderr)
        return 2
    cases = [(0, 0, 1000), (1, 0, 4097), (2, 0, 4097), (7, 123456, 2000), (42, (1 << 22) - 5, 10),
             (MASK64, 0, 100), (0x123456789ABCDEF, 1 << 40, 100)]
    bad = 0
    for seed, start, count in cases:
        ref = np.empty(count)
        splitmix64_uniform(seed, count, start, ref, chunk=1000)
        pure = splitmix64_doubles(seed, count, start)
        diff = sum(1 for a, b in zip(ref.tolist(), pure) if a != b)
        print("seed %d start %d count %d: %s" % (seed, start, count, "identical" if diff == 0 else "%d differ" % diff))
        bad += diff
    return 1 if bad else 0


if __name__ == "__main__":
    import sys
    sys.exit(_check(sys.argv[1:]))
