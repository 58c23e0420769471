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

/** Preset names (the core's registry: `wg.families` lists them with one-line summaries). */
export type PresetName = 'gan' | 'dcgan' | 'vae' | 'convvae' | 'cgan' | 'cdcgan' | 'acgan' | 'cvae' | 'lenet';

/** Per-net optimizer settings, overriding the shared ones for that net's group. */
export interface OptimizerGroup { lr?: number; beta1?: number; beta2?: number; eps?: number; momentum?: number }

/** A model config: a preset name plus overrides; anything left out comes from the preset. */
export interface ModelConfig {
  model: PresetName;
  height?: number;
  width?: number;
  channels?: 1 | 3;
  /** Latent size of generative models (not for classifiers). */
  latent?: number;
  /** Conditional models and classifiers: number of classes (default 10). */
  classes?: number;
  /** Preset widths: MLP hidden sizes, or conv channel widths (first net's order); lenet: [conv1, conv2, dense1, dense2]. */
  hidden?: number[];
  /** MLP GAN discriminator widths. */
  disc_hidden?: number[];
  generator?: LayerSpec[];
  discriminator?: LayerSpec[];
  encoder?: LayerSpec[];
  decoder?: LayerSpec[];
  classifier?: LayerSpec[];
  /** Per-net overrides by role, e.g. { D: { lr: 1e-4 } }. */
  optimizers?: Record<string, OptimizerGroup>;
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
export interface ClassifierLosses { loss: number; accuracy: number }
/** Losses by the names the model's family gives them (model.lossNames). */
export type Losses = Record<string, number>;

export interface Capabilities {
  /** Generates images from latent noise (sample, decode). */
  sample: boolean;
  /** Encodes images to latents (VAEs). */
  encode: boolean;
  /** Conditioned on a class: needs labelled data, and labels to sample. */
  classes: boolean;
  /** Predicts classes of images. */
  classify: boolean;
  two_domains: boolean;
  translate: boolean;
}

/** What a model is and can do, from the core (model.description). */
export interface ModelDescription {
  family: string;
  preset: PresetName;
  height: number;
  width: number;
  channels: number;
  latent: number;
  classes: number;
  /** Training images are mapped from [0, 1] to this range. */
  image_range: [number, number];
  capabilities: Capabilities;
  /** Role of the net that generates images, or null. */
  generator: string | null;
  /** Models that translate: the role of the net each direction runs ({ ab: 'G_AB', ba: 'G_BA' }), else null. */
  translators: { ab: string; ba: string } | null;
  nets: { role: string; key: string; params: number; minimises: string; input: [number, number, number]; layers: { output: [number, number, number]; params: number }[] }[];
  losses: { name: string; group: string }[];
  /** Names of what evaluate() returns ([] when the family has no evaluation). */
  eval: string[];
}

/** A family and its presets, from the core's registry (wg.families). */
export interface FamilyInfo {
  name: string;
  roles: { role: string; key: string }[];
  losses: { name: string; group: string }[];
  capabilities: Capabilities;
  presets: { name: PresetName; summary: string; latent: number; lr: number }[];
}

/** Class labels: one per image, or one number for all. */
export type Labels = number | ArrayLike<number>;

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
  losses: Losses;
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
  /** Instead of chunkSteps: size chunks by measured speed to take about this many ms each. */
  chunkMs?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Called when the divergence guard skipped steps or rolled back during a chunk. */
  onGuard?: (guard: Guard) => void;
  /** Continue on data other than the model was trained on (the data order starts afresh). */
  allowNewData?: boolean;
  /** Two-domain models (capabilities.two_domains, e.g. CycleGAN): the second domain (B); `dataset` is A. */
  datasetB?: Dataset;
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
  /** @deprecated the family name; use `capabilities` (or `family`). */
  readonly kind: string;
  /** Family ('gan', 'vae', 'cgan', 'cdcgan', 'cvae', 'classifier', ...) and preset of the model. */
  readonly family: string;
  readonly preset: PresetName;
  readonly description: ModelDescription;
  readonly capabilities: Capabilities;
  /** Roles of the nets ('G', 'D'; 'encoder', 'decoder'; 'classifier'). */
  readonly roles: string[];
  readonly lossNames: string[];
  /** Loss names grouped for charts, e.g. { loss: ['d_loss', 'g_loss'], 'D output': ['d_real', 'd_fake'] }. */
  readonly lossGroups: Record<string, string[]>;
  /** The complete, expanded config (travels inside checkpoints). */
  readonly config: ModelConfig & Required<Pick<ModelConfig, 'height' | 'width' | 'channels' | 'seed'>>;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Latent size (0 for classifiers). */
  readonly latent: number;
  /** Number of classes (0 for unconditional models). */
  readonly classes: number;
  readonly imageSize: number;
  /** Parameter count of each net, in role order. */
  readonly parameterCounts: number[];
  readonly step: number;
  readonly epoch: number;
  readonly arenaPeakBytes: number;
  readonly losses: Losses;
  readonly guard: Guard;
  /** "name:length" of the data the model trains on; "" before training. */
  readonly datasetId: string;
  trainSteps(dataset: Dataset, steps: number, batch?: number, options?: { allowNewData?: boolean; datasetB?: Dataset }): void;
  train(dataset: Dataset, options?: TrainOptions): Promise<Progress>;
  /** Conditional models need labels; truncation > 0 redraws latent values beyond it. */
  sample(n: number, options?: { seed?: number; labels?: Labels; truncation?: number }): Images;
  /** Images from latent vectors (n * latent values); classWeights (n * classes) mixes classes. */
  decode(z: Float32Array, options?: { labels?: Labels; classWeights?: Float32Array }): Images;
  /** Models that encode (VAEs); conditional ones need labels. */
  encode(images: Float32Array, options?: { labels?: Labels }): { mu: Float32Array; logvar: Float32Array };
  /** Classifiers: class probabilities (n * classes) and the most likely class of each image. */
  classify(images: Float32Array): { probs: Float32Array; labels: Int32Array };
  /** Models that translate (capabilities.translate, CycleGAN): images of domain A ('ab', the default) or B ('ba') in [0, 1] -> the other domain. */
  translate(images: Float32Array, options?: { direction?: 'ab' | 'ba' }): Images;
  /** VAEs { loss, recon, kl } (mean per image); classifiers { loss, accuracy }; over the first `limit` images (all when 0). */
  evaluate(dataset: Dataset, options?: { limit?: number }): Record<string, number>;
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
  /** Every model family and its presets (the core's registry). */
  families: FamilyInfo[];
  createModel(config: ModelConfig): Model;
  loadModel(bytes: Uint8Array | ArrayBuffer): Model;
  /** Built-in data, or the images of one class of it ('mnist:3', 'fashion:7': a CycleGAN domain). */
  loadDataset(name: 'mnist' | 'fashion' | `mnist:${number}` | `fashion:${number}`, options?: { split?: 'train' | 'test'; dir?: string; baseUrl?: string | URL }): Promise<Dataset>;
  loadIdxDataset(images: Uint8Array | ArrayBuffer, labels?: Uint8Array | ArrayBuffer | null, name?: string): Promise<Dataset>;
  /** Own PNG/JPEG/BMP/GIF files, centre-cropped and resized in wasm; unusable files are skipped. */
  loadImageFiles(files: Iterable<Blob & { name?: string } | { name: string; bytes: Uint8Array | ArrayBuffer }>,
    options?: { size?: number; channels?: 1 | 3; name?: string; onProgress?: (p: { done: number; total: number }) => void }):
    Promise<{ dataset: Dataset; skipped: SkippedFile[] }>;
  /**
   * Sample quality of a model (n samples drawn with seed; conditional models get classes 0, 1, …
   * in turn) or of images against a reference. Refuses models that do not generate images
   * (classifiers: their measure is model.evaluate(testSet)). Comparable only at equal judge,
   * reference and n; the result says which it used.
   */
  evaluate(modelOrImages: Model | Images | Dataset, options?: EvaluateOptions): Promise<Evaluation>;
  heapBytes(): number;
}

