/* SudokuRules: the rules of the game for the page, with no DOM and no model. Grids are arrays of 81 numbers,
 * row-major, 0 = blank. Cell names and messages follow core/sudoku/grid.h: cells are r<row>c<column>, 1-based,
 * and a conflict reads "digit 5 twice in row 3 (r3c1, r3c7)".
 * Classic script (window.SudokuRules) and CommonJS module (Node tests).
 */
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.SudokuRules = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // The 27 units: 0-8 rows, 9-17 columns, 18-26 boxes (boxes numbered row-major).
  const UNITS = [];
  for (let r = 0; r < 9; r++) UNITS.push(Array.from({ length: 9 }, (_, c) => 9 * r + c));
  for (let c = 0; c < 9; c++) UNITS.push(Array.from({ length: 9 }, (_, r) => 9 * r + c));
  for (let b = 0; b < 9; b++) {
    const r0 = 3 * Math.floor(b / 3), c0 = 3 * (b % 3);
    UNITS.push(Array.from({ length: 9 }, (_, k) => 9 * (r0 + Math.floor(k / 3)) + c0 + (k % 3)));
  }
  const UNIT_KINDS = ['row', 'column', 'box'];

  const cellName = (cell) => 'r' + (Math.floor(cell / 9) + 1) + 'c' + ((cell % 9) + 1);
  const boxOf = (cell) => 3 * Math.floor(cell / 27) + Math.floor((cell % 9) / 3);

  // The grid of an 81-character string this project wrote itself (examples.js, the board's own text). Text a person
  // gives (the paste box, the text field, the address) is read by core's reader instead: board.js readPuzzle ->
  // Module.readPuzzle (web/bindings.cpp) -> core/sudoku/lines.h, the reader `trm solve` uses.
  const gridOf = (digits) => Array.from(digits, (ch) => (ch === '.' ? 0 : Number(ch)));

  const toText = (grid, blank) => grid.map((d) => (d ? String(d) : blank || '0')).join('');

  // Every pair of equal digits sharing a unit: {unit: 'row'|'column'|'box', index (0-based), digit, cells: [a, b]}.
  // Two cells in one row and one box give two conflicts, one per unit, as in core/sudoku/grid.h.
  function findConflicts(grid) {
    const conflicts = [];
    UNITS.forEach((cells, u) => {
      for (let i = 0; i < 9; i++) {
        const d = grid[cells[i]];
        if (!d) continue;
        for (let j = i + 1; j < 9; j++) {
          if (grid[cells[j]] === d)
            conflicts.push({ unit: UNIT_KINDS[Math.floor(u / 9)], index: u % 9, digit: d, cells: [cells[i], cells[j]] });
        }
      }
    });
    return conflicts;
  }

  function describeConflict(c) {
    return 'digit ' + c.digit + ' twice in ' + c.unit + ' ' + (c.index + 1) + ' (' + c.cells.map(cellName).join(', ') + ')';
  }

  // The cells named by a list of conflicts, as a Set.
  function conflictCells(conflicts) {
    const set = new Set();
    conflicts.forEach((c) => c.cells.forEach((cell) => set.add(cell)));
    return set;
  }

  // The verdict on a model's answer `grid` for `puzzle`: {valid, conflicts, blanks (cells without a digit),
  // changedGivens (givens the answer does not keep), messages}.
  function verdict(grid, puzzle) {
    const conflicts = findConflicts(grid);
    const blanks = [];
    const changedGivens = [];
    for (let i = 0; i < 81; i++) {
      if (!(grid[i] >= 1 && grid[i] <= 9)) blanks.push(i);
      if (puzzle && puzzle[i] && grid[i] !== puzzle[i]) changedGivens.push(i);
    }
    const messages = conflicts.map(describeConflict);
    if (blanks.length) messages.push(blanks.length + ' cell(s) without a digit');
    changedGivens.forEach((i) =>
      messages.push('given ' + puzzle[i] + ' at ' + cellName(i) + ' changed to ' + (grid[i] || 'blank')));
    return { valid: messages.length === 0, conflicts, blanks, changedGivens, messages };
  }

  // Agreement with a known solution: all 81 cells, and the blanks of the puzzle alone.
  function accuracy(grid, solution, puzzle) {
    let correct = 0, blankCorrect = 0, blanks = 0;
    for (let i = 0; i < 81; i++) {
      const ok = grid[i] === solution[i];
      if (ok) correct++;
      if (!puzzle || !puzzle[i]) {
        blanks++;
        if (ok) blankCorrect++;
      }
    }
    return { correct, total: 81, blankCorrect, blanks, exact: correct === 81 };
  }

  const countGivens = (grid) => grid.reduce((n, d) => n + (d ? 1 : 0), 0);

  // True when `solution` is a complete valid grid that keeps every given of `puzzle`.
  function isSolutionOf(solution, puzzle) {
    if (!Array.isArray(solution) || solution.length !== 81) return false;
    if (!solution.every((d) => d >= 1 && d <= 9)) return false;
    if (findConflicts(solution).length) return false;
    return puzzle.every((d, i) => !d || d === solution[i]);
  }

  return {
    UNITS, cellName, boxOf, gridOf, toText, findConflicts, describeConflict, conflictCells, verdict,
    accuracy, countGivens, isSolutionOf,
  };
});
