#!/usr/bin/env bash
# Drive the interactive explorer in tmux at 120x40 as a new user would and
# save the screens (capture-pane text) under docs/tui-captures/.
# Usage: scripts/tui-capture.sh [OUTDIR]   (needs tmux; run from the repo root)
set -euo pipefail
out=${1:-docs/tui-captures}
mkdir -p "$out"
bin=$(mktemp -d)/explorer
go build -o "$bin" ./cmd/explorer
s=explorer-capture-$$
tmux new-session -d -s "$s" -x 120 -y 40 "$bin ui --history $(dirname "$bin")/history.jsonl; sleep 5" </dev/null >/dev/null 2>&1
trap 'tmux kill-session -t "$s" 2>/dev/null || true' EXIT

# waitfor TEXT [SECONDS]: poll the pane until TEXT shows up.
waitfor() {
	local deadline=$((SECONDS + ${2:-10}))
	until tmux capture-pane -t "$s" -p | grep -qF -- "$1"; do
		if ((SECONDS > deadline)); then echo "timeout waiting for: $1" >&2; return 1; fi
		sleep 0.2
	done
}
snap() { sleep 0.3; tmux capture-pane -t "$s" -p >"$out/$1.txt"; echo "wrote $out/$1.txt"; }
keys() { tmux send-keys -t "$s" "$@"; sleep 0.15; }

waitfor "Knobs"
snap 01-start
keys Down Right Right            # width 1.0 -> 1.2
keys Down Down Down Down Right   # depth s3 8 -> 9
keys Up Up Up Enter C-u 0.4 Enter  # split typed: 0.4
snap 02-three-knobs
runs=yes
if tmux capture-pane -t "$s" -p | grep -qF "runs unavailable"; then
	runs=no
	echo "no measurer in this build: skipping the runs" >&2
else
	keys r
	waitfor "latency " 600
	snap 03-first-run
	keys Down Down Down Down Down Down Down Down Left  # mode fused -> eager
	keys r
	waitfor "latency " 600
	snap 04-second-run
fi
keys 2
snap 05-gap-chart
keys 3
snap 06-guidelines-g1
if [[ $runs == yes ]]; then
	keys r
	waitfor "ordering here vs paper" 600 && snap 07-guidelines-g1-run || true
fi
keys q
