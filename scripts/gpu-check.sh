#!/usr/bin/env bash
# gpu-check.sh: one command for a machine with an NVIDIA GPU and the prebuilt explorer binary
# (built anywhere with CGO_ENABLED=0). It prints:
#   1. correctness: cudnn (eager, fused, fused + CUDA graph) against the native CPU backend on
#      the same seeded weights and input, max relative difference of the outputs (PASS <= 1e-4,
#      TF32 off);
#   2. latency: ShuffleNetV2 0.5x/1.0x/1.5x/2.0x at batch 1/8/32, cudnn eager, fused and fused
#      with CUDA-graph replay, and PyTorch eager and CUDA graph where torch is importable;
#   3. the guideline micro-networks G1-G4 (paper Tables 1-4, GPU designs, batch 8): median ms
#      and batches/s beside the paper's GTX 1080Ti batches/s.
#
# Usage: scripts/gpu-check.sh [EXPLORER_BINARY]   (default: ./explorer, then explorer on PATH)
# Environment: OUT_DIR (default: a new temp dir) keeps the --save-io files and raw results;
#   MIN_TIME (default 1s) and MIN_ITERS (default 50) per timing; QUICK=1 for batch 1 and 8
#   only and fewer iterations; PYTHON (default python3); SEED (default 7).
# Exit status: 0 all correctness checks passed, 1 a check failed or the cudnn backend is
# unavailable, 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
explorer=${1:-}
if [[ -z $explorer ]]; then
	if [[ -x ./explorer ]]; then
		explorer=./explorer
	else
		explorer=$(command -v explorer || true)
	fi
fi
if [[ -z $explorer || ! -x $explorer ]]; then
	echo "gpu-check: no explorer binary (give its path as the first argument)" >&2
	exit 2
fi
py=${PYTHON:-python3}
seed=${SEED:-7}
min_time=${MIN_TIME:-1s}
min_iters=${MIN_ITERS:-50}
batches=(1 8 32)
if [[ ${QUICK:-0} == 1 ]]; then
	batches=(1 8)
	min_time=0.3s
	min_iters=20
fi
out=${OUT_DIR:-$(mktemp -d -t gpu-check.XXXXXX)}
mkdir -p "$out"
failed=0

echo "== gpu-check: $("$explorer" version 2>/dev/null || echo "$explorer"), results in $out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

# The cudnn backend must be available; its error says what is missing and where it looked.
if ! "$explorer" run --backend cudnn --family g1 --c1 8 --res 8 --blocks 1 --warmup 0 --min-iters 1 \
	--min-time 0s --history off --format json >"$out/probe.json" 2>"$out/probe.err"; then
	cat "$out/probe.err" >&2
	exit 1
fi

# Optional flags of `explorer run` (wired by cmd/explorer): skip what this binary lacks.
graph_flag=()
if "$explorer" run -h 2>&1 | grep -q -- '-cuda-graph'; then
	graph_flag=(--cuda-graph)
else
	echo "note: this explorer has no --cuda-graph flag; graph columns are skipped"
fi

# median_ms FILE: the median latency (ms) of an `explorer run --format json` result: the GPU
# time of the forward pass from CUDA events (timer "device-events"), copies excluded.
median_ms() {
	"$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["latency_ms"]["median"])' "$1"
}

# wall_ms NAME: the median host wall time (launch, input/output copies, sync) of result NAME.
wall_ms() {
	"$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1])).get("wall_ms", {}).get("median", float("nan")))' \
		"$out/$1.json" 2>/dev/null || echo "-"
}

# timing NAME ARGS...: run and print the median ms, or "-" when the run fails.
timing() {
	local name=$1
	shift
	if "$explorer" run "$@" --seed "$seed" --warmup 20 --min-iters "$min_iters" --min-time "$min_time" \
		--history off --format json >"$out/$name.json" 2>"$out/$name.err"; then
		median_ms "$out/$name.json"
	else
		echo "-"
		echo "  ($name failed: $(tail -n 1 "$out/$name.err"))" >&2
	fi
}