/** The shipped references: a real split's judge statistics (data/reference-*.safetensors.gz). */
export type ReferenceName = 'mnist-test' | 'mnist-train' | 'fashion-test' | 'fashion-train';
export type MetricName = 'fid' | 'kid' | 'precisionRecall' | 'inceptionScore' | 'classes' | 'accuracy' | 'reconstruction' | 'translation';
export const METRICS: MetricName[];
export const REFERENCES: Record<ReferenceName, { judge: 'mnist' | 'fashion'; dataset: 'mnist' | 'fashion'; split: 'train' | 'test' }>;
/** Real images whose judge features a shipped reference keeps for KID and precision/recall: 1000. */
export const REFERENCE_ROWS: number;
/** The fixed defaults: n 2000, seed 0, against 'mnist-test', k 3, KID 100 subsets of 1000. */
export const EVAL_DEFAULTS: { n: number; seed: number; against: ReferenceName; k: number; kidSubsets: number; kidSubsetSize: number };
export interface EvaluateOptions {
  /** A shipped reference (default: the test split of the model's own dataset, else mnist-test), or real images. */
  against?: ReferenceName | Dataset | Images;
  /** Which judge reads the images (default: the reference's; for own real images 'mnist'). */
  judge?: 'mnist' | 'fashion';
  /** Default: every metric that applies to the subject. */
  metrics?: MetricName[];
  /** Samples drawn from a model (default 2000); for images, how many of them (default all); for a
   *  model that translates, test images per domain (default min(1000, both domains' sizes)). */
  n?: number;
  seed?: number;
  /** Models that translate: the two domains' test images (default: the test splits of the built-in
   *  domains in model.datasetId, e.g. fashion:7 and fashion:9). */
  domainA?: Dataset | Images;
  domainB?: Dataset | Images;
  /** Where the built-in datasets' files are (loadDataset's baseUrl), for the default domains in a page. */
  baseUrls?: { mnist?: string | URL; fashion?: string | URL };
  onStage?: (text: string) => void;
}
/** One direction of a translation evaluation. */
export interface TranslationScores {
  /** Share of the translations the judge names as the target domain's class; null unless the target
   *  is one class of the judge's dataset (e.g. fashion:9 with the fashion judge); notes say why. */
  targetClassRate: number | null;
  /** PSNR in dB (pixels in [0, 1], peak 1) of the way there and back against the source images; Infinity if exact (null in JSON). */
  cyclePsnr: number;
  /** FID of the translations against the target domain's first n real images (judge features; biased upward at small n). */
  fid: number;
}
export interface Evaluation {
  judge: { name: 'mnist' | 'fashion'; fingerprint: string; features: number; classes: number };
  /** The reference: its name, whether shipped, images in the split, feature rows kept for KID and
   *  precision/recall. Absent for a model that translates (measured on its domains). */
  against?: { name: string; shipped: boolean; images: number; featureRows: number };
  n: number;
  /** Absent for a model that translates (nothing is drawn at random). */
  seed?: number;
  /** What was converted (e.g. RGB or odd-sized images fitted to the judge's 28x28 grey) or not measured, and why. */
  notes: string[];
  model?: string;
  step?: number;
  fid?: number;
  kid?: { mean: number; std: number; subsets: number; subsetSize: number };
  precision?: number;
  recall?: number;
  k?: number;
  inceptionScore?: number;
  /** Judge's argmax histogram; covered = classes holding at least threshold samples (half a uniform class's due). */
  classes?: { counts: number[]; covered: number; classes: number; threshold: number };
  /** Conditional models: share of samples judged as the class asked for, overall and per class. */
  accuracy?: { accuracy: number; perClass: number[] };
  /** Models that encode: their evaluation (loss, recon, kl per image) on the first n real images, and MSE/PSNR of decode(mu). */
  reconstruction?: { images: number; loss: number; recon: number; kl: number; mse: number; psnr: number };
  /** Models that translate: the domains measured on (class: their one class, or null). */
  domains?: { a: { name: string; images: number; class: number | null }; b: { name: string; images: number; class: number | null } };
  /** Models that translate: A to B (ab) and B to A (ba) on n test images per domain. */
  translation?: { ab: TranslationScores; ba: TranslationScores; judge: 'mnist' | 'fashion'; n: number };
}

