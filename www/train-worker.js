/* TrmTrainer: training a model in its own Web Worker, with core's one trainer (web/bindings.cpp TrainSession ->
 * core/train/trainer.h: the step, AdamW, schedule, clipping and weight average of `trm train`). Classic script.
 *
 * Built the way worker.js builds the solver's worker: a Blob of code the page already holds (this file's
 * trainWorkerMain and trm.js's createTrmModule, as source text), since a file:// page cannot start a worker from a URL.
 * The worker trains in slices of about a fifth of a second (one synchronous wasm call each) and yields between them,
 * so pause, resume, stop and export are answered within a slice; the page only draws what it posts.
 *
 *   const trainer = TrmTrainer.create(createTrmModule, {
 *     started(info) {},    // {config, parameter_count, memory_bytes (estimate), validation_puzzles, minutes, step, ...}
 *     progress(p) {},      // after each slice: {step, steps, loss, blank_accuracy, lr, train_seconds, finished,
 *                          //  memory_bytes (peak), slice_ms}
 *     evaluated(e) {},     // held-out, single pass, now and then while training (web/bindings.cpp evaluate())
 *     paused() {}, resumed() {},
 *     finalProgress(p) {}, // {done, total}: the final evaluation with the default decoding, as it goes
 *     stopped(r) {},       // {single, decoded, step, train_seconds}: stopped (asked, or the time budget ran out)
 *                          //  and evaluated, single pass and with the default decoding
 *     failed(message) {},  // the run could not start or stopped with an error (out of memory included); the
 *                          //  worker is gone, the page keeps working
 *   });
 *   trainer.start({config, options, weights: {text, name} | null, evalEvery, evalLimit, finalLimit, decoding})
 *   trainer.pause(); trainer.resume(); trainer.stop();
 *   trainer.exportWeights() -> Promise of the weights file's text (trm export's format)
 *   trainer.terminate()
 */
