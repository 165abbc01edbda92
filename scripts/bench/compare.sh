#!/usr/bin/env bash
# Latency of ShuffleNetV2 0.5x/1.0x/1.5x/2.0x on this CPU: ours (explorer run, native backend,
# fused and eager) against PyTorch (eager and jit; Debian python3-torch + OpenBLAS, or any
# PyTorch elsewhere) and ONNX Runtime (npm onnxruntime-node), measured in ONE session,
# alternating engines, repeated.
#
# Each round visits every width; for a width it times ours (all batches x threads x modes),
# then PyTorch (one process for all of them), then ONNX Runtime (one process), so a slow
# minute on this shared machine hits every engine alike. Every configuration runs about
# MIN_TIME seconds per round (at least MIN_ITERS iterations). aggregate.py takes the median of
# the per-round medians and the min..max spread over rounds, writes the report and prints
# ours / ONNX Runtime (and ours / best peer) per configuration on stdout.
#
# Runs on Linux and macOS, amd64 and arm64 (bash 3.2 and BSD tools are enough). Needs: Go
# (builds ./cmd/explorer), Node.js >= 16 with npm, and a python3 with torch + torchvision to
# export the ONNX models (and for the PyTorch peer). scripts/peers/setup.sh installs them with
# apt on Debian/Ubuntu (python3-torch, python3-torchvision, libopenblas0-pthread, nodejs, npm)
# and onnxruntime-node with npm everywhere; this script runs it when something is missing.
#
# Usage: scripts/bench/compare.sh            (full run: about 10-12 minutes, the rounds about 10 of them;
#            more on a first run, which installs the peers and exports the ONNX models, or while
#            another benchmark holds LOCK)
#        scripts/bench/compare.sh --quick    (ARM or any new machine, about 2 minutes:
#            ShuffleNetV2 1.0x, batch 1, 1 and 2 threads, ours and ONNX Runtime, 3 rounds;
#            report in a temporary directory, docs/ untouched)
#   env: ROUNDS=5 MIN_TIME=1 MIN_ITERS=10 WIDTHS="0.5 1.0 1.5 2.0" BATCHES="1 8" THREADS="1 2"
#        ENGINES="ours torch ort" OUT=docs/benchmarks.md RAW=<dir for the raw JSONL> PROFILE=1
#        EXTRA_KERNELS="generic" (also time ours fused with each of these kernel sets, e.g. the
#        pure-Go set against the default one, in the same rounds)
#        PYTHON=<python with torch> PEAK=<FMA GFLOP/s per core for the % of peak column; unset:
#        measured by scripts/bench/fmapeak before the rounds; auto: only this project's Zen 4's>
#        LOCK=/tmp/explorer-bench.lock (every timed command runs under flock on it where
#        flock(1) exists; macOS has none, and the commands then run unlocked)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
quick=0
for arg in "$@"; do
  case "$arg" in
  --quick) quick=1 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "compare: unknown argument $arg (valid: --quick, -h)" >&2; exit 2 ;;
  esac
done
if [[ $quick == 1 ]]; then
  ROUNDS="${ROUNDS:-3}" WIDTHS="${WIDTHS:-1.0}" BATCHES="${BATCHES:-1}" ENGINES="${ENGINES:-ours ort}" PROFILE="${PROFILE:-0}"
fi
ROUNDS="${ROUNDS:-5}"
MIN_TIME="${MIN_TIME:-1}"
MIN_ITERS="${MIN_ITERS:-10}"
WIDTHS="${WIDTHS:-0.5 1.0 1.5 2.0}"
BATCHES="${BATCHES:-1 8}"
THREADS="${THREADS:-1 2}"
ENGINES="${ENGINES:-ours torch ort}"
EXTRA_KERNELS="${EXTRA_KERNELS:-}"
LOCK="${LOCK:-/tmp/explorer-bench.lock}"
# RAW: made here (a temporary directory, or a RAW that did not exist) is removed again if the
# script fails before anything is measured; a RAW that existed only loses this run's files, and
# one that holds an earlier run's raw.jsonl is refused (this run would have truncated it).
raw_made=0
if [[ -z "${RAW:-}" ]]; then
  RAW="$(mktemp -d /tmp/explorer-bench.XXXXXX)"
  raw_made=1
elif [[ ! -d "$RAW" ]]; then
  mkdir -p "$RAW"
  raw_made=1
elif [[ -s "$RAW/raw.jsonl" ]]; then
  echo "compare: RAW=$RAW holds an earlier run's raw.jsonl; give a new or empty RAW directory (or remove that file)" >&2
  exit 2
fi
if [[ $quick == 1 ]]; then
  OUT="${OUT:-$RAW/report.md}"