/**
 * Where the wasm core comes from (by default build/wasmgen.wasm of the package, or with more than one
 * thread build/wasmgen-mt.wasm; bundlers copy both) and how many threads it computes with.
 */
export interface InitOptions {
  /** 1..8, default the hardware's thread count capped at 4 (in Node: WASMGEN_THREADS when set; 1 when wasmModule/wasmBytes/wasmUrl is
   *  given without a threaded one). More than 1 loads the threaded build where shared memory is
   *  allowed (Node; cross-origin isolated pages), else falls back to one thread (see Wasmgen.engine).
   *  Results are the same bits for any count. */
  threads?: number;
  /** An already compiled module, e.g. from WebAssembly.compileStreaming or a bundler's wasm import. */
  wasmModule?: WebAssembly.Module;
  wasmBytes?: Uint8Array | ArrayBuffer;
  /** A URL (a string is relative to the page or worker; in Node, a file path). */
  wasmUrl?: string | URL;
  /** The same three for the threaded build (build/wasmgen-mt.wasm). */
  threadedWasmModule?: WebAssembly.Module;
  threadedWasmBytes?: Uint8Array | ArrayBuffer;
  threadedWasmUrl?: string | URL;
  /** A separate instance instead of the shared one. */
  fresh?: boolean;
}

