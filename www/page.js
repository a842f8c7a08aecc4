/* The page's shared namespace, window.TrmPage: the one mutable state of the page, the DOM helpers, the messages, the
 * test-contract markers (body[data-*], see app.js) and the wording shared by the player and the worker client.
 * Loaded before the page's other scripts; each of them reads these from TrmPage and adds its own functions to it
 * (board.js, player.js, settings.js, solver-client.js), and app.js wires them and starts the page. */
(function () {
  'use strict';

  const page = window.TrmPage = window.TrmPage || {};

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
  // An empty chart, W x Ht view-box units, whose plot area spans [left, W - right] x [top, top + plotH]: the svg root,
  // text(content, attrs) that adds a label, and axes() that draws the bottom, left and right axis lines (call it after
  // whatever must lie under them). The cycle chart (player.js) and the training chart (train.js) start from it.
  const chartFrame = (W, Ht, left, right, top, plotH) => {
    const root = svg('svg', { viewBox: `0 0 ${W} ${Ht}`, class: 'chart-svg', 'aria-hidden': 'true' });
    const text = (content, attrs) => {
      const t = svg('text', attrs);
      t.textContent = content;
      root.appendChild(t);
    };
    const axes = () => {
      root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, class: 'axis' }));
      root.appendChild(svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis' }));
      root.appendChild(svg('line', { x1: W - right, y1: top, x2: W - right, y2: top + plotH, class: 'axis' }));
    };
    return { root, text, axes };
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

  // ---------------------------------------------------------------- wording
  const plural = (n, word, many) => n + ' ' + (n === 1 ? word : many || word + 's');
  const DECODING_NAMES = { search: 'verified search', iterative: 'iterative commit', single: 'single pass' };
  const overSymmetries = (answer) => (answer.symmetries > 1 ? ' over ' + answer.symmetries + ' readings' : '');
  const passesText = (answer) => plural(answer.passes, 'pass', 'passes');
  const branchesText = (answer) => (answer.branches ? plural(answer.branches, 'branch', 'branches') : 'no branch');
  // How the search ended when it did not fill the grid, in words (null when it did).
  const searchEndText = (answer) => (answer.decoding !== 'search' || answer.search_end === 'complete' ? null
    : answer.search_end === 'budget' ? 'the search ran out of its budget of ' + plural(answer.budget, 'forward pass', 'forward passes')
      : 'the rules rejected every branch the search tried');

  const formatMs = (ms) => (ms < 1 ? '< 1 ms' : ms < 100 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms');

  Object.assign(page, {
    Rules, $, el, svg, chartFrame, MAX_WEIGHTS_BYTES, MAX_UI_CYCLES, state, body, setMarker, say,
    plural, DECODING_NAMES, overSymmetries, passesText, branchesText, searchEndText, formatMs,
  });
})();
