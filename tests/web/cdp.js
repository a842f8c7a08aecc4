// A small DevTools-protocol client for headless Chromium, over --remote-debugging-pipe (file descriptors 3 and 4,
// messages as JSON ending in a NUL byte): no WebSocket library, no npm. Pages run in real time (no virtual-time
// budget), so a page whose model runs in a Web Worker is tested as a user sees it.
//
//   const browser = await Browser.launch();            // CHROMIUM=/path/to/chromium to use another binary
//   const page = await browser.newPage(1280, 900);     // a tab with that viewport
//   await page.goto('file:///abs/index.html?x=1');
//   await page.waitFor('document.body.dataset.state === "done"', 60000);   // polls an expression
//   const value = await page.evaluate('document.title');                  // awaits promises, returns by value
//   const png = await page.screenshot();               // Buffer
//   page.console                                       // console messages, exceptions and log errors seen so far
//   const [value, events] = await browser.trace(['devtools.timeline'], async () => ...);   // trace events meanwhile
//   await browser.close();
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || 'chromium';

class Browser {
  static async launch(extraArgs = []) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trm-chromium-'));
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
      '--disable-extensions', '--mute-audio', '--remote-debugging-pipe', `--user-data-dir=${profile}`, ...extraArgs,
      'about:blank'];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Browser(child, profile);
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new Error(`${CHROMIUM}: ${e.message}`)));
    });
    await browser.send('Target.setDiscoverTargets', { discover: false });
    return browser;
  }

  constructor(child, profile) {
    this.child = child;
    this.profile = profile;
    this.nextId = 1;
    this.pending = new Map();    // id -> {resolve, reject, method}
    this.listeners = new Map();  // sessionId -> (method, params) => void
    this.stderr = '';
    this.closed = false;
    child.stderr.on('data', (d) => { if (this.stderr.length < 1 << 20) this.stderr += d; });
    let buffer = '';
    child.stdio[4].on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        this.dispatch(JSON.parse(text));
      }
    });
    child.on('exit', (code) => {
      this.closed = true;
      for (const { reject, method } of this.pending.values()) reject(new Error(`Chromium exited (${code}) during ${method}`));
      this.pending.clear();
    });
  }

  dispatch(message) {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    } else {
      const listener = this.listeners.get(message.sessionId || '');
      if (listener) listener(message.method, message.params || {}, message.sessionId);
    }
  }

  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(new Error(`Chromium is closed (${method})`));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.child.stdio[3].write(JSON.stringify(message) + '\0');
    });
  }

  // Records a DevTools trace of the whole browser while `body` runs; returns [result of body, trace events].
  async trace(categories, body) {
    const events = [];
    let complete;
    const finished = new Promise((resolve) => { complete = resolve; });
    this.listeners.set('', (method, params) => {
      if (method === 'Tracing.dataCollected') events.push(...params.value);
      else if (method === 'Tracing.tracingComplete') complete();
    });
    await this.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
    let result;
    try {
      result = await body();
    } finally {
      await this.send('Tracing.end');
      await finished;
      this.listeners.delete('');
    }
    return [result, events];
  }

  async newPage(width, height, options = {}) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, targetId, sessionId);
    this.listeners.set(sessionId, (method, params, sid) => page.onEvent(method, params, sid));
    await Promise.all([page.send('Page.enable'), page.send('Runtime.enable'), page.send('Log.enable')]);
    // Workers the page starts are attached too, so their console errors and exceptions are seen.
    await page.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    await page.send('Emulation.setDeviceMetricsOverride', {
      width, height, deviceScaleFactor: 1, mobile: !!options.mobile,
    });
    if (options.mobile) await page.send('Emulation.setTouchEmulationEnabled', { enabled: true });
    return page;
  }

  async close() {
    if (!this.closed) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.send('Browser.close').catch(() => {});
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

class Page {
  constructor(browser, targetId, sessionId) {
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.console = [];  // strings: "type: text"
    this.workers = 0;   // workers the page started (attached automatically)
    this.loaded = null;
  }

  send(method, params) {
    return this.browser.send(method, params, this.sessionId);
  }

  onEvent(method, params, sessionId) {
    if (method === 'Target.attachedToTarget') {
      // A worker: listen to it and let it run.
      const sid = params.sessionId;
      if (/worker/.test(params.targetInfo.type)) this.workers++;
      this.browser.listeners.set(sid, (m, p) => this.onEvent(m, p, sid));
      this.browser.send('Runtime.enable', {}, sid).catch(() => {});
      this.browser.send('Runtime.runIfWaitingForDebugger', {}, sid).catch(() => {});
      return;
    }
    const where = sessionId === this.sessionId ? '' : 'worker ';
    if (method === 'Runtime.consoleAPICalled') {
      const text = params.args.map((a) => (a.value !== undefined ? String(a.value) : a.description || a.type)).join(' ');
      this.console.push(`${where}console.${params.type}: ${text}`);
    } else if (method === 'Runtime.exceptionThrown') {
      const d = params.exceptionDetails;
      this.console.push(`${where}exception: ${(d.exception && d.exception.description) || d.text}`);
    } else if (method === 'Log.entryAdded') {
      if (params.entry.level === 'error' || params.entry.level === 'warning')
        this.console.push(`${where}log.${params.entry.level}: ${params.entry.text}`);
    } else if (method === 'Page.loadEventFired' && this.loaded) {
      this.loaded();
    }
  }

  async goto(url) {
    const loaded = new Promise((resolve) => { this.loaded = resolve; });
    const result = await this.send('Page.navigate', { url });
    if (result.errorText) throw new Error(`navigate ${url}: ${result.errorText}`);
    await loaded;
  }

  async evaluate(expression) {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`evaluate: ${(d.exception && d.exception.description) || d.text}`);
    }
    return r.result.value;
  }

  // Polls `expression` until it is truthy; returns its last value (falsy when the wait ran out).
  async waitFor(expression, timeoutMs = 60000, everyMs = 25) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate(expression);
      if (value || Date.now() > until) return value;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  async screenshot() {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  }

  async close() {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
  }
}

module.exports = { Browser, Page };
