#!/usr/bin/env python3
"""Turn a scripts/gpu-check.sh output directory into markdown tables.

Usage:
  report.py --dir OUT --docs docs/cudnn.md [--update docs/cudnn.md]
      writes OUT/report.md (the generated section) and OUT/cudnn.md (the docs file with the part
      between the gpu-check markers replaced by it); --update also rewrites that file in place.
  report.py --dir OUT --worst N
      prints the N ShuffleNetV2 cells (WIDTH:BATCH) whose graph replay is furthest above 0.8x
      PyTorch's graph replay, worst first, for the in-graph profiles.

Reads (all optional, whatever the run got to): machine.txt, probe.json, status.txt,
correctness.tsv, lat/snv2-W-bB-MODE.json, torch.txt, guidelines.txt, guidelines/g*.csv,
profiles/snv2-W-bB.txt. Standard library only.
"""

import argparse
import csv
import glob
import json
import os
import re
import sys

BEGIN = "<!-- gpu-check:begin -->"
END = "<!-- gpu-check:end -->"
TARGET = 0.8  # issue 14: ours <= 0.8x PyTorch's CUDA-graph replay in every cell


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def machine(d):
    m = {}
    for line in read(os.path.join(d, "machine.txt")).splitlines():
        k, _, v = line.partition(": ")
        if v:
            m[k] = v
    return m


def latency(d):
    """{(width, batch, mode): result json} from lat/snv2-W-bB-MODE.json."""
    out = {}
    for p in glob.glob(os.path.join(d, "lat", "snv2-*-b*-*.json")):
        m = re.match(r"snv2-([0-9.]+)-b(\d+)-(\w+)\.json$", os.path.basename(p))
        r = load_json(p)
        if m and r:
            out[(m.group(1), int(m.group(2)), m.group(3))] = r
    return out


def torch_times(d):
    """{(width, batch, mode): ms} from torch.txt ("shufflenet_v2_x1_0 8 graph 0.893")."""
    out, synthetic = {}, False
    for line in read(os.path.join(d, "torch.txt")).splitlines():
        f = line.split()
        m = re.match(r"shufflenet_v2_x(\d)_(\d)$", f[0]) if len(f) >= 4 else None
        if not m:
            continue
        try:
            out[(m.group(1) + "." + m.group(2), int(f[1]), f[2])] = float(f[3])
        except ValueError:
            continue
        synthetic = synthetic or "dry-run" in f[4:]
    return out, synthetic


def ms(r):
    return r["latency_ms"]["median"] if r else None


def fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def cells(d):
    """The latency cells: (width, batch, per-mode results, torch eager, torch graph, ratio)."""
    lat = latency(d)
    tt, _ = torch_times(d)
    keys = sorted({(w, b) for (w, b, _) in lat} | {(w, b) for (w, b, _) in tt}, key=lambda k: (float(k[0]), k[1]))
    out = []
    for w, b in keys:
        g = ms(lat.get((w, b, "graph")))
        tg = tt.get((w, b, "graph"))
        ratio = g / tg if g and tg else None
        out.append((w, b, {m: lat.get((w, b, m)) for m in ("eager", "fused", "graph")}, tt.get((w, b, "eager")), tg, ratio))
    return out


def worst(d, n):
    missed = [(c[5], c[0], c[1]) for c in cells(d) if c[5] is not None and c[5] > TARGET]
    missed.sort(reverse=True)
    return [f"{w}:{b}" for _, w, b in missed[:n]]


def convs(kernels):
    """The convs part of a fingerprint's kernels ("convs: 13 dw3x3-nvrtc, ...")."""
    m = re.search(r"convs: ([^;()]*)", kernels or "")
    return m.group(1).strip() if m else "-"


def correctness_table(d):
    rows = []
    for line in read(os.path.join(d, "correctness.tsv")).splitlines():
        f = line.split("\t")
        if len(f) >= 7:
            rows.append(f + [""] * (8 - len(f)))
    if not rows:
        return ["(no correctness rows ran)"], 0, 0
    order, table = [], {}
    for name, mode, env, diff, maxref, rel, verdict, note in rows:
        if name not in table:
            order.append(name)
            table[name] = {"env": env if mode != "-" else "", "modes": {}}
        if mode != "-":
            table[name]["env"] = env
        table[name]["modes"][mode] = (rel, verdict, note)
    out = ["| design | forced | eager | fused | fused + CUDA graph |", "|---|---|---|---|---|"]
    notes = []
    for name in order:
        t = table[name]
        cols = []
        for m in ("eager", "fused", "graph"):
            rel, verdict, note = t["modes"].get(m, t["modes"].get("-", ("-", "not run", "")))
            cols.append(f"{rel} {verdict}" if verdict in ("PASS", "FAIL") else verdict)
            if verdict != "PASS" and note:
                notes.append(f"- {name}, {m}: {note}")
        env = t["env"].replace("EXPLORER_CUDNN_", "").lower() or "-"
        out.append(f"| {name} | {env} | " + " | ".join(cols) + " |")
    passed = sum(1 for r in rows if r[6] == "PASS")
    out.append("")
    out.append("(max |cudnn - native| / max |native| over the output, rtol 1e-4; a forced row fails when the")
    out.append("fingerprint does not show the forced implementation.)")
    if notes:
        out += ["", "Failures:", ""] + notes
    return out, passed, len(rows)


