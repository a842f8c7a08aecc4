// Worker-crash scenario for the browser test: loaded before app.js, it keeps every Worker the page starts, waits
// until the page is ready, then makes the model's worker fail as a crash does (an 'error' event on it, what a wasm
// abort or out-of-memory delivers), and checks the page says so, restarts it with the same weights and solves.
// Results go to <body data-crash="[[name, ok, detail], ...]"> and data-crash-done="1".
(function () {
  'use strict';
  const { check, until, keepWorkers, run } = window.TrmHook;  // tests/web/hook-lib.js
  const workers = keepWorkers();
  const body = document.body;
  const LONG = 120000;
  const state = () => body.getAttribute('data-state');
  const message = () => document.getElementById('model-message').textContent;

  async function scenario() {
    await until(() => state() === 'ready', LONG);
    check('page becomes ready', state() === 'ready', state());
    check('one worker started', workers.length === 1, workers.length);
    workers[workers.length - 1].dispatchEvent(new ErrorEvent('error', { message: 'RuntimeError: memory access out of bounds' }));
    await until(() => body.getAttribute('data-worker-restarts') === '1', LONG);
    check('the crash is counted', body.getAttribute('data-worker-restarts') === '1', body.getAttribute('data-worker-restarts'));
    check('the page says the model stopped, why, and that it was restarted with the same weights',
      /The model stopped \(the model stopped with an error \(RuntimeError: memory access out of bounds\)\) and was restarted with .+/.test(message()), message());
    check('a fresh worker was started', workers.length === 2, workers.length);
    document.getElementById('solve').click();
    await until(() => state() === 'done' || state() === 'error', LONG);
    check('the restarted model solves', state() === 'done' && (body.getAttribute('data-answer') || '').length === 81,
      state() + ' ' + document.getElementById('message').textContent);
  }

  window.addEventListener('load', () => run('crash', scenario));
})();
