#!/usr/bin/python3
"""Export torchvision ShuffleNetV2 widths to ONNX for the onnxruntime peer (ort_bench.mjs).

Writes <out>/<model>_b<batch>.onnx for every model and batch (static shapes, input "input"
[batch, 3, size, size], output "logits"), with random seeded weights (speed does not depend
on their values), plus <out>/manifest.json listing the files. Each model also gets <model>_b<batch>.ref.json with
PyTorch's logits on the deterministic input x[i] = float32(sin(0.001 i)) (i the flat NCHW
index), so ort_bench.mjs can check that onnxruntime computes the same network.

Example: /usr/bin/python3 scripts/peers/export_onnx.py --batch 1,8 --out scripts/peers/onnx
"""

import argparse
import inspect
import json
import os
import sys

import torch
import torchvision

MODELS = ["shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"]


def csv(s, conv=str):
    return [conv(v) for v in s.split(",") if v.strip()]


def probe_input(batch, size):
    """Deterministic input shared with ort_bench.mjs: x[i] = float32(sin(0.001 * i))."""
    n = batch * 3 * size * size
    return torch.arange(n, dtype=torch.float64).mul(0.001).sin().float().view(batch, 3, size, size)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batch", default="1,8", help="comma list of batch sizes (static in the graph)")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(here, "onnx"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for name in csv(args.models):
        if name not in MODELS:
            sys.exit(f"--models: {name!r} unknown; have {','.join(MODELS)}")
        torch.manual_seed(args.seed)
        model = getattr(torchvision.models, name)(weights=None).eval()
        for batch in csv(args.batch, int):
            x = torch.randn(batch, 3, args.size, args.size)
            path = os.path.join(args.out, f"{name}_b{batch}.onnx")
            kw = {}
            if "dynamo" in inspect.signature(torch.onnx.export).parameters:
                # Newer PyTorch (2.x) defaults to the dynamo exporter, which needs onnxscript;
                # the TorchScript exporter that Debian's 1.13 uses needs nothing more.
                kw["dynamo"] = False
            with torch.no_grad():
                torch.onnx.export(
                    model, x, path,
                    input_names=["input"], output_names=["logits"],
                    opset_version=args.opset, do_constant_folding=True, **kw,
                )
            with torch.no_grad():
                ref = model(probe_input(batch, args.size))
            with open(path[: -len(".onnx")] + ".ref.json", "w") as f:
                json.dump({"input": "sin(0.001*i)", "shape": list(ref.shape),
                           "logits": [float(v) for v in ref.flatten()]}, f)
            entry = {"model": name, "batch": batch, "input": [batch, 3, args.size, args.size],
                     "file": os.path.basename(path), "bytes": os.path.getsize(path),
                     "opset": args.opset, "torch": torch.__version__}
            manifest.append(entry)
            print(json.dumps(entry), flush=True)
    # Merge with an earlier manifest so partial re-exports keep the other entries.
    mpath = os.path.join(args.out, "manifest.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            done = {e["file"] for e in manifest}
            manifest = [e for e in json.load(f) if e["file"] not in done] + manifest
    with open(mpath, "w") as f:
        json.dump(sorted(manifest, key=lambda e: (e["model"], e["batch"])), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
