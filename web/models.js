// models.js — how the page presents the core's model presets. The list of models itself is the
// core's registry (trainer.init() → families); this file only adds friendly labels, a sentence each
// and training lengths that give good MNIST results in minutes. A preset missing here still
// appears, with its registry summary and defaults derived from its capabilities. DOMAIN_CHOICES
// lists the built-in class subsets a two-domain model (CycleGAN) can translate between.
//
//   const entries = modelEntries(families);   // [{ model, family, label, about, capabilities, defaults }]
//   lossSeries(model.lossGroups);             // the loss chart's lines, one y axis per group

/** Presentation by preset name: label, about, batch and training length (lr and latent come from the registry). */
const PRESENTATION = {
  gan: { label: 'MLP GAN', about: 'Generator 100→256→512→1024→pixels against an MLP discriminator. Digits take shape after ~10 epochs.', batch: 64, length: 20, unit: 'epochs' },
  vae: { label: 'MLP VAE', about: 'Encoder pixels→400→latent, decoder back. Recognisable digits after one epoch; blurrier than a GAN.', batch: 64, length: 10, unit: 'epochs' },
  dcgan: { label: 'DCGAN (conv)', about: 'Transposed-conv generator and conv discriminator (28, 32 or 64 px). Sharper, but several times slower per step.', batch: 16, length: 600, unit: 'steps' },
  convvae: { label: 'Conv VAE', about: 'Two strided convs down, transposed convs up, 16-d latent. Slower than the MLP VAE per step, fewer parameters.', batch: 64, length: 3, unit: 'epochs' },
  cgan: { label: 'Conditional GAN', about: 'The MLP GAN with the class joined to z and to the discriminator\'s input: choose which digit it draws. Needs labelled data (MNIST, Fashion-MNIST).', batch: 64, length: 20, unit: 'epochs' },
  cdcgan: { label: 'Conditional DCGAN', about: 'DCGAN with the class at the generator\'s input and as label planes on the discriminator\'s. Needs labelled data.', batch: 16, length: 600, unit: 'steps' },
  acgan: { label: 'AC-GAN (conditional)', about: 'The MLP GAN with the class at the generator\'s input and a discriminator that also names the class: draws the digit you ask for after a few hundred steps. Needs labelled data.', batch: 64, length: 10, unit: 'epochs' },
  cvae: { label: 'Conditional VAE', about: 'The MLP VAE with the class joined to the encoder input and to the latent: the latent holds style, the class picks the digit. Needs labelled data.', batch: 64, length: 10, unit: 'epochs' },
  cyclegan: { label: 'CycleGAN (translate A ↔ B)', about: 'Two ResNet generators (A→B, B→A) and two PatchGAN discriminators learn to translate between two sets of images without pairs, e.g. sneakers ↔ ankle boots. Pick domain A and domain B in Data. Sneakers look like boots after about 60 steps of 4.', batch: 4, length: 300, unit: 'steps' },
  cyclegan_upsample: { label: 'CycleGAN, upsample + conv', about: 'CycleGAN whose generators enlarge with nearest 2× + 3×3 conv instead of transposed convs: no checkerboard artefacts, about 30% more work per step. Pick domain A and domain B in Data.', batch: 4, length: 300, unit: 'steps' },
  lenet: { label: 'LeNet classifier', about: 'Two convs and three dense layers that name the class of an image (≥ 98% on MNIST). Makes no images: the page shows its test accuracy and predictions. Needs labelled data.', batch: 64, length: 3, unit: 'epochs' },
};

/** Every preset of the registry as the settings form offers it, in registry order. */
export function modelEntries(families) {
  return families.flatMap((family) => family.presets.map((preset) => {
    const shown = PRESENTATION[preset.name] ?? { label: preset.name, about: `${preset.summary}.`, batch: 64, length: 1000, unit: 'steps' };
    return {
      model: preset.name, family: family.name, capabilities: family.capabilities,
      label: shown.label, about: shown.about,
      defaults: { latent: preset.latent, lr: preset.lr, batch: shown.batch, length: shown.length, unit: shown.unit },
    };
  }));
}

/** Short names for the losses the core reports, for the live readout and the chart legend. */
export const LOSS_LABELS = { d_loss: 'D loss', g_loss: 'G loss', d_real: 'D(x)', d_fake: 'D(G(z))', class_real: 'class CE (real)', class_fake: 'class CE (fake)', loss: 'loss', recon: 'recon', kl: 'KL', accuracy: 'accuracy',
  d_a: 'D_A loss', d_b: 'D_B loss', gan_ab: 'GAN A→B', gan_ba: 'GAN B→A', cycle_a: 'cycle A', cycle_b: 'cycle B', idt_a: 'identity A', idt_b: 'identity B' };
// Distinct colours for up to 10 lines (a CycleGAN reports 9 losses).
const COLORS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f59f00', '#0c8599', '#c2255c', '#5c940d', '#495057', '#7048e8'];

/** Loss chart series from a model's lossGroups ({ group: [names] }): one y axis (scale) per group. */
export function lossSeries(lossGroups) {
  return Object.entries(lossGroups).flatMap(([group, names]) => names.map((name) => ({ name, label: LOSS_LABELS[name] ?? name, scale: group })))
    .map((s, i) => ({ ...s, color: COLORS[i % COLORS.length] }));
}

/** Image sizes offered for people's own images; the conv presets support these three. */
export const IMAGE_SIZES = [28, 32, 64];

/** Fashion-MNIST's class names, by label. */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/**
 * The built-in class subsets offered as a domain of a two-domain model: { value, label, group }
 * (value is a dataset name the worker loads, e.g. 'fashion:7'), plus 'files' for own images.
 */
export function domainChoices({ fashion }) {
  const digits = Array.from({ length: 10 }, (_, k) => ({ value: `mnist:${k}`, label: `digit ${k}`, group: 'MNIST' }));
  const clothes = fashion ? FASHION_CLASSES.map((name, k) => ({ value: `fashion:${k}`, label: name, group: 'Fashion-MNIST' })) : [];
  return [...clothes, ...digits, { value: 'files', label: 'your images (files or a folder)', group: 'Your images' }];
}

/** How a domain's data is named in messages and saved runs: "Fashion-MNIST Sneaker", "MNIST digit 3", "your images". */
export function domainLabel(name) {
  const sub = /^(mnist|fashion):(\d)$/.exec(name ?? '');
  if (!sub) return name === 'fashion' ? 'Fashion-MNIST' : name === 'mnist' ? 'MNIST' : 'your images';
  return sub[1] === 'fashion' ? `Fashion-MNIST ${FASHION_CLASSES[Number(sub[2])]}` : `MNIST digit ${sub[2]}`;
}
