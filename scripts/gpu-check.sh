#!/usr/bin/env bash
# gpu-check.sh: the one command for a machine with an NVIDIA GPU and a prebuilt explorer binary
# (built anywhere with CGO_ENABLED=0). In order of priority, within a time budget:
#   1. correctness: cudnn (eager, fused, fused + CUDA graph) against the native CPU backend on the
#      same seeded weights and input, max relative difference of the outputs (PASS <= 1e-4, TF32
#      off); with the default choice of implementations and with the own depthwise kernel
#      (EXPLORER_CUDNN_DW=nvrtc) and the cuBLASLt GEMMs (EXPLORER_CUDNN_GEMM=cublaslt) forced on,
#      each forced row also checking that the fingerprint says the forced implementation ran;
#   2. latency: ShuffleNetV2 0.5x/1.0x/1.5x/2.0x at batch 1/8/32, cudnn fused and fused with
#      CUDA-graph replay (and eager unless QUICK), PyTorch eager and CUDA-graph replay where torch
#      with CUDA is importable, ours/PyTorch per cell;
#   3. `explorer guidelines --backend cudnn --platform gpu --batch 8 --cuda-graph` (G1-G4, x1);
#   4. the in-graph profile of 1.0x batch 8 and of the cells furthest from 0.8x PyTorch's graph;
#   5. the remaining correctness rows.
# After every section it writes OUT_DIR/report.md (the tables) and OUT_DIR/cudnn.md (docs/cudnn.md
# with its generated section replaced: copy it over docs/cudnn.md, or set UPDATE_DOCS=1).
#
# Usage: scripts/gpu-check.sh [EXPLORER_BINARY]   (default: ./explorer, then explorer on PATH)
# Environment:
#   OUT_DIR     where everything goes (default: a new temp dir)
#   QUICK=1     graph replay only in the latency table, fewer iterations (about 7 minutes)
#   BUDGET_S    seconds after which sections are skipped (default 420 with QUICK, else 3000); no
#               single command may run past it either (timeout)
#   COMMIT      the commit the binary was built from (default: the file COMMIT beside the binary,
#               else git)
#   PYTHON      interpreter (default: the first of python3, /opt/torch/.venv/bin/python that
#               imports torch, else python3; the checks themselves need only the standard library)
#   SEED        seed of weights and inputs (default 7)
#   UPDATE_DOCS=1  also rewrite docs/cudnn.md in place
#   DRY_RUN=1   check the script itself without a GPU: the fake libraries
#               (scripts/gpu/fake-libs.sh, built into OUT_DIR/fake unless EXPLORER_CUDA_LIBS is
#               set), tiny inputs, synthetic PyTorch lines; never touches docs/
# Exit status: 0 every correctness row passed, 1 a row failed or the cudnn backend is
# unavailable, 2 usage error.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
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
explorer=$(cd "$(dirname "$explorer")" && pwd)/$(basename "$explorer")
quick=${QUICK:-0}
dry=${DRY_RUN:-0}
seed=${SEED:-7}
out=${OUT_DIR:-$(mktemp -d -t gpu-check.XXXXXX)}
mkdir -p "$out"/lat "$out"/io "$out"/profiles "$out"/logs
out=$(cd "$out" && pwd)
budget=${BUDGET_S:-3000}
if [[ $quick == 1 ]]; then
	budget=${BUDGET_S:-420}
fi
start=$SECONDS

# Python: one that imports torch if there is one (the latency table's PyTorch columns).
py=${PYTHON:-}
if [[ -z $py ]]; then
	for c in python3 /opt/torch/.venv/bin/python; do
		if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then
			py=$c
			break
		fi
	done
	py=${py:-python3}
fi

batches=(1 8 32)
widths=(0.5 1.0 1.5 2.0)
min_time=1s
min_iters=50
lat_modes=(eager fused graph)
guide_time=(--min-time 120ms)
if [[ $quick == 1 ]]; then
	min_time=0.3s
	min_iters=20
	lat_modes=(graph)
	guide_time=(--min-time 100ms --max-time 400ms)
