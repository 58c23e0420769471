// tools-panel.js — the Image tools card, main-thread side: chooses images A and B (a dataset image
// by number, a random one, or a file), keeps the mask painted on A, asks the worker to run a tool
// (image-tools.js does the work there) and paints the captioned figures it answers with.
//
//   const panel = new ToolsPanel({ client, report, augmentText: () => $('augment').value });
//   panel.datasetChanged(info);    // after every data load: dataset sources follow the new data

import { paint, downloadSideBySide } from './canvas.js';
import { MAX_FILE_BYTES } from './wasm/images.js';

const $ = (id) => document.getElementById(id);
const SLOTS = [{ key: 'a', name: 'A' }, { key: 'b', name: 'B' }];
const MASK_TOOLS = new Set(['inpaint']);     // plus blend in mask mode
const DEFAULT_HOLE = 0.36;                   // the default square mask: 10 x 10 of a 28 x 28 digit

export class ToolsPanel {
  constructor({ client, report, augmentText }) {
    this.client = client;
    this.report = report;
    this.augmentText = augmentText;
    this.sources = [null, null];       // { kind: 'dataset', index } | { kind: 'file', name }
    this.datasetLength = 0;
    this.mask = null;                  // { width, height, data: Float32Array } in A's pixels
    this.seed = 1;                     // Run again: new noise and augmentation draws
    this.running = false;
    this.picking = 0;                  // source requests in flight: Run waits for them
    this.runs = 0;
    this.#wire();
  }

  get tool() { return document.querySelector('input[name=tool]:checked').value; }

  /** After a data load (or a worker restart): dataset sources re-read from the new data. */
  async datasetChanged(info) {
    this.datasetLength = info.length;
    for (const [slot, { key }] of SLOTS.entries()) {
      $(`source-${key}-index`).max = String(info.length - 1);
      const current = this.sources[slot];
      if (current && current.kind === 'file' && current.live) continue;
      const index = Math.min(current?.kind === 'dataset' ? current.index : slot, info.length - 1);
      await this.pick(slot, { kind: 'dataset', index }).catch(this.report);
    }
    this.#update();
  }

  /** The worker lost everything it held: uploaded sources are gone until chosen again. */
  workerRestarted() {
    for (const [slot, { key }] of SLOTS.entries()) {
      if (this.sources[slot]?.kind !== 'file') continue;
      this.sources[slot] = null;
      $(`source-${key}`).classList.remove('painted');
      $(`source-${key}-caption`).textContent = '–';
    }
    this.#update();
  }

  /** Shows the settings' current values (e.g. after a checkpoint set the augmentation). */
  refresh() { this.#update(); }

  async pick(slot, source, transfer = []) {
    const { key } = SLOTS[slot];
    this.picking++;
    this.#update();
    let fig;
    try {
      fig = await this.client.setToolSource(slot, source, transfer);
    } finally {
      this.picking--;
      this.#update();
    }
    this.sources[slot] = source.kind === 'file' ? { kind: 'file', name: source.name, live: true } : source;
    if (source.kind === 'dataset') $(`source-${key}-index`).value = String(source.index);
    paint($(`source-${key}`), fig);
    $(`source-${key}-caption`).textContent = fig.caption;
    if (slot === 0 && (this.mask?.width !== fig.imageWidth || this.mask?.height !== fig.imageHeight)) {
      this.mask = { width: fig.imageWidth, height: fig.imageHeight, data: new Float32Array(fig.imageWidth * fig.imageHeight) };
      this.#shape('square');
    }
    this.#update();
  }

  async run() {
    if (this.running || this.picking) return;
    const tool = this.tool;
    this.running = true;
    this.#update();
    try {
      const options = this.#options(tool);
      const needsMask = tool === 'inpaint' || (tool === 'blend' && options.mode === 'mask');
      $('tool-note').textContent = 'Running…';
      const result = await this.client.runTool(tool, options, needsMask ? this.mask : null);
      $('tool-results').replaceChildren(...result.figures.map((f) => {
        const item = document.createElement('figure');
        item.className = 'tool-figure';
        const canvas = document.createElement('canvas');
        paint(canvas, f);
        const caption = document.createElement('figcaption');
        caption.textContent = f.caption;
        item.append(canvas, caption);
        return item;
      }));
      $('tool-note').textContent = result.note;
      $('tool-download').disabled = false;
      this.seed++;
    } catch (e) {
      $('tool-results').replaceChildren();   // old figures would pass for this tool's answer
      $('tool-note').textContent = '';
      $('tool-download').disabled = true;
      this.report(e);
    } finally {
      this.running = false;
      $('tools-card').dataset.runs = String(++this.runs);   // finished runs, ok or not (tests wait on it)
      this.#update();
    }
  }

  /** The chosen tool's settings, each checked against its field's range (empty is an error, not 0). */
  #options(tool) {
    const seed = this.seed;
    const num = (id, label) => {
      const el = $(id), v = el.valueAsNumber;
      const min = Number(el.min), max = Number(el.max), whole = el.step === '1';
      if (!Number.isFinite(v) || v < min || v > max || (whole && !Number.isInteger(v))) {
        el.focus();
        throw new Error(`${label} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`);
      }
      return v;
    };
    switch (tool) {
      case 'transform': return { ops: $('tool-ops').value.trim(), seed };
      case 'augment': return { ops: this.augmentText().trim(), seed };
      case 'blend': {
        const mode = $('blend-mode').value;
        return { mode, alpha: mode === 'alpha' ? num('blend-alpha', 'Alpha') : 0.5 };
      }
      case 'inpaint': return { iterations: num('inpaint-iterations', 'VAE iterations') };
      case 'denoise': return { noise: $('denoise-noise').value, amount: num('denoise-amount', 'Noise amount'), threshold: num('denoise-threshold', 'VAE threshold'), seed };
      case 'interpolate': return { steps: num('interpolate-steps', 'Steps'), spherical: $('interpolate-spherical').checked, seed };
      case 'translate': return { direction: $('translate-direction').value };
      default: return {};
    }
  }