export function init(options?: InitOptions): Promise<Wasmgen>;

export function maybeGunzip(bytes: Uint8Array | ArrayBuffer): Promise<Uint8Array>;
export function toGrid(images: Images, options?: { cols?: number; pad?: number; background?: number }): { width: number; height: number; data: Uint8ClampedArray };
export function encodePng(grid: { width: number; height: number; data: Uint8ClampedArray }): Uint8Array;
export function pixelStats(images: Images): { mean: number; ink: number; contrast: number };
export function datasetImages(dataset: Dataset, options?: { n?: number; indices?: number[] }): Images;
/**
 * A net that makes images as an ONNX model (opset 13). By default the GAN generator / VAE decoder:
 * input `z` float32 [N, latent], output `image` float32 [N, C, H, W] in [0, 1], equal to
 * `model.decode(z).data` (GAN graphs end with 0.5 * (tanh + 1)); for a model that translates, its
 * A-to-B generator. `role` picks another net of onnxRoles(), e.g. 'G_BA': input `source` float32
 * [N, C, H, W] in [0, 1], output equal to `model.translate(source, { direction: 'ba' }).data`;
 * `direction` ('ab' | 'ba') names a translator as translate() does.
 * Batchnorm uses its running statistics; dropout is left out. Throws WasmgenError for a disposed
 * model, a role that does not export, or a layer type without an ONNX export.
 */