def latency_table(d):
    cs = cells(d)
    if not cs:
        return ["(no latency runs)"]
    _, synthetic = torch_times(d)
    modes = [m for m in ("eager", "fused", "graph") if any(c[2][m] for c in cs)]
    head = ["width", "batch"] + [f"cudnn {m}" for m in modes] + ["graph wall", "PyTorch eager", "PyTorch graph",
                                                                  "graph / PyTorch graph", "convs (graph run)"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w, b, res, te, tg, ratio in cs:
        g = res.get("graph")
        wall = g.get("wall_ms", {}).get("median") if g else None
        r = "-" if ratio is None else (f"**{ratio:.2f}**" if ratio <= TARGET else f"{ratio:.2f}")
        kern = convs(g["fingerprint"]["kernels"]) if g else "-"
        out.append("| " + " | ".join([w, str(b)] + [fmt(ms(res.get(m))) for m in modes] +
                                     [fmt(wall), fmt(te), fmt(tg), r, kern]) + " |")
    met = [c for c in cs if c[5] is not None and c[5] <= TARGET]
    have = [c for c in cs if c[5] is not None]
    out.append("")
    out.append(f"Median ms, GPU time of the forward pass from CUDA events (input on the device), as PyTorch's")
    out.append(f"columns are timed; bold: within the {TARGET}x target; {len(met)} of {len(have)} cells meet it.")
    if synthetic:
        out.append("**The PyTorch columns are synthetic (DRY_RUN): not measurements.**")
    missed = [c for c in cs if c[5] is not None and c[5] > TARGET]
    for w, b, *_ in missed:
        prof = read(os.path.join(d, "profiles", f"snv2-{w}-b{b}.txt"))
        if prof:
            out += ["", f"In-graph profile of {w}x batch {b} (`explorer run --backend cudnn --preset shufflenetv2-{w} "
                        f"--batch {b} --mode fused --cuda-graph --profile`), categories:", "", "```"]
            out += category_lines(prof)
            out += ["```"]
    return out


def category_lines(prof):
    """The category table of an `explorer run --profile` text output."""
    lines = prof.splitlines()
    for i, l in enumerate(lines):
        if l.strip().startswith("category"):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            return [x.rstrip() for x in lines[i:j]]
    return ["(no profile table)"]


def guideline_table(d):
    rows = []
    for p in sorted(glob.glob(os.path.join(d, "guidelines", "g*.csv"))):
        with open(p) as f:
            rows += [r for r in csv.DictReader(f) if r.get("experiment", "").startswith("G")]
    if not rows:
        return ["(no guideline runs)"], None
    modes = []
    for r in rows:
        if r["mode"] not in modes:
            modes.append(r["mode"])
    rows.sort(key=lambda r: (r["experiment"], modes.index(r["mode"])))  # stable: rows keep their order
    out = ["| exp | row | mode | ms | images/s | ours / first row | paper GPU b/s | paper / first row |",
           "|---|---|---|---|---|---|---|---|"]
    first = {}
    g4 = {}
    for r in rows:
        key = (r["experiment"], r["scale"], r["mode"])
        speed, paper = float(r["local_images_per_s"] or 0), float(r["paper_gpu_batches_per_s"] or 0)
        first.setdefault(key, (speed, paper))
        s0, p0 = first[key]
        out.append(f"| {r['experiment']} | {r['row']} | {r['mode']} | {float(r['local_ms']):.3f} | {speed:.0f} | "
                   f"{speed / s0 if s0 else 0:.2f} | {paper:.0f} | {paper / p0 if p0 else 0:.2f} |")
        if r["experiment"] == "G4":
            g4.setdefault(r["mode"], {})[r["row"]] = float(r["local_ms"])
    verdict = None
    f = g4.get("fused")
    if f and len(f) == 4:
        fastest, slowest = min(f, key=f.get), max(f, key=f.get)
        ok = fastest == "neither" and slowest == "ReLU+shortcut"
        verdict = (f"G4 (fused, CUDA graph): fastest row {fastest!r}, slowest {slowest!r}: "
                   f"{'the paper ordering (neither fastest, ReLU+shortcut slowest) holds' if ok else 'not the paper ordering; see the in-graph profile'}.")
    return out, verdict


def profile_summary(text):
    """(total ms, {category: ms}, convs) of an `explorer run --profile` text output."""
    total = re.search(r"total ([0-9.]+) ms", text)
    cats = {}
    for line in category_lines(text)[1:]:
        f = line.split()
        for i, tok in enumerate(f):
            try:
                cats[" ".join(f[:i])] = float(tok)
                break
            except ValueError:
                continue
    kern = re.search(r"kernels (.*)\]$", text, re.M)
    return (float(total.group(1)) if total else None), cats, convs(kern.group(1) if kern else "")


def g4_profiles(d):
    out = []
    for label in ("ReLU+shortcut", "ReLU-only", "shortcut-only", "neither"):
        text = read(os.path.join(d, "profiles", f"g4-{label}.txt"))
        if not text:
            continue
        total, cats, kern = profile_summary(text)
        if not out:
            cmd = (read(os.path.join(d, "g4-profile.cmd")).strip() or
                   "explorer run --backend cudnn --family g4 --c 32 --batch 8 --mode fused --cuda-graph --profile")
            out = [f"In-graph profiles of G4's rows (`{cmd}`; the event nodes add a little per step):", "",
                   "| row | total ms | conv1x1 | conv kxk | element-wise | convs |", "|---|---|---|---|---|---|"]
        out.append(f"| {label} | {fmt(total)} | {fmt(cats.get('conv1x1'))} | {fmt(cats.get('conv kxk'))} | "
                   f"{fmt(cats.get('element-wise'))} | {kern} |")
    return out


def guidelines_command(d):
    """The guidelines command as gpu-check.sh ran it (guidelines.cmd), else the usual one."""
    return (read(os.path.join(d, "guidelines.cmd")).strip() or
            "explorer guidelines --backend cudnn --platform gpu --batch 8 --cuda-graph --exp G1,G2,G3,G4 --scales 1")


def verdict_lines(d):
    return [l.strip() for l in read(os.path.join(d, "guidelines.txt")).splitlines()
            if re.match(r"\s*(holds|weak|does not hold)", l)]


def generate(d):
    m = machine(d)
    probe = load_json(os.path.join(d, "probe.json")) or {}
    fp = probe.get("fingerprint", {})
    out = [BEGIN, "", "## Measured on a GPU (generated by scripts/gpu-check.sh)", ""]
    out.append(f"- date: {m.get('date', '-')}; command: `{m.get('command', '-')}` at commit {m.get('commit', '-')}"
               f" (binary {m.get('binary', '-')})")
    out.append(f"- GPU: {m.get('nvidia-smi', '-')} (nvidia-smi: name, driver, memory, max SM clock)")
    out.append(f"- explorer's device line: {fp.get('device', '-')}")
    out.append(f"- PyTorch: {m.get('torch', '-')} ({m.get('python', '-')})")
    out.append(f"- host: {m.get('host', '-')}")
    out.append(f"- ShuffleNetV2 1.0x batch 1, fused, how the convolutions ran: {fp.get('kernels', '-')}")
    if m.get("env"):
        out.append(f"- environment: {m['env']}")
    for note in [l for l in read(os.path.join(d, "status.txt")).splitlines() if l.startswith("note:")]:
        out.append(f"- {note}")
    skipped = [l for l in read(os.path.join(d, "status.txt")).splitlines() if l.startswith("skipped")]
    if skipped:
        out.append("- not run (time budget): " + "; ".join(s[len('skipped: '):] for s in skipped))
    out += ["", "### Correctness: cudnn against the native backend, same seed, rtol 1e-4", ""]
    ct, passed, total = correctness_table(d)
    out += ct
    out += ["", f"{passed} of {total} rows pass.", "", "### ShuffleNetV2 latency, median ms", ""]
    out += latency_table(d)
    # The heading keeps the anchor docs/guidelines.md links to.
    out += ["", "### Guideline micro-networks (GPU designs of paper Tables 1-4, 56x56, 10 blocks, batch 8)", "",
            f"`{guidelines_command(d)}`;",
            "images/s = batch x 1000 / the fastest round's median ms (every mode replayed from a CUDA graph);",
            "paper = GTX 1080Ti batches/s (x1 column); ratios are each row over the table's first row.", ""]
    gt, g4 = guideline_table(d)
    out += gt
    if g4:
        out += ["", g4]
    gp = g4_profiles(d)
    if gp:
        out += [""] + gp
    vs = verdict_lines(d)
    if vs:
        out += ["", "Verdicts (`explorer guidelines`):", ""] + [f"- {v}" for v in vs]
    out += ["", END]
    return "\n".join(out) + "\n"


def splice(doc, section):
    i, j = doc.find(BEGIN), doc.find(END)
    if i < 0 or j < i:
        raise ValueError(f"the docs file has no {BEGIN} ... {END} section")
    return doc[:i] + section.rstrip("\n") + doc[j + len(END):]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--docs")
    ap.add_argument("--update")
    ap.add_argument("--worst", type=int)
    a = ap.parse_args()
    if a.worst is not None:
        print(" ".join(worst(a.dir, a.worst)))
        return 0
    section = generate(a.dir)
    with open(os.path.join(a.dir, "report.md"), "w") as f:
        f.write(section)
    if a.docs:
        doc = splice(read(a.docs), section)
        with open(os.path.join(a.dir, "cudnn.md"), "w") as f:
            f.write(doc)
        if a.update:
            with open(a.update, "w") as f:
                f.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
