#!/usr/bin/env node
// Writes tests/web/fixture_native.json: the NATIVE build's inference traces (`trm solve --trace --json`) and
// iterative-commit answers (`trm solve --json --decoding iterative --symmetries 1|4`) that tests/web/wasm.test.js compares the
// WebAssembly build against. Each case is one puzzle run with a number of
// outer cycles, for each golden model (flat and cells architectures).
//   node tests/web/make-fixture.js path/to/trm        (scripts/test-web.sh --regen-fixture builds trm and runs this)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const trm = process.argv[2];
if (!trm || !fs.existsSync(trm)) {
  process.stderr.write('usage: make-fixture.js path/to/trm\n');
  process.exit(2);
}

const CLASSIC = '530070000600195000098000060800060003400803001700020006060000280000419005000080079';
// Puzzles written here (no external data): blank, typical, sparse, complete; default and other cycle counts.
const CASES = [
  // trm solve refuses an empty grid (many solutions) before the model runs, as the page does: the sparsest case is
  // a unique puzzle of 22 givens (tests/unit/test_sudoku_samples.h's hard puzzle).
  { name: 'hard, 22 givens', puzzle: '800040907000200004000000080007000200000501800090030100010000390300080020600000000', h_cycles: 0 },
  { name: 'classic, 30 givens', puzzle: CLASSIC, h_cycles: 0 },
  { name: 'classic, one cycle', puzzle: CLASSIC, h_cycles: 1 },
  { name: 'classic, more cycles than trained', puzzle: CLASSIC, h_cycles: 5 },
  { name: 'sparse, 21 givens', puzzle: '800000000003600000070090200050007000000045700000100030001000068008500010090000400', h_cycles: 0 },
  { name: 'complete grid', puzzle: '534678912672195348198342567859761423426853791713924856961537284287419635345286179', h_cycles: 3 },
  { name: 'dots for blanks', puzzle: '..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..', h_cycles: 0 },
];
const THRESHOLDS = [0.9, 0.13];
const SYMMETRIES = [1, 4];
const MODELS = ['tests/golden/weights_flat.json', 'tests/golden/weights_cells.json'];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trm-fixture-'));
const models = MODELS.map((weights) => {
  const cases = CASES.map((c) => ({ ...c, result: null }));
  // One `trm solve` per cycle count, all its puzzles in one input file (as the CLI batches them).
  for (const h of [...new Set(CASES.map((c) => c.h_cycles))]) {
    const group = cases.filter((c) => c.h_cycles === h);
    const input = path.join(tmp, `h${h}.txt`);
    fs.writeFileSync(input, group.map((c) => c.puzzle).join('\n') + '\n');
    const solve = (extra) => {
      const args = ['solve', '--model', path.join(ROOT, weights), '--input', input, '--json', ...extra];
      if (h) args.push('--h-cycles', String(h));
      const out = JSON.parse(execFileSync(trm, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
      if (out.results.length !== group.length) throw new Error(`expected ${group.length} results, got ${out.results.length}`);
      return out;
    };
    const traced = solve(['--trace', '--decoding', 'single']);
    group.forEach((c, k) => {
      const r = traced.results[k];
      c.result = { h_cycles: traced.h_cycles, l_cycles: traced.l_cycles, frames: r.frames,
        latent_update_norms: r.latent_update_norms, logits: r.logits };
      c.decode = [];
    });
    // Iterative commit (trm solve's default decoding) at two thresholds: the untrained models are never 90% sure,
    // so 0.9 commits one cell a pass; 0.13 commits many cells at once. Each over the puzzle alone and over the
    // default's 4 symmetries.
    for (const threshold of THRESHOLDS) {
      for (const symmetries of SYMMETRIES) {
        const decoded = solve(['--decoding', 'iterative', '--commit-threshold', String(threshold),
          '--symmetries', String(symmetries)]);
        group.forEach((c, k) => c.decode.push({
          threshold, symmetries, digits: decoded.results[k].prediction, passes: decoded.results[k].passes,
        }));
      }
    }
  }
  return { weights, cases };
});
fs.rmSync(tmp, { recursive: true, force: true });

const fixture = {
  generator: 'tests/web/make-fixture.js (trm solve --trace --json)',
  tolerance: 1e-5,
  models,
};
fs.writeFileSync(path.join(__dirname, 'fixture_native.json'), JSON.stringify(fixture) + '\n');
process.stdout.write(`tests/web/fixture_native.json: ${models.length} models x ${CASES.length} cases\n`);
