// Helpers shared by the Node peers of `trm bench` (wasm_bench.js, tfjs/bench.js).
'use strict';

// The value after flag `name` on the command line, or `fallback`.
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// Median of an array of numbers (sorts it in place).
function median(v) {
  v.sort((a, b) => a - b);
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

module.exports = { arg, median };
