#!/usr/bin/env python3
"""Aggregate scripts/bench/compare.sh's raw JSONL into docs/benchmarks.md.

Input lines (one JSON object each):
  {"cost": "1.0", "madds_per_image": N}                      MAdds of a width (explorer cost)
  {"engine": "ours", "round", "width", "batch", "threads", "mode", "latency_ms": {...}, "fingerprint": {...}}
  {"engine": "pytorch"|"onnxruntime", "round", "width", "batch", "threads", "mode", "median_ms", ...}
  {"kind": "profile", "engine": "ours", "threads", "mode", "profile": {...}}   explorer run --profile
For every (engine, mode, width, batch, threads) it takes the median over rounds of the per-round
medians and the min..max of the per-round medians (the spread), and writes tables of latency,
ratios ours/peer, and our achieved GFLOP/s and % of the FMA peak. On stdout it prints one line
per configuration: ours (fused) / ONNX Runtime and ours / the best peer, with the host.

Usage: aggregate.py --raw RAW.jsonl --out docs/benchmarks.md [--start T --end T --command C --commit H]
                    [--peak auto|GFLOPS]
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict

# Measured FMA peak per core of the development machine's Zen 4 cores: 12 independent
# VFMADD231PS chains in Go assembly reach 115.8-116.6 GFLOP/s, zmm and ymm alike (Zen 4 runs a
# 512-bit FMA as two 256-bit halves: 32 FLOP/cycle). --peak auto uses it only when the
# fingerprint is that machine's (is_dev_machine); elsewhere the % of peak column needs a
# numeric --peak, which compare.sh passes: PEAK=, or what scripts/bench/fmapeak measured
# (--peak-source measured).
DEV_PEAK_PER_CORE = 116.6


def is_dev_machine(fp):
    """The 2-vCPU AMD EPYC (Zen 4, family 25) VM whose peak DEV_PEAK_PER_CORE was measured on."""
    return fp.get("cpu") == "AMD EPYC" and fp.get("vendor") == "AuthenticAMD" and fp.get("family") == 25

BASE_COLUMNS = [  # (engine, mode, column title)
    ("ours", "fused", "ours fused"),
    ("ours", "eager", "ours eager"),
    ("pytorch", "eager", "PyTorch eager"),
    ("pytorch", "jit", "PyTorch jit"),
    ("onnxruntime", "all", "ORT"),
]
# Everything from this line on in the output file is kept when the report is regenerated.
NOTES_MARKER = "<!-- notes: hand-written, kept by aggregate.py -->"

PEERS = [("pytorch", "eager"), ("pytorch", "jit"), ("onnxruntime", "all")]


def load(path):
    madds, runs, profiles, fps, peer_info = {}, defaultdict(list), {}, [], {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if "cost" in row:
                madds[row["cost"]] = row["madds_per_image"]
                continue
            if row.get("kind") == "profile":
                profiles[(row["threads"], row["mode"])] = row
                continue
            eng = row["engine"]
            if eng == "ours":
                ms = row["latency_ms"]["median"]
                fps.append(row["fingerprint"])
                mode = row["mode"]
            else:
                ms = row["median_ms"]
                mode = row.get("mode", "all")
                if eng == "onnxruntime":
                    mode = "all"
                info = {"version": row.get("engine_version", "?")}
                if eng == "pytorch":
                    info["blas"] = row.get("blas", "?")
                    info["mkldnn"] = row.get("mkldnn")
                peer_info[eng] = info
            runs[(eng, mode, row["width"], int(row["batch"]), int(row["threads"]))].append(ms)
    return madds, runs, profiles, fps, peer_info


def stat(xs):
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs), len(xs)


def fmt(s):
    if s is None:
        return "-"
    med, lo, hi, _ = s
    return f"{med:.3f} ({lo:.3f}..{hi:.3f})"


def words(xs):
    """'1', '1 and 8', '1, 8 and 32'."""
    xs = [str(x) for x in xs]
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]


def keys_of(runs):
    ws = sorted({k[2] for k in runs}, key=float)
    bs = sorted({k[3] for k in runs})
    ts = sorted({k[4] for k in runs})
    return ws, bs, ts


def extra_columns(runs):
    """Columns for ours fused on another kernel set (compare.sh EXTRA_KERNELS: mode "fused:SET")."""
    modes = sorted({k[1] for k in runs if k[0] == "ours" and k[1].startswith("fused:")})
    return [("ours", m, f"ours fused ({m.split(':', 1)[1]})") for m in modes]


def table(madds, runs, peak):
    ws, bs, ts = keys_of(runs)
    COLUMNS = BASE_COLUMNS + extra_columns(runs)
    out = []
    out.append("| width | batch | threads | " + " | ".join(c[2] for c in COLUMNS) +
               " | best peer | fused / best peer | eager / PyTorch eager | fused GFLOP/s | % of peak |")
    out.append("|" + "---|" * (len(COLUMNS) + 8))
    misses = []
    compared = 0  # cells with both ours (fused) and a peer
    for w in ws:
        for b in bs:
            for t in ts:
                st = {(e, m): stat(runs.get((e, m, w, b, t), [])) for e, m, _ in COLUMNS}
                if all(v is None for v in st.values()):
                    continue
                best = min(((st[p][0], p) for p in PEERS if st[p] is not None), default=None)
                fused, eager = st[("ours", "fused")], st[("ours", "eager")]
                cells = [w, str(b), str(t)] + [fmt(st[(e, m)]) for e, m, _ in COLUMNS]
                if best:
                    name = dict(((e, m), c) for e, m, c in COLUMNS)[best[1]]
                    cells.append(f"{name} {best[0]:.3f}")
                    if fused:
                        compared += 1
                        r = fused[0] / best[0]
                        cells.append(f"**{ratio(r)}**" if r <= 1 else f"{ratio(r)} (slower)")
                        if r > 1:
                            misses.append((w, b, t, fused[0], name, best[0]))
                    else:
                        cells.append("-")
                else:
                    cells += ["-", "-"]
                te = st[("pytorch", "eager")]
                cells.append(f"{eager[0] / te[0]:.2f}" if eager and te else "-")
                if fused and w in madds:
                    gf = 2 * madds[w] * b / (fused[0] * 1e-3) / 1e9
                    cells += [f"{gf:.1f}", f"{100 * gf / (peak * t):.1f}" if peak else "-"]
                else:
                    cells += ["-", "-"]
                out.append("| " + " | ".join(cells) + " |")
    return out, misses, compared


def ratio(r):
    """A ratio with two decimals, or three where two would round a difference to 1.00."""
    s = f"{r:.2f}"
    return f"{r:.3f}" if s == "1.00" and r != 1 else s


def profile_table(profiles, threads):
    e, f = profiles.get((threads, "eager")), profiles.get((threads, "fused"))
    if not e or not f:
        return []
    cat = lambda row: {c["name"]: c for c in row["profile"]["categories"]}
    ce, cf = cat(e), cat(f)
    names = [n for n in ce if ce[n]["ns"] or cf.get(n, {}).get("ns")]
    names += [n for n in cf if n not in ce and cf[n]["ns"]]
    out = [f"Threads: {threads}. Latency median: eager {e['latency_ms']['median']:.3f} ms, "
           f"fused {f['latency_ms']['median']:.3f} ms (this profile run). Per-step medians of 50 profiled runs; "
           "MAC share from each mode's own cost view (as written for eager, as executed for fused).", "",
           "| category | eager ms | eager time % | eager MAC % | fused ms | fused time % | fused MAC % | saved ms | share of the saving |",
           "|---|---|---|---|---|---|---|---|---|"]
    te, tf = e["profile"]["total_ns"], f["profile"]["total_ns"]
    saved_total = te - tf
    for n in names:
        a, b = ce.get(n, {"ns": 0, "time_share": 0, "mem_access_share": 0}), cf.get(n, {"ns": 0, "time_share": 0, "mem_access_share": 0})
        saved = a["ns"] - b["ns"]
        out.append(f"| {n} | {a['ns'] / 1e6:.3f} | {100 * a['time_share']:.1f} | {100 * a['mem_access_share']:.1f} | "
                   f"{b['ns'] / 1e6:.3f} | {100 * b['time_share']:.1f} | {100 * b['mem_access_share']:.1f} | "
                   f"{saved / 1e6:+.3f} | " + (f"{100 * saved / saved_total:.0f}% |" if saved_total else "- |"))
    out.append(f"| **total** | {te / 1e6:.3f} | 100 | 100 | {tf / 1e6:.3f} | 100 | 100 | {saved_total / 1e6:+.3f} | 100% |")
    return out


def top_ops(profiles, threads, mode, n=12):
    p = profiles.get((threads, mode))
    if not p:
        return []
    ops = sorted(p["profile"]["ops"], key=lambda o: -o["ns"])[:n]
    out = ["| op | category | covers | ms | GFLOP/s |", "|---|---|---|---|---|"]
    for o in ops:
        out.append(f"| {o['id']} | {o['category']} | {len(o.get('covers') or [])} ops | {o['ns'] / 1e6:.4f} | {o['gflops']:.1f} |")
    extra = sum(x["ns"] for x in p["profile"].get("extra", []))
    out.append(f"| (steps covering no graph op: input conversion, passthrough copies) | data movement | - | {extra / 1e6:.4f} | - |")
    return out


def summary(runs, fp):
    """Lines of ours (fused) / ONNX Runtime and ours / best peer per configuration."""
    ws, bs, ts = keys_of(runs)
    host = f"{fp.get('cpu') or '?'} ({fp.get('goos')}/{fp.get('goarch')}, kernels {fp.get('kernels')})" if fp else "?"
    out = [f"ShuffleNetV2 on {host}: median ms over rounds (min..max); ratio < 1 means ours is faster"]
    for w in ws:
        for b in bs:
            for t in ts:
                ours = stat(runs.get(("ours", "fused", w, b, t), []))
                if ours is None:
                    continue
                line = f"  {w}x batch {b}, {t} thread(s): ours {fmt(ours)}"
                ort = stat(runs.get(("onnxruntime", "all", w, b, t), []))
                if ort:
                    line += f", ORT {fmt(ort)}, ours / ORT = {ratio(ours[0] / ort[0])}"
                for _, m, _ in extra_columns(runs):
                    x = stat(runs.get(("ours", m, w, b, t), []))
                    if x:
                        line += f"; ours on kernels {m.split(':', 1)[1]} {fmt(x)}, {x[0] / ours[0]:.2f}x ours"
                peers = [(stat(runs.get((e, m, w, b, t), [])), e, m) for e, m in PEERS]
                best = min(((p[0], e, m) for p, e, m in peers if p), default=None)
                if best and best[1] != "onnxruntime":
                    line += f", ours / best peer ({best[1]} {best[2]}) = {ratio(ours[0] / best[0])}"
                out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", default="?")
    ap.add_argument("--end", default="?")
    ap.add_argument("--command", default="scripts/bench/compare.sh")
    ap.add_argument("--commit", default="?")
    ap.add_argument("--peak-source", choices=("given", "measured"), default="given",
                    help="where a numeric --peak came from: given by hand, or measured by scripts/bench/fmapeak")
    ap.add_argument("--peak", default="auto",
                    help="FMA peak GFLOP/s per core for the %% of peak column; auto: the development "
                         "machine's 116.6 when the fingerprint is that machine's, else no column")
    args = ap.parse_args()
    madds, runs, profiles, fps, peer_info = load(args.raw)
    if not runs:
        sys.exit("aggregate: no measurements in " + args.raw)
    rounds = max(len(v) for v in runs.values())
    fp = fps[0] if fps else {}
    if args.peak == "auto":
        peak = DEV_PEAK_PER_CORE if is_dev_machine(fp) else None
    else:
        try:
            peak = float(args.peak)
        except ValueError:
            sys.exit(f"aggregate: --peak {args.peak!r}: want auto or GFLOP/s per core")
        if peak <= 0:
            sys.exit(f"aggregate: --peak {args.peak!r}: want a positive GFLOP/s per core")
    tab, misses, compared = table(madds, runs, peak)
    L = []
    L.append("# Benchmarks: ShuffleNetV2 on this CPU, ours against PyTorch and ONNX Runtime")
    L.append("")
    L.append("Generated by `scripts/bench/compare.sh` (raw JSONL aggregated by `scripts/bench/aggregate.py`); "
             "do not edit the tables by hand, rerun the script.")
    L.append("")
    L.append(f"- Date: {args.start} .. {args.end} (UTC); commit {args.commit}.")
    if fp:
        L.append(f"- Host (`explorer` fingerprint): {fp.get('cpu')} ({fp.get('vendor')} family {fp.get('family')} model "
                 f"{fp.get('model')}), {fp.get('logical_cores')} logical cores, hypervisor {fp.get('hypervisor') or 'none'}, "
                 f"features {' '.join(fp.get('features', []))}, L1d {fp.get('l1d_bytes', 0) // 1024} KiB, "
                 f"L2 {fp.get('l2_bytes', 0) // 1024} KiB, L3 {fp.get('l3_bytes', 0) // 1048576} MiB; "
                 f"{fp.get('go_version')} {fp.get('goos')}/{fp.get('goarch')}, GOMAXPROCS {fp.get('gomaxprocs')}, "
                 f"kernels {fp.get('kernels')}.")
    for eng, info in sorted(peer_info.items()):
        L.append(f"- {eng} {info['version']}" + (f", BLAS {info.get('blas')}, oneDNN (mkldnn) {info.get('mkldnn')}" if eng == "pytorch" else
                                                  " (npm onnxruntime-node, graph optimisation \"all\", intra-op threads = threads)"))
    L.append(f"- Command: `{args.command}`")
    engines = {k[0] for k in runs}
    visits = [p for e, p in [
        ("ours", "ours (" + ", ".join(m for m in ("fused", "eager") if ("ours", m) in {k[:2] for k in runs}) + ")"),
        ("pytorch", "PyTorch (eager, jit = script + freeze + optimize_for_inference)"),
        ("onnxruntime", "ONNX Runtime")] if e in engines]
    L.append(f"- {rounds} round{'s' if rounds != 1 else ''}; each round visits every width and runs " + ", then ".join(visits)
             + (", so engines alternate within a minute of each other" if len(visits) > 1 else "")
             + ". Each cell: median over rounds of the per-round median latency (ms; with an even number "
             "of rounds, the mean of the middle two), and in brackets the min..max of the per-round medians.")
    if peak:
        L.append(f"- GFLOP/s = 2 x MAdds x batch / median latency (MAdds from `explorer cost`); % of peak against "
                 f"{peak} GFLOP/s per core x threads ("
                 + ("measured FMA peak of this machine: 12 independent FMA chains, zmm or ymm)." if args.peak == "auto"
                    else "FMA peak measured by scripts/bench/fmapeak just before the rounds: independent FMA chains, best width)."
                    if args.peak_source == "measured" else "FMA peak as given: PEAK= / --peak)."))
    else:
        L.append("- GFLOP/s = 2 x MAdds x batch / median latency (MAdds from `explorer cost`); no % of peak "
                 "(no FMA peak for this host: PEAK=GFLOP/s per core, or let compare.sh run scripts/bench/fmapeak).")
    if is_dev_machine(fp):
        L.append("- The machine is a shared 2-vCPU VM: other sessions' work can slow any single run; the spread "
                 "column shows how much.")
    L.append("")
    _, bs, ts_run = keys_of(runs)
    L.append(f"## Latency (ms), batch {words(bs)}, {words(ts_run)} thread{'s' if ts_run != [1] else ''}")
    L.append("")
    L += tab
    L.append("")
    if misses:
        L.append("Combinations where ours (fused) is slower than the best peer:")
        L.append("")
        for w, b, t, ours, name, peer in misses:
            L.append(f"- {w}x batch {b}, {t} thread(s): ours {ours:.3f} ms vs {name} {peer:.3f} ms "
                     f"({ratio(ours / peer)}x).")
    elif compared:
        L.append(f"Ours (fused) is faster than the best peer in every combination measured ({compared}).")
    else:
        L.append("No combination has both ours (fused) and a peer: nothing to compare.")
    L.append("")
    ts = sorted({k[0] for k in profiles})
    if ts:
        L.append("## Eager vs fused per category, ShuffleNetV2 1.0x batch 1 (guideline G4 on this CPU)")
        L.append("")
        L.append("`explorer run --preset shufflenetv2-1.0 --mode eager|fused --threads T --profile --profile-runs 50`. "
                 "Eager runs every graph op as its own pass with a materialised output (BN and ReLU as separate "
                 "vectorised per-channel passes, split/concat/shuffle as copies); fused folds BN into the conv "
                 "weights, applies bias+ReLU in the kernel epilogue, makes split/concat channel offsets and folds "
                 "the shuffles into the consumers' weights (one passthrough copy per stride-1 unit remains, "
                 "counted as data movement).")
        L.append("")
        for t in ts:
            L += profile_table(profiles, t)
            L.append("")
        for t in ts:
            L.append(f"Top fused steps, {t} thread(s):")
            L.append("")
            L += top_ops(profiles, t, "fused")
            L.append("")
    # Hand-written notes below the marker survive a rerun.
    notes = ""
    try:
        with open(args.out) as f:
            old = f.read()
        if NOTES_MARKER in old:
            notes = old[old.index(NOTES_MARKER):]
    except OSError:
        pass
    with open(args.out, "w") as f:
        f.write("\n".join(L).rstrip() + "\n")
        if notes:
            f.write("\n" + notes.rstrip() + "\n")
    print(f"aggregate: wrote {args.out} ({len(runs)} configurations, {rounds} round{'s' if rounds != 1 else ''})", file=sys.stderr)
    print("\n".join(summary(runs, fp)))


if __name__ == "__main__":
    main()
