#!/usr/bin/env node
// Browser benchmark (a measurement, not a test: nothing here passes or fails). Headless Chromium over the DevTools
// protocol opens www/index.html from file:// and, for three hard puzzles with the page's default settings (the
// model's default cycles and `trm solve`'s default decoding, verified search over the puzzle alone, as the page takes
// it from Model.info(); extra address parameters, e.g. BENCH_QUERY='decoding=iterative', measure others), clicks
// Solve and measures in real time:
//   answer ms     Solve click -> body[data-state="done"] (the final answer on the board), from the page's clock
//   first frame   Solve click -> the first outer cycle drawn
//   longest task  the longest main-thread task meanwhile, from a DevTools trace (RunTask on CrRendererMain);
//                 long tasks counts PerformanceObserver 'longtask' entries (tasks over 50 ms) in the same window
// Each puzzle runs `runs` times in a fresh tab (median printed, all runs listed).
// BENCH_TRACE=0 measures without the DevTools trace, whose own recording lengthens every main-thread task: the
// longest task is then the longest 'longtask' entry (the observer sees only tasks over 50 ms; 0 when none).
//   [BENCH_QUERY='decoding=iterative'] [BENCH_TRACE=0] node tests/web/bench-browser.js [runs=3]
'use strict';
const fs = require('fs');
const path = require('path');
const { Browser } = require('./cdp.js');

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.argv[2] || 3);
// Generated hard puzzles, never published lists (those are held out): rows 63, 94 and 57 of scripts/hard-sets.sh's
// development set (trm generate --count 200 --seed 9101 --min-givens 17 --max-givens 26 --min-guesses 40 --climb 2000),
// at its median, 90th and top solver-guess counts.
const PUZZLES = [
  ['generated, 23 givens, 164 guesses', '000060070000007000008000095300004006000001000059070180007000802910000040005100000'],
  ['generated, 23 givens, 462 guesses', '070206000000800006690530007000045000700002000003000090000000410084000350020000000'],
  ['generated, 22 givens, 1242 guesses', '240000700000740600100009000500080010000007000024000003001000000000068040400010005'],
];

// The page with tests/web/state-log.js before app.js (it records when data-state and data-frames change).
function benchPage() {
  const dir = path.join(ROOT, 'build-wasm', 'web-test');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'state-log.js'), path.join(dir, 'state-log.js'));
  const rel = path.relative(dir, path.join(ROOT, 'www')).split(path.sep).join('/');
  const html = fs.readFileSync(path.join(ROOT, 'www', 'index.html'), 'utf8')
    .replace(/(<script src=")([^"]+)(")/g, `$1${rel}/$2$3`)
    .replace(/(<link rel="stylesheet" href=")([^"]+)(")/, `$1${rel}/$2$3`)
    .replace(`<script src="${rel}/app.js"></script>`, `<script src="state-log.js"></script>\n<script src="${rel}/app.js"></script>`);
  const page = path.join(dir, 'bench.html');
  fs.writeFileSync(page, html);
  return page;
}

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function once(browser, url) {
  const page = await browser.newPage(1280, 900);
  await page.goto(url);
  if (!(await page.waitFor(`document.body.getAttribute('data-state') === 'ready'`, 120000))) throw new Error('page not ready');
  await page.evaluate(`window.LONG_TASKS = []; new PerformanceObserver((l) => window.LONG_TASKS.push(...l.getEntries().map((e) => e.duration)))
    .observe({ type: 'longtask' }); true`);
  const tracing = process.env.BENCH_TRACE !== '0';
  const measure = async () => {
    const t0 = await page.evaluate(`(() => { const t = performance.now(); document.getElementById('solve').click(); return t; })()`);
    await page.waitFor(`document.body.getAttribute('data-state') === 'done' || document.body.getAttribute('data-state') === 'error'`, 300000, 10);
    return page.evaluate(`(() => { const log = window.TRM_STATE_LOG; const done = log.find((e) => e.state === 'done');
      const first = log.find((e) => e.state === 'solving' && e.frames >= 1);
      return { answerMs: done ? done.t - ${t0} : NaN, firstMs: first ? first.t - ${t0} : NaN, longTasks: window.LONG_TASKS.slice(),
        verdict: document.body.getAttribute('data-verdict'), passes: document.body.getAttribute('data-passes'),
        decoding: document.body.getAttribute('data-decoding'), readings: document.body.getAttribute('data-symmetries'),
        branches: document.body.getAttribute('data-branches'),
        frames: document.body.getAttribute('data-frames') }; })()`);
  };
  if (!tracing) {
    const r = await measure();
    r.longestTaskMs = r.longTasks.reduce((m, d) => Math.max(m, d), 0);
    await page.close();
    return r;
  }
  const [r, events] = await browser.trace(['devtools.timeline', 'disabled-by-default-devtools.timeline'], measure);
  // The page's renderer: the process that runs the model's worker (a 'DedicatedWorker thread').
  const pids = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'DedicatedWorker thread')
    .map((e) => e.pid));
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain' &&
    pids.has(e.pid)).map((e) => e.pid + ':' + e.tid));
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && mains.has(e.pid + ':' + e.tid));
  if (process.env.BENCH_DEBUG) {  // BENCH_DEBUG=1: what the three longest main-thread tasks spent their time on
    for (const t of tasks.slice().sort((x, y) => y.dur - x.dur).slice(0, 3)) {
      const by = {};
      events.filter((e) => e.ph === 'X' && e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts < t.ts + t.dur && e !== t)
        .forEach((e) => { by[e.name] = (by[e.name] || 0) + e.dur / 1000; });
      console.error(`  task ${(t.dur / 1000).toFixed(1)} ms: ` +
        Object.entries(by).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
    }
  }
  r.longestTaskMs = tasks.reduce((m, e) => Math.max(m, (e.dur || 0) / 1000), 0);
  r.tasks = tasks.length;
  await page.close();
  return r;
}

(async () => {
  const browser = await Browser.launch();
  const url = 'file://' + benchPage();
  const query = process.env.BENCH_QUERY ? '&' + process.env.BENCH_QUERY : '';
  console.log(`browser benchmark: ${RUNS} runs per puzzle, ${query ? 'settings ' + query.slice(1) : 'default settings'}, headless Chromium, file://` +
    (process.env.BENCH_TRACE === '0' ? ', no trace (longest task: the longest over 50 ms, 0 if none)' : ''));
  console.log('puzzle                         | answer ms (median) | first frame ms | longest main-thread task ms | long tasks (>50 ms) | runs (answer ms)');
  for (const [name, puzzle] of PUZZLES) {
    const rs = [];
    for (let k = 0; k < RUNS; k++) rs.push(await once(browser, url + '?puzzle=' + puzzle + query));
    const longest = Math.max(...rs.map((r) => r.longestTaskMs));
    console.log(`${name.padEnd(30)} | ${median(rs.map((r) => r.answerMs)).toFixed(0).padStart(18)} | ` +
      `${median(rs.map((r) => r.firstMs)).toFixed(0).padStart(14)} | ${longest.toFixed(1).padStart(27)} | ` +
      `${String(Math.max(...rs.map((r) => r.longTasks.length))).padStart(19)} | ` +
      rs.map((r) => r.answerMs.toFixed(0) + (r.verdict === 'valid' ? '' : ' (' + r.verdict + ')')).join(', ') +
      ` [${rs[0].decoding}, ${rs[0].readings} reading(s), ${rs[0].frames} cycles, ${rs[0].passes} passes` +
      (rs[0].branches !== null ? `, ${rs[0].branches} branches]` : ']'));
  }
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
