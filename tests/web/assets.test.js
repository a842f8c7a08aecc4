// The data files the page ships: www/generated/default-weights.js and www/generated/examples.js.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Rules = require('../../www/rules.js');
const createTrmModule = require('../../www/generated/trm.js');
const TrmApi = require('../../www/trm-api.js');

const ROOT = path.join(__dirname, '..', '..');
// Runs a classic script of www/ the way a page would, and returns its window.
function runScript(name) {
  const window = {};
  vm.runInNewContext(fs.readFileSync(path.join(ROOT, 'www', name), 'utf8'), { window }, { filename: name });
  return JSON.parse(JSON.stringify(window));  // plain objects of this realm (deepEqual compares prototypes)
}

test('default-weights.js embeds a loadable model, and matches its source file when that is in the repo', async () => {
  const w = runScript('generated/default-weights.js').TRM_DEFAULT_WEIGHTS;
  assert.equal(typeof w.text, 'string');
  assert.equal(typeof w.name, 'string');
  const model = await TrmApi.create(createTrmModule);
  const info = model.load(w.text, w.name);
  assert.equal(info.parameter_count, w.parameters);
  const source = path.join(ROOT, w.source);
  if (fs.existsSync(source))
    assert.deepEqual(JSON.parse(w.text), JSON.parse(fs.readFileSync(source, 'utf8')),
      `www/generated/default-weights.js is stale: regenerate with node web/tools/embed-weights.js ${w.source}`);
  model.dispose();
});

test('examples.js: four difficulties of valid puzzles with their solutions', () => {
  const ex = runScript('generated/examples.js').TRM_EXAMPLES;
  assert.deepEqual(ex.levels.map((l) => l.name), ['easy', 'medium', 'hard', 'expert']);
  const seen = new Set();
  for (const level of ex.levels) {
    assert.ok(level.puzzles.length >= 2, `${level.name}: at least 2 puzzles`);
    for (const p of level.puzzles) {
      assert.match(p.puzzle, /^[0-9]{81}$/);
      assert.match(p.solution, /^[1-9]{81}$/);
      const puzzle = Rules.gridOf(p.puzzle), solution = Rules.gridOf(p.solution);
      assert.deepEqual(Rules.findConflicts(puzzle), [], `${p.puzzle}: givens clash`);
      assert.ok(Rules.isSolutionOf(solution, puzzle), `${p.puzzle}: solution does not fit`);
      assert.equal(p.givens, Rules.countGivens(puzzle));
      assert.ok(!seen.has(p.puzzle), 'no duplicates');
      seen.add(p.puzzle);
    }
  }
  // Harder levels have fewer givens on average.
  const mean = ex.levels.map((l) => l.puzzles.reduce((s, p) => s + p.givens, 0) / l.puzzles.length);
  for (let i = 1; i < mean.length; i++) assert.ok(mean[i] <= mean[i - 1], `mean givens ${mean}`);
});

test('the page loads its scripts in dependency order, all local', () => {
  const html = fs.readFileSync(path.join(ROOT, 'www', 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
  // The page's own scripts: page.js (the shared namespace TrmPage) first, then its parts, and app.js, which starts the
  // page, last (the browser tests put their hooks just before app.js).
  const own = ['page.js', 'board.js', 'player.js', 'settings.js', 'solver-client.js', 'train.js', 'app.js'];
  assert.deepEqual(scripts, ['rules.js', 'generated/examples.js', 'generated/default-weights.js', 'generated/trm.js', 'worker.js',
    'train-worker.js', ...own]);
  for (const s of scripts) assert.ok(fs.existsSync(path.join(ROOT, 'www', s)), s);
  assert.doesNotMatch(html, /<script>|\son\w+=|style="|https?:\/\/(?!www\.w3\.org)/, 'no inline script, handler, style or remote URL');
  assert.doesNotMatch(html, /type="module"/, 'classic scripts only: a file:// page cannot load modules');
  for (const file of [...own, 'worker.js', 'train-worker.js', 'rules.js'])
    assert.doesNotMatch(fs.readFileSync(path.join(ROOT, 'www', file), 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
      `${file}: user text is never inserted as HTML`);
  for (const file of own)
    assert.doesNotMatch(fs.readFileSync(path.join(ROOT, 'www', file), 'utf8'), /^\s*(import|export)\b/m, `${file}: a classic script, not a module`);
});
