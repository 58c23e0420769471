// data-card.js — the page's Data card: the built-in datasets and their class subsets, own image
// files (picked or dropped, folders included), and for a model with two domains (CycleGAN) the
// domain A and B pickers. Loading happens in the worker (wasm/trainer.js); this module shows what
// was loaded (counts, skipped files and why, thumbnails) and keeps the pickers naming it. app.js
// creates it once with the page's shared state and its helpers:
//
//   const card = createDataCard({ state, client, tools, setPhase, busy, notify, markStale });
//   await card.loadData({ kind: 'builtin', name: 'mnist' });

import { domainChoices } from './models.js';
import { paint } from './canvas.js';

const $ = (id) => document.getElementById(id);
const integer = new Intl.NumberFormat('en');
export const FASHION_URL = new URL('data/fashion/', location.href).href;
const MAX_FILES = 50000;
const MAX_SKIPS_LISTED = 200;

/** Whether images of `data` fit `model` (same height, width and channels). */
export function shapeFits(model, data) {
  return model && data && model.height === data.height && model.width === data.width && model.channels === data.channels;
}

/**
 * The Data card's behaviour over the page's `state` (data, dataSource, dataB, dataSourceB,
 * twoDomains, fashionAvailable, loadingData, model, phase), which app.js owns.
 */
