// builtin-url.js — where the built-in MNIST files are, written literally so bundlers (Vite,
// webpack) copy them into a bundle, as with build/wasmgen-url.js. wasm/data.js imports this
// module only when the built-in MNIST is loaded.
//
//   const { MNIST_FILES } = await import('../data/builtin-url.js');
//   MNIST_FILES.train.images   // URL of data/mnist-train-images.idx.gz

export const MNIST_FILES = {
  train: {
    images: new URL('./mnist-train-images.idx.gz', import.meta.url),
    labels: new URL('./mnist-train-labels.idx.gz', import.meta.url),
  },
  test: {
    images: new URL('./mnist-test-images.idx.gz', import.meta.url),
    labels: new URL('./mnist-test-labels.idx.gz', import.meta.url),
  },
};
