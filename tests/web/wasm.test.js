// The WebAssembly build (www/generated/trm.js) against the native build and the PyTorch reference, and against hostile
// input. Run with `node --test tests/web/` (no npm packages).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const createTrmModule = require(path.join(ROOT, 'www', 'generated', 'trm.js'));
const TrmApi = require(path.join(ROOT, 'www', 'trm-api.js'));

const WEIGHTS_PATH = path.join(ROOT, 'tests', 'golden', 'weights_flat.json');
const WEIGHTS_TEXT = fs.readFileSync(WEIGHTS_PATH, 'utf8');
const NATIVE = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixture_native.json'), 'utf8'));
const CLASSIC = '530070000600195000098000060800060003400803001700020006060000280000419005000080079';

// Worst |a - b| / max(1, |b|) over two arrays, with where it is (llm.c's check_tensor, in one line of output).
function worstMismatch(actual, expected) {
  assert.equal(actual.length, expected.length, 'length');
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  return { worst, at, actual: actual[at], expected: expected[at] };
}

function assertClose(actual, expected, tol, label) {
  const m = worstMismatch(actual, expected);
  assert.ok(m.worst <= tol, `${label}: worst mismatch ${m.worst} at [${m.at}] (${m.actual} vs ${m.expected}), tolerance ${tol}`);
}

let model;
test.before(async () => {
  model = await TrmApi.create(createTrmModule);
});

test('a fresh model has no weights and says so', () => {
  assert.equal(model.loaded, false);
  assert.throws(() => model.info(), { name: 'TrmError', message: /no model loaded/ });
  assert.throws(() => model.run(CLASSIC, 0), { name: 'TrmError', message: /no model loaded/ });
});

test('loads the golden weights and reports the config', () => {
  const info = model.load(WEIGHTS_TEXT, 'weights_flat.json');
  assert.equal(model.loaded, true);
  assert.equal(info.config.hidden_dim, 16);
  assert.equal(info.config.H_cycles, 2);
  assert.equal(info.config.L_cycles, 2);
  assert.equal(info.parameter_count, 33282);
  assert.equal(info.simd, true, 'Eigen should vectorise with wasm SIMD (see cmake/Emscripten.cmake)');
  assert.deepEqual(model.info(), info);
});

for (const { weights, cases } of NATIVE.models) {
  test(`matches the native build (trm solve --trace --json) for ${weights}`, () => {
    model.load(fs.readFileSync(path.join(ROOT, weights), 'utf8'), path.basename(weights));
    assert.ok(cases.length >= 5);
    for (const c of cases) {
      const got = model.run(c.puzzle, c.h_cycles);
      const want = c.result;
      const label = `${path.basename(weights)}: ${c.name} (h_cycles ${c.h_cycles})`;
      assert.equal(got.h_cycles, want.h_cycles, label);
      assert.equal(got.l_cycles, want.l_cycles, label);
      assert.equal(got.frames.length, want.h_cycles, `${label}: one frame per outer cycle`);
      assert.equal(got.latent_update_norms.length, want.h_cycles * want.l_cycles, label);
      got.frames.forEach((frame, h) => {
        assert.equal(frame.digits, want.frames[h].digits, `${label}: digits of frame ${h}`);
        assertClose(frame.confidence, want.frames[h].confidence, NATIVE.tolerance, `${label}: confidence of frame ${h}`);
      });
      assertClose(got.latent_update_norms, want.latent_update_norms, NATIVE.tolerance, `${label}: latent update norms`);
      assertClose(got.logits, want.logits, NATIVE.tolerance, `${label}: logits`);
      for (const d of c.decode) {
        const answer = model.decode(c.puzzle, c.h_cycles, d.threshold, d.symmetries);
        const what = `${label}: iterative commit at ${d.threshold} over ${d.symmetries} symmetries`;
        assert.equal(answer.symmetries, d.symmetries, what);
        assert.equal(answer.digits, d.digits, what);
        assert.equal(answer.passes, d.passes, `${what}: passes`);
      }
    }
  });
}

