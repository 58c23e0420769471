export default {
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['wasmgen'] },
};
