#!/usr/bin/env bash
# charts.sh: regenerates the charts shown in docs/charts.md from a fresh
# session on this machine, through the documented command-line path:
#   1. explorer sweep of 16 whole networks (every ShuffleNet v2/v1 and MobileNet
#      v2/v1 preset of Table 8's neighbourhood) into a fresh results file, fused,
#      profiled, with a fresh roofline calibration;
#   2. the same ShuffleNetV2 1.0x swept eager and profiled, so its decomposition
#      shows eager beside fused;
#   3. explorer plot of that file (gap charts, decomposition, roofline);
#   4. explorer guidelines --exp G1,G2,G3,G4 --scales 1 (G4 eager and fused);
#   5. copies the charts docs/charts.md shows into docs/img/charts/ and prints
#      the words explorer said (correlations, verdicts) for the doc's sentences.
#
# Usage: scripts/charts.sh            (from the repository root; no arguments, -h prints this)
# Environment: OUT_DIR (default: a new temp dir) keeps every file; MIN_TIME
#   (default 300ms) per design; ROUNDS (default 3) for the guidelines;
#   LOCK (default /tmp/explorer-bench.lock) is taken with flock around the
#   measurements when flock exists (other benchmarks on a shared machine wait).
# Exit status: non-zero when a step fails.
set -euo pipefail
case "${1:-}" in
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
if [ $# -gt 0 ]; then
	echo "charts: takes no arguments (got: $*); usage: $0 (settings through the environment), -h for help" >&2
	exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT_DIR:-$(mktemp -d)}
min_time=${MIN_TIME:-300ms}
rounds=${ROUNDS:-3}
lock=${LOCK:-/tmp/explorer-bench.lock}
mkdir -p "$out"
locked() {
	if command -v flock >/dev/null; then
		flock "$lock" "$@"
	else
		"$@"
	fi
}

echo "charts: building explorer into $out" >&2
(cd "$root" && CGO_ENABLED=0 go build -o "$out/explorer" ./cmd/explorer)
x=$out/explorer
session=$out/session.jsonl
rm -f "$session"

presets=shufflenetv2-0.5,shufflenetv2-1.0,shufflenetv2-1.5,shufflenetv2-2.0,shufflenetv2-1.0-megvii
presets+=,shufflenetv1-1.0-g1,shufflenetv1-1.0-g2,shufflenetv1-1.0-g3,shufflenetv1-1.0-g4,shufflenetv1-1.0-g8
presets+=,mobilenetv2-0.6,mobilenetv2-0.75,mobilenetv2-1.0,mobilenetv2-1.4,mobilenetv1-0.5,mobilenetv1-1.0

echo "charts: sweeping 16 designs (fused, profiled)" >&2
locked "$x" sweep --presets "$presets" --mode fused --profile --recalibrate --min-time "$min_time" --max-time 2s \
	--out "$session" >"$out/sweep-fused.txt"
echo "charts: sweeping shufflenetv2-1.0 eager (profiled)" >&2
locked "$x" sweep --presets shufflenetv2-1.0 --mode eager --profile --min-time "$min_time" --max-time 2s \
	--out "$session" >"$out/sweep-eager.txt"

echo "charts: plotting" >&2
"$x" plot --in "$session" --out "$out/plots" --profile-of shufflenetv2-1.0 >"$out/plot.txt"

echo "charts: guideline experiments G1-G4 at x1" >&2
locked "$x" guidelines --exp G1,G2,G3,G4 --scales 1 --rounds "$rounds" --min-time 150ms --max-time 1s \
	--out "$out/guidelines" >"$out/guidelines.txt"

img=$root/docs/img/charts
mkdir -p "$img"
# Two configurations in the file (fused, eager): the charts are named by their mode.
cp "$out/plots/gap-flops-fused.png" "$img/gap-flops.png"
cp "$out/plots/gap-mac-fused.png" "$img/gap-mac.png"
cp "$out/plots/decomposition-shufflenetv2-1.0-1t.png" "$img/decomposition.png"
cp "$out/plots/roofline-shufflenetv2-1.0-fused-1t.png" "$img/roofline.png"
for g in g1 g2 g3 g4; do
	cp "$out/guidelines/$g-x1.png" "$img/guideline-$g.png"
done
cp "$out/guidelines.txt" "$root/docs/data/charts-guidelines.txt"
cp "$out/plot.txt" "$root/docs/data/charts-plot.txt"

echo "charts: done; files in $out, charts in $img" >&2
cat "$out/plot.txt"
cat "$out/guidelines.txt"