export function exportOnnx(model: Model, options?: { role?: string; direction?: 'ab' | 'ba' }): Uint8Array;
/** The nets of a model that export to ONNX, the default first (from model.description). */
export function onnxRoles(description: ModelDescription): { role: string; kind: 'generate' | 'translate'; direction?: 'ab' | 'ba' }[];

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
/** `labels`: the image's class, for conditional VAEs (cvae). */
export function inpaint(model: Model, img: Images, mask: Float32Array, options?: { iterations?: number; labels?: Labels }): Images;
/** Replaces pixels that differ from the VAE's reconstruction by more than threshold (default 0.7), iterations times (default 3). */
export function denoise(model: Model, img: Images, options?: { threshold?: number; iterations?: number; labels?: Labels }): Images;
export function interpolateLatents(z0: Float32Array, z1: Float32Array, steps: number, options?: { spherical?: boolean }): Float32Array;
export function interpolate(model: Model, options: { z0?: Float32Array; z1?: Float32Array; from?: Images; to?: Images; steps?: number; spherical?: boolean; labels?: Labels }): Images;
export function psnr(a: Images, b: Images, options?: { mask?: Float32Array | null }): number;

/** A feature matrix: n rows of dim float32 values (row-major), e.g. a judge network's penultimate layer. */
export interface Features { data: Float32Array; n: number; dim: number }
/** Mean and covariance (divided by n - 1) of a feature set, in float64: what FID compares. */
export interface FeatureStats { n: number; dim: number; mean: Float64Array; cov: Float64Array }
export interface KidResult { mean: number; std: number; subsets: number; subsetSize: number; seed: number }
export interface KidOptions { subsets?: number; subsetSize?: number; seed?: number }
export interface PrecisionRecall { precision: number; recall: number; k: number }
/** Share of a uniform class's due (n / classes) a class needs to count as covered: 0.5. */
export const COVER_SHARE: number;
/** Wraps numbers as a feature matrix (copied to a Float32Array unless it is one); throws unless they form whole rows. */
export function features(data: Float32Array | ArrayLike<number>, dim: number): Features;
/** Mean and covariance of the rows (float64). */
export function featureStats(core: unknown, features: Features): FeatureStats;
/** Streaming mean/covariance: add batches, then finalize(); dispose() frees the wasm memory. */
export interface FeatureStatsAccumulator {
  readonly dim: number;
  /** Samples added so far. */
  readonly n: number;
  /** A feature matrix or a Float32Array of whole rows; returns the accumulator. */
  add(batch: Features | Float32Array): FeatureStatsAccumulator;
  finalize(): FeatureStats;
  dispose(): void;
}
export function createFeatureStats(core: unknown, dim: number): FeatureStatsAccumulator;
/** Fréchet distance; each side statistics or features. Comparable only at equal n, reference and judge. */
export function fid(core: unknown, a: FeatureStats | Features, b: FeatureStats | Features): number;
/** Unbiased MMD² with the kernel (x·y/d + 1)³ over seeded subsets (defaults 100 of min(n, 1000), seed 0). */
export function kid(core: unknown, real: Features, fake: Features, options?: KidOptions): KidResult;
/** Improved precision (fake on the real manifold) and recall (real covered by fakes), k-NN balls (k = 3). */
export function precisionRecall(core: unknown, real: Features, fake: Features, options?: { k?: number }): PrecisionRecall;
/** KID and precision/recall from one computation of the pairwise products. */
export function compareFeatures(core: unknown, real: Features, fake: Features, options?: { kid?: KidOptions; k?: number }): PrecisionRecall & { kid: KidResult };
/** exp(E KL(p(y|x) ‖ p(y))) from rows of class probabilities, or of logits with { logits: true }. */
export function inceptionScore(core: unknown, probs: Features, options?: { logits?: boolean }): number;
/** Argmax histogram; covered = classes with at least coverShare · n / classes samples (threshold). */
export function classHistogram(core: unknown, probs: Features, options?: { coverShare?: number }): {
  counts: Int32Array; fractions: Float64Array; covered: number; classes: number; threshold: number;
};
/** Predicted (argmax) vs intended labels; perClass is NaN for a class without samples. */
export function labelAccuracy(core: unknown, probs: Features, intended: Int32Array | ArrayLike<number>): {
  accuracy: number; perClass: Float64Array; correct: Int32Array; total: Int32Array;
};
