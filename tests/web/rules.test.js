// www/rules.js: grids, conflicts (same wording as core/sudoku/grid.h), verdict and accuracy.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Rules = require('../../www/rules.js');

const PUZZLE = '530070000600195000098000060800060003400803001700020006060000280000419005000080079';
const SOLUTION = '534678912672195348198342567859761423426853791713924856961537284287419635345286179';
const grid = Rules.gridOf;

test('27 units of 9 distinct cells, each cell in exactly 3', () => {
  assert.equal(Rules.UNITS.length, 27);
  const count = new Array(81).fill(0);
  for (const unit of Rules.UNITS) {
    assert.equal(new Set(unit).size, 9);
    unit.forEach((c) => count[c]++);
  }
  assert.ok(count.every((n) => n === 3));
  assert.deepEqual(Rules.UNITS[18 + 4], [30, 31, 32, 39, 40, 41, 48, 49, 50]);
});

test('gridOf and toText: the digits of a string the project wrote, and back', () => {
  assert.deepEqual(grid(PUZZLE), grid(PUZZLE.replace(/0/g, '.')));
  assert.equal(grid(PUZZLE).length, 81);
  assert.equal(Rules.toText(grid(PUZZLE)), PUZZLE);
  assert.equal(Rules.toText(grid(PUZZLE), '.'), PUZZLE.replace(/0/g, '.'));
});

test('conflicts: one per unit, worded like core/sudoku/grid.h', () => {
  assert.deepEqual(Rules.findConflicts(grid(PUZZLE)), []);
  // r1c1 = r1c2 = 5: same row and same box.
  const clash = grid('55' + PUZZLE.slice(2));
  const conflicts = Rules.findConflicts(clash);
  assert.deepEqual(conflicts.map(Rules.describeConflict), [
    'digit 5 twice in row 1 (r1c1, r1c2)',
    'digit 5 twice in box 1 (r1c1, r1c2)',
  ]);
  assert.deepEqual([...Rules.conflictCells(conflicts)].sort(), [0, 1]);
  const col = grid(PUZZLE);
  col[72] = 5;  // r9c1 = 5, column 1 already has 5 at r1c1
  assert.equal(Rules.describeConflict(Rules.findConflicts(col)[0]), 'digit 5 twice in column 1 (r1c1, r9c1)');
});

test('verdict and accuracy', () => {
  const p = grid(PUZZLE), s = grid(SOLUTION);
  assert.equal(Rules.verdict(s, p).valid, true);
  assert.deepEqual(Rules.accuracy(s, s, p), { correct: 81, total: 81, blankCorrect: 51, blanks: 51, exact: true });
  const wrong = s.slice();
  [wrong[2], wrong[3]] = [wrong[3], wrong[2]];  // swap two cells of row 1: columns and boxes break
  const v = Rules.verdict(wrong, p);
  assert.equal(v.valid, false);
  assert.ok(v.messages.some((m) => /twice in column 3/.test(m)), v.messages.join('; '));
  const a = Rules.accuracy(wrong, s, p);
  assert.equal(a.correct, 79);
  assert.equal(a.exact, false);
  const changed = s.slice();
  changed[0] = 6;
  assert.ok(Rules.verdict(changed, p).messages.some((m) => m === 'given 5 at r1c1 changed to 6'));
  assert.ok(Rules.verdict(new Array(81).fill(0), null).messages.includes('81 cell(s) without a digit'));
});

test('isSolutionOf', () => {
  const p = grid(PUZZLE), s = grid(SOLUTION);
  assert.equal(Rules.isSolutionOf(s, p), true);
  assert.equal(Rules.isSolutionOf(p, p), false);
  const other = s.map((d) => (d % 9) + 1);  // relabelled: valid grid, does not keep the givens
  assert.equal(Rules.isSolutionOf(other, new Array(81).fill(0)), true);
  assert.equal(Rules.isSolutionOf(other, p), false);
  assert.equal(Rules.countGivens(p), 30);
});