(function (root) {
  'use strict';

  // ---------------------------------------------------------------- inside the worker
  // Runs in the worker only: the page turns it into text. It may use nothing from this file's scope.
  function trainWorkerMain(scope) {
    const SLICE_MS = 200;  // a slice of steps takes about this long: pause and stop are answered within it
    let session = null;
    let run = null;        // the request that started the run
    let running = false;   // steps are being taken (not paused, not stopped)
    let stepsPerSlice = 1;
    let lastEvalSeconds = 0;
    let scheduled = false;
    const started = scope.createTrmModule().then((m) => { session = new m.TrainSession(); });
    const unwrap = (text) => {
      const value = JSON.parse(text);
      if (value && typeof value.error === 'string') throw new Error(value.error);
      return value;
    };
    const post = (type, data) => scope.postMessage({ type, data });

    const evaluate = (limit, decoding, onProgress) =>
      unwrap(session.evaluate(limit, decoding, onProgress || null));

    function schedule() {
      if (scheduled || !running) return;
      scheduled = true;
      setTimeout(slice, 0);  // yields to the message queue first: a pause or stop posted meanwhile is seen
    }

    function slice() {
      scheduled = false;
      if (!running) return;
      const t0 = performance.now();
      const p = unwrap(session.step(stepsPerSlice));
      p.slice_ms = performance.now() - t0;
      // Aim the next slice at SLICE_MS from this one's time per step (at least one step, at most double).
      if (p.steps > 0) stepsPerSlice = Math.max(1, Math.min(2 * stepsPerSlice, Math.round(SLICE_MS / (p.slice_ms / p.steps))));
      post('progress', p);
      if (p.finished) return finish();
      if (p.train_seconds - lastEvalSeconds >= run.evalEvery) {
        lastEvalSeconds = p.train_seconds;
        post('evaluated', evaluate(run.evalLimit, 'single'));
      }
      schedule();
    }

    // Stopped, by request or by the time budget: the held-out set once more, single pass (the curve's last point) and
    // with the decoding the page solves with.
    function finish() {
      running = false;
      run.done = true;
      const single = evaluate(run.finalLimit, 'single');
      post('evaluated', single);
      const decoded = evaluate(run.finalLimit, run.decoding, (text) => post('finalProgress', JSON.parse(text)));
      post('stopped', { single, decoded, step: single.step });
    }

    const handlers = {
      start(m) {
        run = m;
        const info = m.weights ? unwrap(session.startFrom(m.weights.text, m.weights.name, JSON.stringify(m.options)))
          : unwrap(session.start(JSON.stringify(m.config), JSON.stringify(m.options)));
        post('started', info);
        lastEvalSeconds = 0;
        stepsPerSlice = 1;
        post('evaluated', evaluate(m.evalLimit, 'single'));  // the curve starts where the model starts
        running = true;
        schedule();
      },
      pause() {
        if (!running) return;
        running = false;
        post('paused', null);
      },
      resume() {
        if (running || !run || run.done) return;
        running = true;
        post('resumed', null);
        schedule();
      },
      stop() {
        if (run && !run.done) finish();
      },
      export(m) {
        const text = session.exportWeights();
        unwrap(text);  // throws on {"error": ...}; the page gets the text itself, as a file holds it
        scope.postMessage({ type: 'weights', id: m.id, data: text });
      },
    };

    scope.onmessage = (e) => {
      const m = e.data;
      started.then(() => {
        try {
          handlers[m.type](m);
        } catch (err) {
          running = false;
          scope.postMessage({ type: 'error', id: m.id, message: String((err && err.message) || err) });
        }
      }, (err) => {
        scope.postMessage({ type: 'error', message: 'the WebAssembly module failed to start: ' + String((err && err.message) || err) });
      });
    };
  }

  // ---------------------------------------------------------------- on the page
  class Trainer {
    constructor(factory, events) {
      if (typeof factory !== 'function') throw new Error('trm.js is not loaded (createTrmModule is missing)');
      const source = 'var _scriptDir;\nself.createTrmModule = (' + factory.toString() + ');\n(' + trainWorkerMain.toString() + ')(self);\n';
      this._url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      this._events = events || {};
      this._exports = new Map();  // id -> {resolve, reject}
      this._nextId = 1;
      this._worker = new Worker(this._url);
      this._worker.onmessage = (e) => this._receive(e.data);
      // A wasm abort or running out of memory arrives as an 'error' event: the run is over, the page goes on.
      this._worker.onerror = (e) => {
        e.preventDefault();
        this._fail('the training worker stopped with an error' + (e.message ? ' (' + e.message + ')' : ''));
      };
    }

    _receive(m) {
      if (m.type === 'weights' || (m.type === 'error' && this._exports.has(m.id))) {
        const p = this._exports.get(m.id);
        this._exports.delete(m.id);
        if (m.type === 'weights') p.resolve(m.data);
        else p.reject(new Error(m.message));
        return;
      }
      if (m.type === 'error') return this._fail(m.message);
      const handler = this._events[m.type];
      if (typeof handler === 'function') handler(m.data);
    }

    _fail(message) {
      this.terminate();
      if (this._events.failed) this._events.failed(message);
    }

    _send(message) {
      if (this._worker) this._worker.postMessage(message);
    }

    start(request) { this._send(Object.assign({ type: 'start' }, request)); }
    pause() { this._send({ type: 'pause' }); }
    resume() { this._send({ type: 'resume' }); }
    stop() { this._send({ type: 'stop' }); }

    exportWeights() {
      if (!this._worker) return Promise.reject(new Error('the training worker is gone'));
      const id = this._nextId++;
      const promise = new Promise((resolve, reject) => this._exports.set(id, { resolve, reject }));
      this._worker.postMessage({ type: 'export', id });
      return promise;
    }

    terminate() {
      if (!this._worker) return;
      this._worker.terminate();
      this._worker = null;
      URL.revokeObjectURL(this._url);
      const waiting = Array.from(this._exports.values());
      this._exports.clear();
      waiting.forEach((p) => p.reject(new Error('the training worker is gone')));
    }

    get alive() { return !!this._worker; }
  }

  root.TrmTrainer = {
    create: (factory, events) => new Trainer(factory, events),
    trainWorkerMain,
  };
})(typeof self !== 'undefined' ? self : this);
