#!/usr/bin/env node
// Time torchvision ShuffleNetV2 (exported by export_onnx.py) under onnxruntime-node on the CPU:
// the explorer's ONNX Runtime peer.
//
// For every (model, batch, threads) it loads <dir>/<model>_b<batch>.onnx with graph
// optimisation "all", intraOpNumThreads = threads (interOpNumThreads 1, sequential execution),
// checks the logits against PyTorch's (<model>_b<batch>.ref.json, same deterministic input
// x[i] = float32(sin(0.001 i))), warms up, then repeats until at least --min-iters iterations
// AND --min-time seconds have run, and prints one JSON line in torch_bench.py's format:
//   {"engine": "onnxruntime", "model", "batch", "threads", "mode", "input", "iters",
//    "median_ms", "p10_ms", "p90_ms", "min_ms", "mean_ms", ...}
//
// Setup: scripts/peers/setup.sh; then e.g.
//   node scripts/peers/ort_bench.mjs --models shufflenet_v2_x1_0 --batch 1,8 --threads 1
import { readFileSync, existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const MODELS = ["shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"];
const DEFAULTS = {
  dir: join(here, "onnx"),
  models: MODELS.join(","),
  batch: "1",
  threads: "1",
  size: "224",
  warmup: "5",
  "min-iters": "20",
  "min-time": "2",
  "max-iters": "100000",
  rtol: "1e-4",
};

function usage(msg) {
  const text =
    "usage: node ort_bench.mjs [--dir D] [--models a,b] [--batch 1,8] [--threads 1,2] [--size 224]\n" +
    "                         [--warmup N] [--min-iters N] [--min-time SEC] [--max-iters N] [--rtol R]";
  if (!msg) {
    // Asked for (-h): the usage on stdout, exit 0.
    console.log(text);
    process.exit(0);
  }
  console.error(`ort_bench: ${msg}`);
  console.error(text);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") usage();
    if (!a.startsWith("--")) usage(`unexpected argument ${a}`);
    let key = a.slice(2);
    let val;
    const eq = key.indexOf("=");
    if (eq >= 0) {
      val = key.slice(eq + 1);
      key = key.slice(0, eq);
    } else {
      val = argv[++i];
    }
    if (!(key in DEFAULTS)) usage(`unknown option --${key}`);
    if (val === undefined) usage(`--${key} needs a value`);
    opts[key] = val;
  }
  return opts;
}

const list = (s) => s.split(",").map((v) => v.trim()).filter((v) => v);
function intList(s, name) {
  return list(s).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`--${name}: ${v} is not a positive integer`);
    return n;
  });
}

// Linear interpolation between closest ranks (numpy's default): same rule as torch_bench.py.
function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const round4 = (v) => Math.round(v * 1e4) / 1e4;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require("onnxruntime-node");
  } catch (e) {
    console.error(`ort_bench: cannot load onnxruntime-node (${e.message}); run scripts/peers/setup.sh`);
    process.exit(2);
  }
  const ortVersion = JSON.parse(
    readFileSync(require.resolve("onnxruntime-node/package.json"), "utf8"),
  ).version;
  const models = list(opts.models);
  for (const m of models) if (!MODELS.includes(m)) usage(`--models: ${m} unknown; have ${MODELS.join(",")}`);
  const batches = intList(opts.batch, "batch");
  const threadsList = intList(opts.threads, "threads");
  const sizes = intList(opts.size, "size");
  if (sizes.length !== 1) usage(`--size: ${opts.size} is not one positive integer`);
  const size = sizes[0];
  // Each number is checked: Number("2s") is NaN, which timed only the
  // minimum iterations; a bad --max-iters timed none.
  const num = (name, min, integer) => {
    const v = Number(opts[name]);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      usage(`--${name}: ${opts[name]} is not ${integer ? "an integer" : "a number"} >= ${min}${name === "min-time" ? " (seconds, e.g. 2)" : ""}`);
    }
    return v;
  };
  const warmup = num("warmup", 0, true);
  const minIters = num("min-iters", 1, true);
  const minTime = num("min-time", 0, false) * 1e3;
  const maxIters = num("max-iters", 1, true);
  const rtol = num("rtol", 0, false);
  const host = { cpu: cpus()[0]?.model ?? "?", nproc: cpus().length, node: process.version };
  let failed = false;

  for (const model of models) {
    for (const batch of batches) {
      const file = join(opts.dir, `${model}_b${batch}.onnx`);
      if (!existsSync(file)) {
        console.error(`ort_bench: ${file} missing; run export_onnx.py --models ${model} --batch ${batch}`);
        process.exit(2);
      }
      const n = batch * 3 * size * size;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = Math.sin(0.001 * i);
      const input = new ort.Tensor("float32", data, [batch, 3, size, size]);
      const refFile = file.replace(/\.onnx$/, ".ref.json");
      const ref = existsSync(refFile) ? JSON.parse(readFileSync(refFile, "utf8")) : null;
      if (!ref) console.error(`ort_bench: ${refFile} missing: ${model} b${batch} is timed without the check against PyTorch`);

      for (const threads of threadsList) {
        const session = await ort.InferenceSession.create(file, {
          executionProviders: ["cpu"],
          graphOptimizationLevel: "all",
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: "sequential",
        });
        const feeds = { [session.inputNames[0]]: input };
        const outName = session.outputNames[0];

        // Correctness against PyTorch before timing.
        let maxDiff = null;
        let maxRef = null;
        if (ref) {
          const out = (await session.run(feeds))[outName].data;
          if (out.length !== ref.logits.length) {
            console.error(`ort_bench: ${model} b${batch}: ${out.length} logits, torch has ${ref.logits.length}`);
            process.exit(1);
          }
          maxDiff = 0;
          maxRef = 0;
          for (let i = 0; i < out.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(out[i] - ref.logits[i]));
            maxRef = Math.max(maxRef, Math.abs(ref.logits[i]));
          }
          if (!(maxDiff <= rtol * maxRef)) {
            console.error(`ort_bench: ${model} b${batch}: max |ort - torch| ${maxDiff} > ${rtol} x ${maxRef}`);
            failed = true;
          }
        }

        for (let i = 0; i < warmup; i++) await session.run(feeds);
        const times = [];
        const start = performance.now();
        while (times.length < maxIters && (times.length < minIters || performance.now() - start < minTime)) {
          const t0 = process.hrtime.bigint();
          await session.run(feeds);
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        await session.release();
        const s = [...times].sort((a, b) => a - b);
        const row = {
          engine: "onnxruntime",
          engine_version: ortVersion,
          model,
          batch,
          threads,
          mode: "graph-opt-all",
          input: [batch, 3, size, size],
          iters: times.length,
          median_ms: round4(percentile(s, 0.5)),
          p10_ms: round4(percentile(s, 0.1)),
          p90_ms: round4(percentile(s, 0.9)),
          min_ms: round4(s[0]),
          mean_ms: round4(s.reduce((a, b) => a + b, 0) / s.length),
          max_abs_vs_torch: maxDiff,
          max_abs_torch: maxRef,
          host,
        };
        console.log(JSON.stringify(row));
      }
    }
  }
  if (failed) process.exit(1);
}

main().catch((e) => {
  console.error(`ort_bench: ${e.stack || e}`);
  process.exit(1);
});
