#!/usr/bin/env python3
"""Time torchvision ShuffleNetV2 on the GPU with PyTorch, eager and CUDA-graph replay.

Prints one line per (model, batch, mode): "model batch mode median_ms". fp32, TF32 off
(torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False, the
explorer's default), cudnn.benchmark on, eval mode under torch.inference_mode, random
weights (speed does not depend on them). Each timing: warm-up, then at least --iters
runs and --min-time seconds, each run timed with CUDA events; the median is reported.

Usage: torch_bench.py --models shufflenet_v2_x1_0,... --batch 1,8,32 [--iters 50] [--min-time 1]
"""

import argparse
import statistics
import time

import torch
import torchvision


def timed(fn, iters, min_time):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(10):
        fn()
    torch.cuda.synchronize()
    times = []
    t0 = time.perf_counter()
    while len(times) < iters or time.perf_counter() - t0 < min_time:
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="shufflenet_v2_x0_5,shufflenet_v2_x1_0,shufflenet_v2_x1_5,shufflenet_v2_x2_0")
    ap.add_argument("--batch", default="1,8,32")
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--min-time", type=float, default=1.0)
    args = ap.parse_args()
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    for name in args.models.split(","):
        model = getattr(torchvision.models, name)().eval().to(dev)
        for b in [int(v) for v in args.batch.split(",")]:
            x = torch.randn(b, 3, 224, 224, device=dev)
            with torch.inference_mode():
                eager = timed(lambda: model(x), args.iters, args.min_time)
                s = torch.cuda.Stream()
                s.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(s):
                    for _ in range(3):
                        model(x)
                torch.cuda.current_stream().wait_stream(s)
                g = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g):
                    model(x)
                graph = timed(g.replay, args.iters, args.min_time)
            print(f"{name} {b} eager {eager:.4f}", flush=True)
            print(f"{name} {b} graph {graph:.4f}", flush=True)


if __name__ == "__main__":
    main()
