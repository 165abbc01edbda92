#!/usr/bin/env bash
# copy-ab.sh OUTDIR: A/B of the cudnn backend's copy kernels on a GPU (EXPLORER_CUDNN_COPY=memcpy3d
# against transform, graph replay, two alternating rounds of ShuffleNetV2 0.5x-2.0x), PyTorch
# graph/eager beside (scripts/gpu/torch_bench.py), a correctness check against the native backend
# and an in-graph profile of 1.0x batch 8. Run from the repository root; EXPLORER = the binary.
B=${EXPLORER:-out/gpu/explorer}; O=${1:?outdir}; mkdir -p "$O"
t() { local k=$1; shift; EXPLORER_CUDNN_COPY=$k timeout 60 "$B" run --backend cudnn --mode fused --cuda-graph --warmup 20 --min-iters 100 --min-time 0.5s --history off "$@" 2>&1 | grep -E "^latency|^wall|rror"; }
{
for i in 1 2; do for c in "1.0 8" "1.0 1" "2.0 8" "0.5 8" "1.5 8"; do set -- $c
  echo "== round $i: $1 b$2 memcpy3d"; t memcpy3d --preset shufflenetv2-$1 --batch $2
  echo "== round $i: $1 b$2 transform"; t transform --preset shufflenetv2-$1 --batch $2
done; done
echo "== torch"
timeout 120 python3 scripts/gpu/torch_bench.py --models shufflenet_v2_x0_5,shufflenet_v2_x1_0,shufflenet_v2_x1_5,shufflenet_v2_x2_0 --batch 1,8 --iters 50 --min-time 0.5 2>&1 | grep -v Warn
echo "== correctness vs native (seed 7)"
for m in "fused --cuda-graph" "eager"; do
  "$B" run --backend native --preset shufflenetv2-1.0 --batch 8 --seed 7 --warmup 0 --min-iters 1 --min-time 0s --history off --save-io "$O/n.st" >/dev/null 2>"$O/n.err" || { echo "native run failed:"; tail -2 "$O/n.err"; }
  "$B" run --backend cudnn --mode "$m" --preset shufflenetv2-1.0 --batch 8 --seed 7 --warmup 0 --min-iters 1 --min-time 0s --history off --save-io "$O/c.st" >/dev/null 2>"$O/c.err" || tail -2 "$O/c.err"
  echo "$m: $(python3 scripts/gpu/compare.py "$O/n.st" "$O/c.st" 2>&1)"
done
rm -f "$O"/*.st
} > "$O/ab.txt" 2>&1
timeout 60 "$B" run --backend cudnn --preset shufflenetv2-1.0 --batch 8 --mode fused --cuda-graph --profile --top 12 --warmup 20 --min-iters 50 --min-time 0.5s --history off > "$O/prof.txt" 2>&1
cat "$O/ab.txt"; grep -v "^host" "$O/prof.txt" | head -40
