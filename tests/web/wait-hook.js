// Loaded after app.js by the browser test's copies of index.html. Headless Chromium's --virtual-time-budget
// fast-forwards virtual time whenever the page is idle, also while WebAssembly compiles in real time, so on a
// busy machine the DOM could be dumped before the model has even loaded. This keeps the page busy with
// MessageChannel turns (which do not advance virtual time) until <body data-state> settles on done, refused
// or error, then sets data-settled="1". Zero-delay timer hops let the page's own setTimeout(0) work run.
(function () {
  'use strict';
  const body = document.body;
  const settled = () => /^(done|refused|error)$/.test(body.getAttribute('data-state') || '');
  const channel = new MessageChannel();
  let turns = 0;
  const next = () => channel.port2.postMessage(0);
  channel.port1.onmessage = () => {
    if (settled() || ++turns > 20000000) {
      body.setAttribute('data-settled', settled() ? '1' : 'gave-up');
      return;
    }
    if (turns % 500 === 0) setTimeout(next, 0);
    else next();
  };
  next();
})();
