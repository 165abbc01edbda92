#!/usr/bin/env bash
# Drive the interactive explorer in tmux as a user would and save every
# screen (capture-pane text) at 80x24, 120x40 and 200x60 under
# docs/tui-captures/WxH/, each size from a fresh, empty history. Then the
# gap chart after a session polluted with other hosts', other modes' and
# thread counts', a GPU's and micro-networks' runs (docs/tui-captures/gap/):
# the default filter, each filter toggled, and the list scrolled.
# Usage: scripts/tui-capture.sh [OUTDIR]   (needs tmux, python3 and Go; run from the repo root;
#        -h prints this)
set -euo pipefail
case "${1:-}" in
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
-*) echo "tui-capture: unknown option $1; usage: $0 [OUTDIR], -h for help" >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then
	echo "tui-capture: at most one argument, OUTDIR (got $#: $*); usage: $0 [OUTDIR], -h for help" >&2
	exit 2
fi
missing=""
for tool in tmux python3 go; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "tui-capture: needs tmux, python3 and Go on PATH; missing:$missing (Debian: apt-get install tmux python3)" >&2
	exit 2
fi
out=${1:-docs/tui-captures}
tmp=$(mktemp -d)
s=explorer-capture-$$
# Set before the build, so that a failed build leaves no temporary directory.
trap 'tmux kill-session -t "$s" 2>/dev/null || true; rm -rf "$tmp"' EXIT
bin=$tmp/explorer
go build -o "$bin" ./cmd/explorer

# waitfor TEXT [SECONDS]: poll the pane until TEXT shows up.
waitfor() {
	local deadline=$((SECONDS + ${2:-10}))
	until tmux capture-pane -t "$s" -p 2>/dev/null | grep -qF -- "$1"; do
		if ((SECONDS > deadline)); then
			echo "timeout waiting for: $1" >&2
			tmux capture-pane -t "$s" -p >&2 2>/dev/null || cat "$tmp/stderr" >&2
			return 1
		fi
		sleep 0.2
	done
}
# snap NAME: save the pane; every screen must show the help and quit keys.
snap() {
	sleep 0.4
	tmux capture-pane -t "$s" -p >"$dir/$1.txt"
	grep -qF "q quit" "$dir/$1.txt" && grep -qF "help" "$dir/$1.txt" ||
		{ echo "$dir/$1.txt: '? help' or 'q quit' not visible" >&2; return 1; }
	echo "wrote $dir/$1.txt"
}
keys() {
	tmux send-keys -t "$s" "$@" 2>/dev/null || { echo "the tmux session ended; explorer's stderr:" >&2; cat "$tmp/stderr" >&2; exit 1; }
	sleep 0.2
}
# start WxH HISTORY: the explorer in a new tmux session.
start() {
	tmux new-session -d -s "$s" -x "${1%x*}" -y "${1#*x}" \
		"NO_COLOR=1 $bin ui --history $2 2>$tmp/stderr; sleep 30" </dev/null >"$tmp/tmux.out" 2>&1 ||
		{ echo "tui-capture: tmux new-session failed:" >&2; cat "$tmp/tmux.out" >&2; return 1; }
	waitfor "Knobs"
}

for size in 80x24 120x40 200x60; do
	dir=$out/$size
	rm -f "$tmp/history.jsonl"
	start "$size" "$tmp/history.jsonl"
	mkdir -p "$dir" # once the explorer is up, so a failed start leaves no empty directory
	snap 01-explore
	keys r
	waitfor "latency " 120
	snap 02-explore-run
	keys Down Down Down Right # width 1.0 -> 1.1: a second design
	keys r
	waitfor "latency " 120
	keys 2
	waitfor "Gap chart"
	snap 03-gap-chart
	keys 3 r
	waitfor "here: native" 300
	snap 04-guidelines-g1
	keys 4
	snap 05-presets
	keys 1 '?'
	snap 06-help
	keys Escape q
	tmux kill-session -t "$s"
done

# A polluted history: this host's runs (whole networks, fused, 1 thread),
# and beside them eager and 2-thread runs and guideline micro-networks,
# all measured here; then copies of some as another host's and as a GPU's.
hist=$tmp/polluted.jsonl
run() { "$bin" run --warmup 2 --min-iters 5 --min-time 150ms --history "$hist" "$@" >/dev/null; }
for p in shufflenetv2-0.5 shufflenetv2-1.0 shufflenetv2-1.5 shufflenetv1-1.0-g3 shufflenetv1-1.0-g8 mobilenetv2-1.0 mobilenetv1-0.5; do
	run --preset "$p"
done
run --width 1.25 --split 0.3
run --width 1 --groups 2
run --preset shufflenetv2-1.0 --mode eager
run --preset mobilenetv2-1.0 --mode eager
run --preset shufflenetv2-1.0 --threads 2
run --family g1 --c1 32 --c2 32
run --family g1 --c1 9 --c2 108
run --family g4 --c 64
python3 - "$hist" <<'PY'
import json, sys
path = sys.argv[1]
rows = [json.loads(l) for l in open(path) if l.strip()]
out = []
for r in rows[:6]:  # the same designs on another machine, faster
    o = json.loads(json.dumps(r))
    o["fingerprint"].update(cpu="Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", vendor="GenuineIntel",
                            family=6, model=85, logical_cores=40, physical_cores=20, l2_bytes=1 << 20)
    o["latency_ms"]["median"] *= 0.55
    out.append(o)
for r in rows[:3]:  # and on a GPU
    o = json.loads(json.dumps(r))
    o["backend"] = "cudnn"
    o["fingerprint"].update(backend="cudnn", device="NVIDIA H200 (driver 580, cuDNN 9.19)")
    o["latency_ms"]["median"] = 0.4 + 0.001 * o["latency_ms"]["median"]
    out.append(o)
with open(path, "a") as f:
    for o in out:
        f.write(json.dumps(o) + "\n")
PY
dir=$out/gap
start 120x40 "$hist"
mkdir -p "$dir"
keys Down Down Down Right Right # width 1.2: a design of this session
keys r
waitfor "latency " 120
keys 2
waitfor "Gap chart"
snap 01-default-filter
keys h
snap 02-host-other
keys h
snap 03-host-all
keys d b
snap 04-backend-any
keys b
snap 05-backend-cudnn
keys d m
snap 06-mode-any
keys m
snap 07-mode-eager
keys d t
snap 08-threads-2
keys d f
snap 09-family
keys d s
snap 10-this-session
keys d n
snap 11-micro-networks
keys n
snap 12-all-networks
keys d o
snap 13-sorted-by-name
keys x
snap 14-mac
keys q
tmux kill-session -t "$s"
# The list scrolled, at 80x24 with every network, mode and thread count.
start 80x24 "$hist"
keys 2
waitfor "Gap chart"
keys n n m t t
snap 15-all-runs-80x24
keys Down Down Down Down Down
snap 16-list-scrolled-80x24
keys q
tmux kill-session -t "$s"