for (const arch of ['flat', 'cells']) {
  test(`matches the PyTorch reference (tests/golden/fixture_${arch}.json)`, () => {
    const torch = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'golden', `fixture_${arch}.json`), 'utf8'));
    model.load(fs.readFileSync(path.join(ROOT, 'tests', 'golden', torch.weights), 'utf8'), torch.weights);
    torch.puzzles.forEach((puzzle, b) => {
      const got = model.run(puzzle.join(''), 0);
      assertClose(got.logits, torch.logits.slice(b * 729, (b + 1) * 729), 1e-5, `${arch} puzzle ${b}: final logits`);
      assertClose(got.latent_update_norms, torch.latent_update_norms.map((step) => step[b]), 1e-5, `${arch} puzzle ${b}: norms`);
      torch.cycle_logits.forEach((logits, h) => {
        const cycle = logits.slice(b * 729, (b + 1) * 729);
        let digits = '';
        for (let cell = 0; cell < 81; cell++) {
          const row = cycle.slice(cell * 9, cell * 9 + 9);
          digits += String(row.indexOf(Math.max(...row)) + 1);
        }
        assert.equal(got.frames[h].digits, digits, `${arch} puzzle ${b}: digits of frame ${h}`);
      });
    });
    model.load(WEIGHTS_TEXT, 'weights_flat.json');
  });
}

test('runs more outer cycles than the model was trained with, and "." blanks', () => {
  const got = model.run(CLASSIC.replace(/0/g, '.'), 9);
  assert.equal(got.h_cycles, 9);
  assert.equal(got.frames.length, 9);
  assert.equal(got.latent_update_norms.length, 18);
  for (const f of got.frames) {
    assert.match(f.digits, /^[1-9]{81}$/);
    assert.ok(f.confidence.every((p) => p > 0 && p <= 1));
  }
  assert.deepEqual(got.frames[0], model.run(CLASSIC, 1).frames[0], 'cycle 1 is the same whatever the total');
});

test('iterative commit keeps the givens, fills every blank, and never takes more passes than blanks', () => {
  for (const threshold of [1, 0.9, 0.5, 0.2, 0.01]) {
    const answer = model.decode(CLASSIC, 0, threshold);
    assert.match(answer.digits, /^[1-9]{81}$/);
    assert.ok([...CLASSIC].every((ch, i) => ch === '0' || answer.digits[i] === ch));
    assert.ok(answer.passes >= 1 && answer.passes <= 51, String(answer.passes));
    assert.ok(Math.abs(answer.threshold - threshold) < 1e-6);
  }
  const full = '534678912672195348198342567859761423426853791713924856961537284287419635345286179';
  const done = model.decode(full, 0, 0.9);
  assert.equal(done.digits, full, 'a complete grid stays as it is');
  assert.ok(done.passes <= 1, 'a complete grid needs at most one pass');
  for (const bad of [0, -0.5, 1.5, NaN, 'x'])
    assert.throws(() => model.decode(CLASSIC, 0, bad), { name: 'TrmError', message: /threshold/ }, String(bad));
  assert.throws(() => model.decode(CLASSIC.slice(3), 0, 0.9), { name: 'TrmError', message: /expected 81/ });
  assert.throws(() => model.decode(CLASSIC, 300, 0.9), { name: 'TrmError', message: /outer cycles/ });
});

test('decoding over symmetries: the default is the info() default, bad counts are errors', () => {
  const defaults = model.info().default_decoding;
  assert.equal(defaults.decoding, 'search', 'trm solve and the page search by default');
  assert.equal(defaults.symmetries, 1, 'the search reads the puzzle as given');
  assert.equal(defaults.iterative_symmetries, 4, 'iterative commit combines 4 readings');
  assert.equal(defaults.max_forward_passes, 256);
  assert.equal(defaults.halting, false, 'the test model has no halting head');
  assert.ok(Math.abs(defaults.commit_threshold - 0.99) < 1e-6);
  const implicit = model.decode(CLASSIC, 0, 0.9);
  assert.equal(implicit.symmetries, 4);
  assert.deepEqual(implicit, model.decode(CLASSIC, 0, 0.9, 4), 'left out means 4');
  const alone = model.decode(CLASSIC, 0, 0.9, 1);
  assert.equal(alone.symmetries, 1);
  assert.ok([...CLASSIC].every((ch, i) => ch === '0' || alone.digits[i] === ch));
  for (const bad of [0, -1, 65, 2.5, 'x'])
    assert.throws(() => model.decode(CLASSIC, 0, 0.9, bad), { name: 'TrmError', message: /symmetries/ }, String(bad));
});

