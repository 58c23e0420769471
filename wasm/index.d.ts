// Types of the wasmgen package (wasm/index.js). See README.md for a runnable example.

/** Every failure of the C core or of argument checks; `message` names the problem. */
export class WasmgenError extends Error {
  name: 'WasmgenError';
  /** C status code: 1 invalid argument, 2 bad format, 3 out of memory, 4 bad state, 5 mismatch. */
  status: number;
  code: 'invalid argument' | 'bad format' | 'out of memory' | 'bad state' | 'mismatch' | 'error';
}

export type LayerSpec =
  | { type: 'dense'; units: number; bias?: boolean }
  | { type: 'relu' | 'tanh' | 'sigmoid' | 'flatten' }
  | { type: 'leaky_relu'; slope?: number }
  | { type: 'batchnorm'; momentum?: number; eps?: number }
  | { type: 'dropout'; p?: number }
  | { type: 'conv2d'; out_channels: number; kernel: number | [number, number]; stride?: number | [number, number]; padding?: number | [number, number]; bias?: boolean }
  | { type: 'conv_transpose2d'; out_channels: number; kernel: number | [number, number]; stride?: number | [number, number]; padding?: number | [number, number]; output_padding?: number | [number, number]; bias?: boolean }
  | { type: 'instancenorm'; eps?: number; affine?: boolean }
  | { type: 'upsample'; mode?: 'nearest' | 'bilinear'; scale?: 2 }
  | { type: 'avgpool'; kernel: number | [number, number]; stride?: number | [number, number]; padding?: number | [number, number] }
  | { type: 'reshape'; shape: [number, number, number] }
  /** Residual connection: adds the output of earlier layer `from` (same shape). */
  | { type: 'add'; from: number };

/** A model config: a preset name plus overrides; anything left out comes from the preset. */
export interface ModelConfig {
  model: 'gan' | 'vae' | 'dcgan' | 'convvae';
  height?: number;
  width?: number;
  channels?: 1 | 3;
  latent?: number;
  /** Preset widths: MLP hidden sizes, or conv channel widths (generator / encoder order). */
  hidden?: number[];
  /** MLP GAN discriminator widths. */
  disc_hidden?: number[];
  generator?: LayerSpec[];
  discriminator?: LayerSpec[];
  encoder?: LayerSpec[];
  decoder?: LayerSpec[];
  optimizer?: 'adam' | 'sgd';
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  momentum?: number;
  seed?: number;
  /** Training augmentation per image, e.g. "flip,rotate:15,crop:24,blur:1,jitter:0.1,0.2,noise:0.05". */
  augment?: string;
}

/** Float images (N, C, H, W) with values in [0, 1]. */
export interface Images {
  data: Float32Array;
  n: number;
  channels: number;
  height: number;
  width: number;
}

export interface GanLosses { d_loss: number; g_loss: number; d_real: number; d_fake: number }
export interface VaeLosses { loss: number; recon: number; kl: number }

export interface Progress {
  /** Total steps the model has trained (across calls and checkpoints). */
  step: number;
  epoch: number;
  /** Steps done and planned in this train() call. */
  done: number;
  total: number;
  batch: number;
  seconds: number;
  imagesPerSec: number;
  /** Seconds left in this call, or null before the first chunk. */
  eta: number | null;
  losses: GanLosses | VaeLosses;
  guard: Guard;
  /** Set on the value train() resolves to. */
  stopped?: boolean;
  startStep?: number;
}

export interface TrainOptions {
  steps?: number;
  epochs?: number;
  batch?: number;
  /** Steps per chunk between progress callbacks and event-loop yields. */
  chunkSteps?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Called when the divergence guard skipped steps or rolled back during a chunk. */
  onGuard?: (guard: Guard) => void;
  /** Continue on data other than the model was trained on (the data order starts afresh). */
  allowNewData?: boolean;
}

export interface Guard { skipped: number; rollbacks: number; lr: number; badStreak: number }

export class Dataset {
  readonly name: string;
  readonly length: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly imageSize: number;
  /** Copy of image i, uint8 (C, H, W). */
  image(i: number): Uint8Array;
  labels(): Uint8Array | null;
  dispose(): void;
}

export class Model {
  readonly kind: 'gan' | 'vae';
  /** The complete, expanded config (travels inside checkpoints). */
  readonly config: ModelConfig & Required<Pick<ModelConfig, 'height' | 'width' | 'channels' | 'latent' | 'seed'>>;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly latent: number;
  readonly imageSize: number;
  /** Parameter counts of the two nets (G and D, or encoder and decoder). */
  readonly parameterCounts: [number, number];
  readonly step: number;
  readonly epoch: number;
  readonly arenaPeakBytes: number;
  readonly losses: GanLosses | VaeLosses;
  readonly guard: Guard;
  /** "name:length" of the data the model trains on; "" before training. */
  readonly datasetId: string;
  trainSteps(dataset: Dataset, steps: number, batch?: number, options?: { allowNewData?: boolean }): void;
  train(dataset: Dataset, options?: TrainOptions): Promise<Progress>;
  sample(n: number, options?: { seed?: number }): Images;
  /** Images from latent vectors (n * latent values). */
  decode(z: Float32Array): Images;
  /** VAE only. */
  encode(images: Float32Array): { mu: Float32Array; logvar: Float32Array };
  /** VAE only: mean per-image loss over the first `limit` images (all when 0). */
  evaluate(dataset: Dataset, options?: { limit?: number }): VaeLosses;
  /** safetensors checkpoint bytes. */
  save(): Uint8Array;
  dispose(): void;
}