fi
size=()    # extra knobs of every network design (DRY_RUN: tiny)
gsize=()   # extra knobs of the G4 micro-network rows
guide_args=(--exp G1,G2,G3,G4 --scales 1 --rounds 2)
if [[ $dry == 1 ]]; then
	if [[ -z ${EXPLORER_CUDA_LIBS:-} ]]; then
		bash "$here/gpu/fake-libs.sh" "$out/fake" >/dev/null || exit 1
		export EXPLORER_CUDA_LIBS=$out/fake
	fi
	batches=(1 2)
	widths=(0.5 1.0)
	min_time=0s
	min_iters=2
	size=(--res 32)
	gsize=(--res 8 --blocks 2)
	guide_args=(--exp G4 --scales 1 --rounds 1 --min-iters 1 --warmup 0)
	guide_time=(--min-time 0s)
fi

failed=0
status() { echo "$*" | tee -a "$out/status.txt"; }
left() { echo $((budget - (SECONDS - start))); }
# t CMD...: CMD with a time limit: T_CAP (default 150) s, or what is left of the budget (at least 5 s).
t() {
	local l
	l=$(left)
	local cap=${T_CAP:-150}
	l=$((l > cap ? cap : l < 5 ? 5 : l))
	timeout --kill-after=5 "$l" "$@"
}
# section NAME SECONDS: true when at least SECONDS of the budget are left, else says it skips NAME.
section() {
	if (($(left) < $2)); then
		status "skipped: $1 (time budget: $(left) s left of $budget)"
		return 1
	fi
	status "== $1 ($(left) s left)"
	return 0
}
report() {
	local docs_out=()
	if [[ ${UPDATE_DOCS:-0} == 1 && $dry != 1 ]]; then
		docs_out=(--update "$root/docs/cudnn.md")
	fi
	"$py" "$here/gpu/report.py" --dir "$out" --docs "$root/docs/cudnn.md" "${docs_out[@]}" >"$out/logs/report.log" 2>&1 ||
		echo "  (report.py failed: $(tail -n 1 "$out/logs/report.log"))"
}

# The machine and the exact command, for the report.
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command: QUICK=$quick DRY_RUN=$dry SEED=$seed${BUDGET_S:+ BUDGET_S=$BUDGET_S}${EXPLORER_CUDA_LIBS:+ EXPLORER_CUDA_LIBS=$EXPLORER_CUDA_LIBS} scripts/gpu-check.sh $explorer"
	commit=${COMMIT:-$(cat "$(dirname "$explorer")/COMMIT" 2>/dev/null)}
	commit=${commit:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo ' (uncommitted changes)')}
	echo "commit: ${commit:-unknown}"
	echo "binary: $(sha256sum "$explorer" | cut -c1-16)"
	echo "python: $py"
	if command -v nvidia-smi >/dev/null 2>&1; then
		echo "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | head -n 1)"
	fi
	"$py" -c 'import sys, torch, torchvision; print("torch:", torch.__version__, "torchvision", torchvision.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(), "GPU", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")' 2>/dev/null || echo "torch: not importable by $py"
	echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
} >"$out/machine.txt"
cat "$out/machine.txt"
: >"$out/status.txt"
: >"$out/correctness.tsv"

# json FILE EXPR: a value of an `explorer run --format json` result ("-" when absent).
json() {
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2" 2>/dev/null || echo "-"
}

# The cudnn backend must be available; its error says what is missing and where it looked. The
# probe's fingerprint names the GPU, the libraries and which implementations could be loaded.
if ! t "$explorer" run --backend cudnn --preset shufflenetv2-1.0 "${size[@]}" --warmup 0 --min-iters 1 --min-time 0s \
	--history off --format json >"$out/probe.json" 2>"$out/logs/probe.err"; then
	cat "$out/logs/probe.err" >&2
	status "cudnn backend unavailable"
	report
	exit 1
