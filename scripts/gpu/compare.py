#!/usr/bin/env python3
"""Compare the "output" tensors of two `explorer run --save-io` files.

Usage: compare.py REFERENCE.safetensors CANDIDATE.safetensors [--rtol 1e-4]

Reads the files with the standard library only (safetensors: 8-byte little-endian header
length N, N bytes of JSON {name: {dtype, shape, data_offsets}}, then the raw data), checks
that both hold the same "input" (same seed, same data) and prints
  max|diff| max|ref| rel PASS|FAIL
where rel = max|cand - ref| / max|ref| and PASS means rel <= rtol; a NaN or infinity in
either output is a FAIL (printed as "nan nan nan FAIL (...)"). Exit status 0 PASS, 1 FAIL,
2 usage or read error (an empty output included).
"""

import argparse
import array
import json
import math
import struct
import sys


def read_f32(path, name):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        if name not in header:
            raise KeyError(f"{path}: no tensor {name!r}")
        t = header[name]
        if t["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name!r} is {t['dtype']}, want F32")
        begin, end = t["data_offsets"]
        f.seek(8 + n + begin)
        a = array.array("f")
        a.frombytes(f.read(end - begin))
        if sys.byteorder != "little":
            a.byteswap()
        return t["shape"], a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("candidate")
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()
    try:
        si, ri = read_f32(args.reference, "input")
        ci_shape, ci = read_f32(args.candidate, "input")
        so, ro = read_f32(args.reference, "output")
        co_shape, co = read_f32(args.candidate, "output")
    except (OSError, KeyError, ValueError) as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    if si != ci_shape or ri != ci:
        print("compare: the two files have different inputs", file=sys.stderr)
        return 2
    if so != co_shape:
        print(f"compare: output shapes differ: {so} vs {co_shape}", file=sys.stderr)
        return 2
    if len(ro) == 0:
        print("compare: the output tensors are empty", file=sys.stderr)
        return 2
    # A NaN or infinity anywhere fails: max() skips a NaN that is not first.
    bad = [i for i, (a, b) in enumerate(zip(ro, co)) if not (math.isfinite(a) and math.isfinite(b))]
    if bad:
        i = bad[0]
        print(f"nan nan nan FAIL ({len(bad)} non-finite output value(s), first at {i}: ref {ro[i]}, cand {co[i]})")
        return 1
    diff = max(abs(a - b) for a, b in zip(ro, co))
    ref = max(abs(a) for a in ro)
    rel = diff / ref if ref > 0 else diff
    ok = rel <= args.rtol
    print(f"{diff:.3g} {ref:.3g} {rel:.3g} {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
