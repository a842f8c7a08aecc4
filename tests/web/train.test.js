// Training in the WebAssembly build (web/bindings.cpp TrainSession and checkTrainConfig, what the page's Train card
// runs in its worker): settings refused with a reason, the loss falls, the time budget ends a run, the weight average
// is what evaluation and export see, an export is `trm export`'s format and continues training. Run with
// `node --test tests/web/`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const ROOT = path.join(__dirname, '..', '..');
const createTrmModule = require(path.join(ROOT, 'www', 'generated', 'trm.js'));
// A model `trm info`, `trm solve` and `trm eval` read in tests/cli (page-trained case of e2e.sh), written by this
// binding: regenerate with `node tests/web/train.test.js --write-fixture` when the export format changes.
const FIXTURE = path.join(ROOT, 'tests', 'cli', 'data', 'page-trained.json');

// Small enough for a test (a step takes milliseconds), big enough to learn something in 60 steps.
const TINY = { arch: 'cells', hidden_dim: 16, L_layers: 1, L_cycles: 2, H_cycles: 2, batch_size: 16, lr: 0.005,
  dropout: 0, deep_supervision: true };
const OPTIONS = { minutes: 60, validation: 20, seed: 3 };

let M;
test.before(async () => {
  M = await createTrmModule();
});

const parse = (text) => JSON.parse(text);
function session(config = TINY, options = OPTIONS) {
  const t = new M.TrainSession();
  const info = parse(t.start(JSON.stringify(config), JSON.stringify(options)));
  assert.equal(info.error, undefined, info.error);
  return { t, info };
}
// Under a time budget the cosine schedule follows the steps or the time, whichever is further along (core/train/
// trainer.h), so two runs' learning rates differ in the last bits and so do their losses: equal to 1e-5 relative.
function assertSameLosses(a, b, label) {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-5 * Math.abs(b[i]), `${label}: slice ${i}: ${x} vs ${b[i]}`));
}
// n steps in slices of k, as the worker takes them; the mean loss of each slice.
function steps(t, n, k = 5) {
  const losses = [];
  for (let done = 0; done < n; done += k) {
    const r = parse(t.step(k));
    assert.equal(r.error, undefined, r.error);
    losses.push(r.loss);
  }
  return losses;
}

test('checkTrainConfig: absurd settings are refused before anything is allocated, naming the setting', () => {
  const check = (config) => parse(M.checkTrainConfig(JSON.stringify(config)));
  assert.match(check({ hidden_dim: 0 }).error, /hidden_dim must be in \[1, 8192\], got 0/);
  assert.match(check({ H_cycles: 1000000 }).error, /H_cycles must be in \[1, 256\], got 1000000/);
  assert.match(check({ arch: 'cells', batch_size: 100000 }).error,
    /a training step would need about \d+ MB, more than the 1536 MB the page can use; lower batch_size/);
  assert.match(check({ frobnicate: 1 }).error, /unknown config key "frobnicate"/);
  assert.match(parse(M.checkTrainConfig('{"hidden_dim": ')).error, /parse error/);
  const ok = check(TINY);
  assert.equal(ok.config.hidden_dim, 16);
  assert.equal(ok.config.L_layers, 1);
  assert.ok(ok.memory_bytes > 0 && ok.memory_bytes <= ok.memory_limit_bytes);
  assert.equal(ok.parameter_count, parse(M.checkTrainConfig(JSON.stringify(TINY))).parameter_count);
});

test('start refuses bad options and keeps no half-made run', () => {
  const t = new M.TrainSession();
  assert.match(parse(t.step(1)).error, /no training run started/);
  assert.match(parse(t.start(JSON.stringify(TINY), '{"minutes": 0}')).error, /minutes must be above 0/);
  assert.match(parse(t.start(JSON.stringify(TINY), '{"validation": 0}')).error, /validation must be 1 to 5000/);
  assert.match(parse(t.start(JSON.stringify(TINY), '{"speed": 1}')).error, /unknown key "speed"/);
  assert.match(parse(t.start(JSON.stringify(TINY), '{"min_givens": 90}')).error, /givens/);
  assert.match(parse(t.start(JSON.stringify({ hidden_dim: 0 }), '{}')).error, /hidden_dim/);
  assert.match(parse(t.step(1)).error, /no training run started/);
  t.delete();
});