export function createDataCard({ state, client, tools, setPhase, busy, notify, markStale }) {
  const dataText = (info, what = 'training images') => `${integer.format(info.length)} ${what} · ${info.width}×${info.height} ${info.channels === 3 ? 'RGB' : 'grey'}` +
    (info.skipped.length ? ` · ${info.skipped.length} skipped` : '');

  function showData(info) {
    state.data = info;
    $('data-status').textContent = dataText(info, state.twoDomains ? 'images in domain A' : 'training images');
    const skipped = $('skipped');
    skipped.hidden = info.skipped.length === 0;
    if (info.skipped.length) {
      const counts = {};
      for (const s of info.skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
      skipped.querySelector('summary').textContent = `Skipped ${info.skipped.length} file${info.skipped.length > 1 ? 's' : ''}: ` +
        Object.entries(counts).map(([r, n]) => `${n} ${r}`).join(', ');
      const list = skipped.querySelector('ul');
      list.replaceChildren(...info.skipped.slice(0, MAX_SKIPS_LISTED).map((s) => {
        const li = document.createElement('li');
        const name = document.createElement('b');
        name.textContent = s.name;
        li.append(name, ` — ${s.reason}: ${s.message}`);
        return li;
      }));
      if (info.skipped.length > MAX_SKIPS_LISTED) list.append(Object.assign(document.createElement('li'), { textContent: `… and ${info.skipped.length - MAX_SKIPS_LISTED} more` }));
    }
    paint($('thumbnails'), info.thumbnails);
    if (state.model && !shapeFits(state.model, info)) markStale();
    tools.datasetChanged(info);
  }

  function showDataB(info) {
    state.dataB = info;
    const reasons = [...new Set(info.skipped.map((s) => s.reason))];
    $('domain-b-status').textContent = dataText(info, 'images in domain B') + (reasons.length ? ` (${reasons.join(', ')})` : '');
    $('domain-b-status').title = info.skipped.slice(0, MAX_SKIPS_LISTED).map((s) => `${s.name}: ${s.reason}: ${s.message}`).join('\n');
    paint($('domain-b-thumbnails'), info.thumbnails);
    if (state.model && !shapeFits(state.model, info)) markStale();
  }

  const FASHION_NAME = /^fashion(:\d)?$/;

  /**
   * Loads `source` ({ kind: 'builtin', name } with name 'mnist', 'fashion' or a class of them as
   * 'fashion:7'; or { kind: 'files', files, size, channels }) as the data, or with domain 'b' as
   * domain B of a two-domain model.
   */
  async function loadData(source, domain = 'a') {
    const b = domain === 'b';
    const status = b ? $('domain-b-status') : $('data-status');
    status.textContent = source.kind === 'files' ? `Decoding ${integer.format(source.files.length)} files…` : 'Loading…';
    state.loadingData = true;
    try {
      const info = source.kind === 'files'
        ? await client.loadImageFiles(source.files, { size: source.size, channels: source.channels, domain })
        : await client.loadDataset(source.name, { baseUrl: FASHION_NAME.test(source.name) ? FASHION_URL : undefined, domain });
      const choice = source.kind === 'files' ? 'files' : source.name;
      if (b) {
        state.dataSourceB = source;
        $('domain-b-choice').value = choice;
        $('domain-b-drop').hidden = choice !== 'files';
        showDataB(info);
      } else {
        state.dataSource = source;
        const radio = document.querySelector(`input[name=dataset][value="${choice}"]`);
        if (radio) radio.checked = true;
        $('own-images').hidden = choice !== 'files' || state.twoDomains;
        if ([...$('domain-a-choice').options].some((o) => o.value === choice)) $('domain-a-choice').value = choice;
        $('domain-a-drop').hidden = choice !== 'files';
        showData(info);
      }
      $('domain-format').hidden = !(state.twoDomains && [state.dataSource, state.dataSourceB].some((s) => s?.kind === 'files'));
    } catch (e) {
      const current = b ? state.dataB : state.data;
      status.textContent = current ? `Still using the previous data (${integer.format(current.length)} images).` : `No ${b ? 'domain B images' : 'training data'} loaded.`;
      if (e.skipped?.length || /usable image/.test(e.message)) throw new Error(`No images loaded${b ? ' into domain B' : ''}: ${e.message}`);
      throw e;
    } finally {
      state.loadingData = false;
      setPhase(state.phase);
    }
  }

  /** Own image files as the data (domain 'a') or as domain B ('b'), at the size and colour chosen for them. */
  function ownImages(files, domain = 'a') {
    const list = [...files].filter((f) => !f.name.startsWith('.'));   // .DS_Store and friends
    if (list.length === 0) { notify('No files were chosen.', 'error'); return; }
    if (list.length > MAX_FILES) { notify(`That is ${integer.format(list.length)} files; the page takes at most ${integer.format(MAX_FILES)}.`, 'error'); return; }
    const [size, channels] = state.twoDomains ? [$('domain-size').value, $('domain-channels').value] : [$('image-size').value, $('image-channels').value];
    busy(() => loadData({ kind: 'files', files: list, size: Number(size), channels: Number(channels) }, domain));
  }

  /** Built-in domains to start from: sneakers and ankle boots when Fashion-MNIST is here, else digits 3 and 8. */
  const defaultDomains = () => (state.fashionAvailable ? ['fashion:7', 'fashion:9'] : ['mnist:3', 'mnist:8']);
  const isDomainSource = (source) => source?.kind === 'files' || /:\d$/.test(source?.name ?? '');

  /**
   * Shows the Data card for a model with two domains (domain A and B pickers) or one dataset, and
   * loads what that needs: default class subsets for domains not chosen yet, and back to the whole
   * dataset chosen in the one-dataset form when leaving two domains. Runs inside busy().
   */
  async function useDataMode(two) {
    const changed = state.twoDomains !== two;
    state.twoDomains = two;
    $('dataset-choice').hidden = two;
    $('domain-a').hidden = !two;
    $('domain-b').hidden = !two;
    $('own-images').hidden = two || state.dataSource?.kind !== 'files';
    $('fashion-note').hidden = two || state.fashionAvailable !== false;
    $('domain-format').hidden = !(two && [state.dataSource, state.dataSourceB].some((s) => s?.kind === 'files'));
    setPhase(state.phase);
    if (two) {
      const [a, b] = defaultDomains();
      if (!isDomainSource(state.dataSource)) await loadData({ kind: 'builtin', name: a });
      if (!state.dataSourceB) await loadData({ kind: 'builtin', name: b }, 'b');
    } else if (changed && /:\d$/.test(state.dataSource?.name ?? '')) {
      const chosen = document.querySelector('input[name=dataset]:checked')?.value;
      await loadData({ kind: 'builtin', name: chosen === 'fashion' ? 'fashion' : 'mnist' });
    }
    if (state.data) $('data-status').textContent = dataText(state.data, two ? 'images in domain A' : 'training images');
    // The pickers name what is loaded (own images carried over from one form to the other too).
    const choice = state.dataSource?.kind === 'files' ? 'files' : state.dataSource?.name;
    if (two && [...$('domain-a-choice').options].some((o) => o.value === choice)) $('domain-a-choice').value = choice;
    $('domain-a-drop').hidden = !two || choice !== 'files';
    const radio = document.querySelector(`input[name=dataset][value="${choice}"]`);
    if (!two && radio) radio.checked = true;
    $('own-images').hidden = two || choice !== 'files';
  }

  /** The domain pickers' options (once Fashion-MNIST's presence is known). */
  function fillDomainOptions() {
    if ($('domain-a-choice').options.length) return;
    for (const id of ['domain-a-choice', 'domain-b-choice']) {
      const groups = new Map();
      for (const c of domainChoices({ fashion: state.fashionAvailable })) {
        if (!groups.has(c.group)) groups.set(c.group, Object.assign(document.createElement('optgroup'), { label: c.group }));
        groups.get(c.group).append(new Option(c.label, c.value));
      }
      $(id).replaceChildren(...groups.values());
    }
  }

  /** A domain picker changed: load that class subset, or show the drop zone for own images. */
  function domainChosen(domain) {
    const value = $(`domain-${domain}-choice`).value;
    $(`domain-${domain}-drop`).hidden = value !== 'files';
    $('domain-format').hidden = !(value === 'files' || [state.dataSource, state.dataSourceB].some((s) => s?.kind === 'files'));
    if (value !== 'files') busy(() => loadData({ kind: 'builtin', name: value }, domain));
  }

  /** Files of a drop, folders included (read recursively through the entries API). */
  async function droppedFiles(dataTransfer) {
    const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
    if (entries.length === 0) return [...dataTransfer.files];
    const files = [];
    const walk = async (entry) => {
      if (entry.isFile) {
        files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
          if (batch.length === 0) break;
          for (const child of batch) await walk(child);
        }
      }
    };
    for (const entry of entries) await walk(entry);
    return files;
  }

  return { loadData, ownImages, useDataMode, fillDomainOptions, domainChosen, droppedFiles };
}
