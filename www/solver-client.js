/* The worker client: the model runs in a Web Worker behind TrmWorker (worker.js). Starting it (and the crash report when
 * TrmWorker restarts it), loading weights into it (file picker, drop), the model card, and solve, hint and cancel: a
 * new request supersedes the running one, and answers of older ones are dropped (state.runToken).
 * Part of the page (page.js holds the shared state; app.js wires the parts and starts them). */
(function () {
  'use strict';

  const page = window.TrmPage;
  const {
    Rules, $, el, MAX_WEIGHTS_BYTES, MAX_UI_CYCLES, state, body, setMarker, say, plural, DECODING_NAMES,
    overSymmetries, passesText, branchesText, searchEndText, formatMs,
  } = page;

  // ---------------------------------------------------------------- model
  function renderModelInfo() {
    const dl = $('model-info');
    dl.textContent = '';
    const add = (k, v) => { dl.appendChild(el('dt', '', k)); dl.appendChild(el('dd', '', v)); };
    if (!state.info) {
      add('Status', state.engine ? 'no weights loaded' : 'loading\u2026');
      return;
    }
    const c = state.info.config;
    add('Weights', state.modelName);
    add('Architecture', c.arch + ', d = ' + c.hidden_dim);
    add('Recursion', c.H_cycles + ' outer \u00D7 ' + c.L_cycles + ' inner cycles');
    add('Layers', c.L_layers + ' in R (latent), ' + c.O_layers + ' in O (answer)');
    add('Gates', c.gate_type);
    add('Parameters', state.info.parameter_count.toLocaleString('en-US'));
    add('SIMD', state.info.simd ? 'yes (wasm SIMD128)' : 'no');
    add('Halting', state.info.default_decoding && state.info.default_decoding.halting
      ? 'learned: each reading stops when its halting head says the answer is settled'
      : 'none: every reading runs all its cycles');
    add('Runs in', 'a Web Worker (the page stays responsive)');
    const run = state.run;
    add('Inference time', run && page.finished() ? formatMs(run.elapsedMs) + ' for ' + run.trace.h_cycles + ' cycles' +
      (run.answer ? '; ' + formatMs(run.decodeMs) + ' for ' + passesText(run.answer) + ' of ' + DECODING_NAMES[run.answer.decoding] +
        overSymmetries(run.answer) : '') : '\u2014');
  }

  // Loads weights text in the worker (it parses the JSON, off the main thread); on failure shows why and keeps
  // the previous model. Resolves to true when the weights loaded.
  async function loadWeightsText(text, name) {
    if (!state.engine) {
      say('model-message', 'The WebAssembly module is not ready yet.', 'error');
      return false;
    }
    if (state.engineBusy) cancelRun();
    say('model-message', 'Loading ' + name + '\u2026', 'info');
    try {
      const info = await state.engine.load(text, name);
      state.info = info;
      state.modelName = name;
      $('cycles').value = String(Math.min(MAX_UI_CYCLES, info.config.H_cycles));
      page.updateCyclesHint();
      say('model-message', 'Loaded ' + name + ' (' + info.parameter_count.toLocaleString('en-US') + ' parameters).', 'info');
      if (state.run) leaveResult('New weights loaded; solve again to see their answer.');
      renderModelInfo();
      renderActions();
      return true;
    } catch (e) {
      state.weightsErrors++;
      setMarker('weights-errors', state.weightsErrors);
      const kept = state.info ? ' The previous model (' + state.modelName + ') is still loaded.' : '';
      // Core messages start with the source name already; do not repeat it.
      const why = e.message.startsWith(name + ': ') ? e.message.slice(name.length + 2) : e.message;
      say('model-message', 'Could not load ' + name + ': ' + why + kept, 'error');
      return false;
    }
  }

  function loadWeightsFile(file) {
    if (!file) return;
    if (file.size > MAX_WEIGHTS_BYTES) {
      state.weightsErrors++;
      setMarker('weights-errors', state.weightsErrors);
      say('model-message', 'Could not load ' + file.name + ': ' + Math.round(file.size / 1048576) +
        ' MB is larger than any weights file this page accepts (512 MB).', 'error');
      return;
    }
    say('model-message', 'Reading ' + file.name + '\u2026', 'info');
    const reader = new FileReader();
    reader.onload = () => loadWeightsText(String(reader.result), file.name);
    reader.onerror = () => say('model-message', 'Could not read ' + file.name + '.', 'error');
    reader.readAsText(file);
  }

  // ---------------------------------------------------------------- actions: solve, cancel, hint
  // Solve is disabled (and says why) when there is nothing to solve or no model; Cancel only while the worker works.
  function renderActions() {
    const givens = Rules.countGivens(state.puzzle);
    const ready = !!state.info && !!state.engine;
    $('solve').disabled = !ready || givens === 0;
    $('hint').disabled = !ready || givens === 0;
    $('cancel').disabled = !state.engineBusy;
    $('undo').disabled = !state.undo.length;
    $('redo').disabled = !state.redo.length;
    $('solve-hint').textContent = !ready ? 'The model is loading\u2026'
      : givens === 0 ? 'The board is empty: enter the givens of a puzzle, paste one, or pick an example.' : '';
  }

  // The givens' clashes and an empty board are found on the page; whether there is one solution, in the worker.
  function precheck(what) {
    if (!state.engine || !state.info) {
      say('message', 'No model is loaded yet.', 'error');
      return false;
    }
    if (!Rules.countGivens(state.puzzle)) {
      refuse('empty', 'The board is empty: there is nothing to ' + what + '. Enter the givens of a puzzle, paste one, or pick an example.');
      return false;
    }
    const conflicts = Rules.findConflicts(state.puzzle);
    if (conflicts.length) {
      const text = conflicts.slice(0, 4).map(Rules.describeConflict).join('; ') +
        (conflicts.length > 4 ? '; and ' + (conflicts.length - 4) + ' more' : '');
      refuse('conflict', 'Cannot ' + what + ': the givens break the rules: ' + text + '. Fix the highlighted cells.');
      return false;
    }
    return true;
  }

  function refuse(diagnosis, text) {
    setMarker('diagnosis', diagnosis);
    say('message', text, 'error');
    setMarker('state', 'refused');
  }

  // The exact solver's count, in words a player understands. The model is not run on such a puzzle.
  function refuseUnsolvable(solutions, what) {
    if (solutions === 0)
      refuse('none', 'This puzzle has no solution: the givens do not break a rule directly, but no way of filling ' +
        'the blanks satisfies every row, column and box (checked by an exact solver). The model was not ' + what + '.');
    else
      refuse('multiple', 'This puzzle has more than one solution, so there is no single answer to find: add givens ' +
        'until only one remains (checked by an exact solver). The model was not ' + what + '.');
  }

  // Stops what the worker is doing at once (the worker is restarted); the frames computed so far stay viewable.
  function cancelRun() {
    state.runToken++;
    state.engineBusy = false;
    if (state.engine) state.engine.cancel();
    const run = state.run;
    if (run && !page.finished()) {
      run.phase = 'stopped';
      run.follow = false;
    }
    body.removeAttribute('data-hint-pending');
    if (body.getAttribute('data-state') === 'solving') setMarker('state', 'ready');
  }

  function cancel() {
    const run = state.run;
    const had = state.engineBusy;
    cancelRun();
    if (had) say('message', run && page.cycleCount() ? 'Cancelled after ' + plural(page.cycleCount(), 'cycle') + ' of ' +
      run.trace.h_cycles + '; those cycles stay on the board.' : 'Cancelled.', 'info');
    page.renderAll();
  }

  // The markers a run sets besides data-answer and data-diagnosis.
  const RUN_MARKERS = ['frame', 'pass', 'decoding', 'passes', 'forward-passes', 'symmetries', 'branches', 'search-end'];

  // A solve streams from the worker: diagnosis, then each outer cycle as it is computed (drawn at once, the board
  // following the newest one unless the player was moved), then the final answer. A new solve supersedes a running one.
  function solve() {
    if (state.engineBusy) cancelRun();
    page.stopPlayback();
    if (!precheck('solve')) return;
    const cycles = page.readCycles();
    if (cycles === null) {
      say('message', 'Outer cycles must be a whole number from 1 to ' + MAX_UI_CYCLES + '.', 'error');
      return;
    }
    const threshold = page.readThreshold();
    if (threshold === null) {
      say('message', 'The commit threshold must be a number above 0 and at most 1.', 'error');
      return;
    }
    const token = ++state.runToken;
    const puzzle = state.puzzle.slice();
    const decoding = $('decoding').value;
    const request = { puzzle: Rules.toText(puzzle), cycles, decoding, threshold,
      symmetries: decoding === 'single' ? 1 : Number($('symmetries').value) };
    const run = {
      request, puzzle, phase: 'checking', follow: true, answer: null, elapsedMs: 0, decodeMs: 0,
      solution: state.solution ? state.solution.slice() : null,
      trace: { h_cycles: cycles, l_cycles: state.info.config.L_cycles, frames: [], latent_update_norms: [] },
      digits: [],
    };
    state.run = run;
    state.frame = 0;
    state.engineBusy = true;
    body.removeAttribute('data-answer');
    body.removeAttribute('data-diagnosis');
    RUN_MARKERS.forEach((k) => body.removeAttribute('data-' + k));
    setMarker('frames', 0);
    setMarker('state', 'solving');
    say('message', 'Solving\u2026 (Cancel stops it at once.)', 'info');
    page.renderAll();
    const t0 = performance.now();
    const current = () => token === state.runToken;
    state.engine.solve(request, {
      diagnosis(d) {
        if (!current()) return;
        run.diagnosisMs = d.ms;
        if (d.solutions === 1) {
          setMarker('diagnosis', 'unique');
          run.phase = 'cycles';
          page.renderProgress();
        }
      },
      cycle(f) {
        if (!current()) return;
        run.trace.frames.push({ digits: f.digits, confidence: f.confidence });
        run.trace.latent_update_norms.push(...f.latent_update_norms);
        run.digits.push(Array.from(f.digits, Number));
        if (run.follow) state.frame = page.cycleCount() - 1;
        setMarker('frames', page.cycleCount());
        page.drawLive();
      },
      committing() {
        if (!current()) return;
        run.phase = 'committing';
        page.drawProgress();
      },
      // Pass k >= 2 of search or iterative commit, as it runs: the board it reads (committed cells and, searching,
      // branch digits written in), then its cycles. A search's board that drops a cell it held went back: a dead end.
      pass(p) {
        if (!current()) return;
        run.pass = p.pass;
        if (p.board) {
          run.passCommitted = Array.from(p.board).filter((ch, i) => ch !== '0' && run.puzzle[i] === 0).length;
          if (run.lastBoard && Array.from(run.lastBoard).some((ch, i) => ch !== '0' && p.board[i] !== ch)) run.deadEnds = (run.deadEnds || 0) + 1;
          run.lastBoard = p.board;
          run.passCycle = 0;
        } else {
          run.passCycle = p.cycle + 1;
        }
        setMarker('pass', p.pass);
        page.drawProgress();
      },
    }).then((r) => {
      if (!current()) return;
      state.engineBusy = false;
      if (r.refused) {
        state.run = null;
        setMarker('frames', 0);
        page.renderAll();
        refuseUnsolvable(r.solutions, 'run');
        return;
      }
      run.elapsedMs = r.runMs;
      run.decodeMs = r.decodeMs;
      run.totalMs = performance.now() - t0;
      if (r.answer) run.answer = { digits: Array.from(r.answer.digits, Number), decoding: r.answer.decoding, passes: r.answer.passes,
        forward_passes: r.answer.forward_passes, outer_cycles: r.answer.outer_cycles, branches: r.answer.branches,
        search_end: r.answer.search_end, budget: page.searchBudget(), threshold: r.answer.threshold, symmetries: r.answer.symmetries };
      run.phase = 'done';
      run.stats = null;
      state.frame = page.stopCount() - 1;  // the final answer goes on the board
      page.renderAll(true);
      setMarker('frames', page.cycleCount());
      const a = run.answer;
      setMarker('decoding', a ? a.decoding : 'single');
      setMarker('passes', a ? a.passes : 1);
      setMarker('forward-passes', a ? a.forward_passes : 1);
      setMarker('symmetries', a ? a.symmetries : 1);
      if (a && a.decoding === 'search') {
        setMarker('branches', a.branches);
        setMarker('search-end', a.search_end);
      }
      setMarker('answer', page.finalDigits().join(''));
      setMarker('state', 'done');
      say('message', 'Ran ' + plural(run.trace.h_cycles, 'outer cycle') + ' in ' + formatMs(run.elapsedMs) +
        (a ? '; ' + DECODING_NAMES[a.decoding] + overSymmetries(a) + ' took ' + passesText(a) +
          (a.decoding === 'search' ? ' with ' + branchesText(a) : '') + ' (' + formatMs(run.decodeMs) + ')' +
          (searchEndText(a) ? ': ' + searchEndText(a) + ', so the model did not solve it' : '') : '') +
        '. Press \u25B6 to replay the cycles.', 'info');
    }, (e) => {
      if (!current() || e.cancelled) return;
      state.engineBusy = false;
      run.phase = 'stopped';
      setMarker('state', 'error');
      say('message', 'The model could not run: ' + e.message, 'error');
      page.renderAll();
    });
  }

  // Fills the blank the model is surest of (its last cycle's reading of the puzzle as given), with its confidence.
  function hint() {
    if (state.engineBusy) cancelRun();
    if (!precheck('give a hint for')) return;
    const cycles = page.readCycles() || 0;
    const token = ++state.runToken;
    const puzzle = state.puzzle.slice();
    state.engineBusy = true;
    setMarker('hint-pending', 1);
    say('message', 'Looking for the cell the model is surest of\u2026', 'info');
    renderActions();
    state.engine.hint({ puzzle: Rules.toText(puzzle), cycles }).then((r) => {
      if (token !== state.runToken) return;
      state.engineBusy = false;
      body.removeAttribute('data-hint-pending');
      if (r.refused) {
        renderActions();
        refuseUnsolvable(r.solutions, 'asked for a hint');
        return;
      }
      if (r.cell < 0) {
        say('message', 'Every cell is filled already.', 'info');
        renderActions();
        return;
      }
      page.select(r.cell, false);
      page.setCell(r.cell, r.digit);
      setMarker('hint', r.cell + ':' + r.digit + ':' + r.confidence.toFixed(4));
      say('message', 'Hint: ' + Rules.cellName(r.cell) + ' is ' + r.digit + '. Of all the blanks, the model is surest of this one (' +
        (100 * r.confidence).toFixed(1) + '% sure after ' + plural(cycles || state.info.config.H_cycles, 'cycle') + ').', 'info');
    }, (e) => {
      if (token !== state.runToken || e.cancelled) return;
      state.engineBusy = false;
      body.removeAttribute('data-hint-pending');
      say('message', 'The model could not give a hint: ' + e.message, 'error');
      renderActions();
    });
  }

  function leaveResult(why) {
    if (state.engineBusy) cancelRun();
    page.stopPlayback();
    state.run = null;
    setMarker('frames', 0);
    RUN_MARKERS.concat(['answer', 'diagnosis']).forEach((k) => body.removeAttribute('data-' + k));
    setMarker('state', state.info ? 'ready' : body.getAttribute('data-state'));
    if (why) say('message', why, 'info');
    page.renderAll();
  }

  // ---------------------------------------------------------------- the worker
  // Starts the model's worker; TrmWorker restarts it after a crash (onCrash). False when it could not start.
  function startEngine() {
    try {
      state.engine = window.TrmWorker.create(window.createTrmModule, { onCrash });
    } catch (e) {
      setMarker('state', 'error');
      say('model-message', 'The model\'s worker failed to start: ' + e.message, 'error');
      return false;
    }
    return true;
  }

  // The worker died (out of memory, an abort) and was restarted with the last weights that loaded.
  function onCrash(message, gaveUp) {
    const run = state.run;
    state.engineBusy = false;
    if (run && !page.finished()) run.phase = 'stopped';
    body.removeAttribute('data-hint-pending');
    setMarker('worker-restarts', state.engine ? state.engine.restarts : 0);
    say('model-message', gaveUp ? 'The model keeps failing (' + message + '); reload the page.'
      : 'The model stopped (' + message + ') and was restarted' + (state.info ? ' with ' + state.modelName : '') + '.', 'error');
    page.renderAll();
  }

  // ---------------------------------------------------------------- wiring: solve, cancel, hint, weights
  function wireSolver() {
    $('solve').addEventListener('click', () => solve());
    $('cancel').addEventListener('click', () => cancel());
    $('hint').addEventListener('click', () => hint());
    $('weights-file').addEventListener('change', (e) => {
      loadWeightsFile(e.target.files[0]);
      e.target.value = '';
    });

    // Drag and drop of a weights file anywhere on the page.
    const overlay = $('drop-overlay');
    let depth = 0;
    const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
    window.addEventListener('dragenter', (e) => { if (hasFiles(e)) { depth++; overlay.hidden = false; e.preventDefault(); } });
    window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    window.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) overlay.hidden = true; });
    window.addEventListener('drop', (e) => {
      depth = 0;
      overlay.hidden = true;
      if (!hasFiles(e)) return;
      e.preventDefault();
      loadWeightsFile(e.dataTransfer.files[0]);
    });
  }

  Object.assign(page, {
    renderModelInfo, loadWeightsText, renderActions, cancelRun, solve, leaveResult, startEngine, wireSolver,
  });
})();
