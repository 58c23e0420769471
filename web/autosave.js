// autosave.js — training runs kept in this browser's IndexedDB, so a reload or a crashed tab does
// not lose an hour of training. One object store, "runs", keyed by run id; each record holds the
// latest checkpoint of its run (model.save() bytes) and a few facts to list it by:
//   { id, model, label, config, dataset: { kind, name }, datasetLabel, step, savedAt, bytes }
// Every function rejects with a readable Error (IndexedDB missing, e.g. some private windows;
// quota exceeded); callers show it and carry on training.

const DB_NAME = 'wasmgen';
const DB_VERSION = 1;
const STORE = 'runs';

let opening = null;

function readable(error, what) {
  const name = error?.name ?? '';
  if (name === 'QuotaExceededError') return new Error(`${what}: the browser's storage for this page is full (delete saved runs or download a checkpoint instead)`);
  if (name === 'SecurityError' || name === 'InvalidStateError') return new Error(`${what}: this browser does not allow saving here (private window?); download checkpoints to keep progress`);
  return new Error(`${what}: ${error?.message || name || 'IndexedDB failed'}`);
}

function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) { reject(new Error('this browser has no IndexedDB (private window?); download checkpoints to keep progress')); return; }
    let request;
    try { request = indexedDB.open(DB_NAME, DB_VERSION); } catch (e) { reject(e); return; }
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the saved-runs database is busy in another tab'));
  });
  opening.catch(() => { opening = null; });
  return opening;
}

async function transact(mode, what, body) {
  try {
    const db = await open();
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const store = tx.objectStore(STORE);
      let result;
      const request = body(store);
      if (request) request.onsuccess = () => { result = request.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    });
  } catch (e) {
    throw readable(e, what);
  }
}

/** Stores (replaces) the latest checkpoint of run `record.id`. */
export const putRun = (record) => transact('readwrite', 'Autosave failed', (store) => store.put(record));

/** Saved runs without their checkpoint bytes, newest first. */
export async function listRuns() {
  const all = await transact('readonly', 'Could not read saved runs', (store) => store.getAll());
  return (all ?? []).map(({ bytes, ...rest }) => ({ ...rest, size: bytes?.byteLength ?? 0 }))
    .sort((a, b) => b.savedAt - a.savedAt);
}

export const getRun = (id) => transact('readonly', 'Could not read the saved run', (store) => store.get(id));
export const deleteRun = (id) => transact('readwrite', 'Could not delete the saved run', (store) => store.delete(id));

export const newRunId = () => `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
