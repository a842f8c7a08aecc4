/* TrmApi: the JavaScript face of the WebAssembly model (www/generated/trm.js, built from web/bindings.cpp).
 *
 * The C++ side answers every call with JSON text and never throws; this wrapper parses the answer and turns
 * {"error": "..."} into a thrown TrmError, so callers write ordinary try/catch code:
 *
 *   const model = await TrmApi.create(createTrmModule);   // createTrmModule: the global trm.js defines
 *   const info = model.load(jsonText, 'weights.json');     // {config, parameter_count, simd}; throws TrmError
 *   const trace = model.run('530070000...', 0);            // {h_cycles, l_cycles, frames, latent_update_norms, logits}
 *   const answer = model.decode('530070000...', 0, 0.99, 4);   // {digits, passes, threshold, symmetries}: iterative commit
 *
 * A failed load keeps the model loaded before it. Classic script (works from file://) and a CommonJS module
 * (Node tests: require('www/trm-api.js')).
 */
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.TrmApi = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  class TrmError extends Error {
    constructor(message) {
      super(message);
      this.name = 'TrmError';
    }
  }

  // Parses one answer of the C++ side; {"error": ...} becomes a thrown TrmError.
  function unwrap(text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new TrmError('unreadable answer from the model: ' + e.message);
    }
    if (value && typeof value.error === 'string') throw new TrmError(value.error);
    return value;
  }

  const MAX_CYCLES = 256;
  const MAX_SYMMETRIES = 64;  // core/model/decode.h kMaxSymmetries

  function checkCycles(hCycles) {
    const h = hCycles === undefined ? 0 : Number(hCycles);
    if (!Number.isInteger(h) || h < 0 || h > MAX_CYCLES)
      throw new TrmError('outer cycles must be a whole number from 1 to ' + MAX_CYCLES + ' (0: the model\'s)');
    return h;
  }

  class TrmModel {
    constructor(module) {
      this._module = module;
      this._native = new module.Model();
    }

    get loaded() {
      return this._native.loaded();
    }

    // Parses and validates a weights file (text of `trm export`); returns {config, parameter_count, simd}.
    load(text, name) {
      if (typeof text !== 'string') throw new TrmError('weights must be given as text');
      return unwrap(this._native.load(text, String(name || 'weights')));
    }

    info() {
      return unwrap(this._native.info());
    }

    // puzzle: 81 characters, '1'-'9' givens and '0' or '.' blanks. hCycles: outer cycles, 0 = the model's.
    run(puzzle, hCycles) {
      if (typeof puzzle !== 'string') throw new TrmError('the puzzle must be a string of 81 characters');
      return unwrap(this._native.run(puzzle, checkCycles(hCycles)));
    }

    // Iterative-commit decoding, as `trm solve` does by default: returns {digits (81 chars, givens kept),
    // passes, threshold, symmetries}. threshold in (0, 1]; 0.99 is the CLI's default. symmetries: each pass
    // combines the puzzle and symmetries - 1 symmetric copies as a product of their probabilities (1 to 64); left out, the default (info().default_decoding).
    decode(puzzle, hCycles, threshold, symmetries) {
      if (typeof puzzle !== 'string') throw new TrmError('the puzzle must be a string of 81 characters');
      const h = checkCycles(hCycles);
      const t = threshold === undefined ? 0.99 : Number(threshold);
      if (!(t > 0 && t <= 1)) throw new TrmError('the commit threshold must be a number in (0, 1]');
      const k = symmetries === undefined ? 0 : Number(symmetries);
      if (symmetries !== undefined && !(Number.isInteger(k) && k >= 1 && k <= MAX_SYMMETRIES))
        throw new TrmError('symmetries must be a whole number from 1 to ' + MAX_SYMMETRIES);
      return unwrap(this._native.decode(puzzle, h, t, k));
    }

    dispose() {
      if (this._native) this._native.delete();
      this._native = null;
    }
  }

  // Instantiates the wasm module (the factory trm.js defines) and returns a TrmModel with no weights yet.
  async function create(factory) {
    if (typeof factory !== 'function') throw new TrmError('trm.js is not loaded (createTrmModule is missing)');
    const module = await factory();
    return new TrmModel(module);
  }

  return { TrmError, TrmModel, create, unwrap, MAX_CYCLES, MAX_SYMMETRIES };
});
