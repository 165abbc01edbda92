#!/usr/bin/env bash
# device-run.sh BINARY OUTDIR: the one-call GPU session behind docs/cudnn.md's numbers. It
# prints the machine (nvidia-smi, Python, PyTorch and where its CUDA libraries are), probes the
# cudnn backend with the library search alone (no EXPLORER_CUDA_LIBS), and then runs
# scripts/gpu-check.sh with QUICK=1 (batch 1 and 8), everything logged under OUTDIR. Where the
# search alone finds nothing it retries with EXPLORER_CUDA_LIBS set to PyTorch's site-packages.
set -uo pipefail
bin=${1:?binary}
out=${2:?outdir}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
py=${PYTHON:-python3}
{
	date -u
	nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
	"$py" -c 'import sys, torch, torchvision; print("python", sys.version.split()[0], "torch", torch.__version__, "torchvision", torchvision.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1
	site=$("$py" -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))' 2>/dev/null)
	echo "site-packages: $site"
	ls "$site/nvidia" 2>&1 | tr '\n' ' '
	echo
} >"$out/machine.txt" 2>&1
cat "$out/machine.txt"
site=$(sed -n 's/^site-packages: //p' "$out/machine.txt")
probe() {
	"$bin" run --backend cudnn --family g1 --c1 8 --res 8 --blocks 1 --warmup 0 --min-iters 1 \
		--min-time 0s --history off "$@"
}
echo "== probe (library search alone)"
if ! probe >"$out/probe-search.txt" 2>&1; then
	cat "$out/probe-search.txt"
	echo "== probe with EXPLORER_CUDA_LIBS=$site"
	export EXPLORER_CUDA_LIBS=$site
	probe >"$out/probe-env.txt" 2>&1
fi
cat "$out"/probe-*.txt
echo "== per-step GPU profiles (CUDA events per step, uncaptured)"
profile() {
	local name=$1
	shift
	echo "-- $name: $*"
	"$bin" run --backend cudnn "$@" --profile --top 12 --warmup 5 --min-iters 20 --min-time 0s --history off 2>&1 |
		tee "$out/profile-$name.txt"
}
profile snv2-1.0-b8-fused --preset shufflenetv2-1.0 --batch 8 --mode fused
profile snv2-1.0-b8-eager --preset shufflenetv2-1.0 --batch 8 --mode eager
profile g2-g8-fused --family g2 --c 360 --groups 8 --batch 8 --mode fused
profile g3-4series-fused --family g3 --c 128 --fragments 4 --batch 8 --mode fused
echo "== gpu-check (QUICK=${QUICK:-1})"
OUT_DIR="$out/raw" QUICK=${QUICK:-1} PYTHON="$py" bash "$here/../gpu-check.sh" "$bin" 2>&1 | tee "$out/gpu-check.txt"
# The raw results in one archive (file names with ':' do not travel well).
find "$out/raw" -name '*.safetensors' -delete
tar -czf "$out/raw.tgz" -C "$out" raw && rm -rf "$out/raw"
