#!/usr/bin/env python3
"""NumPy reference for the CelerArray tests.

Reads one JSON document from stdin:
    {"cases": [{"expr": "a[1:-1] + b.T", "arrays": {"a": {"dtype": "float64",
      "shape": [3, 4], "data": ["0.5", ...]}, ...}}, ...]}
Array data are strings (exact decimal text; complex as "re,im"). Each case's
expression is evaluated with `np` and the named arrays in scope, and one JSON
line per case is written to stdout:
    {"ok": true, "dtype": "float64", "shape": [2, 4], "data": ["0.25", ...]}
    {"ok": false, "error": "ValueError: operands could not be broadcast ..."}
Floats are written with repr (exact round trip; float32 as the exact double),
booleans as True/False, complex as "re,im". A string result (repr) is
returned as {"ok": true, "text": ...}.
"""
import json
import sys

import numpy as np


def decode(spec):
    dtype = np.dtype(spec["dtype"])
    data = spec["data"]
    if dtype.kind == "c":
        values = [complex(*map(float, s.split(","))) for s in data]
    elif dtype.kind == "b":
        values = [s == "True" for s in data]
    elif dtype.kind in "iu":
        values = [int(s) for s in data]
    else:
        values = [float(s) for s in data]
    return np.array(values, dtype=dtype).reshape(spec["shape"])


def text(x, kind):
    if kind == "c":
        return f"{float(x.real)!r},{float(x.imag)!r}"
    if kind == "b":
        return "True" if x else "False"
    if kind in "iu":
        return str(int(x))
    return repr(float(x))


def encode(result):
    if isinstance(result, str):
        return {"ok": True, "text": result}
    arr = np.asarray(result)
    kind = arr.dtype.kind
    return {"ok": True, "dtype": str(arr.dtype), "shape": list(arr.shape),
            "data": [text(x, kind) for x in arr.reshape(-1)]}


def main():
    request = json.load(sys.stdin)
    out = []
    for case in request["cases"]:
        scope = {"np": np}
        for name, spec in case["arrays"].items():
            scope[name] = decode(spec)
        try:
            with np.errstate(all="ignore"):
                out.append(encode(eval(case["expr"], scope)))
        except Exception as error:  # the test compares error cases too
            out.append({"ok": False, "error": f"{type(error).__name__}: {error}"})
    sys.stdout.write("\n".join(json.dumps(o) for o in out) + "\n")


if __name__ == "__main__":
    main()