fi
OUT="${OUT:-docs/benchmarks.md}"
raw="$RAW/raw.jsonl"
: >"$raw"
# The peers' stderr is appended round by round: start it empty.
rm -f "$RAW/torch.stderr" "$RAW/ort.stderr"
csv() { echo "$*" | tr ' ' ','; }
has() { [[ " $ENGINES " == *" $1 "* ]]; }
log() { echo "compare: $*" >&2; }
bin="$RAW/explorer"
measuring=0
cleanup() {
  local rc=$?
  [[ $rc == 0 ]] && return 0
  if [[ $measuring == 0 ]]; then
    if [[ $raw_made == 1 ]]; then
      rm -rf "$RAW"
      log "failed before measuring (exit $rc); removed $RAW"
    else
      rm -f "$bin" "$RAW/fmapeak" "$raw"
      log "failed before measuring (exit $rc); removed $bin${PEAK_BUILT:+, $RAW/fmapeak} and $raw"
    fi
  else
    local errs
    errs=$(cd "$RAW" && ls -- *.stderr 2>/dev/null | tr '\n' ' ' || true)
    errs=${errs% }
    log "failed (exit $rc); what was measured is in $raw${errs:+; stderr of the peers in $RAW: $errs}"
  fi
}
trap cleanup EXIT
# Ctrl-C and kill end the script with their own status, so cleanup sees a failure (with the
# EXIT trap alone an interrupt arrived as status 0: the temporary RAW stayed, unexplained).
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
# fail WHAT [STDERR_FILE]: a timed command failed: name it, show the end of its stderr, exit 1.
fail() {
  log "$1 failed"
  if [[ -n "${2:-}" && -s "$2" ]]; then
    log "last lines of $2:"
    tail -n 20 "$2" | sed 's/^/  /' >&2
  fi
  exit 1
}

# A python that can import torch: Debian's system python (python3-torch) first on Linux, the
# python3 on PATH first elsewhere (on macOS /usr/bin/python3 may be the Xcode stub).
pick_python() {
  local c cands="/usr/bin/python3 python3"
  [[ $(uname -s) == Linux ]] || cands="python3 /usr/bin/python3"
  for c in $cands; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch, torchvision' 2>/dev/null; then
      echo "$c"; return
    fi
  done
  for c in $cands; do
    if command -v "$c" >/dev/null 2>&1; then echo "$c"; return; fi
  done
  echo python3
}

# Build first: never time while building.
log "go build -o $bin ./cmd/explorer"
CGO_ENABLED=0 go build -o "$bin" ./cmd/explorer
peakbin="" PEAK_BUILT="" peak_source=given
if [[ -z "${PEAK:-}" ]]; then
  peakbin="$RAW/fmapeak"
  if CGO_ENABLED=0 go build -o "$peakbin" ./scripts/bench/fmapeak; then
    PEAK_BUILT=1
  else
    log "could not build scripts/bench/fmapeak: no % of peak column (set PEAK= to give one)"
    peakbin=""
  fi
fi

peers="$root/scripts/peers"
user_python="${PYTHON:-}"
PYTHON="${PYTHON:-$(pick_python)}"
export PYTHON
py() { "$PYTHON" "$@"; }
log "host $(uname -sm); python $PYTHON; engines $ENGINES"
models=()
for w in $WIDTHS; do models+=("shufflenet_v2_x${w/./_}"); done
# PyTorch is needed for the torch peer, and for ONNX Runtime only to export missing models.
need_torch=0
has torch && need_torch=1
if has ort; then
  for m in "${models[@]}"; do
    for b in $BATCHES; do
      [[ -f "$peers/onnx/${m}_b${b}.onnx" ]] || need_torch=1
    done
  done
fi
if has torch || has ort; then
  no_openblas=0
  if has torch && command -v dpkg >/dev/null 2>&1 && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    no_openblas=1
  fi
  if { [[ $need_torch == 1 ]] && ! py -c 'import torch, torchvision' 2>/dev/null; } || [[ $no_openblas == 1 ]]; then
    log "PyTorch (or Debian's OpenBLAS) missing: running scripts/peers/setup.sh (apt where there is apt, npm)"
    "$peers/setup.sh"
    # A PYTHON given by the user stays; else the python that now has torch.
    PYTHON="${user_python:-$(pick_python)}"
  elif has ort && ! { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }; then
    log "node or npm missing: running scripts/peers/setup.sh (apt nodejs npm where there is apt, then npm ci)"
    "$peers/setup.sh"
  elif has ort && [[ ! -d "$peers/node_modules/onnxruntime-node" ]]; then
    log "onnxruntime-node missing: running scripts/peers/setup.sh --no-apt (npm ci)"
    "$peers/setup.sh" --no-apt
  fi
fi
if has ort && ! command -v node >/dev/null 2>&1; then
  log "ENGINES has ort but node is not on PATH: install Node.js >= 16 with npm (scripts/peers/setup.sh; macOS: brew install node)"
  exit 2
fi
if has ort; then
  for m in "${models[@]}"; do
    for b in $BATCHES; do
      if [[ ! -f "$peers/onnx/${m}_b${b}.onnx" ]]; then
        log "exporting ONNX models (scripts/peers/export_onnx.py --batch $(csv $BATCHES))"
        py "$peers/export_onnx.py" --models "$(IFS=,; echo "${models[*]}")" --batch "$(csv $BATCHES)" >&2
        break 2
      fi
    done
  done
