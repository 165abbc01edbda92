#!/usr/bin/env python3
"""Where PyTorch's GPU time goes for torchvision ShuffleNetV2: the CUDA kernels of N eager
forward passes under torch.profiler (kernel time on the device only, host gaps excluded),
grouped by kernel name. Set-up as scripts/gpu/torch_bench.py: fp32, TF32 off, cudnn.benchmark,
eval mode, inference_mode, random weights.

Usage: torch_profile.py [--model shufflenet_v2_x1_0] [--batch 8] [--runs 10] [--rows 25]
Prints the total kernel time per forward pass (ms) and the top kernels by total time.
"""

import argparse

import torch
import torchvision
from torch.profiler import ProfilerActivity, profile


def device_time(e):
    """Self device time (us) of a profiler key average, across torch versions."""
    for attr in ("self_device_time_total", "self_cuda_time_total"):
        v = getattr(e, attr, None)
        if v is not None:
            return v
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="shufflenet_v2_x1_0")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rows", type=int, default=25)
    args = ap.parse_args()
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    model = getattr(torchvision.models, args.model)().eval().cuda()
    x = torch.randn(args.batch, 3, 224, 224, device="cuda")
    with torch.inference_mode():
        for _ in range(20):
            model(x)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(args.runs):
                model(x)
            torch.cuda.synchronize()
    # Kernel-level events only (names of device kernels and memcpy/memset).
    rows = [(device_time(e), e.count, e.key) for e in prof.key_averages() if device_time(e) > 0]
    # Operator rows (aten::...) also carry device time; keep the kernels, which are disjoint.
    kernels = [r for r in rows if not r[2].startswith("aten::")]
    total = sum(r[0] for r in kernels) / args.runs / 1000
    print(f"{args.model} batch {args.batch}: GPU kernel time per forward {total:.4f} ms "
          f"({args.runs} runs, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()})")
    print(f"{'ms/fwd':>8} {'%':>6} {'calls/fwd':>9}  kernel")
    for t, n, k in sorted(kernels, reverse=True)[: args.rows]:
        print(f"{t / args.runs / 1000:8.4f} {100 * t / args.runs / 1000 / total:6.1f} {n / args.runs:9.1f}  {k[:110]}")


if __name__ == "__main__":
    main()
