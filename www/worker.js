/* TrmWorker: the model in a Web Worker, so the page never freezes while it thinks. Classic script (works from file://).
 *
 * A page opened from file:// cannot start a worker from a URL, and cannot fetch its own files. It can start one from
 * a Blob of code it already holds: this file's workerMain (as source text, via toString) plus the inlined-wasm
 * module factory trm.js defined (createTrmModule, also as source text). The worker instantiates the wasm, parses the
 * weights JSON (in C++, off the main thread) and answers requests; the page only draws what comes back.
 *
 *   const engine = TrmWorker.create(createTrmModule, { onCrash(message) {...} });
 *   const info = await engine.load(text, 'weights.json');       // {config, parameter_count, simd, ...}; rejects on a bad file
 *   engine.solve({puzzle, cycles, decoding, threshold, symmetries}, {
 *     diagnosis(d) {},   // {solutions (0, 1 or 2 = "two or more"), guesses, ms}: the exact solver, before the model
 *     cycle(frame) {},   // {cycle, digits, confidence[81], latent_update_norms[L]}: posted as each outer cycle ends
 *     committing(s) {},  // {symmetries}: the decoding's second pass started (the first pass's cycles were the trace)
 *     pass(p) {},        // {pass, board} as pass k >= 2 starts (the board it reads), then {pass, cycle} per outer cycle
 *     answer(a) {},      // {digits, decoding, passes, forward_passes, outer_cycles, branches, search_end, threshold,
 *                        //  symmetries, ms}
 *   }) -> Promise of {refused, solutions, trace, answer, runMs, decodeMs}; rejects with {cancelled: true} when cancelled
 *        (decoding 'search' or 'iterative' runs Model.decodeLive; 'single' runs Model.runLive: the cycles, answer null)
 *   engine.hint({puzzle, cycles}) -> Promise of {refused, solutions, cell, digit, confidence}
 *   engine.cancel()   // stops the running request at once: terminates the worker and starts a fresh one
 *
 * Cancel is a terminate because the worker spends a run inside one synchronous wasm call and sees no message until it
 * returns (a shared cancel flag needs SharedArrayBuffer, which a file:// page never has). The fresh worker reloads the
 * last weights that loaded; requests sent meanwhile wait for it.
 */