fi

# Cost of each design (MAdds per image) for the GFLOP/s column.
for w in $WIDTHS; do
  "$bin" cost --preset "shufflenetv2-$w" --format json |
    py -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"cost": sys.argv[1], "madds_per_image": d["totals"]["madds"]}))' "$w" >>"$raw"
done

# Tag each JSON line with the round and the engine/width it came from.
tag() { py -c '
import json, sys
extra = json.loads(sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        row = json.loads(line); row.update(extra); print(json.dumps(row), flush=True)
' "$1"; }

# Every timed command holds the benchmark lock, so no two measurements on this machine overlap
# (flock(1) is util-linux: where it is missing, e.g. macOS, the commands run unlocked).
if command -v flock >/dev/null 2>&1; then
  runlocked() { flock "$LOCK" "$@"; }
else
  log "no flock(1) here: timed commands run without $LOCK"
  runlocked() { "$@"; }
fi

# The % of peak column's denominator: PEAK, or this core's FMA peak measured now
# (scripts/bench/fmapeak, about a second; a CPU or GOARCH without its loops leaves "auto").
if [[ -n "$peakbin" ]]; then
  if PEAK="$(runlocked "$peakbin" -q)"; then
    peak_source=measured
    log "FMA peak $PEAK GFLOP/s per core (scripts/bench/fmapeak; set PEAK= to override)"
  else
    PEAK=""
    log "scripts/bench/fmapeak measured nothing on this CPU: no % of peak column (set PEAK= to give one)"
  fi
fi

start=$(date -u +%FT%TZ)
measuring=1
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
              py -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' |
              tag "{\"round\": $r, \"engine\": \"ours\", \"width\": \"$w\", \"batch\": $b, \"threads\": $t, \"mode\": \"$mode\"}" >>"$raw" ||
              fail "ours (explorer run, round $r, width $w, batch $b, threads $t, $mode; its error is above)"
          done
          for k in $EXTRA_KERNELS; do
            log "round $r/$ROUNDS: ours $w batch $b threads $t fused, kernels $k"
            runlocked "$bin" run --preset "shufflenetv2-$w" --batch "$b" --threads "$t" --mode fused --kernels "$k" \
              --warmup 2 --min-iters "$MIN_ITERS" --min-time "${MIN_TIME}s" --format json --history off |
              py -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' |
              tag "{\"round\": $r, \"engine\": \"ours\", \"width\": \"$w\", \"batch\": $b, \"threads\": $t, \"mode\": \"fused:$k\"}" >>"$raw" ||
              fail "ours (explorer run, round $r, width $w, batch $b, threads $t, fused, kernels $k; its error is above)"
          done
        done
      done
    fi
    if has torch; then
      log "round $r/$ROUNDS: pytorch $w (eager, jit)"
      runlocked "$peers/run_torch.sh" --models "$m" --batch "$(csv $BATCHES)" --threads "$(csv $THREADS)" \
        --modes eager,jit --warmup 3 --min-iters "$MIN_ITERS" --min-time "$MIN_TIME" 2>>"$RAW/torch.stderr" |
        tag "{\"round\": $r, \"width\": \"$w\"}" >>"$raw" ||
        fail "PyTorch (scripts/peers/run_torch.sh, round $r, width $w)" "$RAW/torch.stderr"
    fi
    if has ort; then
      log "round $r/$ROUNDS: onnxruntime $w"
      runlocked node "$peers/ort_bench.mjs" --models "$m" --batch "$(csv $BATCHES)" --threads "$(csv $THREADS)" \
        --warmup 3 --min-iters "$MIN_ITERS" --min-time "$MIN_TIME" 2>>"$RAW/ort.stderr" |
        tag "{\"round\": $r, \"width\": \"$w\"}" >>"$raw" ||
        fail "ONNX Runtime (node scripts/peers/ort_bench.mjs, round $r, width $w)" "$RAW/ort.stderr"
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
        py -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' |
        tag "{\"kind\": \"profile\", \"engine\": \"ours\", \"width\": \"1.0\", \"batch\": 1, \"threads\": $t, \"mode\": \"$mode\"}" >>"$raw" ||
        fail "ours (explorer run --profile, threads $t, $mode; its error is above)"
    done
  done
fi

cmd="ROUNDS=$ROUNDS MIN_TIME=$MIN_TIME MIN_ITERS=$MIN_ITERS WIDTHS=\"$WIDTHS\" BATCHES=\"$BATCHES\" THREADS=\"$THREADS\" ENGINES=\"$ENGINES\"${EXTRA_KERNELS:+ EXTRA_KERNELS=\"$EXTRA_KERNELS\"} scripts/bench/compare.sh"
commit="?"
if git rev-parse --short HEAD >/dev/null 2>&1; then
  commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo '+dirty')"
fi
py "$root/scripts/bench/aggregate.py" --raw "$raw" --out "$OUT" --start "$start" --end "$end" \
  --command "$cmd" --commit "$commit" --peak "${PEAK:-auto}" --peak-source "$peak_source"
log "raw results: $raw; report: $OUT"
