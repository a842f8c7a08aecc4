/* The player: the run's stops (one per outer cycle, plus the decoded answer), the replay and its buttons, the progress
 * line, the frame stats, the verdict and accuracy text, the per-cycle chart, and renderAll, which redraws the page.
 * Part of the page (page.js holds the shared state; app.js wires the parts and starts them). */
(function () {
  'use strict';

  const page = window.TrmPage;
  const {
    Rules, $, el, svg, chartFrame, state, body, setMarker, say, plural, DECODING_NAMES, overSymmetries, passesText,
    branchesText, searchEndText,
  } = page;

  // Stops of the player: one per outer cycle, plus the decoded answer (search or iterative commit) when it took more
  // than one pass, combined symmetric copies or differs from the last cycle's reading (with one pass of the puzzle
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

  // ---------------------------------------------------------------- playback
  // user: the person moved the player, so a live run stops following the newest cycle.
  function showFrame(h, user) {
    const run = state.run;
    if (!run || !stopCount()) return;
    state.frame = Math.max(0, Math.min(stopCount() - 1, h));
    if (user && !finished()) run.follow = state.frame === stopCount() - 1;
    $('scrubber').value = String(state.frame + 1);
    setMarker('frame', state.frame + 1);
    page.renderBoard();
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
      readings + ' (at most ' + plural(page.searchBudget(), 'forward pass', 'forward passes') + ')\u2026';
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
    const { root, text, axes } = chartFrame(W, Ht, left, right, top, plotH);
    const bandW = plotW / H;
    for (let h = 0; h < H; h++) {
      root.appendChild(svg('rect', {
        x: left + h * bandW, y: top, width: bandW, height: plotH,
        class: 'band' + (h % 2 ? ' odd' : ''), 'data-cycle': h,
      }));
    }
    // Axes with ticks: cells on the left, confidence on the right, cycles below.
    axes();
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
    page.renderBoard();
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
    page.renderModelInfo();
    page.renderActions();
    if (state.run && stopCount()) setMarker('frame', state.frame + 1);
  }

  // ---------------------------------------------------------------- wiring: the player's buttons
  function wirePlayer() {
    $('first').addEventListener('click', () => { stopPlayback(); showFrame(0, true); });
    $('prev').addEventListener('click', () => { stopPlayback(); showFrame(state.frame - 1, true); });
    $('next').addEventListener('click', () => { stopPlayback(); showFrame(state.frame + 1, true); });
    $('last').addEventListener('click', () => { stopPlayback(); showFrame(Infinity, true); });
    $('play').addEventListener('click', () => (state.timer ? stopPlayback() : startPlayback(false)));
    $('scrubber').addEventListener('input', () => { stopPlayback(); showFrame(Number($('scrubber').value) - 1, true); });
  }

  Object.assign(page, {
    cycleCount, stopCount, isAnswerStop, finished, shownDigits, finalDigits, stopPlayback, startPlayback,
    renderProgress, drawLive, drawProgress, renderAll, wirePlayer,
  });
})();
