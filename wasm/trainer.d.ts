// Types of wasmgen/worker (wasm/trainer.js): a model trained and sampled in a module Web Worker.

import type {
  ModelConfig, Images, Progress, Guard, GanLosses, VaeLosses, ClassifierLosses, SkippedFile,
  Capabilities, ModelDescription, FamilyInfo, Labels,
} from './index.js';

export type {
  ModelConfig, Images, Progress, Guard, GanLosses, VaeLosses, ClassifierLosses, SkippedFile,
  Capabilities, ModelDescription, FamilyInfo, Labels,
};

/** An RGBA picture ready for `new ImageData(data, width, height)`. */
export interface RgbaGrid { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> }

export interface DatasetInfo {
  name: string;
  length: number;
  height: number;
  width: number;
  channels: number;
  /** Whether every image has a class label (built-in data does; own image files do not). */
  labelled: boolean;
  /** Files loadImageFiles could not use. */
  skipped: SkippedFile[];
  /** Up to 24 images of the data as one grid. */
  thumbnails: RgbaGrid;
}

export interface ModelInfo {
  /** @deprecated the family name; act on `capabilities`. */
  kind: string;
  family: string;
  preset: string;
  /** The core's describe(): roles, nets, losses, capabilities, eval names. */
  description: ModelDescription;
  capabilities: Capabilities;
  /** Number of classes (conditional models and classifiers), else 0. */
  classes: number;
  lossNames: string[];
  /** Loss names by chart group: one y axis per group. */
  lossGroups: Record<string, string[]>;
  config: ModelConfig;
  step: number;
  epoch: number;
  height: number;
  width: number;
  channels: number;
  latent: number;
  /** Parameters of each net, in role order. */
  parameterCounts: number[];
  /** Their sum. */
  parameters: number;
  /** "name:length" of the data it trains on; "" before training. */
  trainedOn: string;
  guard: Guard;
  /** Sample-quality measurements so far (kept in checkpoints saved by the trainer). */
  qualityHistory: (QualityPoint | TranslationQualityPoint)[];
}

/** One sample-quality measurement during training: 500 samples, seed 0, against the reference of the model's data. */
export interface QualityPoint {
  step: number; fid: number; kid: number; kidStd: number; covered: number; counts: number[];
  /** Conditional models: share of samples judged as the class asked for (else null). */
  accuracy: number | null; perClass: number[] | null;
  /** How long the measurement took. */
  ms: number;
}
/** Per direction of a translating model (evaluate()'s r.translation.ab / .ba). */
export interface TranslationNumbers { targetClassRate: number | null; cyclePsnr: number; fid: number }
/** A translating model's measurement during training: evaluate()'s r.translation on 100 images per direction. */
export interface TranslationQualityPoint {
  step: number;
  translation: { ab: TranslationNumbers; ba: TranslationNumbers; judge: unknown; n: number };
  ms: number;
}
/** A measurement (or its error) with the history, the share of run time measuring took, and what it was measured with. */
export interface QualityEvent {
  point?: QualityPoint | TranslationQualityPoint; error?: string; history: (QualityPoint | TranslationQualityPoint)[]; costShare: number;
  samples?: number; judge?: string; against?: string; notes?: string[];
}

/** What the views show (requestViews options; settings persist in the worker). */
export interface ViewOptions {
  /** Conditional models: null = one sample row per class, or one class for the whole grid. */
  sampleClass?: number | null;
  /** The latent dimension the latent strip sweeps from -3 to 3. */
  latentDimension?: number;
  /** Conditional models: the two classes the class interpolation moves between, z fixed. */
  classPair?: [number, number];
}

/**
 * Sent about once a second while training (and on requestViews()). Which views are there follows
 * the model's capabilities; the others are null.
 */
export interface Views {
  step: number;
  /** The view options these views were made with. */
  options: { sampleClass: number | null; latentDimension: number; classPair: [number, number] };
  /** Models that sample: 64 samples from the model's seed, 8 per row; conditional with sampleClass null: 8 per class, one row per class. */
  samples: RgbaGrid | null;
  /** 'seed', 'classes' (one row per class) or 'class K'. */
  sampleRows: string | null;
  /** 10 frames between two latent vectors (conditional: of class sampleClass, or 0). */
  interpolation: RgbaGrid | null;
  /** 9 frames: the first interpolation seed's z with dimension latentDimension at -3 .. 3. */
  latentStrip: RgbaGrid | null;
  /** Conditional models: 10 frames, that z decoded with class weights moving from classPair[0] to classPair[1]. */
  classInterpolation: RgbaGrid | null;
  /** Models that encode, on data of their size: 10 inputs over their reconstructions. */
  reconstruction: RgbaGrid | null;
  /** Classifiers: 32 held-out images (8 per row), predicted and true classes. */
  predictions: { grid: RgbaGrid; labels: number[]; truth: number[] } | null;
  /** Classifiers: evaluate() over the first 1000 images of the built-in test split (else the training data). */
  accuracy: { loss: number; accuracy: number; images: number; heldOut: boolean; data: string } | null;
  /** Models that translate: 6 fixed domain-A images, one per row: real, G_AB(real), G_BA(G_AB(real)). */
  translationAB: RgbaGrid | null;
  /** The same for 6 domain-B images: real, G_BA(real), G_AB(G_BA(real)). */
  translationBA: RgbaGrid | null;
}

export interface TrainResult { step: number; done: number; stopped: boolean }

export interface ToolFigure extends RgbaGrid { caption: string }
export type ToolSource = { kind: 'dataset'; index: number } | { kind: 'file'; name: string; bytes: ArrayBuffer | Uint8Array };
export type ToolName = 'transform' | 'augment' | 'blend' | 'inpaint' | 'denoise' | 'interpolate' | 'translate';
/** 'a' (default): the training data; 'b': the second domain of a two-domain model (capabilities.two_domains). */
export type Domain = 'a' | 'b';