fi
# Without NVRTC the own kernel cannot be built; PyTorch's CUDA wheels bring one (and their cuDNN).
if [[ $dry != 1 && -z ${EXPLORER_CUDA_LIBS:-} && $(json "$out/probe.json" 'd["fingerprint"]["kernels"]') == *"NVRTC unavailable"* ]]; then
	site=$("$py" -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))' 2>/dev/null || true)
	if [[ -n $site && ( -e $site/nvidia/cu13/lib/libnvrtc.so.13 || -e $site/nvidia/cuda_nvrtc/lib/libnvrtc.so.12 ) ]]; then
		if t env EXPLORER_CUDA_LIBS="$site" "$explorer" run --backend cudnn --preset shufflenetv2-1.0 --warmup 0 --min-iters 1 \
			--min-time 0s --history off --format json >"$out/probe-torch.json" 2>"$out/logs/probe-torch.err"; then
			export EXPLORER_CUDA_LIBS=$site
			mv "$out/probe-torch.json" "$out/probe.json"
			echo "env: EXPLORER_CUDA_LIBS=$site" >>"$out/machine.txt"
			status "note: the library search found no NVRTC; using PyTorch's wheels (EXPLORER_CUDA_LIBS=$site)"
		fi
	fi
fi
echo "cudnn: $(json "$out/probe.json" 'd["fingerprint"]["device"]')"
echo "ShuffleNetV2 1.0x batch 1 fused: $(json "$out/probe.json" 'd["fingerprint"]["kernels"]')"


# timing NAME ENV ARGS...: one latency run; the result is lat/NAME.json.
timing() {
	local name=$1 envs=$2
	shift 2
	t env $envs "$explorer" run "$@" --seed "$seed" --warmup 20 --min-iters "$min_iters" --min-time "$min_time" \
		--history off --format json >"$out/lat/$name.json" 2>"$out/logs/$name.err" ||
		{
			echo "  ($name failed: $(tail -n 1 "$out/logs/$name.err"))"
			rm -f "$out/lat/$name.json"
		}
}

# Correctness rows: name|design knobs|environment. The forced rows make the backend use the own
# depthwise kernel or cuBLASLt wherever they apply (Compile fails if they cannot).
rows_first=(
	"snv2-1.0|--preset shufflenetv2-1.0|"
	"snv2-1.0-b8|--preset shufflenetv2-1.0 --batch 8|"
	"snv2-1.0-b8 dw=nvrtc|--preset shufflenetv2-1.0 --batch 8|EXPLORER_CUDNN_DW=nvrtc"
	"snv2-1.0-b8 gemm=cublaslt|--preset shufflenetv2-1.0 --batch 8|EXPLORER_CUDNN_GEMM=cublaslt"
	"snv2-2.0-b32 both forced|--preset shufflenetv2-2.0 --batch 32|EXPLORER_CUDNN_DW=nvrtc EXPLORER_CUDNN_GEMM=cublaslt"
	"mnv2-1.0-b2 both forced|--preset mobilenetv2-1.0 --batch 2|EXPLORER_CUDNN_DW=nvrtc EXPLORER_CUDNN_GEMM=cublaslt"
	"g4-b8|--family g4 --c 32 --batch 8 @G|"
	"g4-shortcut-only-b8 gemm=cublaslt|--family g4 --c 32 --batch 8 --no-relu true @G|EXPLORER_CUDNN_GEMM=cublaslt"
)
rows_rest=(
	"mnv2-1.0|--preset mobilenetv2-1.0|"
	"snv2-0.5-megvii|--preset shufflenetv2-0.5-megvii|"
	"snv1-1.0-g3|--preset shufflenetv1-1.0-g3|"
	"g4-neither-b8|--family g4 --c 32 --batch 8 --no-relu true --no-shortcut true @G|"
)

