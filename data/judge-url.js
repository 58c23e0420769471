// judge-url.js — where the evaluation judges and their reference statistics are, written literally
// so bundlers (Vite, webpack) copy them into a bundle, as data/builtin-url.js does for MNIST.
// wasm/judges.js imports this module only when an evaluation needs a judge.
//
//   const { JUDGE_FILES, REFERENCE_FILES } = await import('../data/judge-url.js');
//   JUDGE_FILES.mnist                     // URL of data/judge-mnist.safetensors
//   REFERENCE_FILES['fashion-test']       // URL of data/reference-fashion-test.safetensors.gz

export const JUDGE_FILES = {
  mnist: new URL('./judge-mnist.safetensors', import.meta.url),
  fashion: new URL('./judge-fashion.safetensors', import.meta.url),
};

export const REFERENCE_FILES = {
  'mnist-train': new URL('./reference-mnist-train.safetensors.gz', import.meta.url),
  'mnist-test': new URL('./reference-mnist-test.safetensors.gz', import.meta.url),
  'fashion-train': new URL('./reference-fashion-train.safetensors.gz', import.meta.url),
  'fashion-test': new URL('./reference-fashion-test.safetensors.gz', import.meta.url),
};
