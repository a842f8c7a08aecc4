/* The board: drawing the grid (the puzzle being edited, or a run's cycle or answer), editing it by keys, the digit
 * pad and pasted or typed text (read by core's puzzle reader), undo and redo, and the example puzzles.
 * Part of the page (page.js holds the shared state; app.js wires the parts and starts them). */
(function () {
  'use strict';

  const page = window.TrmPage;
  const { Rules, $, el, state, body, setMarker, say } = page;

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
    if (state.run || state.engineBusy) page.leaveResult('The board changed; the previous run was cleared.');
    recordEdit();
    state.puzzle[i] = digit;
    if (state.solution && !Rules.isSolutionOf(state.solution, state.puzzle)) state.solution = null;
    syncText();
    renderBoard();
    page.renderActions();
  }

  function setPuzzle(grid, solution, noRecord) {
    page.stopPlayback();
    if (state.engineBusy) page.cancelRun();
    if (!noRecord) recordEdit();
    state.run = null;
    setMarker('frames', 0);
    state.puzzle = grid.slice();
    state.solution = solution ? solution.slice() : null;
    syncText();
    page.renderAll();
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

  function renderBoard() {
    const run = state.run;
    $('board').classList.toggle('result', !!run && page.cycleCount() > 0);
    if (!run || !page.cycleCount()) {
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
    const answer = page.isAnswerStop(h);
    const digits = page.shownDigits(h);
    const previous = h > 0 ? page.shownDigits(h - 1) : null;
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

  // ---------------------------------------------------------------- wiring: entry, examples, undo
  function wireBoard() {
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
  }

  Object.assign(page, {
    buildBoard, select, setCell, loadPuzzleText, renderBoard, buildExamples, randomExample, wireBoard,
  });
})();
