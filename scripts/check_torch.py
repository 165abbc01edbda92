#!/usr/bin/python3
"""Check an explorer output file against PyTorch.

FILE is a safetensors file (as written by `explorer ... --save-io` or by
scripts/fixtures/gen_fixtures.py) holding weights under torchvision state_dict names plus
"input" (NCHW) and "output" (the logits the explorer computed). The weights are loaded into
the PyTorch model strictly (only BN num_batches_tracked may be absent), the model runs in
eval mode on "input", and the script prints max |ours - torch|, max |torch| and PASS/FAIL at
tolerance rtol * max |torch| (default 1e-4). Exit status: 0 PASS, 1 FAIL, 2 usage/load error.

The architecture comes from --arch, or else from the "spec" JSON in the file's metadata:
  --arch shufflenet_v2_x0_5 | shufflenet_v2_x1_0 | shufflenet_v2_x1_5 | shufflenet_v2_x2_0
  --arch shufflenet_v2 --repeats 2,3,2 --channels 24,48,96,192,256   (custom ShuffleNetV2)
  --arch mobilenet_v2 --width 0.35
  --arch shufflenet_v1 --groups 3 --stem 12 --repeats 1,2,1 --channels 48,96,192
--classes defaults to the row count of the file's fc / classifier weight.

Example: /usr/bin/python3 scripts/check_torch.py runner/testdata/snv2_small.safetensors \
             --arch shufflenet_v2 --repeats 2,3,2 --channels 24,48,96,192,256 --classes 10
"""

import argparse
import json
import os
import sys

# torch and the reference models are imported in main(), after the arguments are parsed, so
# that --help works without torch and a missing torch is a load error (exit 2), not a FAIL.
torch = models = st = None


def ints(s):
    return [int(v) for v in s.split(",") if v.strip()]


def spec_from_args(args, tensors, meta):
    """Design dict from the command line, falling back to the file's metadata."""
    file_spec = {}
    if "spec" in meta:
        try:
            file_spec = json.loads(meta["spec"])
        except json.JSONDecodeError as e:
            raise ValueError(f"metadata 'spec' is not JSON: {e}") from e
    if not args.arch:
        if not file_spec:
            raise ValueError("no --arch given and the file has no 'spec' metadata")
        spec = dict(file_spec)
    elif args.arch in models.SNV2_WIDTHS:
        reps, chans = models.SNV2_WIDTHS[args.arch]
        spec = {"family": "shufflenet_v2", "stages_repeats": reps, "stages_out_channels": chans}
    elif args.arch == "shufflenet_v2":
        if not (args.repeats and args.channels):
            raise ValueError("--arch shufflenet_v2 needs --repeats and --channels")
        spec = {"family": "shufflenet_v2"}
    elif args.arch == "mobilenet_v2":
        spec = {"family": "mobilenet_v2", "width_mult": args.width}
    elif args.arch == "shufflenet_v1":
        if not (args.repeats and args.channels):
            raise ValueError("--arch shufflenet_v1 needs --repeats and --channels")
        spec = {"family": "shufflenet_v1", "groups": args.groups, "stem_channels": args.stem}
    else:
        raise ValueError(f"--arch {args.arch!r}: unknown")
    if args.repeats:
        spec["stages_repeats"] = ints(args.repeats)
    if args.channels:
        spec["stages_out_channels"] = ints(args.channels)
    if args.classes:
        spec["num_classes"] = args.classes
    if "num_classes" not in spec:
        for k in ("fc.weight", "classifier.1.weight"):
            if k in tensors:
                spec["num_classes"] = int(tensors[k].shape[0])
                break
        else:
            raise ValueError("cannot infer the class count: give --classes")
    return spec


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("file")
    ap.add_argument("--arch", default="", help="model name (default: the file's spec metadata)")
    ap.add_argument("--repeats", default="", help="stage depths, e.g. 4,8,4")
    ap.add_argument("--channels", default="", help="stage output channels, e.g. 24,116,232,464,1024")
    ap.add_argument("--classes", type=int, default=0, help="class count (default: from fc weight)")
    ap.add_argument("--width", type=float, default=1.0, help="mobilenet_v2 width multiplier")
    ap.add_argument("--groups", type=int, default=3, help="shufflenet_v1 groups")
    ap.add_argument("--stem", type=int, default=24, help="shufflenet_v1 stem channels")
    ap.add_argument("--rtol", type=float, default=1e-4, help="tolerance as a fraction of max|torch|")
    ap.add_argument("--double", action="store_true", help="run PyTorch in float64 (a tighter oracle)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    args = ap.parse_args()
    global torch, models, st
    try:
        import torch
    except (ImportError, OSError) as e:
        print(f"check_torch: cannot import torch ({e}); on Debian run /usr/bin/python3 (python3-torch), "
              "elsewhere: python3 -m pip install torch torchvision", file=sys.stderr)
        return 2
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from pyref import models, st
    except (ImportError, OSError) as e:
        print(f"check_torch: cannot import the reference models, scripts/pyref ({e})", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)

    try:
        tensors, meta = st.read(args.file)
        for k in ("input", "output"):
            if k not in tensors:
                raise ValueError(f"no {k!r} tensor in the file")
        spec = spec_from_args(args, tensors, meta)
        model = models.build(spec)
        sd = {k: torch.from_numpy(v) for k, v in tensors.items() if k not in ("input", "output")}
        # BN num_batches_tracked is bookkeeping only (unused in eval): take the model's own.
        own = model.state_dict()
        for k, v in own.items():
            if k.endswith("num_batches_tracked") and k not in sd:
                sd[k] = v
        for k, v in sd.items():  # explicit shape check: clearer than torch's error
            if k in own and tuple(own[k].shape) != tuple(v.shape):
                raise ValueError(f"tensor {k!r}: shape {tuple(v.shape)}, model wants {tuple(own[k].shape)}")
        model.load_state_dict({k: v.to(own[k].dtype) if k in own else v for k, v in sd.items()}, strict=True)
    except (ValueError, RuntimeError, KeyError, OSError) as e:
        print(f"ERROR: {args.file}: {e}", file=sys.stderr)
        return 2

    model.eval()
    x = torch.from_numpy(tensors["input"])
    ours = torch.from_numpy(tensors["output"]).double()
    if args.double:
        model = model.double()
        x = x.double()
    else:
        x = x.float()
    with torch.no_grad():
        ref = model(x).double()
    if tuple(ref.shape) != tuple(ours.shape):
        print(f"FAIL: output shape {tuple(ours.shape)}, torch gives {tuple(ref.shape)}")
        return 1
    diff = (ours - ref).abs().max().item()
    scale = ref.abs().max().item()
    tol = args.rtol * scale
    ok = diff <= tol and torch.isfinite(ours).all().item()
    print(f"file: {args.file}")
    print(f"model: {json.dumps(spec, sort_keys=True)}")
    print(f"torch {torch.__version__} ({'float64' if args.double else 'float32'}), input {tuple(x.shape)}, output {tuple(ref.shape)}")
    print(f"max |ours - torch| = {diff:.3e}")
    print(f"max |torch|        = {scale:.3e}")
    print(f"tolerance          = {tol:.3e} ({args.rtol:g} x max |torch|)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
