/* The settings card: outer cycles, the decoding with its threshold and readings per pass, keep givens, playback
 * speed; a change supersedes the running solve. Also the settings the address gives (the test hooks in app.js).
 * Part of the page (page.js holds the shared state; app.js wires the parts and starts them). */
(function () {
  'use strict';

  const page = window.TrmPage;
  const { $, MAX_UI_CYCLES, state, say, DECODING_NAMES } = page;

  // Readings per pass when none is chosen: what `trm solve` reads with that decoding (Model.info().default_decoding,
  // core/model/decode.h): the puzzle alone for verified search, 4 readings for iterative commit.
  function defaultReadings(decoding) {
    const d = state.info && state.info.default_decoding;
    if (decoding === 'iterative') return d ? d.iterative_symmetries : 4;
    if (decoding === 'search') return d && d.decoding === 'search' ? d.symmetries : 1;
    return 1;
  }

  function updateCyclesHint() {
    // A weights file's H_cycles is the depth it runs by default, which export may set above the training depth.
    const depth = state.info ? state.info.config.H_cycles : null;
    $('cycles-hint').textContent = depth
      ? "The model's default is " + depth + '. More cycles let it keep refining (up to ' + MAX_UI_CYCLES + ').'
      : '';
  }

  // The threshold and the readings per pass belong to verified search and iterative commit, not to a single pass.
  function syncDecoding() {
    $('threshold').disabled = $('symmetries').disabled = $('decoding').value === 'single';
  }

  // Readings per pass follow the decoding's default (as `trm solve --decoding X` without --symmetries does).
  function setDefaultReadings() {
    const k = String(defaultReadings($('decoding').value));
    if (Array.from($('symmetries').options).some((o) => o.value === k)) $('symmetries').value = k;
  }

  // The search's budget per puzzle, in forward passes (every reading of every pass and branch counted).
  const searchBudget = () => (state.info && state.info.default_decoding ? state.info.default_decoding.max_forward_passes : 256);

  function readThreshold() {
    const t = Number($('threshold').value);
    return t > 0 && t <= 1 ? t : null;
  }

  function readCycles() {
    const n = Number($('cycles').value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_UI_CYCLES) return null;
    return n;
  }

  // ---------------------------------------------------------------- address (test hooks, see app.js)
  // The settings the address gives: keep givens, the decoding, its threshold and its readings per pass. Returns the
  // decoding and readings it named (null when it named none, or one this page does not have).
  function readUrlSettings(params) {
    if (params.get('keepgivens') === '0') $('keep-givens').checked = false;
    const decodingParam = ['search', 'iterative', 'single'].includes(params.get('decoding')) ? params.get('decoding') : null;
    if (decodingParam) $('decoding').value = decodingParam;
    if (params.has('threshold')) $('threshold').value = params.get('threshold');
    const symmetriesParam = params.has('symmetries')
      ? Array.from($('symmetries').options).find((o) => o.value === params.get('symmetries')) : null;
    if (symmetriesParam) $('symmetries').value = symmetriesParam.value;
    else setDefaultReadings();
    syncDecoding();
    return { decodingParam, symmetriesParam };
  }

  // Once weights loaded: the settings the address left out become what `trm solve` does by default
  // (core/model/decode.h, through Model.info()): the decoding, its readings per pass and the commit threshold.
  function applyModelDefaults(params, asked) {
    const { decodingParam, symmetriesParam } = asked;
    const defaults = state.info && state.info.default_decoding;
    if (defaults) {
      if (!decodingParam && Array.from($('decoding').options).some((o) => o.value === defaults.decoding)) $('decoding').value = defaults.decoding;
      if (!symmetriesParam) setDefaultReadings();
      if (!params.has('threshold')) $('threshold').value = String(Math.round(defaults.commit_threshold * 1e4) / 1e4);
      $('search-budget').textContent = String(defaults.max_forward_passes);
      syncDecoding();
    }
  }

  // The outer cycles the address asks for (after the weights set their default), and what the address got wrong.
  function readUrlCycles(params, asked) {
    const { decodingParam, symmetriesParam } = asked;
    if (params.has('cycles')) {
      $('cycles').value = params.get('cycles');
      if (readCycles() === null) say('message', 'cycles in the address must be 1-' + MAX_UI_CYCLES + '.', 'error');
    }
    if (params.has('decoding') && !decodingParam)
      say('message', 'The decoding in the address must be search, iterative or single; using ' + DECODING_NAMES[$('decoding').value] + '.', 'error');
    if (params.has('symmetries') && !symmetriesParam)
      say('message', 'Readings per pass in the address must be 1, 2, 4 or 8; using ' + $('symmetries').value + '.', 'error');
  }

  // ---------------------------------------------------------------- wiring: the settings card
  function wireSettings() {
    $('keep-givens').addEventListener('change', () => { if (state.run) { state.run.stats = null; page.renderAll(); } });
    // A settings change supersedes the running solve (or re-solves the one on the board).
    const decodedRun = () => state.run && state.run.request.decoding !== 'single' && state.run.phase !== 'stopped';
    $('decoding').addEventListener('change', () => {
      setDefaultReadings();
      syncDecoding();
      if (state.run && state.run.phase !== 'stopped') page.solve();
    });
    $('threshold').addEventListener('change', () => {
      if (readThreshold() === null) say('message', 'The commit threshold must be a number above 0 and at most 1.', 'error');
      else if (decodedRun()) page.solve();
    });
    $('symmetries').addEventListener('change', () => { if (decodedRun()) page.solve(); });
    syncDecoding();
    $('speed').addEventListener('change', () => { if (state.timer) page.startPlayback(false); });
    $('cycles').addEventListener('change', () => {
      if (readCycles() === null) say('message', 'Outer cycles must be a whole number from 1 to ' + MAX_UI_CYCLES + '.', 'error');
      else if (state.run && state.run.phase !== 'stopped') page.solve();
    });
  }

  Object.assign(page, {
    updateCyclesHint, searchBudget, readThreshold, readCycles, wireSettings, readUrlSettings, applyModelDefaults,
    readUrlCycles,
  });
})();
