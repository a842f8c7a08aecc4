/* The Train view: a model trained in this page, in its own Web Worker (TrmTrainer, train-worker.js), by core's one
 * trainer. Reads and checks the settings (core's config check and memory estimate, on this thread, before any worker
 * starts), starts, pauses, resumes and stops the run, draws the loss and held-out accuracy curves, steps per second and
 * time left, and hands the trained weights to the solver (the per-cycle view) or to a download.
 * Part of the page (page.js holds the shared state; app.js wires the parts and starts them).
 *
 * Test contract: index.html?train=N trains the default config for N minutes once the page is ready (also
 * &trainwidth=D &trainbatch=B &trainouter=H &traininner=L &trainheldout=P: the fields of the card, and how many
 * held-out puzzles the final evaluation reads). body[data-state] is "training" while it runs (paused included) and
 * "trained" once it has stopped and been evaluated; then body[data-train-steps] (steps taken),
 * body[data-train-accuracy] (held-out puzzles solved exactly with the page's default decoding, 0..1),
 * body[data-train-single-accuracy] (the same, one pass), body[data-train-loss-start] and body[data-train-loss-end]
 * (the mean training loss of the first and of the last slices of steps). body[data-train] follows the run: refused |
 * training | paused | evaluating | trained | failed. */
(function () {
  'use strict';

  const page = window.TrmPage;
  const { $, el, svg, chartFrame, state, body, setMarker, say, MAX_WEIGHTS_BYTES } = page;

  // The page's default model: configs/quickstart.json (the small cell-wise model scripts/run.sh trains; the epochs are
  // the page's: its runs end by time). tests/web/assets.test.js checks that the two agree.
  const DEFAULT_TRAIN_CONFIG = {
    arch: 'cells', hidden_dim: 64, L_layers: 2, L_cycles: 4, H_cycles: 3, dropout: 0.0, deep_supervision: true,
    lr: 0.002, warmup_steps: 100, weight_decay: 0.01, batch_size: 32,
  };
  const MAX_MINUTES = 24 * 60;  // web/bindings.cpp refuses more, too
  const VALIDATION = 200;       // held-out puzzles generated at the start
  const EVAL_LIMIT = 100;       // read for each point of the curve
  const LOSS_WINDOW = 3;        // slices averaged for data-train-loss-start and -end

  const FIELDS = [  // [input id, config key, address parameter, what it is]
    ['train-width', 'hidden_dim', 'trainwidth', 'The width'],
    ['train-outer', 'H_cycles', 'trainouter', 'Outer cycles'],
    ['train-inner', 'L_cycles', 'traininner', 'Inner cycles'],
    ['train-batch', 'batch_size', 'trainbatch', 'The batch'],
  ];

  const train = {
    trainer: null,     // TrmTrainer of the current run, null when none
    token: 0,          // increments with each run; what an older run's worker posts is dropped
    from: null,        // {text, name}: a weights file to continue from, or null for a fresh model
    info: null,        // the run's info (TrainSession.start)
    losses: [],        // [{step, loss}] one per slice
    evals: [],         // [{step, exact, blank}] held-out, single pass
    last: null,        // the last progress
    phase: 'idle',     // idle | training | paused | evaluating | trained | failed
    minutes: 0,
    finalLimit: EVAL_LIMIT,
    drawPending: false,
  };

  const setPhase = (phase) => {
    train.phase = phase;
    setMarker('train', phase);
  };
  const sayTrain = (text, kind) => say('train-message', text, kind);

  // ---------------------------------------------------------------- settings
  // The card's fields as a config, checked by core on this thread (state.reader: config ranges and the memory a step
  // needs), before any worker starts. Null, with the reason said, when refused.
  function readSettings() {
    const config = Object.assign({}, DEFAULT_TRAIN_CONFIG);
    for (const [id, key, , what] of FIELDS) {
      const text = $(id).value.trim();
      const value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
        return refuse(what + ' must be a whole number of at least 1, got "' + text + '".');
      config[key] = value;
    }
    const minutes = Number($('train-minutes').value);
    if (!(minutes > 0 && minutes <= MAX_MINUTES))
      return refuse('Minutes must be a number above 0 and at most ' + MAX_MINUTES + ', got "' + $('train-minutes').value + '".');
    let checked;
    try {
      checked = JSON.parse(state.reader.checkTrainConfig(JSON.stringify(config)));
    } catch (e) {
      return refuse('The settings could not be checked: ' + e.message);
    }
    if (checked.error) return refuse('Not training: ' + checked.error.replace(/^config: /, '') + '.');
    return { config, minutes, checked };
  }

  function refuse(text) {
    setPhase('refused');
    sayTrain(text, 'error');
    return null;
  }

  // ---------------------------------------------------------------- the run
  function startTraining() {
    if (!state.reader) return refuse('The WebAssembly module is not ready yet.');
    if (train.trainer && (train.phase === 'training' || train.phase === 'paused' || train.phase === 'evaluating'))
      return refuse('A run is going on: stop it first.');
    const settings = readSettings();
    if (!settings) return;
    if (train.trainer) train.trainer.terminate();
    Object.assign(train, { info: null, losses: [], evals: [], last: null, minutes: settings.minutes });
    let trainer;
    try {
      trainer = window.TrmTrainer.create(window.createTrmModule, events(++train.token));
    } catch (e) {
      return refuse('The training worker failed to start: ' + e.message);
    }
    train.trainer = trainer;
    ['train-steps', 'train-accuracy', 'train-single-accuracy', 'train-loss-start', 'train-loss-end']
      .forEach((k) => body.removeAttribute('data-' + k));
    setPhase('training');
    setMarker('state', 'training');
    sayTrain((train.from ? 'Continuing from ' + train.from.name : 'Starting a fresh model') +
      ': generating the held-out puzzles\u2026', 'info');
    trainer.start({
      config: settings.config,
      weights: train.from,
      options: { minutes: settings.minutes, validation: Math.max(VALIDATION, train.finalLimit), seed: 1 },
      evalEvery: Math.max(10, settings.minutes * 6),  // seconds of training between held-out points: about ten a run
      evalLimit: EVAL_LIMIT,
      finalLimit: train.finalLimit,
      decoding: state.info && state.info.default_decoding ? state.info.default_decoding.decoding : 'search',
    });
    renderTrain();
  }

  // What the worker posts. Every handler ignores a run that was replaced.
  function events(token) {
    const mine = (f) => (data) => {
      if (token === train.token) f(data);
    };
    return {
      started: mine((info) => {
        train.info = info;
        sayTrain('Training ' + info.parameter_count.toLocaleString('en-US') + ' parameters (' +
          (train.from ? 'from ' + train.from.name : 'a fresh model') + ') on generated puzzles of ' + info.min_givens + '-' +
          info.max_givens + ' givens; ' + info.validation_puzzles + ' more are held out.', 'info');
        scheduleDraw();
      }),
      progress: mine((p) => {
        train.last = p;
        if (p.steps > 0) train.losses.push({ step: p.step, loss: p.loss });
        scheduleDraw();
      }),
      evaluated: mine((e) => {
        const point = { step: e.step, exact: e.puzzle_accuracy, blank: e.blank_accuracy };
        const last = train.evals[train.evals.length - 1];
        if (last && last.step === point.step) train.evals[train.evals.length - 1] = point;
        else train.evals.push(point);
        scheduleDraw();
      }),
      paused: mine(() => {
        setPhase('paused');
        sayTrain('Paused at step ' + stepOf() + ': solve with the model or download it, or resume.', 'info');
        renderTrain();
      }),
      resumed: mine(() => {
        setPhase('training');
        sayTrain('Training again.', 'info');
        renderTrain();
      }),
      finalProgress: mine((p) => {
        if (train.phase !== 'evaluating') setPhase('evaluating');
        sayTrain('Stopped at step ' + stepOf() + '; evaluating on the held-out puzzles with the page\'s decoding: ' +
          p.done + ' of ' + p.total + '\u2026', 'info');
        renderTrain();
      }),
      stopped: mine((r) => {
        setPhase('trained');
        const first = train.losses.slice(0, LOSS_WINDOW), lastLosses = train.losses.slice(-LOSS_WINDOW);
        const mean = (xs) => xs.reduce((s, x) => s + x.loss, 0) / Math.max(1, xs.length);
        setMarker('train-steps', r.step);
        setMarker('train-accuracy', r.decoded.puzzle_accuracy);
        setMarker('train-single-accuracy', r.single.puzzle_accuracy);
        setMarker('train-loss-start', mean(first).toFixed(4));
        setMarker('train-loss-end', mean(lastLosses).toFixed(4));
        const pct = (x) => (100 * x).toFixed(1) + '%';
        const decodingName = page.DECODING_NAMES[r.decoded.decoding] || r.decoded.decoding;
        sayTrain('Trained ' + page.plural(r.step, 'step') + '. On ' + r.single.puzzles + ' held-out puzzles: ' +
          pct(r.decoded.puzzle_accuracy) + ' solved with ' + decodingName + ' (the page\'s decoding), ' +
          pct(r.single.puzzle_accuracy) + ' in one pass of the model, ' + pct(r.single.blank_accuracy) +
          ' of the blank cells right in one pass' + (r.decoded.decoding === 'search' ? ' (verified search branches where the ' +
          'model is unsure and the rules reject dead ends, so it solves easy puzzles even for a weak model: the one-pass ' +
          'numbers say what the model learned)' : '') + '. Solve with it or download it below.', 'info');
        if (body.getAttribute('data-state') === 'training') setMarker('state', 'trained');
        renderTrain();
      }),
      failed: mine((message) => {
        const wasTraining = body.getAttribute('data-state') === 'training';
        setPhase('failed');
        train.trainer = null;
        const memory = /memory|OOM/i.test(message);
        sayTrain('Training stopped: ' + message + '.' + (memory ? ' A smaller batch or width needs less memory.' : '') +
          ' The rest of the page keeps working.', 'error');
        if (wasTraining) setMarker('state', state.info ? 'ready' : 'error');
        renderTrain();
      }),
    };
  }

  const stepOf = () => (train.last ? train.last.step : 0);

  function togglePause() {
    if (!train.trainer) return;
    if (train.phase === 'training') train.trainer.pause();
    else if (train.phase === 'paused') train.trainer.resume();
  }

  function stopTraining() {
    if (!train.trainer || (train.phase !== 'training' && train.phase !== 'paused')) return;
    setPhase('evaluating');
    sayTrain('Stopping: the held-out puzzles are read once more\u2026', 'info');
    train.trainer.stop();
    renderTrain();
  }

  // The weights as `trm export` writes them (the worker makes the text), into the solver or a download.
  async function exported() {
    try {
      return await train.trainer.exportWeights();
    } catch (e) {
      sayTrain('Could not export the weights: ' + e.message, 'error');
      return null;
    }
  }

  async function useTrained() {
    const text = await exported();
    if (text === null) return;
    const loaded = await page.loadWeightsText(text, 'trained in this page (' + page.plural(stepOf(), 'step') + ')');
    if (loaded) sayTrain('The solver now uses the trained model: enter or pick a puzzle and press Solve.', 'info');
  }

  async function download() {
    const text = await exported();
    if (text === null) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = el('a');
    a.href = url;
    a.download = 'trm-page-step' + stepOf() + '.json';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    sayTrain('Downloaded ' + a.download + ': trm info, trm solve and trm eval read it as it is.', 'info');
  }

  function chooseWeights(file) {
    if (!file) return;
    if (file.size > MAX_WEIGHTS_BYTES) return refuse(file.name + ' is larger than any weights file this page accepts.');
    const reader = new FileReader();
    reader.onload = () => {
      train.from = { text: String(reader.result), name: file.name };
      renderTrain();
    };
    reader.onerror = () => refuse('Could not read ' + file.name + '.');
    reader.readAsText(file);
  }

  // ---------------------------------------------------------------- drawing
  function scheduleDraw() {
    if (train.drawPending) return;
    train.drawPending = true;
    requestAnimationFrame(() => {
      train.drawPending = false;
      renderTrain();
    });
  }

  const clock = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  };

  function renderTrain() {
    const active = train.phase === 'training' || train.phase === 'paused' || train.phase === 'evaluating';
    $('train-start').disabled = active;
    $('train-pause').disabled = !(train.phase === 'training' || train.phase === 'paused');
    $('train-pause').textContent = train.phase === 'paused' ? 'Resume' : 'Pause';
    $('train-stop').disabled = !(train.phase === 'training' || train.phase === 'paused');
    const canExport = !!train.trainer && (train.phase === 'paused' || train.phase === 'trained');
    $('train-use').disabled = !canExport;
    $('train-download').disabled = !canExport;
    FIELDS.forEach(([id]) => { $(id).disabled = active || !!train.from; });
    $('train-minutes').disabled = active;
    $('train-fresh').hidden = !train.from;
    $('train-from').textContent = train.from ? 'Continues ' + train.from.name + ' with its own config (the fields above ' +
      'are not used), a fresh optimiser and schedule.' : 'A fresh model with the settings above (by default those of ' +
      'configs/quickstart.json, the model scripts/run.sh trains).';
    const p = train.last;
    if (p && train.info) {
      const rate = p.train_seconds > 0 ? p.step / p.train_seconds : 0;
      const left = 60 * train.minutes - p.train_seconds;
      $('train-status').textContent = 'Step ' + p.step + ' \u00B7 ' + rate.toFixed(2) + ' steps/s \u00B7 loss ' +
        p.loss.toFixed(3) + ' \u00B7 ' + (train.phase === 'training' || train.phase === 'paused'
        ? 'time left ' + clock(left) + (train.phase === 'paused' ? ' (paused)' : '')
        : 'trained for ' + clock(p.train_seconds)) + ' \u00B7 memory ' + Math.round(p.memory_bytes / 1048576) + ' MB';
      setMarker('train-rate', rate.toFixed(3));
    } else {
      $('train-status').textContent = train.phase === 'training' ? 'Starting\u2026' : '';
    }
    drawChart();
  }

  // Loss (left axis, from 0) and held-out accuracy (right axis, 0-100%) against steps.
  function drawChart() {
    const host = $('train-chart');
    host.textContent = '';
    if (!train.losses.length && !train.evals.length) {
      host.appendChild(el('p', 'chart-empty', train.phase === 'training' ? 'The curves start with the first steps.'
        : 'The curves appear while a model trains.'));
      host.setAttribute('aria-label', 'No training yet');
      return;
    }
    const W = 340, Ht = 190, left = 40, right = 44, top = 10, bottom = 40;
    const plotW = W - left - right, plotH = Ht - top - bottom;
    // While training, the axis reaches the step the run is expected to end at (steps/s times the time budget).
    const p = train.last;
    const expected = p && p.train_seconds > 0 && train.phase !== 'trained' ? p.step * 60 * train.minutes / p.train_seconds : 0;
    const maxStep = Math.max(10, stepOf(), Math.min(expected, 4 * stepOf() + 10), ...train.evals.map((e) => e.step));
    const niceStep = niceCeil(maxStep);
    const maxLoss = niceCeil(Math.max(0.5, ...train.losses.map((l) => l.loss)));
    const x = (s) => left + plotW * (s / niceStep);
    const yLoss = (v) => top + plotH * (1 - Math.min(v, maxLoss) / maxLoss);
    const yAcc = (a) => top + plotH * (1 - a);
    const { root, text, axes } = chartFrame(W, Ht, left, right, top, plotH);
    axes();
    [0, 0.5, 1].forEach((f) => {
      root.appendChild(svg('line', { x1: left, y1: yAcc(f), x2: W - right, y2: yAcc(f), class: 'grid' }));
      text(fmt(f * maxLoss), { x: left - 5, y: yAcc(f), class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' });
      text(Math.round(f * 100) + '%', { x: W - right + 5, y: yAcc(f), class: 'tick', 'dominant-baseline': 'middle' });
    });
    [0, 0.5, 1].forEach((f) => text(String(Math.round(f * niceStep)), {
      x: x(f * niceStep), y: top + plotH + 16, class: 'tick', 'text-anchor': 'middle' }));
    text('steps', { x: left + plotW / 2, y: Ht - 4, class: 'axis-name', 'text-anchor': 'middle' });
    const line = (points, cls) => {
      if (!points.length) return;
      root.appendChild(svg('polyline', { points: points.map(([a, b]) => a.toFixed(1) + ',' + b.toFixed(1)).join(' '), class: 'line ' + cls }));
      const [a, b] = points[points.length - 1];
      root.appendChild(svg('circle', { cx: a.toFixed(1), cy: b.toFixed(1), r: 2.6, class: 'dot ' + cls }));
    };
    line(smoothLosses().map((l) => [x(l.step), yLoss(l.loss)]), 'loss');
    line(train.evals.map((e) => [x(e.step), yAcc(e.blank)]), 'blank');
    line(train.evals.map((e) => [x(e.step), yAcc(e.exact)]), 'exact');
    host.appendChild(root);
    const lastEval = train.evals[train.evals.length - 1];
    host.setAttribute('aria-label', 'Training curves: loss ' + (train.losses.length ? fmt(train.losses[train.losses.length - 1].loss) : '-') +
      (lastEval ? ', held-out puzzles solved ' + Math.round(100 * lastEval.exact) + '%, blank cells right ' +
        Math.round(100 * lastEval.blank) + '%' : '') + ' at step ' + stepOf());
  }

  // At most about 170 points (one per 2 user units): the mean loss of each run of slices.
  function smoothLosses() {
    const per = Math.max(1, Math.ceil(train.losses.length / 170));
    const out = [];
    for (let i = 0; i < train.losses.length; i += per) {
      const chunk = train.losses.slice(i, i + per);
      out.push({ step: chunk[chunk.length - 1].step, loss: chunk.reduce((s, l) => s + l.loss, 0) / chunk.length });
    }
    return out;
  }

  // The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is at least v: the curves fill most of
  // the chart, and the half-way tick stays a round number.
  function niceCeil(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((n) => n >= v - 1e-9);
  }
  const fmt = (v) => (v >= 10 ? String(Math.round(v)) : String(Number(v.toFixed(2))));

  // ---------------------------------------------------------------- wiring and the address
  function wireTrainer() {
    $('train-form').addEventListener('submit', (e) => {
      e.preventDefault();
      startTraining();
    });
    $('train-pause').addEventListener('click', togglePause);
    $('train-stop').addEventListener('click', stopTraining);
    $('train-use').addEventListener('click', useTrained);
    $('train-download').addEventListener('click', download);
    $('train-weights').addEventListener('change', (e) => {
      chooseWeights(e.target.files[0]);
      e.target.value = '';
    });
    $('train-fresh').addEventListener('click', () => {
      train.from = null;
      renderTrain();
    });
    setPhase('idle');
    renderTrain();
  }

  // ?train=N (minutes) with the card's fields from the address; run once the page is ready.
  function trainFromAddress(params) {
    if (!params.has('train')) return;
    $('train-minutes').value = params.get('train');
    for (const [id, , name] of FIELDS) if (params.has(name)) $(id).value = params.get(name);
    if (params.has('trainheldout')) {
      const n = Number(params.get('trainheldout'));
      if (!(Number.isInteger(n) && n >= 1 && n <= 5000)) return refuse('trainheldout must be 1 to 5000 puzzles.');
      train.finalLimit = n;
    }
    startTraining();
  }

  Object.assign(page, { wireTrainer, trainFromAddress, startTraining, DEFAULT_TRAIN_CONFIG });
})();
