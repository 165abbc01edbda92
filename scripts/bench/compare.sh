#!/usr/bin/env bash
# Latency of ShuffleNetV2 0.5x/1.0x/1.5x/2.0x on this CPU: ours (explorer run, native backend,
# fused and eager) against PyTorch (eager and jit, Debian python3-torch + OpenBLAS) and ONNX
# Runtime (npm onnxruntime-node), measured in ONE session, alternating engines, repeated.
#
# Each round visits every width; for a width it times ours (all batches x threads x modes),
# then PyTorch (one process for all of them), then ONNX Runtime (one process), so a slow
# minute on this shared machine hits every engine alike. Every configuration runs about
# MIN_TIME seconds per round (at least MIN_ITERS iterations). aggregate.py takes the median of
# the per-round medians and the min..max spread over rounds, and writes the report.
#
# Needs: Go (builds ./cmd/explorer), scripts/peers/setup.sh done (it installs python3-torch,
# python3-torchvision, libopenblas0-pthread with apt and onnxruntime-node with npm; this
# script runs it with --no-apt when the npm package is missing and says so). ONNX models are
# exported by scripts/peers/export_onnx.py when missing.
#
# Usage: scripts/bench/compare.sh            (full run: about 12-15 minutes)
#   env: ROUNDS=5 MIN_TIME=1 MIN_ITERS=10 WIDTHS="0.5 1.0 1.5 2.0" BATCHES="1 8" THREADS="1 2"
#        ENGINES="ours torch ort" OUT=docs/benchmarks.md RAW=<dir for the raw JSONL> PEERS=1
#        LOCK=/tmp/explorer-bench.lock (every timed command runs under flock on it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-5}"
MIN_TIME="${MIN_TIME:-1}"
MIN_ITERS="${MIN_ITERS:-10}"
WIDTHS="${WIDTHS:-0.5 1.0 1.5 2.0}"
BATCHES="${BATCHES:-1 8}"
THREADS="${THREADS:-1 2}"
ENGINES="${ENGINES:-ours torch ort}"
OUT="${OUT:-docs/benchmarks.md}"
LOCK="${LOCK:-/tmp/explorer-bench.lock}"
RAW="${RAW:-$(mktemp -d /tmp/explorer-bench.XXXXXX)}"
mkdir -p "$RAW"
raw="$RAW/raw.jsonl"
: >"$raw"
csv() { echo "$*" | tr ' ' ','; }
has() { [[ " $ENGINES " == *" $1 "* ]]; }
log() { echo "compare: $*" >&2; }

# Build first: never time while building.
bin="$RAW/explorer"
log "go build -o $bin ./cmd/explorer"
CGO_ENABLED=0 go build -o "$bin" ./cmd/explorer

peers="$root/scripts/peers"
if has torch || has ort; then
  if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    log "PyTorch or OpenBLAS missing: running scripts/peers/setup.sh (apt + npm)"
    "$peers/setup.sh"
  elif has ort && [[ ! -d "$peers/node_modules/onnxruntime-node" ]]; then
    log "onnxruntime-node missing: running scripts/peers/setup.sh --no-apt (npm ci)"
    "$peers/setup.sh" --no-apt
  fi
fi
models=()
for w in $WIDTHS; do models+=("shufflenet_v2_x${w/./_}"); done
if has ort; then
  for m in "${models[@]}"; do
    for b in $BATCHES; do
      if [[ ! -f "$peers/onnx/${m}_b${b}.onnx" ]]; then
        log "exporting ONNX models (scripts/peers/export_onnx.py --batch $(csv $BATCHES))"
        /usr/bin/python3 "$peers/export_onnx.py" --models "$(IFS=,; echo "${models[*]}")" --batch "$(csv $BATCHES)" >&2
        break 2
      fi
    done
  done
fi

# Cost of each design (MAdds per image) for the GFLOP/s column.
for w in $WIDTHS; do
  "$bin" cost --preset "shufflenetv2-$w" --format json |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"cost": sys.argv[1], "madds_per_image": d["totals"]["madds"]}))' "$w" >>"$raw"
done

# Tag each JSON line with the round and the engine/width it came from.
tag() { /usr/bin/python3 -c '
import json, sys
extra = json.loads(sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        row = json.loads(line); row.update(extra); print(json.dumps(row), flush=True)
' "$1"; }

runlocked() { flock "$LOCK" "$@"; }

start=$(date -u +%FT%TZ)
for r in $(seq 1 "$ROUNDS"); do
  for w in $WIDTHS; do
    m="shufflenet_v2_x${w/./_}"
    if has ours; then
      for b in $BATCHES; do
        for t in $THREADS; do
          for mode in fused eager; do
            log "round $r/$ROUNDS: ours $w batch $b threads $t $mode"
            runlocked "$bin" run --preset "shufflenetv2-$w" --batch "$b" --threads "$t" --mode "$mode" \
              --warmup 5 --min-iters "$MIN_ITERS" --min-time "${MIN_TIME}s" --format json --history off |
              /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' |
              tag "{\"round\": $r, \"engine\": \"ours\", \"width\": \"$w\", \"batch\": $b, \"threads\": $t, \"mode\": \"$mode\"}" >>"$raw"
          done
        done
      done
    fi
    if has torch; then
      log "round $r/$ROUNDS: pytorch $w (eager, jit)"
      runlocked "$peers/run_torch.sh" --models "$m" --batch "$(csv $BATCHES)" --threads "$(csv $THREADS)" \
        --modes eager,jit --warmup 3 --min-iters "$MIN_ITERS" --min-time "$MIN_TIME" 2>>"$RAW/torch.stderr" |
        tag "{\"round\": $r, \"width\": \"$w\"}" >>"$raw"
    fi
    if has ort; then
      log "round $r/$ROUNDS: onnxruntime $w"
      runlocked node "$peers/ort_bench.mjs" --models "$m" --batch "$(csv $BATCHES)" --threads "$(csv $THREADS)" \
        --warmup 3 --min-iters "$MIN_ITERS" --min-time "$MIN_TIME" 2>>"$RAW/ort.stderr" |
        tag "{\"round\": $r, \"width\": \"$w\"}" >>"$raw"
    fi
  done
done
end=$(date -u +%FT%TZ)

# Where fusion saves time (guideline G4 on this CPU): per-step profile of 1.0x in both modes.
if has ours && [[ "${PROFILE:-1}" == 1 ]]; then
  for t in $THREADS; do
    for mode in eager fused; do
      log "profile: ours 1.0 batch 1 threads $t $mode"
      runlocked "$bin" run --preset shufflenetv2-1.0 --batch 1 --threads "$t" --mode "$mode" --warmup 5 \
        --min-iters "$MIN_ITERS" --min-time "${MIN_TIME}s" --profile --profile-runs 50 --format json --history off |
        /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' |
        tag "{\"kind\": \"profile\", \"engine\": \"ours\", \"width\": \"1.0\", \"batch\": 1, \"threads\": $t, \"mode\": \"$mode\"}" >>"$raw"
    done
  done
fi

cmd="ROUNDS=$ROUNDS MIN_TIME=$MIN_TIME MIN_ITERS=$MIN_ITERS WIDTHS=\"$WIDTHS\" BATCHES=\"$BATCHES\" THREADS=\"$THREADS\" ENGINES=\"$ENGINES\" scripts/bench/compare.sh"
/usr/bin/python3 "$root/scripts/bench/aggregate.py" --raw "$raw" --out "$OUT" --start "$start" --end "$end" \
  --command "$cmd" --commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo '+dirty')"
log "raw results: $raw; report: $OUT"
