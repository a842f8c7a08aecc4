// What the browser test's scenario hooks share (tests/web/browser.js loads this file just before each of
// interact-hook.js, crash-hook.js and train-hook.js): checks kept as [name, ok, detail], a polling wait, a spy on
// the Workers the page starts, and the end that writes the checks to <body data-NAME="[...]"> and data-NAME-done="1",
// which browser.js waits for and reads back.
window.TrmHook = (function () {
  'use strict';
  const results = [];
  const check = (name, ok, detail) => results.push([name, !!ok, ok ? '' : String(detail === undefined ? '' : detail)]);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Polls every 20 ms; the browser test runs the page in real time on a busy machine, so callers wait generously and
  // check the predicate's outcome, never the time it took.
  async function until(predicate, ms) {
    for (let t = 0; t < ms; t += 20) {
      if (predicate()) return true;
      await sleep(20);
    }
    return predicate();
  }
  // Every Worker the page starts from now on, in order (a hook loaded before app.js sees the first one too).
  function keepWorkers() {
    const workers = [];
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        workers.push(this);
      }
    };
    return workers;
  }
  // Runs the async scenario, keeps an exception as a failed check, then writes data-NAME and data-NAME-done.
  function run(name, scenario) {
    return scenario()
      .catch((e) => check(`the ${name} scenario ran to the end`, false, e && e.stack ? e.stack : e))
      .finally(() => {
        document.body.setAttribute(`data-${name}`, JSON.stringify(results));
        document.body.setAttribute(`data-${name}-done`, '1');
      });
  }
  return { check, sleep, until, keepWorkers, run };
})();
