// Types of wasmgen/worker (wasm/trainer.js): a model trained and sampled in a module Web Worker.

import type { ModelConfig, Images, Progress, Guard, GanLosses, VaeLosses, SkippedFile } from './index.js';

export type { ModelConfig, Images, Progress, Guard, GanLosses, VaeLosses, SkippedFile };

/** An RGBA picture ready for `new ImageData(data, width, height)`. */
export interface RgbaGrid { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> }

export interface DatasetInfo {
  name: string;
  length: number;
  height: number;
  width: number;
  channels: number;
  /** Files loadImageFiles could not use. */
  skipped: SkippedFile[];
  /** Up to 24 images of the data as one grid. */
  thumbnails: RgbaGrid;
}

export interface ModelInfo {
  kind: 'gan' | 'vae';
  config: ModelConfig;
  step: number;
  epoch: number;
  height: number;
  width: number;
  channels: number;
  latent: number;
  parameters: number;
  /** "name:length" of the data it trains on; "" before training. */
  trainedOn: string;
  guard: Guard;
}

/** Sent about once a second while training (and on requestViews()). */
export interface Views {
  step: number;
  /** 64 samples from the model's seed, 8 per row. */
  samples: RgbaGrid;
  /** 10 frames between two latent vectors. */
  interpolation: RgbaGrid;
  /** VAE on data of its size: 10 inputs over their reconstructions. */
  reconstruction: RgbaGrid | null;
}

export interface TrainResult { step: number; done: number; stopped: boolean }

export interface ToolFigure extends RgbaGrid { caption: string }
export type ToolSource = { kind: 'dataset'; index: number } | { kind: 'file'; name: string; bytes: ArrayBuffer | Uint8Array };
export type ToolName = 'transform' | 'augment' | 'blend' | 'inpaint' | 'denoise' | 'interpolate';

export interface TrainerHandlers {
  /** After each chunk of training steps (about every 50 ms). */
  onProgress?: (progress: Progress) => void;
  onViews?: (views: Views) => void;
  /** While image files are decoded. */
  onLoading?: (p: { done: number; total: number }) => void;
  /** The worker died and a fresh, empty one was started: init() and load again. */
  onRestart?: (reason: string) => void;
  /** Every event as the worker sent it ({ event: 'progress' | 'views' | 'loading', ... }). */
  onEvent?: (event: { event: string; [key: string]: unknown }) => void;
}

export class Trainer {
  /** The module worker (wasm/worker.js) this trainer talks to. */
  readonly worker: Worker;
  /** threads: 1..8 (default the device's cores, at most 4); more than 1 needs a cross-origin isolated
   *  page, else one thread with the reason in whyOneThread. Results are the same bits either way. */
  init(options?: { wasmUrl?: string | URL; threadedWasmUrl?: string | URL; threads?: number }):
    Promise<{ simd: string; threads: number; whyOneThread: string }>;
  loadDataset(name: 'mnist' | 'fashion', options?: { split?: 'train' | 'test'; baseUrl?: string | URL }): Promise<DatasetInfo>;
  loadIdxDataset(images: Uint8Array | ArrayBuffer, labels?: Uint8Array | ArrayBuffer | null, name?: string): Promise<DatasetInfo>;
  loadImageFiles(files: Iterable<Blob & { name?: string } | { name: string; bytes: Uint8Array | ArrayBuffer }>,
    options?: { size?: number; channels?: 1 | 3; name?: string }): Promise<DatasetInfo>;
  createModel(config: ModelConfig): Promise<ModelInfo>;
  /** A checkpoint from save(); an ArrayBuffer is transferred (emptied), a Uint8Array copied. */
  loadModel(bytes: Uint8Array | ArrayBuffer): Promise<ModelInfo>;
  /** safetensors checkpoint bytes. */
  save(): Promise<Uint8Array>;
  info(): Promise<{ model: ModelInfo | null; dataset: Omit<DatasetInfo, 'skipped' | 'thumbnails'> | null; training: boolean; paused: boolean }>;
  /** Resolves when the steps are done or stop() was called. */
  train(options?: { steps?: number; epochs?: number; batch?: number; views?: boolean; onProgress?: (p: Progress) => void }): Promise<TrainResult>;
  pause(): Promise<null>;
  resume(): Promise<null>;
  stop(): Promise<null>;
  sample(n: number, options?: { seed?: number }): Promise<Images>;
  sampleGrid(n: number, options?: { seed?: number; cols?: number }): Promise<RgbaGrid>;
  decode(z: Float32Array): Promise<Images>;
  encode(images: Float32Array): Promise<{ mu: Float32Array; logvar: Float32Array }>;
  evaluate(options?: { limit?: number }): Promise<VaeLosses>;
  setToolSource(slot: 0 | 1, source: ToolSource, transfer?: Transferable[]): Promise<ToolFigure & { imageWidth: number; imageHeight: number; channels: number }>;
  /** `mask`: { width, height, data } in image A's pixels, 1 = marked (inpaint, masked blend). */
  runTool(tool: ToolName, options?: Record<string, unknown>, mask?: { width: number; height: number; data: Float32Array } | null): Promise<{ figures: ToolFigure[]; note: string }>;
  requestViews(options?: { interpolationSeeds?: [number, number] }): Promise<null>;
  /** One request of the worker protocol (see wasm/worker.js). */
  request(type: string, args?: Record<string, unknown>, transfer?: Transferable[]): Promise<any>;
  /** Replaces the worker; everything it held is gone. */
  restart(reason: string): void;
  terminate(): void;
}

/** Starts the worker; call init() before anything else. */
export function createTrainer(handlers?: TrainerHandlers): Trainer;
