#!/usr/bin/env bash
# Kill a sweep with SIGKILL at random moments, resume it each time, then run two sweeps on one
# file at once; print how many designs were lost, duplicated and measured, and whether the
# second concurrent sweep was refused. Exit 0 only if 0 lost, 0 duplicated, second refused.
#
#   scripts/sweep/kill-test.sh [KILLS]        (default 20; run it under
#   flock /tmp/explorer-bench.lock on a shared machine: it loads one core for about a minute)
#
# The designs are small ShuffleNetV2 variants (32x32 input, one unit per stage) measured for a
# few tens of milliseconds each, so a kill lands at any point of a measurement or of a row's write.
# Environment: EXPLORER (a prebuilt binary; default: go build ./cmd/explorer), WORK (a
# directory to keep; default a temporary one), SEED (for the kill moments).
set -euo pipefail
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
if [ $# -gt 1 ]; then
  echo "kill-test: at most one argument, KILLS (got $#: $*); usage: $0 [KILLS], -h for help" >&2; exit 2
fi
kills=${1:-20}
if ! [[ $kills =~ ^[1-9][0-9]*$ ]]; then
  echo "kill-test: KILLS must be a positive integer, got '$kills'; usage: $0 [KILLS], -h for help" >&2; exit 2
fi
cd "$(dirname "$0")/../.."
. scripts/sweep/setup.sh
RANDOM=${SEED:-15}

grid=(--width 0.25:2.0:0.025 --res 32 --depths 1,1,1 --warmup 1 --min-iters 3 --min-time 40ms --max-time 1s --calib off)
out=$work/kill.jsonl
rm -f "$out" "$out.torn" "$out.lock"
"$bin" sweep "${grid[@]}" --list > "$work/designs.txt"
want=$(wc -l < "$work/designs.txt")

# count FILE: prints "rows distinct duplicated lost" against the design list.
count() {
  python3 - "$1" "$work/designs.txt" <<'PY'
import collections, json, sys
rows, keys = 0, collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    try:
        r = json.loads(line)
    except ValueError:
        continue  # a torn line: not a row
    rows += 1
    keys["|".join([r["key"], r["backend"], r["mode"], str(r["threads"]), r["host"]])] += 1
designs = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
found = {k.split("|", 1)[0] for k in keys}
print(rows, len(keys), sum(n - 1 for n in keys.values()), sum(1 for d in designs if d not in found))
PY
}

echo "== $kills SIGKILLs of: explorer sweep ${grid[*]} --out $out ($want designs)"
for i in $(seq 1 "$kills"); do
  "$bin" sweep "${grid[@]}" --out "$out" --pairs 0 >/dev/null 2>"$work/kill-$i.err" &
  pid=$!
  # A random moment in the first 0.6 s (the whole sweep takes about 4 s).
  sleep "$(printf '0.%03d' $((RANDOM % 600)))"
  what="killed"
  kill -9 "$pid" 2>/dev/null || what="had finished"
  wait "$pid" 2>/dev/null || true
  read -r rows distinct dup lost < <(count "$out")
  printf 'run %2d %s: %3d rows, %3d designs, %d duplicated\n' "$i" "$what" "$rows" "$distinct" "$dup"
done
"$bin" sweep "${grid[@]}" --out "$out" --pairs 0 >/dev/null 2>"$work/final.err"
grep -h 'warning' "$work"/kill-*.err "$work/final.err" | sort | uniq -c | sed 's/^/  /' || true
read -r rows distinct dup lost < <(count "$out")
torn=0
if [ -f "$out.torn" ]; then torn=$(grep -c '' "$out.torn"); fi
echo "after the kills and a final run: $rows rows, $distinct designs of $want, $dup duplicated, $lost lost; $torn torn tail(s) kept in $(basename "$out").torn"
ok=1
[ "$dup" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$distinct" -eq "$want" ] || ok=0

echo "== two sweeps on one file at once"
two=$work/two.jsonl
rm -f "$two" "$two.lock"
"$bin" sweep "${grid[@]}" --out "$two" --pairs 0 >/dev/null 2>"$work/first.err" &
first=$!
for _ in $(seq 1 200); do   # until the first sweep holds the file
  [ -s "$two.lock" ] && break
  sleep 0.05
done
set +e
"$bin" sweep "${grid[@]}" --out "$two" --pairs 0 >/dev/null 2>"$work/second.err"
second=$?
wait "$first"
firstrc=$?
set -e
echo "second sweep: exit $second: $(head -1 "$work/second.err")"
if [ "$firstrc" -ne 0 ]; then
  # Said as a FAIL (under set -e the wait ended the script without a verdict).
  echo "first sweep: exit $firstrc: $(tail -1 "$work/first.err")"
  echo "FAIL"
  exit 1
fi
read -r rows distinct dup lost < <(count "$two")
echo "first sweep: $rows rows, $distinct designs of $want, $dup duplicated, $lost lost"
[ "$second" -eq 1 ] && grep -q 'being written by pid' "$work/second.err" || ok=0
[ "$dup" -eq 0 ] && [ "$lost" -eq 0 ] || ok=0
if [ "$ok" -eq 1 ]; then echo "PASS"; else echo "FAIL"; exit 1; fi
