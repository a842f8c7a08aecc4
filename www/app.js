/* The page: puzzle entry, the model's refinement drawn live cycle by cycle and replayed, verdict, settings, weights.
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
    engine: null,                   // TrmWorker engine: the model, in a worker
    reader: null,                   // the wasm on this thread, only to read puzzle text (readPuzzle)
    modelName: '',
    info: null,                     // {config, parameter_count, simd}
    run: null,                      // the run on the board: {trace, puzzle, solution, digits[h][81], answer, phase, ...}
    runToken: 0,                    // increments with each solve or hint; answers of older ones are dropped
    frame: 0,                       // 0-based frame on the board
    undo: [],                       // edits: [{puzzle, solution}] before each change
    redo: [],
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

  // Editing leaves the result view: the run no longer belongs to the board (a running solve is cancelled).
  function setCell(i, digit) {
    if (state.puzzle[i] === digit) return;
    if (state.run || state.engineBusy) leaveResult('The board changed; the previous run was cleared.');
    recordEdit();
    state.puzzle[i] = digit;
    if (state.solution && !Rules.isSolutionOf(state.solution, state.puzzle)) state.solution = null;
    syncText();
    renderBoard();
    renderActions();
  }

  function setPuzzle(grid, solution, noRecord) {
    stopPlayback();
    if (state.engineBusy) cancelRun();
    if (!noRecord) recordEdit();
    state.run = null;
    setMarker('frames', 0);
    state.puzzle = grid.slice();
    state.solution = solution ? solution.slice() : null;
    syncText();
    renderAll();
    if (body.getAttribute('data-state') === 'refused' || body.getAttribute('data-state') === 'done') setMarker('state', 'ready');
  }

  // ---------------------------------------------------------------- undo, redo
  const snapshot = () => ({ puzzle: state.puzzle.slice(), solution: state.solution ? state.solution.slice() : null });
  function recordEdit() {
    state.undo.push(snapshot());
    if (state.undo.length > 500) state.undo.shift();
    state.redo = [];
  }
  function undoRedo(from, to, what) {
    if (!from.length) return;
    to.push(snapshot());
    const s = from.pop();
    setPuzzle(s.puzzle, s.solution, true);
    say('message', what + ' (' + Rules.countGivens(state.puzzle) + ' givens).', 'info');
  }
  const undo = () => undoRedo(state.undo, state.redo, 'Undone');
  const redo = () => undoRedo(state.redo, state.undo, 'Redone');

  function syncText() {
    $('puzzle-text').value = Rules.toText(state.puzzle, '.');
  }

  // Text a person gives is read by core's puzzle reader (core/sudoku/lines.h, through Module.readPuzzle in
  // web/bindings.cpp): the same variants and messages as `trm solve`. It runs in a small instance of the wasm on this
  // thread (reading takes microseconds; the model lives in the worker).
  function readPuzzle(text) {
    if (!state.reader) return { error: 'the page is still starting; try again in a moment' };
    const r = JSON.parse(state.reader.readPuzzle(String(text)));
    if (typeof r.error === 'string') return { error: r.error.replace(/^puzzle: /, '') };
    return { grid: Rules.gridOf(r.digits) };
  }

  function loadPuzzleText(text, what) {
    const parsed = readPuzzle(text);
    if (parsed.error) {
      say('message', 'Could not read the ' + what + ': ' + parsed.error + '.', 'error');
      return false;
    }
    setPuzzle(parsed.grid, null);
    say('message', 'Puzzle loaded (' + Rules.countGivens(parsed.grid) + ' givens).', 'info');
    return true;
  }

  // Stops of the player: one per outer cycle, plus the decoded answer (search or iterative commit) when it took more
  // than one pass, averaged symmetric copies or differs from the last cycle's reading (with one pass of the puzzle
  // alone the answer is usually that reading). While a run streams, the stops are the cycles computed so far.
  const cycleCount = () => state.run.trace.frames.length;
  const hasAnswerStop = () => {
    const run = state.run, answer = run.answer;
    if (!answer) return false;
    if (answer.passes > 1 || answer.symmetries > 1 || !cycleCount()) return true;
    const last = run.digits[cycleCount() - 1];
    return answer.digits.some((d, i) => d !== (run.puzzle[i] || last[i]));
  };
  const stopCount = () => cycleCount() + (hasAnswerStop() ? 1 : 0);
  const isAnswerStop = (h) => hasAnswerStop() && h === cycleCount();
  const finished = () => !!state.run && state.run.phase === 'done';
  // The final answer is on the board: the run finished and the player shows its last stop.
  const isFinalStop = (h) => finished() && h === stopCount() - 1;

  // The digits shown at stop h: the model's reading, with the givens on top when "keep givens" is on; or the
  // committed answer (which always keeps the givens).
  function shownDigits(h) {
    const run = state.run;
    if (isAnswerStop(h)) return run.answer.digits.slice();
    const keep = $('keep-givens').checked;
    return run.digits[h].map((d, i) => (keep && run.puzzle[i] ? run.puzzle[i] : d));
  }

  // The grid the final verdict judges: the decoded answer, or the last cycle's reading.
  const finalDigits = () => (state.run.answer ? state.run.answer.digits.slice() : shownDigits(cycleCount() - 1));
  const plural = (n, word, many) => n + ' ' + (n === 1 ? word : many || word + 's');
  const DECODING_NAMES = { search: 'verified search', iterative: 'iterative commit', single: 'single pass' };
  const overSymmetries = (answer) => (answer.symmetries > 1 ? ' over ' + answer.symmetries + ' readings' : '');
  const passesText = (answer) => plural(answer.passes, 'pass', 'passes');
  const branchesText = (answer) => (answer.branches ? plural(answer.branches, 'branch', 'branches') : 'no branch');
  // How the search ended when it did not fill the grid, in words (null when it did).
  const searchEndText = (answer) => (answer.decoding !== 'search' || answer.search_end === 'complete' ? null
    : answer.search_end === 'budget' ? 'the search ran out of its budget of ' + plural(answer.budget, 'forward pass', 'forward passes')
      : 'the rules rejected every branch the search tried');
  // Which decoding produced the answer, and what it cost: "verified search, 6 passes of 24 cycles, 2 branches".
  function decodingLabel(run) {
    const a = run.answer, H = run.trace.h_cycles;
    if (!a) return 'single pass of ' + plural(H, 'cycle');
    let text = DECODING_NAMES[a.decoding] + overSymmetries(a) + ', ' + passesText(a) + ' of ' + plural(H, 'cycle');
    if (a.decoding === 'search') text += ', ' + branchesText(a);
    // Learned halting stops a reading early: then the cycles run in all say more than the passes do.
    if (a.outer_cycles && a.outer_cycles !== a.passes * a.symmetries * H) text += ' (' + a.outer_cycles + ' outer cycles in all, learned halting)';
    return text;
  }
  // Readings per pass when none is chosen: what `trm solve` reads with that decoding (Model.info().default_decoding,
  // core/model/decode.h): the puzzle alone for verified search, 4 readings for iterative commit.
  function defaultReadings(decoding) {
    const d = state.info && state.info.default_decoding;
    if (decoding === 'iterative') return d ? d.iterative_symmetries : 4;
    if (decoding === 'search') return d && d.decoding === 'search' ? d.symmetries : 1;
    return 1;
  }

  // Per cycle (the readings, givens kept as shown): rule breaks, cells changed since the cycle before, mean
  // confidence on the blanks; and the cycle from which the reading no longer changes (settled).
  function cycleStats() {
    const run = state.run;
    const n = cycleCount();
    if (run.stats && run.stats.length === n) return run.stats;
    const stats = [];
    for (let h = 0; h < n; h++) {
      const digits = shownDigits(h);
      const prev = h > 0 ? shownDigits(h - 1) : null;
      let changed = 0, blanks = 0, confSum = 0;
      if (prev) digits.forEach((d, i) => { if (prev[i] !== d) changed++; });
      const conf = run.trace.frames[h].confidence;
      run.puzzle.forEach((g, i) => { if (!g) { blanks++; confSum += conf[i]; } });
      stats.push({ breaks: Rules.findConflicts(digits).length, changed: prev ? changed : null,
        confidence: blanks ? confSum / blanks : 1 });
    }
    let settled = n - 1;
    while (settled > 0 && stats[settled].changed === 0) settled--;
    stats.settled = settled;  // 0-based: the readings of cycles settled..n-1 are all the same
    run.stats = stats;
    return stats;
  }

  function renderBoard() {
    const run = state.run;
    $('board').classList.toggle('result', !!run && cycleCount() > 0);
    if (!run || !cycleCount()) {
      const clashes = Rules.conflictCells(Rules.findConflicts(state.puzzle));
      cells.forEach((cell, i) => {
        const d = state.puzzle[i];
        cell.className = cellClass(cell, d ? 'given' : 'blank');
        if (clashes.has(i)) cell.classList.add('conflict');
        cell.style.removeProperty('--conf');
        cell.firstChild.textContent = d ? String(d) : '';
        cell.title = '';
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
    // Only what differs is written: a live cycle then relays out the cells that changed, not all 81.
    const put = (node, key, value) => { if (node[key] !== value) node[key] = value; };
    cells.forEach((cell, i) => {
      const given = run.puzzle[i];
      const d = digits[i];
      const changed = previous && previous[i] !== d;
      let cls = cellClass(cell, given ? 'given' : answer ? 'answer' : 'pred');
      if (given && !keep && !answer && d !== given) cls += ' overridden';
      if (changed) cls += ' changed';
      if (clashes.has(i)) cls += ' conflict';
      put(cell, 'className', cls);
      const conf = answer || (given && keep) ? '' : confidence[i].toFixed(2);
      if (cell.style.getPropertyValue('--conf') !== conf) {
        if (conf) cell.style.setProperty('--conf', conf);
        else cell.style.removeProperty('--conf');
      }
      put(cell.firstChild, 'textContent', String(d));
      const sure = answer ? 'committed' : 'confidence ' + Math.round(confidence[i] * 100) + '%';
      const label = Rules.cellName(i) + ': ' + d + (given ? ' (given ' + given + ')' : '') + ', ' + sure +
        (changed ? ', changed' : '') + (clashes.has(i) ? ', conflicts' : '');
      if (cell.getAttribute('aria-label') !== label) cell.setAttribute('aria-label', label);
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
  // user: the person moved the player, so a live run stops following the newest cycle.
  function showFrame(h, user) {
    const run = state.run;
    if (!run || !stopCount()) return;
    state.frame = Math.max(0, Math.min(stopCount() - 1, h));
    if (user && !finished()) run.follow = state.frame === stopCount() - 1;
    $('scrubber').value = String(state.frame + 1);
    setMarker('frame', state.frame + 1);
    renderBoard();
    renderFrameStats();
    renderVerdict();
    renderAccuracy();
    highlightChart();
  }

  function stopPlayback() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    const play = $('play');
    play.classList.remove('playing');
    play.setAttribute('aria-label', 'Replay');
    play.title = 'Replay the cycles';
  }

  // The replay steps to the next stop whose board differs from the one shown (cycles where nothing changed are
  // skipped; the frame stats say where the reading settled).
  function nextChangedStop(h) {
    const last = stopCount() - 1;
    const here = shownDigits(h).join('');
    for (let k = h + 1; k < last; k++) if (shownDigits(k).join('') !== here) return k;
    return last;
  }

  function startPlayback(fromStart) {
    const run = state.run;
    if (!run || !finished()) return;
    stopPlayback();
    const last = stopCount() - 1;
    if (fromStart || state.frame >= last) showFrame(0);
    const play = $('play');
    play.classList.add('playing');
    play.setAttribute('aria-label', 'Pause');
    play.title = 'Pause';
    state.timer = setInterval(() => {
      if (state.frame >= last) stopPlayback();
      else showFrame(nextChangedStop(state.frame));
    }, Number($('speed').value));
  }

  function renderPlayer() {
    const run = state.run;
    const n = run ? stopCount() : 0;
    ['first', 'prev', 'next', 'last', 'scrubber'].forEach((id) => { $(id).disabled = !n; });
    $('play').disabled = !(n > 1 && finished());
    $('scrubber').max = String(Math.max(1, n));
    $('scrubber').value = String(n ? state.frame + 1 : 1);
  }

  // What the worker is doing, as it happens: "Pass 1: cycle 5 of 24", then "Pass 3 of verified search: cycle 2 of 24, ...".
  function renderProgress() {
    const run = state.run;
    const node = $('progress');
    if (!run || finished() || run.phase === 'stopped') {
      node.hidden = true;
      return;
    }
    node.hidden = false;
    const H = run.trace.h_cycles;
    const done = cycleCount();
    let text;
    if (run.phase === 'checking') text = 'Checking the puzzle with the exact solver\u2026';
    const k = run.request.decoding === 'single' ? 1 : run.request.symmetries;
    const readings = k > 1 ? ', ' + k + ' readings at once (the board and ' +
      plural(k - 1, 'symmetric copy', 'symmetric copies') + ')' : '';
    const search = run.request.decoding === 'search';
    if (run.phase === 'cycles') text = 'Pass 1: cycle ' + Math.min(done + 1, H) + ' of ' + H + ', reading the puzzle as given' + readings + '\u2026';
    else if (search) text = 'Pass ' + (run.pass || 2) + ' of verified search: cycle ' + Math.min((run.passCycle || 0) + 1, H) + ' of ' + H +
      ', ' + plural(run.passCommitted || 0, 'cell') + ' filled so far' + (run.deadEnds ? ', ' + plural(run.deadEnds, 'dead end') + ' met' : '') +
      readings + ' (at most ' + plural(searchBudget(), 'forward pass', 'forward passes') + ')\u2026';
    else text = 'Pass ' + (run.pass || 2) + ' of iterative commit: cycle ' + Math.min((run.passCycle || 0) + 1, H) + ' of ' + H +
      ', ' + plural(run.passCommitted || 0, 'cell') + ' committed so far' + readings + '\u2026';
    $('progress-text').textContent = text;
    const bar = $('progress-bar');
    bar.max = H;
    bar.value = run.phase === 'cycles' ? done : run.passCycle || 0;
  }

  function renderFrameStats() {
    const run = state.run;
    if (!run || !cycleCount()) {
      $('frame-label').textContent = run ? 'Cycle 1 of ' + run.trace.h_cycles + '\u2026' : 'No run yet';
      $('frame-stats').textContent = '';
      return;
    }
    const h = state.frame, n = cycleCount();
    const answer = isAnswerStop(h);
    const H = run.trace.h_cycles;
    $('frame-label').textContent = answer ? 'Answer' : 'Cycle ' + (h + 1) + ' of ' + (finished() ? n : H);
    const digits = shownDigits(h);
    const conflicts = Rules.findConflicts(digits).length;
    const parts = [];
    if (answer) {
      let changed = 0;
      const prev = shownDigits(h - 1);
      digits.forEach((d, i) => { if (prev[i] !== d) changed++; });
      const a = run.answer;
      if (a.decoding === 'search') {
        parts.push('verified search' + overSymmetries(a) + ': ' + passesText(a) + ' (' + plural(a.forward_passes, 'forward pass', 'forward passes') +
          '), ' + branchesText(a) + ', committing cells at least ' + Math.round(a.threshold * 100) +
          '% sure and branching where none is');
        parts.push(searchEndText(a) || 'the grid was filled');
      } else {
        parts.push('iterative commit' + overSymmetries(a) + ': ' + passesText(a) +
          ' (' + a.passes * a.symmetries + ' forward passes), committing cells at least ' + Math.round(a.threshold * 100) + '% sure');
      }
      parts.push(plural(changed, 'cell') + ' differ from cycle ' + n);
    } else {
      const stats = cycleStats();
      const s = stats[h];
      parts.push(h > 0 ? plural(s.changed, 'cell') + ' changed' : 'first reading');
      if (finished() && stats.settled < n - 1 && h >= stats.settled) parts.push('settled at cycle ' + (stats.settled + 1));
      parts.push('mean confidence on blanks ' + Math.round(100 * s.confidence) + '%');
    }
    parts.push(conflicts ? plural(conflicts, 'rule break') : 'no rule broken');
    $('frame-stats').textContent = parts.join(' \u00B7 ');
  }

  // ---------------------------------------------------------------- verdict, accuracy
  // The verdict judges the frame on the board: a cycle's reading while it is not the final answer, the final
  // answer (labelled so) at the last stop of a finished run.
  function renderVerdict() {
    const run = state.run;
    const list = $('verdict-list');
    list.textContent = '';
    const verdictNode = $('verdict');
    if (!run || !cycleCount()) {
      verdictNode.textContent = run ? 'Waiting for the first cycle\u2026' : 'Solve a puzzle to see the verdict.';
      verdictNode.className = 'verdict';
      body.removeAttribute('data-verdict');
      body.removeAttribute('data-verdict-of');
      return;
    }
    const h = state.frame;
    const final = isFinalStop(h);
    const v = Rules.verdict(shownDigits(h), run.puzzle);
    const what = final ? 'Final answer: ' : (isAnswerStop(h) ? 'Answer: ' : 'Cycle ' + (h + 1) + ' (not the final answer): ');
    // The search's own end is said too: an unfilled search is "not solved" even where its guesses break no rule
    // shown here; a grid is only ever called solved when the rules and the givens accept it.
    const ended = final && run.answer ? searchEndText(run.answer) : null;
    if (v.valid) {
      verdictNode.textContent = what + '\u2713 Valid solution' + (final ? ' (' + decodingLabel(run) + ')' : '') +
        (ended ? '; ' + ended + ', but the model\'s unverified guesses in its last blanks satisfy every rule' : '') + '.';
      verdictNode.className = 'verdict ok';
    } else if (ended) {
      verdictNode.textContent = what + '\u2717 Not solved: ' + ended + ' (' + decodingLabel(run) + '). The blanks it could not ' +
        'fill hold the model\'s unverified guesses: ' + plural(v.messages.length, 'problem') + '.';
    } else {
      verdictNode.textContent = what + '\u2717 Not a valid solution' + (final ? ' (' + decodingLabel(run) + ')' : '') + ': ' +
        plural(v.messages.length, 'problem') + '.';
    }
    if (!v.valid) {
      verdictNode.className = 'verdict bad' + (final ? '' : ' provisional');
      const shown = v.messages.slice(0, 10);
      shown.forEach((m) => list.appendChild(el('li', '', m)));
      if (v.messages.length > shown.length) list.appendChild(el('li', 'more', '\u2026 and ' + (v.messages.length - shown.length) + ' more'));
    }
    setMarker('verdict', v.valid ? 'valid' : 'invalid');
    setMarker('verdict-of', final ? 'answer' : 'cycle-' + (h + 1));
  }

  function renderAccuracy() {
    const run = state.run;
    const node = $('accuracy');
    if (!run || !run.solution || !cycleCount()) {
      node.textContent = run && !run.solution ? 'No known solution for this puzzle (examples have one).' : '';
      return;
    }
    const h = state.frame;
    const a = Rules.accuracy(shownDigits(h), run.solution, run.puzzle);
    let text = 'Against the known solution, ' + (isAnswerStop(h) ? 'answer' : 'cycle ' + (h + 1)) + ': ' + a.correct +
      '/81 cells correct (' + a.blankCorrect + '/' + a.blanks + ' blanks).';
    if (finished()) {
      const final = Rules.accuracy(finalDigits(), run.solution, run.puzzle);
      if (h !== stopCount() - 1 || (run.answer && !hasAnswerStop())) text += ' Final answer: ' + final.correct + '/81.';
      text += final.exact ? ' The final answer matches the solution exactly.' : '';
    }
    node.textContent = text;
  }

  // ---------------------------------------------------------------- chart
  // Per outer cycle: rule breaks and cells changed (left axis, cells) and mean confidence on the blanks (right
  // axis, %). Drawn again as each cycle arrives; the band of the cycle on the board is highlighted.
  function renderChart() {
    const host = $('chart');
    host.textContent = '';
    const run = state.run;
    if (!run || !cycleCount()) {
      host.appendChild(el('p', 'chart-empty', run ? 'The chart grows as the cycles arrive.' : 'The chart appears after a run.'));
      host.setAttribute('aria-label', 'No chart yet');
      return;
    }
    const stats = cycleStats();
    const H = finished() ? cycleCount() : run.trace.h_cycles;
    const W = 340, Ht = 190, left = 40, right = 44, top = 10, bottom = 40;
    const plotW = W - left - right, plotH = Ht - top - bottom;
    const maxCount = Math.max(4, ...stats.map((s) => Math.max(s.breaks, s.changed || 0)));
    const niceMax = maxCount <= 10 ? Math.ceil(maxCount / 2) * 2 : Math.ceil(maxCount / 10) * 10;
    const x = (h) => left + (plotW * (h + 0.5)) / H;
    const yCount = (v) => top + plotH * (1 - v / niceMax);
    const yConf = (c) => top + plotH * (1 - c);
    const root = svg('svg', { viewBox: `0 0 ${W} ${Ht}`, class: 'chart-svg', 'aria-hidden': 'true' });
    const bandW = plotW / H;
    for (let h = 0; h < H; h++) {
      root.appendChild(svg('rect', {
        x: left + h * bandW, y: top, width: bandW, height: plotH,
        class: 'band' + (h % 2 ? ' odd' : ''), 'data-cycle': h,
      }));
    }
    const text = (content, attrs) => {
      const t = svg('text', attrs);
      t.textContent = content;
      root.appendChild(t);
    };
    // Axes with ticks: cells on the left, confidence on the right, cycles below.
    root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, class: 'axis' }));
    root.appendChild(svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis' }));
    root.appendChild(svg('line', { x1: W - right, y1: top, x2: W - right, y2: top + plotH, class: 'axis' }));
    [0, niceMax / 2, niceMax].forEach((v) => {
      root.appendChild(svg('line', { x1: left, y1: yCount(v), x2: W - right, y2: yCount(v), class: 'grid' }));
      text(String(v), { x: left - 5, y: yCount(v), class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' });
    });
    [0, 0.5, 1].forEach((c) => text(Math.round(c * 100) + '%', { x: W - right + 5, y: yConf(c), class: 'tick', 'dominant-baseline': 'middle' }));
    const step = H <= 12 ? 1 : H <= 24 ? 4 : H <= 48 ? 8 : 16;
    for (let h = 0; h < H; h++) {
      if (h === 0 || (h + 1) % step === 0 || h === H - 1)
        text(String(h + 1), { x: x(h), y: top + plotH + 14, class: 'tick', 'text-anchor': 'middle' });
    }
    text('outer cycle', { x: left + plotW / 2, y: Ht - 6, class: 'axis-name', 'text-anchor': 'middle' });
    text('cells', { x: 12, y: top + plotH / 2, class: 'axis-name', 'text-anchor': 'middle',
      transform: `rotate(-90 12 ${top + plotH / 2})` });
    text('confidence', { x: W - 8, y: top + plotH / 2, class: 'axis-name', 'text-anchor': 'middle',
      transform: `rotate(90 ${W - 8} ${top + plotH / 2})` });
    if (finished() && stats.settled > 0 && stats.settled < stats.length - 1) {
      const sx = left + stats.settled * bandW;
      root.appendChild(svg('line', { x1: sx, y1: top, x2: sx, y2: top + plotH, class: 'settled' }));
    }
    const series = (values, y, cls, marker) => {
      const pts = values.map((v, h) => (v === null ? null : [x(h), y(v)])).filter(Boolean);
      root.appendChild(svg('polyline', { points: pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '), class: 'line ' + cls }));
      if (pts.length <= 64) pts.forEach(([px, py]) => root.appendChild(marker === 'square'
        ? svg('rect', { x: px - 2.5, y: py - 2.5, width: 5, height: 5, class: 'dot ' + cls })
        : svg('circle', { cx: px, cy: py, r: 2.6, class: 'dot ' + cls })));
    };
    series(stats.map((s) => s.confidence), yConf, 'conf', 'circle');
    series(stats.map((s) => s.changed), yCount, 'changed', 'square');
    series(stats.map((s) => s.breaks), yCount, 'breaks', 'circle');
    host.appendChild(root);
    const last = stats[stats.length - 1];
    host.setAttribute('aria-label', 'Per cycle: rule breaks, cells changed and mean confidence. After cycle ' + stats.length +
      ': ' + plural(last.breaks, 'rule break') + ', mean confidence ' + Math.round(100 * last.confidence) + '%' +
      (finished() && stats.settled < stats.length - 1 ? '; settled at cycle ' + (stats.settled + 1) : ''));
    highlightChart();
  }

  function highlightChart() {
    const shown = state.run && !isAnswerStop(state.frame) ? state.frame : -1;
    document.querySelectorAll('#chart .band').forEach((band) => {
      band.classList.toggle('current', Number(band.getAttribute('data-cycle')) === shown);
    });
  }
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
    add('Inference time', run && finished() ? formatMs(run.elapsedMs) + ' for ' + run.trace.h_cycles + ' cycles' +
      (run.answer ? '; ' + formatMs(run.decodeMs) + ' for ' + passesText(run.answer) + ' of ' + DECODING_NAMES[run.answer.decoding] +
        overSymmetries(run.answer) : '') : '\u2014');
  }

  const formatMs = (ms) => (ms < 1 ? '< 1 ms' : ms < 100 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms');

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
      updateCyclesHint();
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
    if (run && !finished()) {
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
    if (had) say('message', run && cycleCount() ? 'Cancelled after ' + plural(cycleCount(), 'cycle') + ' of ' +
      run.trace.h_cycles + '; those cycles stay on the board.' : 'Cancelled.', 'info');
    renderAll();
  }

  // The markers a run sets besides data-answer and data-diagnosis.
  const RUN_MARKERS = ['frame', 'pass', 'decoding', 'passes', 'forward-passes', 'symmetries', 'branches', 'search-end'];

  // A solve streams from the worker: diagnosis, then each outer cycle as it is computed (drawn at once, the board
  // following the newest one unless the player was moved), then the final answer. A new solve supersedes a running one.
  function solve() {
    if (state.engineBusy) cancelRun();
    stopPlayback();
    if (!precheck('solve')) return;
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
    renderAll();
    const t0 = performance.now();
    const current = () => token === state.runToken;
    state.engine.solve(request, {
      diagnosis(d) {
        if (!current()) return;
        run.diagnosisMs = d.ms;
        if (d.solutions === 1) {
          setMarker('diagnosis', 'unique');
          run.phase = 'cycles';
          renderProgress();
        }
      },
      cycle(f) {
        if (!current()) return;
        run.trace.frames.push({ digits: f.digits, confidence: f.confidence });
        run.trace.latent_update_norms.push(...f.latent_update_norms);
        run.digits.push(Array.from(f.digits, Number));
        if (run.follow) state.frame = cycleCount() - 1;
        setMarker('frames', cycleCount());
        drawLive();
      },
      committing() {
        if (!current()) return;
        run.phase = 'committing';
        drawProgress();
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
        drawProgress();
      },
    }).then((r) => {
      if (!current()) return;
      state.engineBusy = false;
      if (r.refused) {
        state.run = null;
        setMarker('frames', 0);
        renderAll();
        refuseUnsolvable(r.solutions, 'run');
        return;
      }
      run.elapsedMs = r.runMs;
      run.decodeMs = r.decodeMs;
      run.totalMs = performance.now() - t0;
      if (r.answer) run.answer = { digits: Array.from(r.answer.digits, Number), decoding: r.answer.decoding, passes: r.answer.passes,
        forward_passes: r.answer.forward_passes, outer_cycles: r.answer.outer_cycles, branches: r.answer.branches,
        search_end: r.answer.search_end, budget: searchBudget(), threshold: r.answer.threshold, symmetries: r.answer.symmetries };
      run.phase = 'done';
      run.stats = null;
      state.frame = stopCount() - 1;  // the final answer goes on the board
      renderAll(true);
      setMarker('frames', cycleCount());
      const a = run.answer;
      setMarker('decoding', a ? a.decoding : 'single');
      setMarker('passes', a ? a.passes : 1);
      setMarker('forward-passes', a ? a.forward_passes : 1);
      setMarker('symmetries', a ? a.symmetries : 1);
      if (a && a.decoding === 'search') {
        setMarker('branches', a.branches);
        setMarker('search-end', a.search_end);
      }
      setMarker('answer', finalDigits().join(''));
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
      renderAll();
    });
  }

  // Fills the blank the model is surest of (its last cycle's reading of the puzzle as given), with its confidence.
  function hint() {
    if (state.engineBusy) cancelRun();
    if (!precheck('give a hint for')) return;
    const cycles = readCycles() || 0;
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
      select(r.cell, false);
      setCell(r.cell, r.digit);
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
    stopPlayback();
    state.run = null;
    setMarker('frames', 0);
    RUN_MARKERS.concat(['answer', 'diagnosis']).forEach((k) => body.removeAttribute('data-' + k));
    setMarker('state', state.info ? 'ready' : body.getAttribute('data-state'));
    if (why) say('message', why, 'info');
    renderAll();
  }

  // A drawing function that runs at most once per animation frame however often it is asked for: messages can come
  // faster than the screen refreshes, and the main thread's tasks must stay short.
  function oncePerFrame(draw) {
    let pending = false;
    return () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        draw();
      });
    };
  }

  // Cycles: the newest state once per animation frame, and only the parts a cycle changes.
  const drawLive = oncePerFrame(() => {
    const run = state.run;
    if (!run || finished()) return;  // renderAll drew the end already
    renderAllButChart();
    // The chart is the largest redraw: at most about four times a second while cycles stream. The run's first
    // frame restyles all 81 cells (the board leaves the editor), so its chart waits for the next animation frame:
    // the two largest redraws never share one task.
    const now = performance.now();
    if (!run.boardShown) {
      run.boardShown = true;
      drawLive();
    } else if (!(now - lastLiveChart < 250)) {
      lastLiveChart = now;
      renderChart();
    }
    if (stopCount()) setMarker('frame', state.frame + 1);
  });
  let lastLiveChart = -Infinity;

  // Progress messages of passes after the first come once per outer cycle (hundreds a second in a long search).
  const drawProgress = oncePerFrame(() => renderProgress());

  // chartLater: the chart, the largest redraw, in the next animation frame (the end of a run: the board just changed
  // to the answer; the chart drawn live so far stays until then).
  function renderAllButChart() {
    renderBoard();
    renderPlayer();
    renderProgress();
    renderFrameStats();
    renderVerdict();
    renderAccuracy();
  }
  function renderAll(chartLater) {
    renderAllButChart();
    if (!chartLater) renderChart();
    else {
      const run = state.run;
      highlightChart();
      requestAnimationFrame(() => { if (state.run === run) renderChart(); });
    }
    renderModelInfo();
    renderActions();
    if (state.run && stopCount()) setMarker('frame', state.frame + 1);
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
    setPuzzle(Rules.gridOf(ex.puzzle), Rules.gridOf(ex.solution));
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
      if (readPuzzle(text).grid) {
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
    $('cancel').addEventListener('click', () => cancel());
    $('hint').addEventListener('click', () => hint());
    $('undo').addEventListener('click', () => undo());
    $('redo').addEventListener('click', () => redo());
    // Ctrl+Z / Ctrl+Y (and Ctrl+Shift+Z, Cmd on a Mac) undo and redo board edits; text fields keep their own undo.
    document.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const t = e.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) undo();
      else if (k === 'y' || (k === 'z' && e.shiftKey)) redo();
      else return;
      e.preventDefault();
    });
    $('first').addEventListener('click', () => { stopPlayback(); showFrame(0, true); });
    $('prev').addEventListener('click', () => { stopPlayback(); showFrame(state.frame - 1, true); });
    $('next').addEventListener('click', () => { stopPlayback(); showFrame(state.frame + 1, true); });
    $('last').addEventListener('click', () => { stopPlayback(); showFrame(Infinity, true); });
    $('play').addEventListener('click', () => (state.timer ? stopPlayback() : startPlayback(false)));
    $('scrubber').addEventListener('input', () => { stopPlayback(); showFrame(Number($('scrubber').value) - 1, true); });
    $('keep-givens').addEventListener('change', () => { if (state.run) { state.run.stats = null; renderAll(); } });
    // A settings change supersedes the running solve (or re-solves the one on the board).
    const decodedRun = () => state.run && state.run.request.decoding !== 'single' && state.run.phase !== 'stopped';
    $('decoding').addEventListener('change', () => {
      setDefaultReadings();
      syncDecoding();
      if (state.run && state.run.phase !== 'stopped') solve();
    });
    $('threshold').addEventListener('change', () => {
      if (readThreshold() === null) say('message', 'The commit threshold must be a number above 0 and at most 1.', 'error');
      else if (decodedRun()) solve();
    });
    $('symmetries').addEventListener('change', () => { if (decodedRun()) solve(); });
    syncDecoding();
    $('speed').addEventListener('change', () => { if (state.timer) startPlayback(false); });
    $('cycles').addEventListener('change', () => {
      if (readCycles() === null) say('message', 'Outer cycles must be a whole number from 1 to ' + MAX_UI_CYCLES + '.', 'error');
      else if (state.run && state.run.phase !== 'stopped') solve();
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
    const decodingParam = ['search', 'iterative', 'single'].includes(params.get('decoding')) ? params.get('decoding') : null;
    if (decodingParam) $('decoding').value = decodingParam;
    if (params.has('threshold')) $('threshold').value = params.get('threshold');
    const symmetriesParam = params.has('symmetries')
      ? Array.from($('symmetries').options).find((o) => o.value === params.get('symmetries')) : null;
    if (symmetriesParam) $('symmetries').value = symmetriesParam.value;
    else setDefaultReadings();
    syncDecoding();
    if (params.has('example')) randomExample(params.get('example'), true);
    renderAll();
    select(state.selected, false);
    try {
      state.reader = await window.createTrmModule();
    } catch (e) {
      setMarker('state', 'error');
      say('model-message', 'The WebAssembly module failed to start: ' + e.message, 'error');
      return;
    }
    if (params.has('puzzle') && !loadPuzzleText(params.get('puzzle'), 'puzzle in the address')) setMarker('state', 'error');

    try {
      state.engine = window.TrmWorker.create(window.createTrmModule, { onCrash });
    } catch (e) {
      setMarker('state', 'error');
      say('model-message', 'The model\'s worker failed to start: ' + e.message, 'error');
      return;
    }
    const builtin = window.TRM_DEFAULT_WEIGHTS;
    if (builtin) {
      // Measured for the README (tests/web/browser.js prints them): starting the worker with the wasm, parsing and
      // loading the built-in weights in it (the page stays responsive meanwhile), and the time from navigation
      // until the page can solve.
      const t0 = performance.now();
      await loadWeightsText(builtin.text, builtin.name + ' (built in)');
      setMarker('weights-load-ms', (performance.now() - t0).toFixed(1));
    }
    else say('model-message', 'No built-in weights; load a weights file.', 'info');
    for (const w of window.TRM_TEST_WEIGHTS || []) await loadWeightsText(w.text, w.name);
    // The settings the address left out become what `trm solve` does by default (core/model/decode.h, through
    // Model.info()): the decoding, its readings per pass and the commit threshold.
    const defaults = state.info && state.info.default_decoding;
    if (defaults) {
      if (!decodingParam && Array.from($('decoding').options).some((o) => o.value === defaults.decoding)) $('decoding').value = defaults.decoding;
      if (!symmetriesParam) setDefaultReadings();
      if (!params.has('threshold')) $('threshold').value = String(Math.round(defaults.commit_threshold * 1e4) / 1e4);
      $('search-budget').textContent = String(defaults.max_forward_passes);
      syncDecoding();
    }
    renderModelInfo();
    renderActions();
    if (body.getAttribute('data-state') !== 'error') setMarker('state', state.info ? 'ready' : 'error');
    setMarker('ready-ms', performance.now().toFixed(1));

    if (params.has('cycles')) {
      $('cycles').value = params.get('cycles');
      if (readCycles() === null) say('message', 'cycles in the address must be 1-' + MAX_UI_CYCLES + '.', 'error');
    }
    if (params.has('decoding') && !decodingParam)
      say('message', 'The decoding in the address must be search, iterative or single; using ' + DECODING_NAMES[$('decoding').value] + '.', 'error');
    if (params.has('symmetries') && !symmetriesParam)
      say('message', 'Readings per pass in the address must be 1, 2, 4 or 8; using ' + $('symmetries').value + '.', 'error');
    if (params.get('autosolve') === '1' && state.info && body.getAttribute('data-state') !== 'error') solve();
  }

  // The worker died (out of memory, an abort) and was restarted with the last weights that loaded.
  function onCrash(message, gaveUp) {
    const run = state.run;
    state.engineBusy = false;
    if (run && !finished()) run.phase = 'stopped';
    body.removeAttribute('data-hint-pending');
    setMarker('worker-restarts', state.engine ? state.engine.restarts : 0);
    say('model-message', gaveUp ? 'The model keeps failing (' + message + '); reload the page.'
      : 'The model stopped (' + message + ') and was restarted' + (state.info ? ' with ' + state.modelName : '') + '.', 'error');
    renderAll();
  }

  start();
})();
