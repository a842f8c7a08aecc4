/* The page: puzzle entry, the model's refinement drawn live cycle by cycle and replayed, verdict, settings, weights.
 * This file wires the page's parts and starts it; the parts share one namespace, window.TrmPage (page.js: the state,
 * DOM helpers, messages), and each adds its functions to it: board.js (the grid, editing, undo, examples), player.js
 * (stops, replay, progress, verdict, chart), settings.js (the settings card, the address), solver-client.js (the
 * worker: weights, solve, hint, cancel), train.js (the Train view: a model trained in its own worker). Classic scripts, loaded in that order before this one (works from file://).
 * DOM code only; the model runs in a Web Worker behind TrmWorker (worker.js), so the main thread only draws; the rules
 * are behind SudokuRules (rules.js). Text from users or files is only ever set with textContent, never parsed as HTML.
 *
 * Test contract (tests/web/browser.js):
 *   body[data-state]  loading -> ready -> solving -> done (the final answer is on the board), or refused (the givens
 *        clash, or the exact solver finds no solution or more than one: body[data-diagnosis] conflict | none |
 *        multiple | empty) or error; a cancelled solve goes back to ready. body[data-answer]: the final answer's 81
 *        digits, set with done. body[data-hint]: "cell:digit:confidence" of the last hint.
 * Test hooks:
 *   URL  ?puzzle=81chars&autosolve=1&cycles=N&keepgivens=0|1&example=LEVEL&decoding=search|iterative|single
 *        &threshold=T&symmetries=1|2|4|8 (readings per pass of search or iterative commit). Left out, the decoding,
 *        its readings and threshold are what `trm solve` uses (Model.info().default_decoding: verified search over the
 *        puzzle alone; iterative commit's default is 4 readings).
 *   DOM  body[data-state] loading | ready | solving | done | refused (clashing givens) | error,  body[data-frames] frames of the last run,
 *        body[data-frame] the player stop shown (1-based; frames + 1 is the decoded answer when it took more than
 *        one pass, read symmetric copies or differs from the last cycle's reading), body[data-decoding] the decoding
 *        of the run (search | iterative | single), body[data-passes] passes, body[data-forward-passes] every
 *        reading of every pass, body[data-symmetries] readings per pass, body[data-branches] and
 *        body[data-search-end] (complete | rejected | budget) for a search, body[data-verdict] valid | invalid,
 *        body[data-weights-errors] count
 *   Training: ?train=N trains for N minutes (train.js has its contract: body[data-state] training -> trained,
 *        body[data-train-steps], data-train-accuracy, data-train-loss-start and -end).
 *   window.TRM_TEST_WEIGHTS = [{name, text}, ...] (set before app.js runs): loaded at start through the same
 *        path as a picked file, before autosolve.
 */
(function () {
  'use strict';

  const page = window.TrmPage;
  const { state, body, setMarker, say } = page;

  // ---------------------------------------------------------------- wiring
  function wire() {
    page.wireBoard();
    page.wireSolver();
    page.wirePlayer();
    page.wireSettings();
    page.wireTrainer();
  }

  // ---------------------------------------------------------------- start
  async function start() {
    page.buildBoard();
    page.buildExamples();
    wire();
    const params = new URLSearchParams(window.location.search);
    const asked = page.readUrlSettings(params);
    if (params.has('example')) page.randomExample(params.get('example'), true);
    page.renderAll();
    page.select(state.selected, false);
    try {
      state.reader = await window.createTrmModule();
    } catch (e) {
      setMarker('state', 'error');
      say('model-message', 'The WebAssembly module failed to start: ' + e.message, 'error');
      return;
    }
    if (params.has('puzzle') && !page.loadPuzzleText(params.get('puzzle'), 'puzzle in the address')) setMarker('state', 'error');

    if (!page.startEngine()) return;
    const builtin = window.TRM_DEFAULT_WEIGHTS;
    if (builtin) {
      // Measured for the README (tests/web/browser.js prints them): starting the worker with the wasm, parsing and
      // loading the built-in weights in it (the page stays responsive meanwhile), and the time from navigation
      // until the page can solve.
      const t0 = performance.now();
      await page.loadWeightsText(builtin.text, builtin.name + ' (built in)');
      setMarker('weights-load-ms', (performance.now() - t0).toFixed(1));
    }
    else say('model-message', 'No built-in weights; load a weights file.', 'info');
    for (const w of window.TRM_TEST_WEIGHTS || []) await page.loadWeightsText(w.text, w.name);
    page.applyModelDefaults(params, asked);
    page.renderModelInfo();
    page.renderActions();
    if (body.getAttribute('data-state') !== 'error') setMarker('state', state.info ? 'ready' : 'error');
    setMarker('ready-ms', performance.now().toFixed(1));
    page.readUrlCycles(params, asked);
    if (params.get('autosolve') === '1' && state.info && body.getAttribute('data-state') !== 'error') page.solve();
    else if (body.getAttribute('data-state') !== 'error') page.trainFromAddress(params);
  }

  start();
})();
