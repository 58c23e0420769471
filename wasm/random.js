// random.js — a small seeded generator for draws outside training (latent pairs to interpolate
// between, noise for the denoising demo) in the page, the CLI and tools: mulberry32 for uniforms,
// Box-Muller for normals. Training and sampling draw from the core's PCG32 streams instead.
//
//   const u = uniforms(7);  u();            // numbers in (0, 1), the same sequence for seed 7
//   gaussian(7, 100)                        // Float32Array of 100 N(0, 1) draws

export function uniforms(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

export function gaussian(seed, n) {
  const uniform = uniforms(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}
