#!/usr/bin/env bash
# The scale-out recipe of docs/sweep.md, run here: GNU parallel starts the shards of one sweep
# (--sshlogin :, this machine; give it host names to spread them over machines by ssh), each
# shard writes its own results file, and `explorer plot` merges them. Checks that the merged
# points.csv has every design of the grid exactly once and exits 1 otherwise.
#
#   scripts/sweep/shards.sh [SHARDS]          (default 2; under flock /tmp/explorer-bench.lock
#                                              on a shared machine)
# Environment: EXPLORER (a prebuilt binary; default: go build ./cmd/explorer), WORK (a
# directory to keep; default a temporary one).
set -euo pipefail
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
if [ $# -gt 1 ]; then
  echo "shards: at most one argument, SHARDS (got $#: $*); usage: $0 [SHARDS], -h for help" >&2; exit 2
fi
n=${1:-2}
if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
  echo "shards: SHARDS must be a positive integer, got '$n'; usage: $0 [SHARDS], -h for help" >&2; exit 2
fi
if ! command -v parallel >/dev/null 2>&1; then
  echo "shards: GNU parallel is not installed (Debian: apt-get install parallel)" >&2; exit 2
fi
cd "$(dirname "$0")/../.."
. scripts/sweep/setup.sh

grid="--width 0.5:1.5:0.25 --split 0.3,0.5 --res 64 --depths 1,2,1 --warmup 1 --min-iters 3 --min-time 20ms --calib off"
"$bin" sweep $grid --list > "$work/designs.txt"
echo "== $(wc -l < "$work/designs.txt") designs in $n shards: parallel --sshlogin $n/: ... --shard {}/$n --out shard-{}.jsonl ::: $(seq -s ' ' 1 "$n")"
cd "$work"
parallel --sshlogin "$n/:" --halt now,fail=1 --tag \
  "$bin sweep $grid --shard {}/$n --out shard-{}.jsonl --pairs 0 2>&1 >/dev/null | grep '^sweep: .* measured'" ::: $(seq 1 "$n")
ins=$(seq -f 'shard-%g.jsonl' -s , 1 "$n")
echo "== $bin plot --in $ins --out merged"
"$bin" plot --in "$ins" --out merged > plot.out
grep '^wrote' plot.out | sed 's/^/  /'
python3 - designs.txt merged/points.csv <<'PY'
import collections, csv, sys
designs = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
keys = collections.Counter(r["key"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")))
missing = [d for d in designs if keys[d] == 0]
twice = [k for k, c in keys.items() if c > 1]
extra = [k for k in keys if k not in set(designs)]
print(f"merged points.csv: {sum(keys.values())} points, {len(designs)} designs in the grid, "
      f"{len(missing)} missing, {len(twice)} more than once, {len(extra)} not in the grid")
sys.exit(0 if not missing and not twice and not extra else 1)
PY
echo PASS
