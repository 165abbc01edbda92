#!/usr/bin/python3
"""Time torchvision ShuffleNetV2 under PyTorch on the CPU (the explorer's PyTorch peer).

For every (model, batch, threads, mode) it warms up, then repeats until at least
--min-iters iterations AND --min-time seconds have run, and prints one JSON line:
  {"engine": "pytorch", "model", "batch", "threads", "mode", "input", "iters",
   "median_ms", "p10_ms", "p90_ms", "min_ms", "mean_ms", ...}
Modes: eager (nn.Module under torch.inference_mode) and jit (torch.jit.script +
torch.jit.freeze + torch.jit.optimize_for_inference). Weights are random (seeded): speed
does not depend on their values.

It must run with OpenBLAS (Debian's libopenblas0-pthread): use scripts/peers/run_torch.sh,
which puts the openblas-pthread directory first on LD_LIBRARY_PATH. The script checks the
BLAS library actually mapped into the process and refuses to run without OpenBLAS unless
--allow-any-blas. Note: PyTorch runs convolutions through oneDNN (MKL-DNN) when it is
enabled (reported as "mkldnn"); BLAS serves the fc layer and any non-oneDNN fallback.

Example: scripts/peers/run_torch.sh --models shufflenet_v2_x1_0 --batch 1,8 --threads 1 \
             --modes eager,jit --min-iters 20 --min-time 2
"""

import argparse
import ctypes
import json
import os
import platform
import re
import sys
import time

import torch
import torchvision

MODELS = ["shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"]
MODES = ["eager", "jit"]


def csv(s, conv=str):
    return [conv(v) for v in s.split(",") if v.strip()]


def percentile(sorted_xs, q):
    """Linear interpolation between closest ranks (numpy's default); same rule as ort_bench.mjs."""
    if not sorted_xs:
        return float("nan")
    pos = q * (len(sorted_xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def blas_info():
    """Which BLAS is mapped into this process (after a matmul forced it to load)."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = set()
    try:
        maps = open("/proc/self/maps")  # Linux; other systems report no mapped libraries
    except OSError:
        maps = None
    if maps is not None:
        with maps as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if re.search(r"(blas|lapack|mkl_rt|libmkl)", os.path.basename(path)):
                    libs.add(path)
    info = {"libraries": sorted(libs), "openblas": any("openblas" in p for p in libs)}
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    info["torch_blas_info"] = m.group(1) if m else "?"
    handle = None
    for p in sorted(libs):
        if "openblas" in p:
            try:
                handle = ctypes.CDLL(p)
                handle.openblas_get_config.restype = ctypes.c_char_p
                info["config"] = handle.openblas_get_config().decode()
                break
            except (OSError, AttributeError):
                handle = None
    return info, handle


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def build(name, mode, batch, size):
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(batch, 3, size, size)
    if mode == "eager":
        return model, x, model
    if mode == "jit":
        with torch.no_grad():
            scripted = torch.jit.script(model)
            frozen = torch.jit.freeze(scripted)
            opt = torch.jit.optimize_for_inference(frozen)
        return opt, x, model
    raise ValueError(f"mode {mode!r}: want one of {MODES}")


def time_one(fn, x, warmup, min_iters, min_time, max_iters):
    with torch.inference_mode():
        for _ in range(warmup):
            fn(x)
        times = []
        start = time.perf_counter()
        while len(times) < max_iters and (len(times) < min_iters or time.perf_counter() - start < min_time):
            t0 = time.perf_counter_ns()
            fn(x)
            times.append((time.perf_counter_ns() - t0) / 1e6)
    return times


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--models", default=",".join(MODELS), help="comma list of torchvision builders")
    ap.add_argument("--batch", default="1", help="comma list of batch sizes")
    ap.add_argument("--threads", default="1", help="comma list of thread counts (torch.set_num_threads)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma list of eager,jit")
    ap.add_argument("--size", type=int, default=224, help="input height = width")
    ap.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    ap.add_argument("--min-iters", type=int, default=20)
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds")
    ap.add_argument("--max-iters", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--allow-any-blas", action="store_true", help="run even if OpenBLAS is not loaded")
    args = ap.parse_args()

    for m in csv(args.models):
        if m not in MODELS:
            sys.exit(f"--models: {m!r} unknown; have {','.join(MODELS)}")
    for m in csv(args.modes):
        if m not in MODES:
            sys.exit(f"--modes: {m!r} unknown; have {','.join(MODES)}")

    blas, ob = blas_info()
    if not blas["openblas"] and not args.allow_any_blas:
        sys.exit(f"OpenBLAS is not loaded (mapped BLAS: {blas['libraries']}); "
                 "run through scripts/peers/run_torch.sh or pass --allow-any-blas")
    print(f"# BLAS: {json.dumps(blas)}", file=sys.stderr)

    host = {"cpu": cpu_model(), "nproc": os.cpu_count(), "python": platform.python_version()}
    for name in csv(args.models):
        for batch in csv(args.batch, int):
            for threads in csv(args.threads, int):
                torch.set_num_threads(threads)
                if ob is not None:
                    ob.openblas_set_num_threads(threads)
                for mode in csv(args.modes):
                    torch.manual_seed(args.seed)
                    fn, x, eager = build(name, mode, batch, args.size)
                    with torch.inference_mode():
                        check = (fn(x) - eager(x)).abs().max().item() if mode != "eager" else 0.0
                    ts = time_one(fn, x, args.warmup, args.min_iters, args.min_time, args.max_iters)
                    s = sorted(ts)
                    row = {
                        "engine": "pytorch",
                        "engine_version": torch.__version__,
                        "model": name,
                        "batch": batch,
                        "threads": threads,
                        "mode": mode,
                        "input": [batch, 3, args.size, args.size],
                        "iters": len(ts),
                        "median_ms": round(percentile(s, 0.5), 4),
                        "p10_ms": round(percentile(s, 0.1), 4),
                        "p90_ms": round(percentile(s, 0.9), 4),
                        "min_ms": round(s[0], 4),
                        "mean_ms": round(sum(s) / len(s), 4),
                        "max_abs_vs_eager": check,
                        "torch_threads": torch.get_num_threads(),
                        "openblas_threads": ob.openblas_get_num_threads() if ob is not None else None,
                        "mkldnn": bool(torch.backends.mkldnn.enabled and torch.backends.mkldnn.is_available()),
                        "blas": blas.get("config", ",".join(blas["libraries"])),
                        "host": host,
                    }
                    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
