// The WebAssembly build (www/generated/trm.js or a fresh build) under Node, for `trm bench`: batch-1 inference latency of
// what the page runs (Model.run: the model's outer cycles with a frame per cycle), from trm's weights JSON.
//
//   NODE_PATH=/usr/share/nodejs node bench/wasm_bench.js --bundle www/generated/trm.js --weights W.json --workload wasm-infer-default-b1
//
// Prints one JSON array of {"workload", "impl": "trm", "metric": "latency_ms" | "peak_rss_mb", "value"}.
'use strict';
const fs = require('fs');
const path = require('path');
const { arg, median } = require('./args.js');

async function main() {
  const workload = arg('--workload');
  const seconds = Number(arg('--seconds', '3'));
  const createTrmModule = require(path.resolve(arg('--bundle', 'www/generated/trm.js')));
  const Module = await createTrmModule();
  const model = new Module.Model();
  const info = JSON.parse(model.load(fs.readFileSync(arg('--weights'), 'utf8'), 'weights.json'));
  if (info.error) throw new Error(info.error);
  const puzzle = '530070000600195000098000060800060003400803001700020006060000280000419005000080079';
  const run = () => {
    const out = model.run(puzzle, 0);
    if (out.startsWith('{"error"')) throw new Error(out);
  };
  run();
  const times = [];
  const start = performance.now();
  while (times.length < 20 || performance.now() - start < seconds * 1e3) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify([
    { workload, impl: 'trm', metric: 'latency_ms', value: median(times) },
    { workload, impl: 'trm', metric: 'peak_rss_mb', value: process.resourceUsage().maxRSS / 1024 },
  ]));
}

main().catch((e) => {
  console.error(`wasm bench: ${e.message}`);
  process.exit(1);
});