(function (root) {
  'use strict';

  // ---------------------------------------------------------------- inside the worker
  // Runs in the worker only: the page turns it into text. It may use nothing from this file's scope.
  function workerMain(scope) {
    let module = null;
    let model = null;
    const started = scope.createTrmModule().then((m) => {
      module = m;
      model = new m.Model();
    });
    const unwrap = (text) => {
      const value = JSON.parse(text);
      if (value && typeof value.error === 'string') throw new Error(value.error);
      return value;
    };
    const now = () => performance.now();

    // The exact solver first (milliseconds): a puzzle with no solution or several is not given to the model.
    function diagnose(id, puzzle) {
      const t0 = now();
      const d = unwrap(module.countSolutions(puzzle, 2));
      d.ms = now() - t0;
      scope.postMessage({ id, type: 'diagnosis', data: d });
      return d;
    }

    const handlers = {
      load(id, m) {
        const t0 = now();
        const info = unwrap(model.load(m.text, m.name));  // a failed load keeps the previous model
        return { info, ms: now() - t0 };
      },
      solve(id, m) {
        const d = diagnose(id, m.puzzle);
        if (d.solutions !== 1) return { refused: true, solutions: d.solutions };
        const t0 = now();
        if (m.decoding === 'single') {
          const trace = unwrap(model.runLive(m.puzzle, m.cycles, (text) => {
            scope.postMessage({ id, type: 'cycle', data: JSON.parse(text) });
          }));
          return { refused: false, solutions: 1, trace, answer: null, runMs: now() - t0, decodeMs: 0 };
        }
        // One decode, verified search or iterative commit (web/bindings.cpp decodeLive -> core/model/decode.h decode()
        // with an observer): pass 1's cycles (the puzzle as given, row 0 of its readings) are the trace; later passes,
        // branches included, are posted as progress. The puzzle is read once, not once for the trace and again for
        // the answer.
        let runMs = 0;
        const answer = unwrap(model.decodeLive(m.puzzle, m.cycles, m.threshold, m.symmetries, m.decoding, (text) => {
          const e = JSON.parse(text);
          if (e.pass === 1 && e.cycle !== undefined) {
            scope.postMessage({ id, type: 'cycle', data: e });
          } else if (e.cycle === undefined && e.pass > 1) {
            if (e.pass === 2) {
              runMs = now() - t0;
              scope.postMessage({ id, type: 'committing', data: { symmetries: m.symmetries } });
            }
            scope.postMessage({ id, type: 'pass', data: { pass: e.pass, board: e.board } });
          } else if (e.pass > 1) {
            scope.postMessage({ id, type: 'pass', data: { pass: e.pass, cycle: e.cycle } });
          }
        }));
        const decodeMs = now() - t0;
        if (!runMs) runMs = decodeMs;
        const trace = answer.trace;
        delete answer.trace;
        answer.ms = decodeMs;
        scope.postMessage({ id, type: 'answer', data: answer });
        return { refused: false, solutions: 1, trace, answer, runMs, decodeMs };
      },
      // The blank the model is surest of, in its last cycle's reading of the puzzle as given.
      hint(id, m) {
        const d = diagnose(id, m.puzzle);
        if (d.solutions !== 1) return { refused: true, solutions: d.solutions };
        const trace = unwrap(model.run(m.puzzle, m.cycles));
        const last = trace.frames[trace.frames.length - 1];
        let cell = -1;
        for (let i = 0; i < 81; i++)
          if (m.puzzle[i] === '0' && (cell < 0 || last.confidence[i] > last.confidence[cell])) cell = i;
        return { refused: false, solutions: 1, cell, digit: cell < 0 ? 0 : Number(last.digits[cell]),
          confidence: cell < 0 ? 0 : last.confidence[cell] };
      },
    };

    scope.onmessage = (e) => {
      const m = e.data;
      started.then(() => {
        try {
          if (!model.loaded() && m.type !== 'load') throw new Error('no model loaded');
          scope.postMessage({ id: m.id, type: 'result', data: handlers[m.type](m.id, m) });
        } catch (err) {
          scope.postMessage({ id: m.id, type: 'error', message: String((err && err.message) || err) });
        }
      }, (err) => {
        scope.postMessage({ id: m.id, type: 'error', fatal: true,
          message: 'the WebAssembly module failed to start: ' + String((err && err.message) || err) });
      });
    };
    scope.postMessage({ type: 'hello' });
  }

  // ---------------------------------------------------------------- on the page
  class Cancelled extends Error {
    constructor() {
      super('cancelled');
      this.cancelled = true;
    }
  }

  class Engine {
    constructor(factory, options) {
      if (typeof factory !== 'function') throw new Error('trm.js is not loaded (createTrmModule is missing)');
      // trm.js wraps its factory in a closure that only sets _scriptDir (unused with the wasm inlined).
      const source = 'var _scriptDir;\nself.createTrmModule = (' + factory.toString() + ');\n(' + workerMain.toString() + ')(self);\n';
      this._url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      this._options = options || {};
      this._nextId = 1;
      this._pending = new Map();  // id -> {resolve, reject, events}
      this._weights = null;       // {text, name}: the last weights that loaded, reloaded after a restart
      this.restarts = 0;
      this._crashes = 0;
      this._dead = null;
      this._start();
    }

    _start() {
      const worker = new Worker(this._url);
      this._worker = worker;
      worker.onmessage = (e) => this._receive(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        this._crash('the model stopped with an error' + (e.message ? ' (' + e.message + ')' : ''));
      };
      // A fresh worker holds no weights: give it the last ones that loaded, before any request already waiting.
      if (this._weights) this._post({ type: 'load', text: this._weights.text, name: this._weights.name }, null).catch(() => {});
    }

    _receive(m) {
      if (m.type === 'hello') return;
      const p = this._pending.get(m.id);
      if (!p) return;  // a request that was cancelled
      if (m.type === 'result' || m.type === 'error') {
        this._pending.delete(m.id);
        if (!m.fatal) this._crashes = 0;
        if (m.type === 'result') p.resolve(m.data);
        else p.reject(new Error(m.message));
        if (m.fatal) this._crash(m.message);
      } else if (p.events && typeof p.events[m.type] === 'function') {
        p.events[m.type](m.data);
      }
    }

    _post(message, events) {
      if (this._dead) return Promise.reject(new Error(this._dead));
      const id = this._nextId++;
      const promise = new Promise((resolve, reject) => this._pending.set(id, { resolve, reject, events }));
      this._worker.postMessage(Object.assign({ id }, message));
      return promise;
    }

    // The worker died (wasm out of memory, an abort): fail what was waiting, start a fresh one, tell the page.
    _crash(message) {
      // Three crashes in a row with no answer between them: stop restarting (the page says why).
      if (++this._crashes >= 3) {
        this._worker.terminate();
        const pending = Array.from(this._pending.values());
        this._pending.clear();
        pending.forEach((p) => p.reject(new Error(message)));
        this._worker = { postMessage: () => {}, terminate: () => {} };
        this._dead = message;
        if (this._options.onCrash) this._options.onCrash(message, true);
        return;
      }
      this._restart(new Error(message));
      if (this._options.onCrash) this._options.onCrash(message);
    }

    _restart(reason) {
      this._worker.terminate();
      const pending = Array.from(this._pending.values());
      this._pending.clear();
      pending.forEach((p) => p.reject(reason));
      this.restarts++;
      this._start();
    }

    get busy() {
      return this._pending.size > 0;
    }

    async load(text, name) {
      const r = await this._post({ type: 'load', text, name }, null);
      this._weights = { text, name };
      r.info.load_ms = r.ms;
      return r.info;
    }

    solve(request, events) {
      return this._post({ type: 'solve', puzzle: request.puzzle, cycles: request.cycles, decoding: request.decoding,
        threshold: request.threshold, symmetries: request.symmetries }, events);
    }

    hint(request, events) {
      return this._post({ type: 'hint', puzzle: request.puzzle, cycles: request.cycles }, events);
    }

    // Stops whatever runs now, at once; the next request goes to a fresh worker (which reloads the weights first).
    cancel() {
      if (this._pending.size) this._restart(new Cancelled());
    }
  }

  root.TrmWorker = {
    create: (factory, options) => new Engine(factory, options),
    workerMain,
    Cancelled,
  };
})(typeof self !== 'undefined' ? self : this);
