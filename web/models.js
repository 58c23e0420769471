// models.js — the models the page offers, as data: adding a preset of the core is one entry.
//
// `model` is config.model; `defaults` fill the settings form (lr and latent are the core's preset
// values; batch and length are chosen so that Start alone gives good MNIST results in minutes).
// `kind` picks the loss chart: the core's models are GANs or VAEs.

export const MODELS = [
  { model: 'gan', kind: 'gan', label: 'MLP GAN', about: 'Generator 100→256→512→1024→pixels against an MLP discriminator. Digits take shape after ~10 epochs.', defaults: { latent: 100, lr: 2e-4, batch: 64, length: 20, unit: 'epochs' } },
  { model: 'vae', kind: 'vae', label: 'MLP VAE', about: 'Encoder pixels→400→latent, decoder back. Recognisable digits after one epoch; blurrier than a GAN.', defaults: { latent: 20, lr: 1e-3, batch: 64, length: 10, unit: 'epochs' } },
  { model: 'dcgan', kind: 'gan', label: 'DCGAN (conv)', about: 'Transposed-conv generator and conv discriminator (28, 32 or 64 px). Sharper, but several times slower per step.', defaults: { latent: 100, lr: 2e-4, batch: 16, length: 600, unit: 'steps' } },
  { model: 'convvae', kind: 'vae', label: 'Conv VAE', about: 'Two strided convs down, transposed convs up, 16-d latent. Slower than the MLP VAE per step, fewer parameters.', defaults: { latent: 16, lr: 1e-3, batch: 64, length: 3, unit: 'epochs' } },
];

/** Loss chart series per kind: name in model.losses, label, and which y scale (axis) it uses. */
export const LOSS_SERIES = {
  gan: [
    { name: 'd_loss', label: 'discriminator', scale: 'loss', color: '#e8590c' },
    { name: 'g_loss', label: 'generator', scale: 'loss', color: '#1c7ed6' },
  ],
  vae: [
    { name: 'recon', label: 'reconstruction (BCE)', scale: 'recon', color: '#1c7ed6' },
    { name: 'kl', label: 'KL divergence', scale: 'kl', color: '#e8590c' },
  ],
};

/** Short names for every loss the core reports, for the live readout. */
export const LOSS_LABELS = { d_loss: 'D loss', g_loss: 'G loss', d_real: 'D(x)', d_fake: 'D(G(z))', loss: 'loss', recon: 'recon', kl: 'KL' };

/** Image sizes offered for people's own images; the conv presets support these three. */
export const IMAGE_SIZES = [28, 32, 64];
