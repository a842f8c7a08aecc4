// TensorFlow.js (wasm backend) peer for `trm bench`: batch-1 inference of the same flat TRM, from the same
// weights file (trm's weights JSON, written by trm bench), under Node.
//
//   cd bench/tfjs && npm install          (benchmark-only; node_modules is not committed)
//   node bench/tfjs/bench.js --weights W.json --workload wasm-infer-default-b1 [--seconds 3]
//
// Prints one JSON array of {"workload", "impl": "tfjs-wasm", "metric": "latency_ms" | "peak_rss_mb", "value"}.
// The model follows the spec (docs/design.md, "The model"): LayerNorm (eps 1e-5) -> Linear -> GELU (erf) -> Linear
// blocks, residual stacks returning the sum of block outputs, scalar or vector gates.
'use strict';
const fs = require('fs');
const path = require('path');
const { arg, median } = require('../args.js');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

function loadWeights(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const tensors = {};
  for (const [name, t] of Object.entries(json.tensors)) {
    const buf = Buffer.from(t.data, 'base64');
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    tensors[name] = tf.tensor(data, t.shape);
  }
  return { config: json.config, tensors };
}

function makeModel({ config, tensors: W }) {
  if (config.arch !== 'flat') throw new Error('tfjs peer: only the flat architecture');
  const T = (name) => W[name];
  // Linear weights are [out, in]; pre-transpose once so the forward pass is x @ Wt.
  const Wt = {};
  for (const [name, t] of Object.entries(W)) if (t.shape.length === 2) Wt[name] = tf.keep(t.transpose());
  const linear = (x, prefix, bias = true) => {
    const y = tf.matMul(x, Wt[prefix + '.weight']);
    return bias ? tf.add(y, T(prefix + '.bias')) : y;
  };
  const layerNorm = (x, prefix) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), T(prefix + '.weight')), T(prefix + '.bias'));
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const block = (v, prefix) => linear(gelu(linear(layerNorm(v, prefix + 'norm'), prefix + 'fc1')), prefix + 'fc2');
  const stack = (u, name, n) => {
    let v = u, sum = null;
    for (let i = 0; i < n; i++) {
      const delta = block(v, `${name}.blocks.${i}.`);
      sum = sum ? tf.add(sum, delta) : delta;
      if (i + 1 < n) v = tf.add(v, delta);
    }
    return sum;
  };
  return (oneHot) => tf.tidy(() => {
    const x = linear(oneHot, 'input_proj');
    let z = tf.zerosLike(x), y = tf.zerosLike(x);
    for (let h = 0; h < config.H_cycles; h++) {
      for (let l = 0; l < config.L_cycles; l++) z = tf.add(z, tf.mul(T('latent_gate'), stack(tf.add(tf.add(x, y), z), 'latent_net', config.L_layers)));
      y = tf.add(y, tf.mul(T('output_gate'), stack(tf.add(y, z), 'output_net', config.O_layers)));
    }
    return tf.reshape(linear(y, 'output_head', false), [-1, 81, 9]);
  });
}

async function main() {
  const workload = arg('--workload');
  const seconds = Number(arg('--seconds', '3'));
  await tf.setBackend('wasm');
  await tf.ready();
  const model = makeModel(loadWeights(arg('--weights')));
  const oneHot = tf.tensor(new Float32Array(810).map((_, i) => (i % 10 === (i * 7) % 10 ? 1 : 0)), [1, 810]);
  const run = () => {
    const out = model(oneHot);
    out.dataSync();
    out.dispose();
  };
  run();
  const times = [];
  const start = performance.now();
  while (times.length < 20 || performance.now() - start < seconds * 1e3) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const rows = [
    { workload, impl: 'tfjs-wasm', metric: 'latency_ms', value: median(times) },
    { workload, impl: 'tfjs-wasm', metric: 'peak_rss_mb', value: process.resourceUsage().maxRSS / 1024 },
  ];
  console.log(JSON.stringify(rows));
}

main().catch((e) => {
  console.error(`tfjs bench: ${e.message}`);
  process.exit(1);
});