/** A file loadImageFiles could not use, and why. */
export interface SkippedFile { name: string; reason: 'unsupported' | 'corrupt' | 'too large'; message: string }
export const SKIP_REASONS: (SkippedFile['reason'] | null)[];

export interface Wasmgen {
  simd: string;
  /** Threads the core computes with (1 with the single-thread build). */
  threads: number;
  /** Which build was loaded and why, e.g. "wasmgen-mt.wasm, 2 threads" or
   *  "wasmgen.wasm, 1 thread (2 threads asked for, but the page is not cross-origin isolated …)". */
  engine: string;
  createModel(config: ModelConfig): Model;
  loadModel(bytes: Uint8Array | ArrayBuffer): Model;
  loadDataset(name: 'mnist' | 'fashion', options?: { split?: 'train' | 'test'; dir?: string; baseUrl?: string | URL }): Promise<Dataset>;
  loadIdxDataset(images: Uint8Array | ArrayBuffer, labels?: Uint8Array | ArrayBuffer | null, name?: string): Promise<Dataset>;
  /** Own PNG/JPEG/BMP/GIF files, centre-cropped and resized in wasm; unusable files are skipped. */
  loadImageFiles(files: Iterable<Blob & { name?: string } | { name: string; bytes: Uint8Array | ArrayBuffer }>,
    options?: { size?: number; channels?: 1 | 3; name?: string; onProgress?: (p: { done: number; total: number }) => void }):
    Promise<{ dataset: Dataset; skipped: SkippedFile[] }>;
  heapBytes(): number;
}

/**
 * Loads the core. threads: 1..8, default the hardware's thread count capped at 4; more than 1
 * loads the threaded build where shared memory is allowed (Node; cross-origin isolated pages),
 * else falls back to one thread (see Wasmgen.engine). Results are the same bits for any count.
 * wasmBytes/wasmUrl: the single-thread module from elsewhere (then threads default to 1 unless
 * threadedWasmBytes/threadedWasmUrl give the threaded one). fresh: a separate instance.
 */
export function init(options?: {
  threads?: number;
  wasmBytes?: Uint8Array | ArrayBuffer; wasmUrl?: string | URL;
  threadedWasmBytes?: Uint8Array | ArrayBuffer; threadedWasmUrl?: string | URL;
  fresh?: boolean;
}): Promise<Wasmgen>;

export const LOSS_NAMES: { gan: string[]; vae: string[] };
export function maybeGunzip(bytes: Uint8Array | ArrayBuffer): Promise<Uint8Array>;
export function toGrid(images: Images, options?: { cols?: number; pad?: number; background?: number }): { width: number; height: number; data: Uint8ClampedArray };
export function encodePng(grid: { width: number; height: number; data: Uint8ClampedArray }): Uint8Array;
export function pixelStats(images: Images): { mean: number; ink: number; contrast: number };
export function datasetImages(dataset: Dataset, options?: { n?: number; indices?: number[] }): Images;
/**
 * The GAN generator / VAE decoder as an ONNX model (opset 13): input `z` float32 [N, latent],
 * output `image` float32 [N, C, H, W] in [0, 1], equal to `model.decode(z).data` (GAN graphs end
 * with 0.5 * (tanh + 1)). Batchnorm uses its running statistics; dropout is left out.
 * Throws WasmgenError for a disposed model or a layer type without an ONNX export.
 */
export function exportOnnx(model: Model): Uint8Array;

export function decodeImage(core: unknown, bytes: Uint8Array | ArrayBuffer, options?: { channels?: 1 | 3; name?: string; maxPixels?: number }): Images;
/** The first image, or with cols all images as a grid. */
export function encodeImage(core: unknown, images: Images, options?: { format?: 'png' | 'jpeg'; quality?: number; cols?: number }): Uint8Array;
/** Fixed chain "flip:h,rotate:30,blur:1.5,crop:X,Y,W,H,resize:W,H,..." applied in order. */
export function transformImage(core: unknown, images: Images, ops: string, options?: { seed?: number }): Images;
/** Grey <-> RGB (grey copied to three planes; RGB to BT.601 luma). */
export function imageChannels(images: Images, channels: 1 | 3): Images;
/** Another size and colour mode: the largest centred crop of the target's aspect, then an area (shrinking) or bilinear resize. */
export function fitImage(core: unknown, images: Images, target: { height: number; width: number; channels?: 1 | 3 }): Images;
/** Training's random chain ("flip,rotate:15,crop:24"), sizes kept: what augmentation draws for a seed; draws copies of each image. */
export function augmentImages(core: unknown, images: Images, ops: string, options?: { seed?: number; draws?: number }): Images;
export function blend(core: unknown, a: Images, b: Images, options?: { mask?: Float32Array | null; alpha?: number; pyramid?: boolean; levels?: number }): Images;
export function fillDiffusion(core: unknown, img: Images, mask: Float32Array, options?: { iterations?: number }): Images;
export function inpaint(model: Model, img: Images, mask: Float32Array, options?: { iterations?: number }): Images;
/** Replaces pixels that differ from the VAE's reconstruction by more than threshold (default 0.7), iterations times (default 3). */
export function denoise(model: Model, img: Images, options?: { threshold?: number; iterations?: number }): Images;
export function interpolateLatents(z0: Float32Array, z1: Float32Array, steps: number, options?: { spherical?: boolean }): Float32Array;
export function interpolate(model: Model, options: { z0?: Float32Array; z1?: Float32Array; from?: Images; to?: Images; steps?: number; spherical?: boolean }): Images;
export function psnr(a: Images, b: Images, options?: { mask?: Float32Array | null }): number;