# correctness ROW...: each row in eager, fused and graph mode against the native backend.
correctness() {
	local row name knobs envs args ref key m extra cand res diff maxref rel verdict kern note
	for row in "$@"; do
		IFS='|' read -r name knobs envs <<<"$row"
		read -r -a args <<<"${knobs/@G/}"
		if [[ $knobs == *@G* ]]; then
			args+=("${gsize[@]}")
		else
			args+=("${size[@]}")
		fi
		# The seed is part of the key: a reused OUT_DIR with another SEED
		# must not compare against the other seed's reference.
		key=$(echo "${args[*]} seed$seed" | tr -c 'a-zA-Z0-9.\n' '_')
		ref="$out/io/native-$key.safetensors"
		if (($(left) < 15)); then
			status "skipped: correctness of $name (time budget)"
			return
		fi
		if [[ ! -s $ref ]] && ! t "$explorer" run --backend native --mode fused --threads 4 "${args[@]}" --seed "$seed" \
			--warmup 0 --min-iters 1 --min-time 0s --history off --format json --save-io "$ref" >/dev/null 2>"$out/logs/native-$key.err"; then
			printf '%s\t-\t%s\t-\t-\t-\tFAIL\tnative run failed: %s\n' "$name" "$envs" "$(tail -n 1 "$out/logs/native-$key.err")" >>"$out/correctness.tsv"
			failed=1
			continue
		fi
		for m in eager fused graph; do
			extra=(--mode "$m")
			if [[ $m == graph ]]; then
				extra=(--mode fused --cuda-graph)
			fi
			cand="$out/io/cudnn.safetensors"
			if ! t env $envs "$explorer" run --backend cudnn "${extra[@]}" "${args[@]}" --seed "$seed" --warmup 0 --min-iters 1 \
				--min-time 0s --history off --format json --save-io "$cand" >"$out/logs/cand.json" 2>"$out/logs/cand.err"; then
				printf '%s\t%s\t%s\t-\t-\t-\tFAIL\trun failed: %s\n' "$name" "$m" "$envs" "$(tail -n 1 "$out/logs/cand.err")" >>"$out/correctness.tsv"
				failed=1
				continue
			fi
			kern=$(json "$out/logs/cand.json" 'd["fingerprint"]["kernels"]')
			res=$("$py" "$here/gpu/compare.py" "$ref" "$cand" 2>&1) || failed=1
			read -r diff maxref rel verdict <<<"$res"
			[[ $verdict == PASS || $verdict == FAIL ]] || { verdict=FAIL diff=- maxref=- rel=- kern="compare: $res"; }
			note=$kern
			# A forced row must have run the forced implementation.
			if [[ $envs == *DW=nvrtc* && $kern != *dw3x3-nvrtc* ]] || [[ $envs == *GEMM=cublaslt* && $kern != *cublasLt* ]]; then
				verdict=FAIL note="forced implementation not in the fingerprint: $kern"
				failed=1
			fi
			[[ $verdict == PASS ]] || failed=1
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$m" "$envs" "$diff" "$maxref" "$rel" "$verdict" "$note" >>"$out/correctness.tsv"
			printf '  %-36s %-6s %9s %9s %9s %s\n' "$name" "$m" "$diff" "$maxref" "$rel" "$verdict"
		done
	done
}

if section "1. correctness (default and forced implementations)" 60; then
	correctness "${rows_first[@]}"
	report
fi

if section "2. ShuffleNetV2 latency" 60; then
	if [[ $dry == 1 ]]; then
		# Synthetic PyTorch lines, so that the report's PyTorch columns are exercised.
		for w in "${widths[@]}"; do
			for b in "${batches[@]}"; do
				echo "shufflenet_v2_x${w/./_} $b eager 9.0 dry-run"
				echo "shufflenet_v2_x${w/./_} $b graph 1.0 dry-run"
			done
		done >"$out/torch.txt"
	elif "$py" -c 'import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
		models=$(for w in "${widths[@]}"; do printf 'shufflenet_v2_x%s,' "${w/./_}"; done)
		t "$py" "$here/gpu/torch_bench.py" --models "${models%,}" --batch "$(IFS=,; echo "${batches[*]}")" \
			--iters "$min_iters" --min-time "${min_time%s}" >"$out/torch.txt" 2>"$out/logs/torch.err" ||
			echo "  (PyTorch benchmark failed: $(tail -n 1 "$out/logs/torch.err"))"
	else
		echo "  (PyTorch with CUDA not importable by $py: no PyTorch columns)"
	fi
	for w in "${widths[@]}"; do
		for b in "${batches[@]}"; do
			for m in "${lat_modes[@]}"; do
				if (($(left) < 10)); then
					status "skipped: latency from snv2-$w-b$b-$m on (time budget)"
					break 3
				fi
				extra=(--mode "$m")
				if [[ $m == graph ]]; then
					extra=(--mode fused --cuda-graph)
				fi
				timing "snv2-$w-b$b-$m" "" --backend cudnn --preset "shufflenetv2-$w" --batch "$b" "${size[@]}" "${extra[@]}"
			done
			echo "  $w b$b: $(for m in "${lat_modes[@]}"; do printf '%s %s ms  ' "$m" "$(json "$out/lat/snv2-$w-b$b-$m.json" '"%.4f" % d["latency_ms"]["median"]')"; done)"
		done
	done
	report