  /** Shows the chosen tool's options and the mask tools when the tool uses a mask. */
  #update() {
    const tool = this.tool;
    for (const el of document.querySelectorAll('.tool-options')) el.hidden = el.dataset.tool !== tool;
    const masking = MASK_TOOLS.has(tool) || (tool === 'blend' && $('blend-mode').value === 'mask');
    $('mask-tools').hidden = !masking;
    $('mask-canvas').classList.toggle('active', masking && Boolean(this.mask));
    $('blend-alpha').disabled = $('blend-mode').value !== 'alpha';
    $('augment-echo').textContent = this.augmentText().trim() || 'none';
    $('tool-run').disabled = this.running || this.picking > 0 || !this.sources[0];
  }

  #shape(shape) {
    const { width: W, height: H, data } = this.mask;
    const side = Math.max(1, Math.round(Math.min(W, H) * DEFAULT_HOLE));
    const x0 = Math.floor((W - side) / 2), y0 = Math.floor((H - side) / 2);
    const r = Math.min(W, H) * 0.25, cx = (W - 1) / 2, cy = (H - 1) / 2;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = 0;
        if (shape === 'square') v = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side ? 1 : 0;
        else if (shape === 'circle') v = (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? 1 : 0;
        else if (shape === 'left') v = x < W / 2 ? 1 : 0;
        data[y * W + x] = v;
      }
    }
    this.#drawMask();
  }

  /** Paints (or erases) a disc of the brush's size at a pointer position over A. */
  #brush(event) {
    const canvas = $('mask-canvas'), rect = canvas.getBoundingClientRect();
    const { width: W, height: H, data } = this.mask;
    const x = ((event.clientX - rect.left) / rect.width) * W, y = ((event.clientY - rect.top) / rect.height) * H;
    const r = Math.max(0.7, (Number($('mask-brush').value) / 100) * Math.min(W, H));
    const value = $('mask-erase').checked ? 0 : 1;
    for (let j = Math.max(0, Math.floor(y - r)); j <= Math.min(H - 1, Math.ceil(y + r)); j++) {
      for (let i = Math.max(0, Math.floor(x - r)); i <= Math.min(W - 1, Math.ceil(x + r)); i++) {
        if ((i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2 <= r * r) data[j * W + i] = value;
      }
    }
    this.#drawMask();
  }

  #drawMask() {
    const { width: W, height: H, data } = this.mask;
    const canvas = $('mask-canvas');
    canvas.width = W;
    canvas.height = H;
    const rgba = new Uint8ClampedArray(W * H * 4);
    for (let i = 0; i < W * H; i++) {
      if (data[i] >= 0.5) { rgba[i * 4] = 255; rgba[i * 4 + 1] = 64; rgba[i * 4 + 2] = 64; rgba[i * 4 + 3] = 140; }
    }
    canvas.getContext('2d').putImageData(new ImageData(rgba, W, H), 0, 0);
    const a = $('source-a');
    canvas.classList.toggle('small', a.classList.contains('small'));
    canvas.style.width = `${a.getBoundingClientRect().width}px`;
    canvas.style.height = `${a.getBoundingClientRect().height}px`;
  }

  /** Reads a chosen file and makes it source `slot`. */
  async #pickFile(slot, file) {
    if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB, over the ${MAX_FILE_BYTES / 2 ** 20} MB limit per file`);
    const bytes = await file.arrayBuffer();
    await this.pick(slot, { kind: 'file', name: file.name, bytes }, [bytes]);
  }

  #wire() {
    for (const [slot, { key }] of SLOTS.entries()) {
      const index = $(`source-${key}-index`);
      index.addEventListener('change', () => {
        if (index.value.trim() === '') { this.report(new Error(`Image ${SLOTS[slot].name}: enter an image number`)); return; }
        this.pick(slot, { kind: 'dataset', index: Number(index.value) }).catch(this.report);
      });
      $(`source-${key}-random`).addEventListener('click', () => {
        const n = Math.floor(Math.random() * Math.max(1, this.datasetLength));
        this.pick(slot, { kind: 'dataset', index: n }).catch(this.report);
      });
      $(`source-${key}-file`).addEventListener('change', (e) => {
        const file = e.target.files[0];
        e.target.value = '';
        if (file) this.#pickFile(slot, file).catch(this.report);
      });
    }
    $('tool-choice').addEventListener('change', () => this.#update());
    $('blend-mode').addEventListener('change', () => this.#update());
    $('augment').addEventListener('input', () => this.#update());
    $('tool-run').addEventListener('click', () => this.run());
    for (const b of document.querySelectorAll('#mask-tools [data-shape]')) {
      b.addEventListener('click', () => { if (this.mask) this.#shape(b.dataset.shape); });
    }
    const canvas = $('mask-canvas');
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.mask) return;
      canvas.setPointerCapture(e.pointerId);
      this.#brush(e);
    });
    canvas.addEventListener('pointermove', (e) => { if (this.mask && e.buttons) this.#brush(e); });
    new ResizeObserver(() => { if (this.mask) this.#drawMask(); }).observe($('source-a'));
    $('tool-download').addEventListener('click', () => this.#download());
  }

  /** The result figures side by side in one PNG, at their own pixel sizes. */
  #download() {
    const canvases = [...document.querySelectorAll('#tool-results canvas')];
    if (!canvases.length) return;
    downloadSideBySide(canvases, `wasmgen-${this.tool}.png`, { gap: 4, background: '#181818' });
  }
}
