// Loaded before app.js by the browser test's copies of index.html: records every change of the page's test contract
// (body[data-state], data-frames, data-answer) with the time, in window.TRM_STATE_LOG = [{state, frames, answer,
// board, t}], where board is the 81 digits on the board at that moment ('' for a blank). The browser test reads it
// to check the order of states, that frames arrived while solving, and that done came with the answer on the board.
// window.TRM_STATES lists every value data-state took, in order, also those set and replaced within one task.
(function () {
  'use strict';
  const log = [];
  window.TRM_STATE_LOG = log;
  const body = document.body;
  const board = () => Array.from(document.querySelectorAll('#board .cell'), (c) => c.textContent || '').join(',');
  const record = () => {
    const entry = { state: body.getAttribute('data-state'), frames: Number(body.getAttribute('data-frames') || 0),
      answer: body.getAttribute('data-answer') || '', board: board(), t: performance.now() };
    const last = log[log.length - 1];
    if (!last || last.state !== entry.state || last.frames !== entry.frames || last.answer !== entry.answer) log.push(entry);
  };
  const states = [body.getAttribute('data-state')];
  window.TRM_STATES = states;
  new MutationObserver((records) => {
    // Each record holds the value before its change: the value after it is the next record's old value, or the
    // current one for the last.
    const changes = records.filter((r) => r.attributeName === 'data-state');
    changes.forEach((r, k) => {
      const value = k + 1 < changes.length ? changes[k + 1].oldValue : body.getAttribute('data-state');
      if (states[states.length - 1] !== value) states.push(value);
    });
    record();
  }).observe(body, { attributes: true, attributeOldValue: true, attributeFilter: ['data-state', 'data-frames', 'data-answer'] });
  record();
})();