test('the loss falls and the held-out accuracy rises over 60 steps', () => {
  const { t, info } = session();
  assert.equal(info.validation_puzzles, 20);
  assert.equal(info.step, 0);
  assert.equal(info.config.epochs, 100000, 'the page\'s runs end by time, not by the schedule\'s epochs');
  const before = parse(t.evaluate(20, 'single', null));
  const losses = steps(t, 60);
  const after = parse(t.evaluate(20, 'single', null));
  assert.ok(losses[losses.length - 1] < 0.9 * losses[0], `loss ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  assert.ok(after.loss < before.loss, `held-out loss ${before.loss} -> ${after.loss}`);
  assert.ok(after.blank_accuracy > before.blank_accuracy, `held-out blank cells ${before.blank_accuracy} -> ${after.blank_accuracy}`);
  assert.equal(after.step, 60);
  assert.equal(after.puzzles, 20);
  assert.equal(after.per_cycle_blank_accuracy.length, TINY.H_cycles);
  assert.equal(after.decoding, 'single');
  const r = parse(t.step(3));
  assert.equal(r.step, 63);
  assert.equal(r.steps, 3);
  assert.ok(r.lr > 0 && r.train_seconds > 0 && r.memory_bytes > 0 && !r.finished);
  t.delete();
});

test('the same seed trains the same way (the generator, augmentation and dropout streams are the trainer\'s)', () => {
  const a = session(), b = session();
  assertSameLosses(steps(a.t, 10), steps(b.t, 10), 'same seed');
  a.t.delete();
  b.t.delete();
});

test('the time budget ends the run: finished, and no step is taken after it', async () => {
  const { t } = session(TINY, { minutes: 0.002, validation: 5 });  // 0.12 s of steps
  let r;
  for (let i = 0; i < 10000; i++) {
    r = parse(t.step(5));
    if (r.finished) break;
  }
  assert.ok(r.finished, 'finished within 10000 slices');
  assert.ok(r.train_seconds >= 0.12, `train_seconds ${r.train_seconds}`);
  const again = parse(t.step(5));
  assert.equal(again.steps, 0);
  assert.equal(again.step, r.step);
  t.delete();
});

test('with ema_decay the evaluation and the export hold the weight average, and training does not depend on it', () => {
  const plain = session(), averaged = session(Object.assign({}, TINY, { ema_decay: 0.9 }));
  assertSameLosses(steps(plain.t, 20), steps(averaged.t, 20), 'the average does not change the steps');
  const wPlain = parse(plain.t.exportWeights()), wAveraged = parse(averaged.t.exportWeights());
  assert.notDeepEqual(wPlain.tensors, wAveraged.tensors);
  assert.notEqual(parse(plain.t.evaluate(20, 'single', null)).loss, parse(averaged.t.evaluate(20, 'single', null)).loss);
  // Swapped back after each: the next steps are the same in both.
  assertSameLosses(steps(plain.t, 5), steps(averaged.t, 5), 'after evaluating and exporting');
  plain.t.delete();
  averaged.t.delete();
});

test('evaluate with the page\'s decoding streams its progress', () => {
  const { t } = session();
  steps(t, 10);
  const seen = [];
  const r = parse(t.evaluate(6, 'search', (text) => seen.push(parse(text))));
  assert.equal(r.decoding, 'search');
  assert.equal(r.puzzles, 6);
  assert.ok(r.mean_forward_passes >= 1);
  assert.ok(seen.length >= 1 && seen[seen.length - 1].done === 6 && seen[seen.length - 1].total === 6, JSON.stringify(seen));
  assert.match(parse(t.evaluate(0, 'single', null)).error, /limit must be at least 1/);
  assert.match(parse(t.evaluate(5, 'guess', null)).error, /guess/);
  t.delete();
});

test('exportWeights is trm export\'s file: the solver loads it, and training continues from it', () => {
  const { t } = session(Object.assign({}, TINY, { supervision_steps: 2 }));
  steps(t, 20);
  const text = t.exportWeights();
  const w = parse(text);
  assert.equal(w.format, 'trm-sudoku-weights');
  assert.equal(w.version, 1);
  assert.equal(w.config.H_cycles, 4, 'H_cycles states the cycles inference runs (2 x 2 supervision steps)');
  assert.equal(w.config.supervision_steps, 1);
  for (const tensor of Object.values(w.tensors)) assert.equal(tensor.dtype, 'float32');
  const model = new M.Model();
  const info = parse(model.load(text, 'page.json'));
  assert.equal(info.config.hidden_dim, 16);
  const before = parse(t.evaluate(20, 'single', null));
  // Continue: the same weights (so the same held-out reading), a fresh optimiser and schedule.
  const c = new M.TrainSession();
  const cinfo = parse(c.startFrom(text, 'page.json', JSON.stringify(OPTIONS)));
  assert.equal(cinfo.step, 0);
  assert.equal(cinfo.config.H_cycles, 4);
  const same = parse(c.evaluate(20, 'single', null));
  assert.equal(same.blank_accuracy, before.blank_accuracy);
  assert.ok(Math.abs(same.loss - before.loss) < 1e-5 * Math.max(1, before.loss), `${same.loss} vs ${before.loss}`);
  const losses = steps(c, 10);
  assert.ok(losses.every(Number.isFinite));
  // A bad file is refused, naming it; the run already going keeps going.
  assert.match(parse(c.startFrom('{"format": "nope"}', 'bad.json', '{}')).error, /^bad\.json: not a weights file/);
  assert.match(parse(c.startFrom('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    'deep.json', '{}')).error, /deep\.json: not a weights file \(JSON nested more than 64/);
  assert.equal(parse(c.step(1)).step, 11);
  model.delete();
  c.delete();
  t.delete();
});

test('a weights file from trm export (tests/golden) continues training', () => {
  const text = fs.readFileSync(path.join(ROOT, 'tests', 'golden', 'weights_cells.json'), 'utf8');
  const t = new M.TrainSession();
  const info = parse(t.startFrom(text, 'weights_cells.json', JSON.stringify(OPTIONS)));
  assert.equal(info.error, undefined, info.error);
  assert.equal(info.config.hidden_dim, 8);
  assert.ok(steps(t, 10).every(Number.isFinite));
  t.delete();
});

test('the memory estimate is above the measured peak of a step and within 3x of it', async () => {
  // A fresh module per config: the pool's peak belongs to one run.
  for (const config of [TINY, Object.assign({}, TINY, { hidden_dim: 32, batch_size: 8, L_cycles: 3 }),
    Object.assign({}, TINY, { arch: 'flat', hidden_dim: 64, batch_size: 32 })]) {
    const m = await createTrmModule();
    const estimate = parse(m.checkTrainConfig(JSON.stringify(config))).memory_bytes;
    const t = new m.TrainSession();
    t.start(JSON.stringify(config), JSON.stringify({ minutes: 60, validation: 4 }));
    const peak = parse(t.step(2)).memory_bytes;
    assert.ok(estimate >= peak && estimate <= 3 * peak, `${JSON.stringify(config)}: estimate ${estimate}, peak ${peak}`);
    t.delete();
  }
});

test('tests/cli/data/page-trained.json has the layout this build exports (trm info/solve/eval read it in tests/cli)', () => {
  const fixture = parse(fs.readFileSync(FIXTURE, 'utf8'));
  const { t } = session();
  steps(t, 5);
  const fresh = parse(t.exportWeights());
  const layout = (w) => ({ format: w.format, version: w.version, config: Object.keys(w.config).sort(),
    tensors: Object.entries(w.tensors).map(([k, v]) => [k, v.shape, v.dtype]) });
  assert.deepEqual(layout(fixture), layout(fresh),
    'the export format changed: regenerate with node tests/web/train.test.js --write-fixture');
  t.delete();
});

// The page's default training config is configs/quickstart.json (less its epochs: the page's runs end by time).
test('train.js trains configs/quickstart.json by default', () => {
  const window = { TrmPage: {} };
  const document = { body: { setAttribute() {}, removeAttribute() {} }, getElementById: () => null };
  vm.runInNewContext(fs.readFileSync(path.join(ROOT, 'www', 'train.js'), 'utf8'), { window, document }, { filename: 'train.js' });
  const quickstart = parse(fs.readFileSync(path.join(ROOT, 'configs', 'quickstart.json'), 'utf8'));
  delete quickstart.epochs;
  assert.deepEqual(JSON.parse(JSON.stringify(window.TrmPage.DEFAULT_TRAIN_CONFIG)), quickstart);
});

// node tests/web/train.test.js --write-fixture: rewrites the fixture (20 steps of TINY, seed 3).
if (process.argv.includes('--write-fixture')) {
  createTrmModule().then((m) => {
    const t = new m.TrainSession();
    t.start(JSON.stringify(TINY), JSON.stringify(OPTIONS));
    for (let i = 0; i < 4; i++) t.step(5);
    fs.writeFileSync(FIXTURE, t.exportWeights());
    console.log('wrote ' + FIXTURE);
  });
}