fi

if section "3. guideline micro-networks (explorer guidelines --backend cudnn --platform gpu --batch 8 --cuda-graph)" 60; then
	gb=8
	if [[ $dry == 1 ]]; then
		gb=2
	fi
	# The report quotes the command as run (a dry run's batch and experiments differ).
	echo "explorer guidelines --backend cudnn --platform gpu --batch $gb --cuda-graph ${guide_args[*]} ${guide_time[*]} --seed $seed" >"$out/guidelines.cmd"
	T_CAP=900 t "$explorer" guidelines --backend cudnn --platform gpu --batch "$gb" --cuda-graph "${guide_args[@]}" "${guide_time[@]}" --seed "$seed" \
		--out "$out/guidelines" --format svg >"$out/guidelines.txt" 2>"$out/logs/guidelines.err" ||
		echo "  (guidelines failed: $(tail -n 1 "$out/logs/guidelines.err"))"
	grep -E '^(G[1-4]|  (holds|weak|does not hold))' "$out/guidelines.txt" | head -n 20
	report
fi

if section "4. in-graph profiles" 30; then
	# 1.0x batch 8 always, then the cells furthest above 0.8x PyTorch's graph replay (report.py
	# lists them).
	cells=$("$py" "$here/gpu/report.py" --dir "$out" --worst 3 2>/dev/null)
	b8=8
	if [[ $dry == 1 ]]; then
		b8=2
	fi
	for cell in "1.0 $b8" $cells; do
		read -r w b <<<"${cell/:/ }"
		[[ -n $w && -n $b ]] || continue
		[[ -s $out/profiles/snv2-$w-b$b.txt ]] && continue
		if (($(left) < 20)); then
			status "skipped: profile of $w b$b (time budget)"
			break
		fi
		t "$explorer" run --backend cudnn --preset "shufflenetv2-$w" --batch "$b" "${size[@]}" --mode fused --cuda-graph --profile \
			--top 15 --warmup 5 --min-iters 10 --min-time 0s --history off >"$out/profiles/snv2-$w-b$b.txt" 2>&1 ||
			echo "  (profile $w b$b failed)"
	done
	# G4's four rows: where each one's GPU time goes, and how its convs ran.
	echo "explorer run --backend cudnn --family g4 --c 32 --batch $b8 ${gsize[*]} --mode fused --cuda-graph --profile" >"$out/g4-profile.cmd"
	for v in "ReLU+shortcut|" "ReLU-only|--no-shortcut true" "shortcut-only|--no-relu true" "neither|--no-relu true --no-shortcut true"; do
		IFS='|' read -r label knobs <<<"$v"
		if (($(left) < 20)); then
			status "skipped: G4 profiles from $label on (time budget)"
			break
		fi
		read -r -a kargs <<<"$knobs"
		t "$explorer" run --backend cudnn --family g4 --c 32 --batch "$b8" "${kargs[@]}" "${gsize[@]}" --mode fused --cuda-graph --profile \
			--top 12 --warmup 5 --min-iters 10 --min-time 0s --history off >"$out/profiles/g4-$label.txt" 2>&1 ||
			echo "  (G4 profile $label failed)"
	done
	report
fi

if section "5. remaining correctness rows" 60; then
	correctness "${rows_rest[@]}"
fi

report
echo
cat "$out/status.txt" | grep '^skipped' || true
echo "report: $out/report.md; regenerated docs: $out/cudnn.md"
if ((failed)); then
	echo "gpu-check: FAIL (see $out/correctness.tsv)"
	exit 1
fi
echo "gpu-check: correctness PASS ($(($(wc -l <"$out/correctness.tsv"))) rows; $(grep -c '^skipped' "$out/status.txt") items skipped for time) in $((SECONDS - start)) s"