test('bad puzzles and cycle counts are errors with a message', () => {
  const cases = [
    [CLASSIC.slice(1), 0, /expected 81/],
    [CLASSIC + '1', 0, /expected 81/],
    ['', 0, /expected 81/],
    [CLASSIC.slice(0, 40) + 'x' + CLASSIC.slice(41), 0, /character 41 is 'x'/],
    [CLASSIC, -1, /outer cycles/],
    [CLASSIC, 257, /outer cycles/],
    [CLASSIC, 1.5, /outer cycles/],
    [42, 0, /puzzle must be a string/],
    ['9'.repeat(1 << 20), 0, /expected 81/],
  ];
  for (const [puzzle, cycles, message] of cases)
    assert.throws(() => model.run(puzzle, cycles), { name: 'TrmError', message }, String(puzzle).slice(0, 20));
});

// Hostile weights: each must be a readable TrmError, quickly, and must leave the loaded model in place.
function withTensor(mutate) {
  const w = JSON.parse(WEIGHTS_TEXT);
  mutate(w);
  return JSON.stringify(w);
}
const nanBase64 = (count) => {
  const buf = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) buf.writeFloatLE(i === 7 ? NaN : 0.5, i * 4);
  return buf.toString('base64');
};
const HOSTILE = [
  ['empty text', '', /invalid JSON/],
  ['truncated JSON', WEIGHTS_TEXT.slice(0, Math.floor(WEIGHTS_TEXT.length / 2)), /invalid JSON/],
  ['not an object', '[1, 2, 3]', /not a weights file/],
  ['null', 'null', /not a weights file/],
  ['wrong format name', withTensor((w) => { w.format = 'pytorch-state-dict'; }), /not a weights file.*pytorch-state-dict/],
  ['missing format', withTensor((w) => { delete w.format; }), /format.*missing/],
  ['future version', withTensor((w) => { w.version = 2; }), /version 2 is not supported/],
  ['unknown config key', withTensor((w) => { w.config.hiden_dim = 3; }), /unknown config key "hiden_dim"/],
  ['NaN literal', WEIGHTS_TEXT.replace('"dropout": 0.0', '"dropout": NaN'), /invalid JSON/],
  ['NaN value in base64 data', withTensor((w) => { w.tensors['input_proj.bias'].data = nanBase64(16); }), /input_proj.bias.*value 7 is not finite/],
  ['overflowing number in a list', withTensor((w) => {
    w.tensors['input_proj.bias'].data = Array(16).fill(0.25);
  }).replace(/\[0\.25,/, '[1e999,'), /input_proj.bias.*not finite|invalid JSON|number/],
  ['wrong shape', withTensor((w) => { w.tensors['input_proj.weight'].shape = [16, 809]; }), /input_proj.weight.*shape \[16,809\]/],
  ['huge declared shape', withTensor((w) => { w.tensors['input_proj.weight'].shape = [4294967296, 4294967296]; }), /input_proj.weight.*shape/],
  ['huge config with tiny data', withTensor((w) => {
    w.config.hidden_dim = 8192; w.config.L_layers = 64; w.config.O_layers = 64;
  }), /shape|missing tensor/],
  ['missing tensor', withTensor((w) => { delete w.tensors['input_proj.bias']; }), /missing tensor "input_proj.bias"/],
  ['unknown tensor', withTensor((w) => { w.tensors['extra'] = w.tensors['input_proj.bias']; }), /unknown tensor "extra"/],
  ['short data', withTensor((w) => { w.tensors['input_proj.bias'].data = nanBase64(15); }), /input_proj.bias.*holds 15/],
  ['bad base64', withTensor((w) => { w.tensors['input_proj.bias'].data = '!!!!' + w.tensors['input_proj.bias'].data.slice(4); }), /input_proj.bias/],
  ['deep nesting of arrays', '['.repeat(1000000), /nested more than/],
  ['deep nesting of objects', '{"a":'.repeat(200000) + '1' + '}'.repeat(200000), /nested more than/],
  ['deep nesting inside a valid file', WEIGHTS_TEXT.replace('"version": 1', '"version": 1, "x": ' + '['.repeat(100) + ']'.repeat(100)), /nested more than/],
  ['megabytes of junk', 'x'.repeat(8 << 20), /invalid JSON/],
  ['megabytes of binary junk', Buffer.from(Array.from({ length: 4 << 20 }, (_, i) => (i * 2654435761) >>> 24)).toString('latin1'), /invalid JSON/],
  ['megabytes of valid JSON junk', JSON.stringify({ format: 'trm-sudoku-weights', version: 1, junk: Array(1 << 20).fill(0) }), /config.*missing|"config" is missing/],
  ['huge format string', JSON.stringify({ format: 'y'.repeat(4 << 20) }), /not a weights file/],
];

for (const [name, text, message] of HOSTILE) {
  test(`hostile weights: ${name}`, { timeout: 20000 }, () => {
    model.load(WEIGHTS_TEXT, 'weights_flat.json');
    const before = model.run(CLASSIC, 0);
    const t0 = Date.now();
    let error;
    try {
      model.load(text, 'bad.json');
    } catch (e) {
      error = e;
    }
    assert.ok(error, 'load must fail');
    assert.equal(error.name, 'TrmError');
    assert.match(error.message, message);
    assert.ok(error.message.length <= 700, 'message is bounded');
    assert.ok(Date.now() - t0 < 10000, 'fails quickly');
    assert.equal(model.loaded, true, 'the previous model stays loaded');
    assert.deepEqual(model.run(CLASSIC, 0), before, 'and still answers the same');
  });
}

test('non-text weights are refused by the wrapper', () => {
  assert.throws(() => model.load({ format: 'trm-sudoku-weights' }, 'x'), { name: 'TrmError', message: /as text/ });
  assert.throws(() => model.load(undefined, 'x'), { name: 'TrmError' });
});

test('weights as plain number lists load like base64', () => {
  const w = JSON.parse(WEIGHTS_TEXT);
  for (const t of Object.values(w.tensors)) {
    const buf = Buffer.from(t.data, 'base64');
    t.data = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
  }
  const a = model.load(WEIGHTS_TEXT, 'a');
  const ra = model.run(CLASSIC, 0);
  const b = model.load(JSON.stringify(w), 'b');
  assert.deepEqual(a, b);
  assert.deepEqual(model.run(CLASSIC, 0), ra);
});

test('a second module instance is independent', async () => {
  const other = await TrmApi.create(createTrmModule);
  assert.equal(other.loaded, false);
  other.load(WEIGHTS_TEXT, 'w');
  assert.deepEqual(other.run(CLASSIC, 3), model.run(CLASSIC, 3));
  other.dispose();
});

test('runLive streams each outer cycle as it ends, the same frames run() returns', () => {
  const native = model._native;  // the embind object: runLive takes a JavaScript callback
  const streamed = [];
  const trace = TrmApi.unwrap(native.runLive(CLASSIC, 3, (text) => streamed.push(JSON.parse(text))));
  assert.deepEqual(trace, model.run(CLASSIC, 3), 'runLive returns what run() returns');
  assert.deepEqual(streamed.map((f) => f.cycle), [0, 1, 2]);
  streamed.forEach((f, h) => {
    assert.equal(f.digits, trace.frames[h].digits);
    assert.deepEqual(f.confidence, trace.frames[h].confidence);
    assert.deepEqual(f.latent_update_norms, trace.latent_update_norms.slice(h * trace.l_cycles, (h + 1) * trace.l_cycles));
  });
  assert.throws(() => TrmApi.unwrap(native.runLive(CLASSIC, 3, 'not a function')), /callback/);
  assert.throws(() => TrmApi.unwrap(native.runLive('123', 3, () => {})), /expected 81/);
});

test('decodeLive: decode() with each pass and cycle streamed, and pass 1 as the trace', () => {
  const native = model._native;
  for (const [symmetries, threshold] of [[1, 1], [4, 1], [4, 0.99]]) {
    const events = [];
    const live = TrmApi.unwrap(native.decodeLive(CLASSIC, 3, threshold, symmetries, 'iterative', (t) => events.push(JSON.parse(t))));
    const plain = model.decode(CLASSIC, 3, threshold, symmetries);
    assert.equal(live.digits, plain.digits, `k=${symmetries}`);
    assert.equal(live.passes, plain.passes);
    assert.equal(live.forward_passes, plain.passes * symmetries);
    assert.equal(live.outer_cycles, plain.passes * symmetries * 3);
    assert.equal(live.decoding, 'iterative');
    const starts = events.filter((e) => e.cycle === undefined);
    assert.deepEqual(starts.map((e) => e.pass), Array.from({ length: plain.passes }, (_, i) => i + 1));
    assert.equal(starts[0].board, CLASSIC, 'pass 1 reads the puzzle as given');
    for (let p = 1; p < starts.length; p++)  // each later board keeps the givens and every earlier commit
      assert.ok([...starts[p - 1].board].every((ch, i) => ch === '0' || starts[p].board[i] === ch));
    const cycles = events.filter((e) => e.cycle !== undefined);
    assert.equal(cycles.length, 3 * plain.passes);
    assert.equal(live.trace.frames.length, 3);
    if (symmetries === 1) {  // batch 1: pass 1 is exactly run()'s reading
      const run = model.run(CLASSIC, 3);
      assert.deepEqual(live.trace.frames, run.frames);
      assert.deepEqual(live.trace.latent_update_norms, run.latent_update_norms);
    }
  }
  const search = TrmApi.unwrap(native.decodeLive(CLASSIC, 3, 0.99, 1, 'search', () => {}));
  assert.ok(['complete', 'rejected', 'budget'].includes(search.search_end), search.search_end);
  assert.throws(() => TrmApi.unwrap(native.decodeLive(CLASSIC, 3, 0.99, 1, 'single', () => {})), /runLive/);
  assert.throws(() => TrmApi.unwrap(native.decodeLive(CLASSIC, 3, 0.99, 1, 'iterative', 7)), /callback/);
  assert.throws(() => TrmApi.unwrap(native.decodeLive(CLASSIC, 3, 0, 1, 'iterative', () => {})), /threshold/);
});

test('readPuzzle: core\'s puzzle reader, the same variants and messages as trm solve', async () => {
  const module = await createTrmModule();
  const read = (text) => TrmApi.unwrap(module.readPuzzle(text));
  const digits = CLASSIC.replace(/\./g, '0');
  const rows = digits.match(/.{9}/g);
  for (const text of [CLASSIC, CLASSIC.replace(/0/g, '.'), '\ufeff' + CLASSIC, '  ' + CLASSIC + ' \t\r\n', CLASSIC + '\r',
    rows.join('\n'), rows.join('\r\n') + '\r\n', rows.join('\r'),
    rows.map((r) => r.split('').join(' ').replace(/^(.{5}) (.{5}) (.{5})$/, '$1 | $2 | $3')).join('\n')]) {
    const r = read(text);
    assert.equal(r.digits, digits, JSON.stringify(text).slice(0, 40));
    assert.equal(r.givens, [...digits].filter((c) => c !== '0').length);
  }
  const clash = '55' + digits.slice(2);
  assert.equal(read(clash).digits, clash, 'conflicting givens read (the page shows them)');
  const cases = [
    ['', /puzzle: has 0 characters, expected 81$/],
    [CLASSIC.slice(1), /puzzle: has 80 characters, expected 81$/],
    ['x' + CLASSIC.slice(1), /puzzle: character 1 is 'x', expected a digit 1-9 or 0\/. for a blank$/],
    [rows.slice(1).join('\n') + '\n1', /a grid of 9 lines has 73 cells, expected 81/],
    [((t) => t.slice(0, 22) + '?' + t.slice(23))(rows.join('\n')), /line 3 of the grid, character 3 is '\?'/],
    ['\u0000'.repeat(81), /character 1 is byte 0x00/],
    ['1'.repeat((1 << 20) + 1), /bytes, more than the 1048576 a puzzle may have/],
  ];
  for (const [text, message] of cases) assert.throws(() => read(text), message, JSON.stringify(text).slice(0, 30));
});

test('countSolutions: exact counts up to the limit, no model needed', async () => {
  const module = await createTrmModule();
  const count = (p, limit = 2) => TrmApi.unwrap(module.countSolutions(p, limit));
  assert.equal(count(CLASSIC).solutions, 1);
  assert.equal(count('123456780000000009' + '0'.repeat(63)).solutions, 0, 'r1c9 must be 9, but column 9 has one');
  assert.equal(count('530070000' + '0'.repeat(72)).solutions, 2, 'counting stops at the limit');
  assert.equal(count('0'.repeat(81), 5).solutions, 5);
  assert.equal(count('55' + CLASSIC.slice(2)).solutions, 0, 'clashing givens have no solution');
  assert.throws(() => count('12'), /expected 81/);
  assert.throws(() => count(CLASSIC, 0), /limit/);
});
