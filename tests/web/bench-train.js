#!/usr/bin/env node
// Benchmark of training in the page (docs/page-training.md): steps per second in headless Chromium against
// `trm train` natively on one thread with the same config (configs/quickstart.json, fresh generated puzzles with
// augmentation, a time budget), interleaved, and the held-out accuracy after a full-length page run.
//   node tests/web/bench-train.js [--trm build/native/trm] [--rate-seconds 60] [--repeats 2] [--minutes 5]
// (--repeats 0: only the page runs, no speed comparison)
// Prints one line per run and a summary table; the screenshot of the Train card after the long run goes to
// build-wasm/web-artifacts/train-5min.png. Timings on a shared machine are noisy: compare only within one run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Browser } = require('./cdp.js');

const ROOT = path.resolve(__dirname, '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const TRM = path.resolve(ROOT, arg('trm', 'build/native/trm'));
const RATE_SECONDS = Number(arg('rate-seconds', 60));
const REPEATS = Number(arg('repeats', 2));
const MINUTES = Number(arg('minutes', 5));
const ARTIFACTS = path.join(ROOT, 'build-wasm', 'web-artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

// `trm train` for `seconds` of steps on one thread; steps per second of training time.
function nativeRate(seconds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trm-bench-train-'));
  execFileSync(TRM, ['train', '--generate', '--augment', '--config', path.join(ROOT, 'configs', 'quickstart.json'),
    '--epochs', '100000', '--time-limit', String(seconds / 60), '--val-limit', '100', '--seed', '1', '--out', path.join(dir, 'run')],
  { env: Object.assign({}, process.env, { OMP_NUM_THREADS: '1' }), stdio: ['ignore', 'ignore', 'inherit'] });
  const info = JSON.parse(execFileSync(TRM, ['info', '--model', path.join(dir, 'run', 'last.json'), '--json']).toString());
  fs.rmSync(dir, { recursive: true, force: true });
  return { steps: info.step, rate: info.step / seconds };
}

// index.html?train=M in headless Chromium (default config); the body's contract when it has stopped and evaluated.
async function pageRun(browser, minutes, screenshot) {
  const page = await browser.newPage(1280, 1400);
  await page.goto('file://' + path.join(ROOT, 'www', 'index.html') + '?train=' + minutes);
  const done = await page.waitFor("['trained', 'error'].includes(document.body.getAttribute('data-state'))", (minutes * 60 + 900) * 1000);
  const attrs = JSON.parse(await page.evaluate('JSON.stringify(Object.fromEntries([...document.body.attributes].map((a) => [a.name, a.value])))'));
  const message = await page.evaluate("document.getElementById('train-message').textContent");
  if (screenshot) {
    await page.evaluate("document.getElementById('train-card').scrollIntoView()");
    fs.writeFileSync(screenshot, await page.screenshot());
    // The Download button's file, as a person would save it (its Blob, caught on its way to the link).
    const weights = await page.evaluate(`new Promise((resolve) => {
      const make = URL.createObjectURL;
      URL.createObjectURL = (blob) => { URL.createObjectURL = make; blob.text().then(resolve); return make(blob); };
      document.getElementById('train-download').click();
    })`);
    fs.writeFileSync(screenshot.replace(/\.png$/, '.json'), weights);
  }
  await page.close();
  if (!done || attrs['data-state'] !== 'trained') throw new Error('the page did not finish training: ' + JSON.stringify(attrs) + ' ' + message);
  return { steps: Number(attrs['data-train-steps']), rate: Number(attrs['data-train-rate']),
    accuracy: Number(attrs['data-train-accuracy']), single: Number(attrs['data-train-single-accuracy']),
    lossStart: Number(attrs['data-train-loss-start']), lossEnd: Number(attrs['data-train-loss-end']), message };
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b), m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const browser = await Browser.launch();
  const native = [], wasm = [];
  for (let r = 0; r < REPEATS; r++) {  // interleaved: the machine's load falls on both alike
    const n = nativeRate(RATE_SECONDS);
    console.log(`native, one thread, ${RATE_SECONDS} s: ${n.steps} steps, ${n.rate.toFixed(3)} steps/s`);
    native.push(n.rate);
    const p = await pageRun(browser, RATE_SECONDS / 60, null);
    console.log(`page (Chromium), ${RATE_SECONDS} s: ${p.steps} steps, ${p.rate.toFixed(3)} steps/s`);
    wasm.push(p.rate);
  }
  const almostFresh = await pageRun(browser, 0.01, null);
  console.log(`page, almost untrained (0.6 s, ${almostFresh.steps} steps): ${almostFresh.message}`);
  const long = await pageRun(browser, MINUTES, path.join(ARTIFACTS, 'train-5min.png'));
  console.log(`page, ${MINUTES} minutes: ${long.message}`);
  await browser.close();
  const pct = (x) => (100 * x).toFixed(1) + '%';
  // The downloaded model, read by the native CLI on fresh generated puzzles: the page's givens range and easy ones.
  const weights = path.join(ARTIFACTS, 'train-5min.json');
  const sets = [['22-36 givens (the training range)', 22, 36, 2201], ['36-40 givens (the page\'s easy examples)', 36, 40, 3601]];
  const evals = [];
  for (const [name, lo, hi, seed] of sets) {
    const csv = path.join(ARTIFACTS, `bench-train-${lo}-${hi}.csv`);
    execFileSync(TRM, ['generate', '--count', '200', '--min-givens', String(lo), '--max-givens', String(hi), '--seed', String(seed),
      '--out', csv, '--force'], { stdio: 'ignore' });
    const row = [name];
    for (const decoding of ['single', 'iterative', 'search']) {
      const r = JSON.parse(execFileSync(TRM, ['eval', '--model', weights, '--data', csv, '--decoding', decoding, '--json']).toString());
      row.push(r);
    }
    evals.push(row);
  }
  if (REPEATS > 0) {
    console.log('\n| measure | page (Chromium, wasm) | native `trm train`, 1 thread | page / native |');
    console.log('|---|---:|---:|---:|');
    console.log(`| steps/s, median of ${REPEATS} interleaved ${RATE_SECONDS} s runs | ${median(wasm).toFixed(2)} | ` +
      `${median(native).toFixed(2)} | ${(median(wasm) / median(native)).toFixed(2)}x |`);
  }
  console.log(`\n| page run | steps | loss (first -> last slices) | held-out solved, default decoding | held-out solved, one pass |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of [[`${MINUTES} minutes`, long], ['almost untrained (0.6 s)', almostFresh]])
    console.log(`| ${name} | ${r.steps} | ${r.lossStart.toFixed(3)} -> ${r.lossEnd.toFixed(3)} | ${pct(r.accuracy)} | ${pct(r.single)} |`);
  console.log(`\nThe ${MINUTES}-minute model, downloaded, read by \`trm eval\` (200 generated puzzles per row):\n`);
  console.log('| puzzles | one pass: puzzles (blank cells) | iterative commit x4, no branching | verified search (the default) | no model: random allowed digit (blank cells) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, single, iterative, search] of evals)
    console.log(`| ${name} | ${pct(single.puzzle_accuracy)} (${pct(single.blank_cell_accuracy)}) | ${pct(iterative.puzzle_accuracy)} | ` +
      `${pct(search.puzzle_accuracy)} | ${pct(single.baseline.puzzle_accuracy)} (${pct(single.baseline.blank_cell_accuracy)}) |`);
  fs.writeFileSync(path.join(ARTIFACTS, 'bench-train-eval.json'), JSON.stringify(evals, null, 1));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
