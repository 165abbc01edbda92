#!/usr/bin/env bash
# Times several builds side by side on this machine, taking turns round by round, so that they
# share its slow and fast stretches (docs/kernels.md, "The generic set"): the figures of
# docs/kernels.md's generic-set tables come from it.
#
# Usage: scripts/bench/alternate.sh net ROUNDS BIN... [-- FLAG...]
#          each round runs every BIN once: BIN run --history off --format json FLAG...
#          (default flags: --kernels generic --preset shufflenetv2-1.0 --min-time 2s); prints per
#          binary the median of the per-round medians, their range and the range of the
#          per-round minima, in ms
#        scripts/bench/alternate.sh kernels ROUNDS PATTERN BIN...
#          BIN are test binaries of runner/kernels (go test -c -o BIN ./runner/kernels); each
#          round runs every BIN with -test.bench PATTERN -test.benchtime 40ms -test.count 2;
#          prints per benchmark and binary the fastest and the median ns/op
#   env: LOCK=/tmp/explorer-bench.lock (every timed command runs under flock on it where
#        flock(1) exists, so that two benchmarks never share the machine)
#
# To time the code issue 13 measured (86 ms) beside the current one, for example:
#   git worktree add /tmp/base 968913e
#   (cd /tmp/base && go build -tags noasm -o /tmp/b/base ./cmd/explorer)
#   go build -o /tmp/b/now ./cmd/explorer && GOAMD64=v3 go build -o /tmp/b/now-v3 ./cmd/explorer
#   scripts/bench/alternate.sh net 6 /tmp/b/base /tmp/b/now /tmp/b/now-v3
set -euo pipefail

# usage [STATUS]: the header above; -h/--help exits 0 (on stdout), a wrong call 2.
usage() {
  if [ "${1:-2}" = 0 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
  fi
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}
case "${1:-}" in -h | --help) usage 0 ;; esac

LOCK="${LOCK:-/tmp/explorer-bench.lock}"
if command -v flock >/dev/null; then
  runlocked() { flock "$LOCK" "$@"; }
else
  runlocked() { "$@"; }
fi

[ $# -ge 3 ] || usage
mode=$1 rounds=$2
shift 2
case "$rounds" in
'' | *[!0-9]* | 0) echo "alternate: ROUNDS must be a positive whole number, got '$rounds'" >&2; exit 2 ;;
esac
pattern=
if [ "$mode" = kernels ]; then
  pattern=$1
  shift
elif [ "$mode" != net ]; then
  echo "alternate: unknown mode '$mode' (valid: net, kernels)" >&2
  exit 2
fi

bins=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  bins+=("$1")
  shift
done
[ "${1:-}" = -- ] && shift
flags=("$@")
if [ "$mode" = net ] && [ ${#flags[@]} -eq 0 ]; then
  flags=(--kernels generic --preset shufflenetv2-1.0 --min-time 2s)
fi
[ ${#bins[@]} -gt 0 ] || { echo "alternate: no binaries given" >&2; exit 2; }
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "alternate: $b is not an executable file" >&2; exit 2; }
done

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# Raw rows name a binary by its index in BIN..., so that a path with spaces stays one field.
for r in $(seq 1 "$rounds"); do
  for i in "${!bins[@]}"; do
    b=${bins[$i]}
    echo "alternate: round $r/$rounds: $b" >&2
    if [ "$mode" = net ]; then
      runlocked "$b" run --history off --format json "${flags[@]}" |
        python3 -c 'import json,sys; l=json.load(sys.stdin)["latency_ms"]; print(sys.argv[1], "net", l["median"], l["min"])' "$i" >>"$raw"
    else
      runlocked "$b" -test.run '^$' -test.bench "$pattern" -test.benchtime 40ms -test.count 2 |
        awk -v b="$i" '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); sub(/^Benchmark/, "", n); print b, n, $3 }' >>"$raw"
    fi
  done
done

python3 - "$mode" "$raw" "${bins[@]}" <<'EOF'
import collections, statistics, sys
mode, raw, bins = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [line.split() for line in open(raw)]  # the first field is the binary's index in bins
if mode == "net":
    print("%-40s %10s %20s %20s" % ("binary", "median ms", "per-round medians", "per-round minima"))
    for i, b in enumerate(bins):
        meds = [float(r[2]) for r in rows if r[0] == str(i)]
        mins = [float(r[3]) for r in rows if r[0] == str(i)]
        print("%-40s %10.1f %20s %20s" % (b, statistics.median(meds), "%.1f..%.1f" % (min(meds), max(meds)), "%.1f..%.1f" % (min(mins), max(mins))))
else:
    d = collections.defaultdict(list)
    for i, name, ns in rows:
        d[(name, int(i))].append(float(ns))
    names = sorted({name for name, _ in d})
    print("fastest/median ns/op")
    print("%-36s" % "benchmark" + "".join("%26s" % b[-24:] for b in bins))
    for n in names:
        print("%-36s" % n + "".join("%26s" % ("%.0f/%.0f" % (min(d[(n, i)]), statistics.median(d[(n, i)])) if d[(n, i)] else "-") for i in range(len(bins))))
EOF
