/* The page: puzzle entry, the model's refinement played back cycle by cycle, verdict, settings and weights.
 * DOM code only; the model is behind TrmApi (trm-api.js) and the rules behind SudokuRules (rules.js).
 * Text from users or files is only ever set with textContent, never parsed as HTML.
 *
 * Test hooks (used by tests/web/browser.sh):
 *   URL  ?puzzle=81chars&autosolve=1&cycles=N&keepgivens=0|1&example=LEVEL&decoding=single|iterative&threshold=T
 *        &symmetries=1|2|4|8 (readings per iterative-commit pass)
 *   DOM  body[data-state] loading | ready | solving | done | refused (clashing givens) | error,  body[data-frames] frames of the last run,
 *        body[data-frame] the player stop shown (1-based; frames + 1 is the iterative-commit answer when it took
 *        more than one pass or read symmetric copies), body[data-passes] commit passes, body[data-symmetries]
 *        readings per pass, body[data-verdict] valid | invalid,
 *        body[data-weights-errors] count
 *   window.TRM_TEST_WEIGHTS = [{name, text}, ...] (set before app.js runs): loaded at start through the same
 *        path as a picked file, before autosolve.
 */
(function () {
  'use strict';

  const Rules = window.SudokuRules;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const SVG = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  };
  const MAX_WEIGHTS_BYTES = 512 * 1024 * 1024;
  const MAX_UI_CYCLES = 64;

  const state = {
    puzzle: new Array(81).fill(0),  // (81,) the givens being edited, 0 = blank
    solution: null,                 // (81,) known solution (examples) or null
    selected: 40,
    model: null,                    // TrmModel
    modelName: '',
    info: null,                     // {config, parameter_count, simd}
    run: null,                      // last result: {trace, puzzle, solution, digits[h][81], elapsedMs}
    frame: 0,                       // 0-based frame on the board
    timer: null,                    // playback interval
    weightsErrors: 0,
  };

  const body = document.body;
  const setMarker = (name, value) => body.setAttribute('data-' + name, String(value));

  // ---------------------------------------------------------------- messages
  function say(target, text, kind) {
    const node = $(target);
    node.textContent = text || '';
    node.className = 'message' + (kind ? ' ' + kind : '');
  }

  // ---------------------------------------------------------------- board
  const cells = [];
  function buildBoard() {
    const board = $('board');
    for (let r = 0; r < 9; r++) {
      const row = el('div', 'board-row');
      row.setAttribute('role', 'row');
      for (let c = 0; c < 9; c++) {
        const i = 9 * r + c;
        const cell = el('div', 'cell');
        cell.setAttribute('role', 'gridcell');
        cell.tabIndex = i === state.selected ? 0 : -1;
        cell.dataset.cell = String(i);
        if (c % 3 === 2 && c < 8) cell.classList.add('edge-right');
        if (r % 3 === 2 && r < 8) cell.classList.add('edge-bottom');
        cell.appendChild(el('span', 'digit'));
        cell.addEventListener('click', () => select(i, true));
        row.appendChild(cell);
        cells.push(cell);
      }
      board.appendChild(row);
    }
    board.addEventListener('keydown', onBoardKey);
    board.addEventListener('paste', onPaste);

    const pad = $('pad');
    for (let d = 1; d <= 9; d++) {
      const b = el('button', 'pad-key', String(d));
      b.type = 'button';
      b.setAttribute('aria-label', 'Enter ' + d);
      b.addEventListener('click', () => { setCell(state.selected, d); cells[state.selected].focus(); });
      pad.appendChild(b);
    }
    const erase = el('button', 'pad-key erase', 'Erase');
    erase.type = 'button';
    erase.setAttribute('aria-label', 'Clear the selected cell');
    erase.addEventListener('click', () => { setCell(state.selected, 0); cells[state.selected].focus(); });
    pad.appendChild(erase);
  }

  function select(i, focus) {
    cells[state.selected].tabIndex = -1;
    cells[state.selected].classList.remove('selected');
    state.selected = i;
    cells[i].tabIndex = 0;
    cells[i].classList.add('selected');
    if (focus) cells[i].focus();
  }

  function onBoardKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const i = state.selected, r = Math.floor(i / 9), c = i % 9;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      const [dr, dc] = moves[e.key];
      select(9 * Math.min(8, Math.max(0, r + dr)) + Math.min(8, Math.max(0, c + dc)), true);
    } else if (/^[1-9]$/.test(e.key)) {
      setCell(i, Number(e.key));
    } else if (e.key === '0' || e.key === '.' || e.key === 'Backspace' || e.key === 'Delete' || e.key === ' ') {
      setCell(i, 0);
    } else if (e.key === 'Home') {
      select(9 * r, true);
    } else if (e.key === 'End') {
      select(9 * r + 8, true);
    } else {
      return;
    }
    e.preventDefault();
  }

  function onPaste(e) {
    const text = (e.clipboardData || window.clipboardData).getData('text');
    e.preventDefault();
    loadPuzzleText(text, 'pasted text');
  }

  // Editing leaves the result view: the run no longer belongs to the board.
  function setCell(i, digit) {
    if (state.run) leaveResult('The board changed; the previous run was cleared.');
    state.puzzle[i] = digit;
    if (state.solution && !Rules.isSolutionOf(state.solution, state.puzzle)) state.solution = null;
    syncText();
    renderBoard();
  }

  function setPuzzle(grid, solution) {
    stopPlayback();
    state.run = null;
    state.puzzle = grid.slice();
    state.solution = solution ? solution.slice() : null;
    syncText();
    renderAll();
  }

  function syncText() {
    $('puzzle-text').value = Rules.toText(state.puzzle, '.');
  }

  function loadPuzzleText(text, what) {
    const parsed = Rules.parsePuzzle(text);
    if (parsed.error) {
      say('message', 'Could not read the ' + what + ': ' + parsed.error + '.', 'error');
      return false;
    }
    setPuzzle(parsed.grid, null);
    say('message', 'Puzzle loaded (' + Rules.countGivens(parsed.grid) + ' givens).', 'info');
    return true;
  }

  // Stops of the player: one per outer cycle, plus the final answer of iterative commit when it took more than
  // one pass or averaged symmetric copies (with one pass of the puzzle alone the answer is the last cycle's reading).
  const cycleCount = () => state.run.trace.frames.length;
  const hasAnswerStop = () => !!(state.run.answer && (state.run.answer.passes > 1 || state.run.answer.symmetries > 1));
  const stopCount = () => cycleCount() + (hasAnswerStop() ? 1 : 0);
  const isAnswerStop = (h) => hasAnswerStop() && h === cycleCount();

  // The digits shown at stop h: the model's reading, with the givens on top when "keep givens" is on; or the
  // committed answer (which always keeps the givens).
  function shownDigits(h) {
    const run = state.run;
    if (isAnswerStop(h)) return run.answer.digits.slice();
    const keep = $('keep-givens').checked;
    return run.digits[h].map((d, i) => (keep && run.puzzle[i] ? run.puzzle[i] : d));
  }

  // The grid the verdict judges: the decoded answer, or the last cycle's reading.
  const finalDigits = () => (state.run.answer ? state.run.answer.digits.slice() : shownDigits(cycleCount() - 1));
  const overSymmetries = (answer) => (answer.symmetries > 1 ? ' over ' + answer.symmetries + ' readings' : '');
  const passesText = (answer) => answer.passes + ' pass' + (answer.passes === 1 ? '' : 'es');
  const decodingLabel = (run) => (run.answer
    ? 'iterative commit' + overSymmetries(run.answer) + ', ' + passesText(run.answer) + ' of ' + run.trace.h_cycles + ' cycles'
    : 'single pass of ' + run.trace.h_cycles + ' cycle' + (run.trace.h_cycles === 1 ? '' : 's'));

  function renderBoard() {
    const run = state.run;
    $('board').classList.toggle('result', !!run);
    if (!run) {
      const clashes = Rules.conflictCells(Rules.findConflicts(state.puzzle));
      cells.forEach((cell, i) => {
        const d = state.puzzle[i];
        cell.className = cellClass(cell, d ? 'given' : 'blank');
        if (clashes.has(i)) cell.classList.add('conflict');
        cell.style.removeProperty('--conf');
        cell.firstChild.textContent = d ? String(d) : '';
        cell.setAttribute('aria-label', Rules.cellName(i) + (d ? ', given ' + d : ', blank') +
          (clashes.has(i) ? ', conflicts' : ''));
      });
      return;
    }
    const h = state.frame;
    const answer = isAnswerStop(h);
    const digits = shownDigits(h);
    const previous = h > 0 ? shownDigits(h - 1) : null;
    const confidence = answer ? null : run.trace.frames[h].confidence;
    const clashes = Rules.conflictCells(Rules.findConflicts(digits));
    const keep = $('keep-givens').checked;
    cells.forEach((cell, i) => {
      const given = run.puzzle[i];
      const d = digits[i];
      const changed = previous && previous[i] !== d;
      cell.className = cellClass(cell, given ? 'given' : answer ? 'answer' : 'pred');
      if (given && !keep && !answer && d !== given) cell.classList.add('overridden');
      if (changed) cell.classList.add('changed');
      if (clashes.has(i)) cell.classList.add('conflict');
      if (answer || (given && keep)) cell.style.removeProperty('--conf');
      else cell.style.setProperty('--conf', confidence[i].toFixed(3));
      cell.firstChild.textContent = String(d);
      const sure = answer ? 'committed' : 'confidence ' + Math.round(confidence[i] * 100) + '%';
      cell.setAttribute('aria-label', Rules.cellName(i) + ': ' + d + (given ? ' (given ' + given + ')' : '') + ', ' + sure +
        (changed ? ', changed' : '') + (clashes.has(i) ? ', conflicts' : ''));
      cell.title = answer ? (given ? 'Given ' + given : 'Committed ' + d)
        : (given ? 'Given ' + given + '; model reads ' + run.digits[h][i] : 'Model: ' + d) + ' (' + sure + ')';
    });
  }

  function cellClass(cell, kind) {
    let cls = 'cell ' + kind;
    if (cell.classList.contains('edge-right')) cls += ' edge-right';
    if (cell.classList.contains('edge-bottom')) cls += ' edge-bottom';
    if (Number(cell.dataset.cell) === state.selected) cls += ' selected';
    return cls;
  }

  // ---------------------------------------------------------------- playback
  function showFrame(h) {
    const run = state.run;
    if (!run) return;
    state.frame = Math.max(0, Math.min(stopCount() - 1, h));
    $('scrubber').value = String(state.frame + 1);
    setMarker('frame', state.frame + 1);
    renderBoard();
    renderFrameStats();
    renderAccuracy();
    highlightChart();
  }

  function stopPlayback() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    const play = $('play');
    play.classList.remove('playing');
    play.setAttribute('aria-label', 'Play');
    play.title = 'Play';
  }

  function startPlayback(fromStart) {
    const run = state.run;
    if (!run) return;
    stopPlayback();
    const last = stopCount() - 1;
    if (fromStart || state.frame >= last) showFrame(0);
    const play = $('play');
    play.classList.add('playing');
    play.setAttribute('aria-label', 'Pause');
    play.title = 'Pause';
    state.timer = setInterval(() => {
      if (state.frame >= last) stopPlayback();
      else showFrame(state.frame + 1);
    }, Number($('speed').value));
  }

  function renderPlayer() {
    const run = state.run;
    const n = run ? stopCount() : 0;
    ['first', 'prev', 'play', 'next', 'last', 'scrubber'].forEach((id) => { $(id).disabled = !run; });
    $('scrubber').max = String(Math.max(1, n));
    $('scrubber').value = String(run ? state.frame + 1 : 1);
  }

  function renderFrameStats() {
    const run = state.run;
    if (!run) {
      $('frame-label').textContent = 'No run yet';
      $('frame-stats').textContent = '';
      return;
    }
    const h = state.frame, n = cycleCount();
    const answer = isAnswerStop(h);
    $('frame-label').textContent = answer ? 'Answer' : 'Cycle ' + (h + 1) + ' of ' + n;
    const digits = shownDigits(h);
    let changed = 0, blanks = 0, confSum = 0;
    if (h > 0) {
      const prev = shownDigits(h - 1);
      digits.forEach((d, i) => { if (prev[i] !== d) changed++; });
    }
    const conflicts = Rules.findConflicts(digits).length;
    const parts = [];
    if (answer) {
      parts.push('iterative commit' + overSymmetries(run.answer) + ': ' + passesText(run.answer) +
        ' (' + run.answer.passes * run.answer.symmetries + ' forward passes), committing cells at least ' +
        Math.round(run.answer.threshold * 100) + '% sure');
      parts.push(changed + ' cell' + (changed === 1 ? '' : 's') + ' differ from cycle ' + n);
    } else {
      const conf = run.trace.frames[h].confidence;
      run.puzzle.forEach((g, i) => { if (!g) { blanks++; confSum += conf[i]; } });
      parts.push(h > 0 ? changed + ' cell' + (changed === 1 ? '' : 's') + ' changed' : 'first reading');
      if (blanks) parts.push('mean confidence on blanks ' + Math.round((100 * confSum) / blanks) + '%');
    }
    parts.push(conflicts ? conflicts + ' rule break' + (conflicts === 1 ? '' : 's') : 'no rule broken');
    $('frame-stats').textContent = parts.join(' \u00B7 ');
  }

  // ---------------------------------------------------------------- verdict, accuracy
  function renderVerdict() {
    const run = state.run;
    const list = $('verdict-list');
    list.textContent = '';
    const verdictNode = $('verdict');
    if (!run) {
      verdictNode.textContent = 'Solve a puzzle to see the verdict.';
      verdictNode.className = 'verdict';
      body.removeAttribute('data-verdict');
      return;
    }
    const v = Rules.verdict(finalDigits(), run.puzzle);
    if (v.valid) {
      verdictNode.textContent = '\u2713 Valid solution (' + decodingLabel(run) + ').';
      verdictNode.className = 'verdict ok';
    } else {
      verdictNode.textContent = '\u2717 Not a valid solution (' + decodingLabel(run) + '): ' + v.messages.length +
        ' problem' + (v.messages.length === 1 ? '' : 's') + '.';
      verdictNode.className = 'verdict bad';
      const shown = v.messages.slice(0, 10);
      shown.forEach((m) => list.appendChild(el('li', '', m)));
      if (v.messages.length > shown.length) list.appendChild(el('li', 'more', '\u2026 and ' + (v.messages.length - shown.length) + ' more'));
    }
    setMarker('verdict', v.valid ? 'valid' : 'invalid');
  }

  function renderAccuracy() {
    const run = state.run;
    const node = $('accuracy');
    if (!run || !run.solution) {
      node.textContent = run ? 'No known solution for this puzzle (examples have one).' : '';
      return;
    }
    const h = state.frame;
    const a = Rules.accuracy(shownDigits(h), run.solution, run.puzzle);
    const final = Rules.accuracy(finalDigits(), run.solution, run.puzzle);
    let text = 'Against the known solution, ' + (isAnswerStop(h) ? 'answer' : 'cycle ' + (h + 1)) + ': ' + a.correct +
      '/81 cells correct (' + a.blankCorrect + '/' + a.blanks + ' blanks).';
    if (h !== stopCount() - 1 || (run.answer && !hasAnswerStop())) text += ' Final answer: ' + final.correct + '/81.';
    text += final.exact ? ' The final answer matches the solution exactly.' : '';
    node.textContent = text;
  }

  // ---------------------------------------------------------------- chart
  function renderChart() {
    const host = $('chart');
    host.textContent = '';
    const run = state.run;
    if (!run) {
      host.appendChild(el('p', 'chart-empty', 'The chart appears after a run.'));
      return;
    }
    const norms = run.trace.latent_update_norms;
    const H = run.trace.h_cycles, L = run.trace.l_cycles;
    const W = 320, Ht = 120, left = 34, right = 6, top = 8, bottom = 18;
    const plotW = W - left - right, plotH = Ht - top - bottom;
    const positive = norms.filter((x) => x > 0);
    const max = Math.max(...norms, 1e-12);
    const min = positive.length ? Math.min(...positive) : max;
    const log = max / min > 50;
    const lo = log ? Math.log10(min) : 0, hi = log ? Math.log10(max) : max;
    const y = (v) => {
      const t = log ? (Math.log10(Math.max(v, min)) - lo) / Math.max(hi - lo, 1e-12) : v / hi;
      return top + plotH * (1 - t);
    };
    const x = (k) => left + (plotW * (k + 0.5)) / norms.length;
    const root = svg('svg', { viewBox: `0 0 ${W} ${Ht}`, class: 'chart-svg', 'aria-hidden': 'true' });
    const bandW = plotW / H;
    for (let h = 0; h < H; h++) {
      root.appendChild(svg('rect', {
        x: left + h * bandW, y: top, width: bandW, height: plotH,
        class: 'band' + (h % 2 ? ' odd' : ''), 'data-cycle': h,
      }));
    }
    root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, class: 'axis' }));
    root.appendChild(svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis' }));
    const fmt = (v) => (v >= 100 || v < 0.01 ? v.toExponential(0) : v.toPrecision(2));
    const label = (text, ty) => {
      const t = svg('text', { x: left - 4, y: ty, class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' });
      t.textContent = text;
      root.appendChild(t);
    };
    label(fmt(max), top + 2);
    label(log ? fmt(min) : '0', top + plotH - 2);
    const xl = svg('text', { x: left + plotW / 2, y: Ht - 4, class: 'tick', 'text-anchor': 'middle' });
    xl.textContent = H + ' outer \u00D7 ' + L + ' inner steps' + (log ? ' (log scale)' : '');
    root.appendChild(xl);
    const points = norms.map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    root.appendChild(svg('polyline', { points, class: 'line' }));
    if (norms.length <= 96) norms.forEach((v, k) => root.appendChild(svg('circle', { cx: x(k), cy: y(v), r: 2, class: 'dot' })));
    host.appendChild(root);
    host.setAttribute('aria-label', 'Latent update sizes for ' + H + ' outer cycles of ' + L + ' inner steps, from ' +
      fmt(norms[0]) + ' to ' + fmt(norms[norms.length - 1]));
    highlightChart();
  }

  function highlightChart() {
    document.querySelectorAll('#chart .band').forEach((band) => {
      band.classList.toggle('current', Number(band.getAttribute('data-cycle')) === state.frame);
    });
  }

  // ---------------------------------------------------------------- model
  function renderModelInfo() {
    const dl = $('model-info');
    dl.textContent = '';
    const add = (k, v) => { dl.appendChild(el('dt', '', k)); dl.appendChild(el('dd', '', v)); };
    if (!state.info) {
      add('Status', state.model ? 'no weights loaded' : 'loading\u2026');
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
    add('Inference time', state.run ? formatMs(state.run.elapsedMs) + ' for ' + state.run.trace.h_cycles + ' cycles' +
      (state.run.answer ? '; ' + formatMs(state.run.decodeMs) + ' for ' + passesText(state.run.answer) + ' of iterative commit' +
        overSymmetries(state.run.answer) : '') : '\u2014');
  }

  const formatMs = (ms) => (ms < 1 ? '< 1 ms' : ms < 100 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms');

  // Loads weights text through the model; on failure shows why and keeps the previous model.
  function loadWeightsText(text, name) {
    if (!state.model) {
      say('model-message', 'The WebAssembly module is not ready yet.', 'error');
      return false;
    }
    try {
      const info = state.model.load(text, name);
      state.info = info;
      state.modelName = name;
      $('cycles').value = String(Math.min(MAX_UI_CYCLES, info.config.H_cycles));
      updateCyclesHint();
      say('model-message', 'Loaded ' + name + ' (' + info.parameter_count.toLocaleString('en-US') + ' parameters).', 'info');
      if (state.run) leaveResult('New weights loaded; solve again to see their answer.');
      renderModelInfo();
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
    reader.onload = () => {
      // Let the message paint before a large parse blocks the page.
      setTimeout(() => loadWeightsText(String(reader.result), file.name), 0);
    };
    reader.onerror = () => say('model-message', 'Could not read ' + file.name + '.', 'error');
    reader.readAsText(file);
  }

  function updateCyclesHint() {
    // A weights file's H_cycles is the depth it runs by default, which export may set above the training depth.
    const depth = state.info ? state.info.config.H_cycles : null;
    $('cycles-hint').textContent = depth
      ? "The model's default is " + depth + '. More cycles let it keep refining (up to ' + MAX_UI_CYCLES + ').'
      : '';
  }

  // The threshold and the readings per pass belong to iterative commit only.
  function syncDecoding() {
    $('threshold').disabled = $('symmetries').disabled = $('decoding').value !== 'iterative';
  }

  function readThreshold() {
    const t = Number($('threshold').value);
    return t > 0 && t <= 1 ? t : null;
  }

  function readCycles() {
    const n = Number($('cycles').value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_UI_CYCLES) return null;
    return n;
  }

  // ---------------------------------------------------------------- solve
  function solve(options) {
    const autoplay = !options || options.autoplay !== false;
    if (!state.model || !state.info) {
      say('message', 'No model is loaded yet.', 'error');
      return;
    }
    const conflicts = Rules.findConflicts(state.puzzle);
    if (conflicts.length) {
      const text = conflicts.slice(0, 4).map(Rules.describeConflict).join('; ') +
        (conflicts.length > 4 ? '; and ' + (conflicts.length - 4) + ' more' : '');
      say('message', 'Cannot solve: the givens break the rules: ' + text + '. Fix the highlighted cells.', 'error');
      setMarker('state', 'refused');
      return;
    }
    const cycles = readCycles();
    if (cycles === null) {
      say('message', 'Outer cycles must be a whole number from 1 to ' + MAX_UI_CYCLES + '.', 'error');
      return;
    }
    const threshold = readThreshold();
    if (threshold === null) {
      say('message', 'The commit threshold must be a number above 0 and at most 1.', 'error');
      return;
    }
    stopPlayback();
    setMarker('state', 'solving');
    say('message', 'Solving\u2026', 'info');
    $('solve').disabled = true;
    // Yield once so "Solving..." paints before the (synchronous) wasm run.
    setTimeout(() => {
      try {
        const puzzle = state.puzzle.slice();
        const text = Rules.toText(puzzle);
        const t0 = performance.now();
        const trace = state.model.run(text, cycles);
        const elapsedMs = performance.now() - t0;
        let answer = null, decodeMs = 0;
        if ($('decoding').value === 'iterative') {
          const t1 = performance.now();
          const decoded = state.model.decode(text, cycles, threshold, Number($('symmetries').value));
          decodeMs = performance.now() - t1;
          answer = { digits: Array.from(decoded.digits, Number), passes: decoded.passes, threshold: decoded.threshold,
            symmetries: decoded.symmetries };
        }
        state.run = {
          trace, puzzle, elapsedMs, answer, decodeMs,
          solution: state.solution ? state.solution.slice() : null,
          digits: trace.frames.map((f) => Array.from(f.digits, Number)),
        };
        state.frame = stopCount() - 1;
        renderAll();
        setMarker('frames', trace.frames.length);
        setMarker('passes', answer ? answer.passes : 1);
        setMarker('symmetries', answer ? answer.symmetries : 1);
        setMarker('state', 'done');
        say('message', 'Ran ' + trace.h_cycles + ' outer cycles in ' + formatMs(elapsedMs) +
          (answer ? '; iterative commit' + overSymmetries(answer) + ' took ' + passesText(answer) +
            ' (' + formatMs(decodeMs) + ')' : '') + '.', 'info');
        if (autoplay && stopCount() > 1) startPlayback(true);
      } catch (e) {
        setMarker('state', 'error');
        say('message', 'The model could not run: ' + e.message, 'error');
      } finally {
        $('solve').disabled = !state.info;
      }
    }, 0);
  }

  function leaveResult(why) {
    stopPlayback();
    state.run = null;
    setMarker('frames', 0);
    body.removeAttribute('data-frame');
    body.removeAttribute('data-passes');
    body.removeAttribute('data-symmetries');
    setMarker('state', state.info ? 'ready' : body.getAttribute('data-state'));
    if (why) say('message', why, 'info');
    renderAll();
  }

  function renderAll() {
    renderBoard();
    renderPlayer();
    renderFrameStats();
    renderVerdict();
    renderAccuracy();
    renderChart();
    renderModelInfo();
    if (state.run) setMarker('frame', state.frame + 1);
  }

  // ---------------------------------------------------------------- examples
  const examples = (window.TRM_EXAMPLES && window.TRM_EXAMPLES.levels) || [];
  function buildExamples() {
    const select = $('level');
    examples.forEach((level) => {
      const o = el('option', '', level.name.charAt(0).toUpperCase() + level.name.slice(1) + ' (' + level.puzzles.length + ')');
      o.value = level.name;
      select.appendChild(o);
    });
    if (!examples.length) {
      select.disabled = true;
      $('random').disabled = true;
    }
  }

  let lastExample = null;
  function randomExample(levelName, pickFirst) {
    const level = examples.find((l) => l.name === levelName) || examples[0];
    if (!level || !level.puzzles.length) return;
    let k = pickFirst ? 0 : Math.floor(Math.random() * level.puzzles.length);
    if (!pickFirst && level.puzzles.length > 1 && lastExample === level.name + k) k = (k + 1) % level.puzzles.length;
    lastExample = level.name + k;
    $('level').value = level.name;
    const ex = level.puzzles[k];
    setPuzzle(Rules.parsePuzzle(ex.puzzle).grid, Rules.parsePuzzle(ex.solution).grid);
    say('message', level.name.charAt(0).toUpperCase() + level.name.slice(1) + ' example ' + (k + 1) + ' of ' +
      level.puzzles.length + ': ' + ex.givens + ' givens' + (window.TRM_EXAMPLES.placeholder ? ' (placeholder set)' : '') + '.', 'info');
  }

  // ---------------------------------------------------------------- wiring
  function wire() {
    $('text-form').addEventListener('submit', (e) => {
      e.preventDefault();
      loadPuzzleText($('puzzle-text').value, 'puzzle text');
    });
    $('puzzle-text').addEventListener('paste', (e) => {
      const text = (e.clipboardData || window.clipboardData).getData('text');
      if (Rules.parsePuzzle(text).grid) {
        e.preventDefault();
        loadPuzzleText(text, 'pasted text');
      }
    });
    $('random').addEventListener('click', () => randomExample($('level').value, false));
    $('clear').addEventListener('click', () => {
      setPuzzle(new Array(81).fill(0), null);
      say('message', 'Board cleared.', 'info');
      select(0, true);
    });
    $('solve').addEventListener('click', () => solve());
    $('first').addEventListener('click', () => { stopPlayback(); showFrame(0); });
    $('prev').addEventListener('click', () => { stopPlayback(); showFrame(state.frame - 1); });
    $('next').addEventListener('click', () => { stopPlayback(); showFrame(state.frame + 1); });
    $('last').addEventListener('click', () => { stopPlayback(); showFrame(Infinity); });
    $('play').addEventListener('click', () => (state.timer ? stopPlayback() : startPlayback(false)));
    $('scrubber').addEventListener('input', () => { stopPlayback(); showFrame(Number($('scrubber').value) - 1); });
    $('keep-givens').addEventListener('change', () => { if (state.run) { renderAll(); } });
    $('decoding').addEventListener('change', () => { syncDecoding(); if (state.run) solve(); });
    $('threshold').addEventListener('change', () => {
      if (readThreshold() === null) say('message', 'The commit threshold must be a number above 0 and at most 1.', 'error');
      else if (state.run && state.run.answer) solve();
    });
    $('symmetries').addEventListener('change', () => { if (state.run && state.run.answer) solve(); });
    syncDecoding();
    $('speed').addEventListener('change', () => { if (state.timer) startPlayback(false); });
    $('cycles').addEventListener('change', () => {
      if (readCycles() === null) say('message', 'Outer cycles must be a whole number from 1 to ' + MAX_UI_CYCLES + '.', 'error');
      else if (state.run) solve();
    });
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

  // ---------------------------------------------------------------- start
  async function start() {
    buildBoard();
    buildExamples();
    wire();
    const params = new URLSearchParams(window.location.search);
    if (params.get('keepgivens') === '0') $('keep-givens').checked = false;
    if (params.get('decoding') === 'single' || params.get('decoding') === 'iterative') $('decoding').value = params.get('decoding');
    if (params.has('threshold')) $('threshold').value = params.get('threshold');
    const symmetriesParam = params.has('symmetries')
      ? Array.from($('symmetries').options).find((o) => o.value === params.get('symmetries')) : null;
    if (symmetriesParam) $('symmetries').value = symmetriesParam.value;
    syncDecoding();
    if (params.has('example')) randomExample(params.get('example'), true);
    if (params.has('puzzle') && !loadPuzzleText(params.get('puzzle'), 'puzzle in the address')) setMarker('state', 'error');
    renderAll();
    select(state.selected, false);

    try {
      state.model = await window.TrmApi.create(window.createTrmModule);
    } catch (e) {
      setMarker('state', 'error');
      say('model-message', 'The WebAssembly module failed to start: ' + e.message, 'error');
      return;
    }
    const builtin = window.TRM_DEFAULT_WEIGHTS;
    if (builtin) {
      // Measured for the README (tests/web/browser.js prints them): parsing and loading the built-in weights, and
      // the time from navigation until the page can solve.
      const t0 = performance.now();
      loadWeightsText(builtin.text, builtin.name + ' (built in)');
      setMarker('weights-load-ms', (performance.now() - t0).toFixed(1));
    }
    else say('model-message', 'No built-in weights; load a weights file.', 'info');
    (window.TRM_TEST_WEIGHTS || []).forEach((w) => loadWeightsText(w.text, w.name));
    renderModelInfo();
    $('solve').disabled = !state.info;
    if (body.getAttribute('data-state') !== 'error') setMarker('state', state.info ? 'ready' : 'error');
    setMarker('ready-ms', performance.now().toFixed(1));

    if (params.has('cycles')) {
      $('cycles').value = params.get('cycles');
      if (readCycles() === null) say('message', 'cycles in the address must be 1-' + MAX_UI_CYCLES + '.', 'error');
    }
    if (params.has('symmetries') && !symmetriesParam)
      say('message', 'Readings per pass in the address must be 1, 2, 4 or 8; using ' + $('symmetries').value + '.', 'error');
    if (params.get('autosolve') === '1' && state.info && body.getAttribute('data-state') !== 'error') solve({ autoplay: false });
  }

  start();
})();