echo
echo "== 1. correctness: cudnn vs native, same seed $seed (weights and input), rtol 1e-4"
printf '%-28s %-12s %10s %10s %10s %s\n' design mode max_diff max_ref rel result
designs=(
	"snv2-1.0 --preset shufflenetv2-1.0"
	"snv2-1.0-b8 --preset shufflenetv2-1.0 --batch 8"
	"snv2-0.5-megvii --preset shufflenetv2-0.5-megvii"
	"snv1-1.0-g3 --preset shufflenetv1-1.0-g3"
	"mnv2-1.0 --preset mobilenetv2-1.0"
	"g4 --family g4 --c 32 --batch 8"
)
for d in "${designs[@]}"; do
	read -r -a words <<<"$d"
	name=${words[0]}
	args=("${words[@]:1}")
	ref="$out/native-$name.safetensors"
	if ! "$explorer" run --backend native --mode fused "${args[@]}" --seed "$seed" --warmup 0 --min-iters 1 \
		--min-time 0s --history off --format json --save-io "$ref" >/dev/null 2>"$out/native-$name.err"; then
		echo "$name: native run failed: $(tail -n 1 "$out/native-$name.err")"
		failed=1
		continue
	fi
	modes=("eager" "fused")
	if ((${#graph_flag[@]})); then
		modes+=("graph")
	fi
	for m in "${modes[@]}"; do
		extra=(--mode "$m")
		if [[ $m == graph ]]; then
			extra=(--mode fused "${graph_flag[@]}")
		fi
		cand="$out/cudnn-$name-$m.safetensors"
		if ! "$explorer" run --backend cudnn "${extra[@]}" "${args[@]}" --seed "$seed" --warmup 0 --min-iters 1 \
			--min-time 0s --history off --format json --save-io "$cand" >/dev/null 2>"$out/cudnn-$name-$m.err"; then
			printf '%-28s %-12s %s\n' "$name" "$m" "run failed: $(tail -n 1 "$out/cudnn-$name-$m.err")"
			failed=1
			continue
		fi
		if res=$("$py" "$here/gpu/compare.py" "$ref" "$cand"); then
			:
		else
			failed=1
		fi
		read -r diff maxref rel verdict <<<"${res:-- - - FAIL}"
		printf '%-28s %-12s %10s %10s %10s %s\n' "$name" "$m" "$diff" "$maxref" "$rel" "$verdict"
	done
done

echo
echo "== 2. ShuffleNetV2 latency, median ms (fp32, TF32 off; cudnn: GPU time of the pass from CUDA"
echo "   events, as PyTorch's columns; graph_wall = host wall time of a graph run incl. pageable copies)"
torch_ok=0
if "$py" -c 'import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
	torch_ok=1
	batch_list=$(
		IFS=,
		echo "${batches[*]}"
	)
	"$py" "$here/gpu/torch_bench.py" --batch "$batch_list" --iters "$min_iters" \
		--min-time "${min_time%s}" >"$out/torch.txt" 2>"$out/torch.err" || {
		echo "  (PyTorch benchmark failed: $(tail -n 1 "$out/torch.err"))"
		torch_ok=0
	}
else
	echo "  (PyTorch with CUDA not importable by $py: torch columns are empty)"
fi
# torch_ms MODEL BATCH MODE: the PyTorch median from torch.txt, or "-".
torch_ms() {
	if ((torch_ok)); then
		awk -v m="$1" -v b="$2" -v k="$3" '$1 == m && $2 == b && $3 == k { print $4; found = 1 } END { if (!found) print "-" }' "$out/torch.txt"
	else
		echo "-"
	fi
}
printf '%-6s %5s %12s %12s %12s %12s %12s %12s\n' width batch cudnn_eager cudnn_fused cudnn_graph graph_wall torch_eager torch_graph
for w in 0.5 1.0 1.5 2.0; do
	tv="shufflenet_v2_x${w/./_}"
	for b in "${batches[@]}"; do
		e=$(timing "snv2-$w-b$b-eager" --backend cudnn --preset "shufflenetv2-$w" --batch "$b" --mode eager)
		f=$(timing "snv2-$w-b$b-fused" --backend cudnn --preset "shufflenetv2-$w" --batch "$b" --mode fused)
		g="-"
		if ((${#graph_flag[@]})); then
			g=$(timing "snv2-$w-b$b-graph" --backend cudnn --preset "shufflenetv2-$w" --batch "$b" --mode fused "${graph_flag[@]}")
		fi
		gw="-"
		if [[ $g != - ]]; then
			gw=$(wall_ms "snv2-$w-b$b-graph")
		fi
		printf '%-6s %5s %12s %12s %12s %12s %12s %12s\n' "$w" "$b" "$e" "$f" "$g" "$gw" \
			"$(torch_ms "$tv" "$b" eager)" "$(torch_ms "$tv" "$b" graph)"
	done
done

echo
echo "== 3. guideline micro-networks (GPU designs of paper Tables 1-4, 56x56, 10 blocks, batch 8)"
echo "   batches/s = 1000 / median ms; paper = GTX 1080Ti batches/s (x1 column)"
printf '%-4s %-22s %10s %10s %10s %10s %8s\n' exp row eager_ms fused_ms graph_ms best_b/s paper
guides=(
	"G1 1:1 1480 --family g1 --c1 128 --c2 128"
	"G1 1:2 1296 --family g1 --c1 90 --c2 180"
	"G1 1:6 876 --family g1 --c1 52 --c2 312"
	"G1 1:12 748 --family g1 --c1 36 --c2 432"
	"G2 g=1 2451 --family g2 --c 128 --groups 1"
	"G2 g=2 1725 --family g2 --c 180 --groups 2"
	"G2 g=4 1026 --family g2 --c 256 --groups 4"
	"G2 g=8 634 --family g2 --c 360 --groups 8"
	"G3 1-fragment 2446 --family g3 --c 128 --fragments 1"
	"G3 2-fragment-series 1790 --family g3 --c 128 --fragments 2"
	"G3 4-fragment-series 752 --family g3 --c 128 --fragments 4"
	"G3 2-fragment-parallel 1537 --family g3 --c 128 --fragments 2 --parallel true"
	"G3 4-fragment-parallel 691 --family g3 --c 128 --fragments 4 --parallel true"
	"G4 ReLU+shortcut 2427 --family g4 --c 32"
	"G4 ReLU-only 2647 --family g4 --c 32 --no-shortcut true"
	"G4 shortcut-only 2672 --family g4 --c 32 --no-relu true"
	"G4 neither 2842 --family g4 --c 32 --no-relu true --no-shortcut true"
)
for row in "${guides[@]}"; do
	read -r -a words <<<"$row"
	exp=${words[0]}
	label=${words[1]}
	paper=${words[2]}
	args=("${words[@]:3}" --batch 8)
	tag="$exp-$label"
	e=$(timing "$tag-eager" --backend cudnn "${args[@]}" --mode eager)
	f=$(timing "$tag-fused" --backend cudnn "${args[@]}" --mode fused)
	g="-"
	if ((${#graph_flag[@]})); then
		g=$(timing "$tag-graph" --backend cudnn "${args[@]}" --mode fused "${graph_flag[@]}")
	fi
	best=$(printf '%s\n' "$e" "$f" "$g" | grep -v -- '^-$' | sort -g | head -n 1 || true)
	bps="-"
	if [[ -n $best ]]; then
		bps=$(awk -v ms="$best" 'BEGIN { if (ms > 0) printf "%.0f", 1000 / ms; else print "-" }')
	fi
	printf '%-4s %-22s %10s %10s %10s %10s %8s\n' "$exp" "$label" "$e" "$f" "$g" "$bps" "$paper"
done

echo
if ((failed)); then
	echo "gpu-check: FAIL (see above; raw files in $out)"
	exit 1
fi
echo "gpu-check: correctness PASS; raw results in $out"