export interface TrainerHandlers {
  /** After each chunk of training steps (about every 50 ms). */
  onProgress?: (progress: Progress) => void;
  onViews?: (views: Views) => void;
  /** While image files are decoded. */
  onLoading?: (p: { done: number; total: number }) => void;
  /** Sample quality measured while training, every few seconds within 10% of the run's time. */
  onQuality?: (q: QualityEvent) => void;
  /** The worker died and a fresh, empty one was started: init() and load again. */
  onRestart?: (reason: string) => void;
  /** Every event as the worker sent it ({ event: 'progress' | 'views' | 'loading', ... }). */
  onEvent?: (event: { event: string; [key: string]: unknown }) => void;
}

export class Trainer {
  /** The module worker (wasm/worker.js) this trainer talks to. */
  readonly worker: Worker;
  /** threads: 1..8 (default the device's cores, at most 4); more than 1 needs a cross-origin isolated
   *  page, else one thread with the reason in whyOneThread. Results are the same bits either way.
   *  `families`: the core's registry of model families and presets. */
  init(options?: { wasmUrl?: string | URL; threadedWasmUrl?: string | URL; threads?: number }):
    Promise<{ simd: string; threads: number; whyOneThread: string; families: FamilyInfo[] }>;
  /** 'mnist', 'fashion', or one class of them ('mnist:3', 'fashion:7': a CycleGAN domain). */
  loadDataset(name: 'mnist' | 'fashion' | `mnist:${number}` | `fashion:${number}`, options?: { split?: 'train' | 'test'; baseUrl?: string | URL; domain?: Domain }): Promise<DatasetInfo>;
  loadIdxDataset(images: Uint8Array | ArrayBuffer, labels?: Uint8Array | ArrayBuffer | null, name?: string, options?: { domain?: Domain }): Promise<DatasetInfo>;
  loadImageFiles(files: Iterable<Blob & { name?: string } | { name: string; bytes: Uint8Array | ArrayBuffer }>,
    options?: { size?: number; channels?: 1 | 3; name?: string; domain?: Domain }): Promise<DatasetInfo>;
  createModel(config: ModelConfig): Promise<ModelInfo>;
  /** A checkpoint from save(); an ArrayBuffer is transferred (emptied), a Uint8Array copied. */
  loadModel(bytes: Uint8Array | ArrayBuffer): Promise<ModelInfo>;
  /** safetensors checkpoint bytes. */
  save(): Promise<Uint8Array>;
  info(): Promise<{ families: FamilyInfo[] | null; model: ModelInfo | null; dataset: Omit<DatasetInfo, 'skipped' | 'thumbnails'> | null;
    /** Domain B of a two-domain model, when loaded. */
    datasetB: Omit<DatasetInfo, 'skipped' | 'thumbnails'> | null; training: boolean; paused: boolean }>;
  /** The generator as ONNX bytes (exportOnnx); a translating model's for `direction` ('ab' default, or 'ba'). */
  exportOnnx(options?: { direction?: 'ab' | 'ba' }): Promise<Uint8Array>;
  /** Resolves when the steps are done or stop() was called. */
  train(options?: { steps?: number; epochs?: number; batch?: number; views?: boolean; quality?: boolean; onProgress?: (p: Progress) => void }): Promise<TrainResult>;
  pause(): Promise<null>;
  resume(): Promise<null>;
  stop(): Promise<null>;
  /** Conditional models need `labels` (one class, or one per image). */
  sample(n: number, options?: { seed?: number; labels?: Labels; truncation?: number }): Promise<Images>;
  sampleGrid(n: number, options?: { seed?: number; cols?: number; labels?: Labels; truncation?: number }): Promise<RgbaGrid>;
  /** `classWeights` (n * classes) mixes classes in place of labels. */
  decode(z: Float32Array, options?: { labels?: Labels; classWeights?: Float32Array }): Promise<Images>;
  /** decode() as one RGBA grid, all in one row unless `cols`. */
  decodeGrid(z: Float32Array, options?: { labels?: Labels; classWeights?: Float32Array; cols?: number }): Promise<RgbaGrid>;
  encode(images: Float32Array, options?: { labels?: Labels }): Promise<{ mu: Float32Array; logvar: Float32Array }>;
  classify(images: Float32Array): Promise<{ probs: Float32Array; labels: Int32Array }>;
  /** The family's eval names: VAEs { loss, recon, kl }, classifiers { loss, accuracy }. */
  evaluate(options?: { limit?: number }): Promise<Record<string, number>>;
  /** Measures sample quality now; resolves to the quality event it also sends (refused for classifiers). */
  measureQuality(): Promise<QualityEvent>;
  setToolSource(slot: 0 | 1, source: ToolSource, transfer?: Transferable[]): Promise<ToolFigure & { imageWidth: number; imageHeight: number; channels: number }>;
  /** `mask`: { width, height, data } in image A's pixels, 1 = marked (inpaint, masked blend). */
  runTool(tool: ToolName, options?: Record<string, unknown>, mask?: { width: number; height: number; data: Float32Array } | null): Promise<{ figures: ToolFigure[]; note: string }>;
  requestViews(options?: { interpolationSeeds?: [number, number] } & ViewOptions): Promise<null>;
  /** One request of the worker protocol (see wasm/worker.js). */
  request(type: string, args?: Record<string, unknown>, transfer?: Transferable[]): Promise<any>;
  /** Replaces the worker; everything it held is gone. */
  restart(reason: string): void;
  terminate(): void;
}

/** Starts the worker; call init() before anything else. */
export function createTrainer(handlers?: TrainerHandlers): Trainer;
