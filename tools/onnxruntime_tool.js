#!/usr/bin/env node
// nas's own tool, not a vendor's: runs an ONNX file in ONNX Runtime (npm's
// onnxruntime-node, found through NODE_PATH; scripts/install_onnxruntime_node.sh
// puts it in build/onnxruntime-node) for the export tests, the quantization
// benchmark, and the command-backend pipeline configs/runners/cpu-onnxruntime.json,
// which measures this CPU at fp32 and, with a QDQ file, at int8.
//
//   node onnxruntime_tool.js run MODEL SHAPE INPUT.f32 OUTPUT.f32 [verbose]
//       One inference on raw little-endian float32 input of SHAPE (1x3x224x224);
//       writes the first output as raw float32 and prints its shape. With
//       verbose, ONNX Runtime logs its graph rewrites to stderr (for a QDQ
//       file, "Matched Conv" where a pair group became an integer kernel).
//   node onnxruntime_tool.js bench MODEL SHAPE WARMUP_RUNS ITERATIONS [THREADS]
//       Times ITERATIONS inferences on random input after WARMUP_RUNS, and
//       prints the figures in trtexec's format (its "Performance summary"
//       lines), which the runner's trtexec parser reads. Every figure printed
//       is measured here; none is made up.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function fail(message) {
  process.stderr.write('onnxruntime_tool: ' + message + '\n');
  process.exit(2);
}

function parseShape(text) {
  const dims = text.split(/[x,]/).map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    fail('bad shape "' + text + '" (expected e.g. 1x3x224x224)');
  }
  return dims;
}

async function session(model, threads, verbose) {
  const options = {graphOptimizationLevel: 'all'};
  if (threads > 0) options.intraOpNumThreads = threads;
  if (verbose) options.logSeverityLevel = 0;
  return ort.InferenceSession.create(model, options);
}

async function runOnce(model, shapeText, inputPath, outputPath, verbose) {
  if (verbose !== undefined && verbose !== 'verbose') fail('unknown option "' + verbose + '"');
  const shape = parseShape(shapeText);
  const raw = fs.readFileSync(inputPath);
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.length !== count * 4) {
    fail(inputPath + ': ' + raw.length + ' bytes, but shape ' + shapeText + ' needs ' + count * 4);
  }
  const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const s = await session(model, 1, verbose === 'verbose');
  const results = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', data, shape)});
  const out = results[s.outputNames[0]];
  fs.writeFileSync(outputPath, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  process.stdout.write('output ' + s.outputNames[0] + ' ' + out.dims.join('x') + '\n');
}

function percentile(sorted, p) {
  // Nearest rank, as trtexec reports its percentiles.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

async function bench(model, shapeText, warmupText, iterationsText, threadsText) {
  const shape = parseShape(shapeText);
  const warmup = Number(warmupText), iterations = Number(iterationsText);
  const threads = Number(threadsText || 0);
  if (!Number.isInteger(warmup) || warmup < 0) fail('bad warm-up count "' + warmupText + '"');
  if (!Number.isInteger(iterations) || iterations < 1) fail('bad iteration count "' + iterationsText + '"');
  const s = await session(model, threads);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({length: count}, () => Math.random() * 2 - 1);
  const feeds = {[s.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  for (let i = 0; i < warmup; ++i) await s.run(feeds);
  const times = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; ++i) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const sorted = times.slice().sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
                                   : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const f = (v) => v.toPrecision(6);
  const log = (line) => process.stdout.write('[I] ' + line + '\n');
  log('onnxruntime-node ' + ort.env.versions.common + ' test tool, trtexec-format summary of ' + model);
  log('Timing trace has ' + iterations + ' queries over ' + f(wall) + ' s');
  log('=== Performance summary ===');
  log('Throughput: ' + f(iterations / wall) + ' qps');
  log('Latency: min = ' + f(sorted[0]) + ' ms, max = ' + f(sorted[sorted.length - 1]) +
      ' ms, mean = ' + f(mean) + ' ms, median = ' + f(median) + ' ms, percentile(90%) = ' +
      f(percentile(sorted, 90)) + ' ms, percentile(99%) = ' + f(percentile(sorted, 99)) + ' ms');
  log('Total Host Walltime: ' + f(wall) + ' s');
}

const [mode, ...args] = process.argv.slice(2);
let work;
if (mode === 'run' && (args.length === 4 || args.length === 5)) {
  work = runOnce(...args);
} else if (mode === 'bench' && (args.length === 4 || args.length === 5)) {
  work = bench(...args);
} else {
  fail('usage: run MODEL SHAPE INPUT.f32 OUTPUT.f32 [verbose] | bench MODEL SHAPE WARMUP ITERATIONS [THREADS]');
}
work.catch((e) => fail(String(e && e.message ? e.message : e)));
