"""families.py — what one training step means per wasmgen model family, in PyTorch.

One table, FAMILIES, mirrors the core's registry (src/registry.c, src/family_*.c): each Family
names its nets (role = parameter prefix and optimizer group, key = config member), its presets,
optimizer defaults, the image range training data is mapped to, each net's input shape, the
objective (losses and one gradient per net) and, where it has them, generate/encode/classify.

To add a family (e.g. a CycleGAN being added to the core): write its objective and input shapes
here, add one Family(...) to FAMILIES, and the loader, trainer, writer and exporter pick it up.
A two-domain family also needs the batch's second image set: give step() an `x_b` argument and
have train.py draw it from a second dataset, as the core's wg_batch carries x_b.

The objectives follow the C code, not a paper: GANs use the non-saturating loss with D's loss
(BCE(D(x),1) + BCE(D(G(z)),0)) / 2 over the same fake batch, both gradients taken before either
update; VAEs minimise the per-image sum of pixel BCE plus KL, batch mean; classifiers mean
softmax cross-entropy. Conditional families join the class as a one-hot row (G's and the
encoder's/decoder's inputs, cgan's D) or as constant label planes beside the image (cdcgan's D).
"""

import torch
import torch.nn.functional as F

from .errors import WasmgenTorchError


def one_hot(labels, classes):
    return F.one_hot(labels.long(), classes).to(torch.float32)


def join_rows(x, cond):
    return x if cond is None else torch.cat([x.reshape(x.shape[0], -1), cond], dim=1)


def join_planes(x, cond, channels, height, width):
    """(B, C*H*W) images and (B, K) class weights -> (B, (C+K)*H*W) rows with constant planes."""
    b, k = x.shape[0], cond.shape[1]
    planes = cond[:, :, None, None].expand(b, k, height, width)
    return torch.cat([x.reshape(b, channels, height, width), planes], dim=1).reshape(b, -1)


def _grads(loss, params, retain=False):
    gs = torch.autograd.grad(loss, params, retain_graph=retain, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, gs)]


# ---- GAN-like: gan, cgan, cdcgan, acgan ---------------------------------------------------------

def _gan_d_join(m, x, cond, join):
    if join == "flat":
        return join_rows(x, cond)
    if join == "planes":
        return join_planes(x, cond, m.channels, m.height, m.width)
    return x


def gan_objective(m, x, labels, draw, join=None):
    G, D = m.nets
    b = x.shape[0]
    cond = one_hot(labels, m.classes) if join else None
    z = draw((b, m.latent))
    fake = G(join_rows(z, cond))
    logits_fake = D(_gan_d_join(m, fake, cond, join)).reshape(-1)
    ones, zeros = torch.ones_like(logits_fake), torch.zeros_like(logits_fake)
    g_loss = F.binary_cross_entropy_with_logits(logits_fake, ones)
    d_fake = F.binary_cross_entropy_with_logits(logits_fake, zeros)
    logits_real = D(_gan_d_join(m, x, cond, join)).reshape(-1)
    d_real = F.binary_cross_entropy_with_logits(logits_real, ones)
    d_loss = 0.5 * (d_real + d_fake)
    g_grads = _grads(g_loss, list(G.parameters()), retain=True)
    d_grads = _grads(d_loss, list(D.parameters()))
    losses = {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
              "d_real": torch.sigmoid(logits_real).mean().item(),
              "d_fake": torch.sigmoid(logits_fake).mean().item()}
    return losses, [g_grads, d_grads]


def acgan_objective(m, x, labels, draw, join=None):
    """AC-GAN (src/family_acgan.c): D sees the image alone and outputs 1 + K logits, real/fake
    then one per class; both nets also train D's class head on the class asked for."""
    G, D = m.nets
    b = x.shape[0]
    labels = labels.long()
    z = draw((b, m.latent))
    fake = G(join_rows(z, one_hot(labels, m.classes)))
    out_fake = D(fake).reshape(b, -1)
    adv_fake, cls_fake = out_fake[:, 0], out_fake[:, 1:]
    ones, zeros = torch.ones_like(adv_fake), torch.zeros_like(adv_fake)
    g_loss = F.binary_cross_entropy_with_logits(adv_fake, ones) + F.cross_entropy(cls_fake, labels)
    d_fake = F.binary_cross_entropy_with_logits(adv_fake, zeros)
    c_fake = F.cross_entropy(cls_fake, labels)
    out_real = D(x.reshape(b, -1)).reshape(b, -1)
    adv_real, cls_real = out_real[:, 0], out_real[:, 1:]
    d_real = F.binary_cross_entropy_with_logits(adv_real, ones)
    c_real = F.cross_entropy(cls_real, labels)
    d_loss = 0.5 * (d_real + d_fake) + 0.5 * (c_real + c_fake)
    g_grads = _grads(g_loss, list(G.parameters()), retain=True)
    d_grads = _grads(d_loss, list(D.parameters()))
    losses = {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
              "d_real": torch.sigmoid(adv_real).mean().item(),
              "d_fake": torch.sigmoid(adv_fake).mean().item(),
              "class_real": c_real.item(), "class_fake": c_fake.item()}
    return losses, [g_grads, d_grads]


def gan_generate(m, z, cond):
    return m.from_range(m.nets[0](join_rows(z, cond)))


# ---- VAE-like: vae, cvae ---------------------------------------------------------------------

def vae_objective(m, x, labels, draw, join=None):
    E, Dec = m.nets
    b, L = x.shape[0], m.latent
    cond = one_hot(labels, m.classes) if join else None
    eps = draw((b, L))
    h = E(join_rows(x, cond))
    mu, logvar = h[:, :L], h[:, L:]
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = Dec(join_rows(z, cond), upto=len(Dec) - 1)   # the final sigmoid is inside the loss
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / b
    kl = (-0.5 * (1 + logvar - mu * mu - torch.exp(logvar))).sum() / b
    loss = recon + kl
    params_e, params_d = list(E.parameters()), list(Dec.parameters())
    grads = _grads(loss, params_e + params_d)
    losses = {"loss": loss.item(), "recon": recon.item(), "kl": kl.item()}
    return losses, [grads[:len(params_e)], grads[len(params_e):]]


def vae_generate(m, z, cond):
    return m.from_range(m.nets[1](join_rows(z, cond)))


def vae_encode(m, images, cond):
    h = m.nets[0](join_rows(m.to_range(images), cond))
    return h[:, :m.latent], h[:, m.latent:]


# ---- classifier ------------------------------------------------------------------------------

def classifier_objective(m, x, labels, draw, join=None):
    C = m.nets[0]
    logits = C(x)
    loss = F.cross_entropy(logits, labels.long())
    accuracy = (logits.argmax(dim=1) == labels.long()).float().mean()
    return {"loss": loss.item(), "accuracy": accuracy.item()}, [_grads(loss, list(C.parameters()))]


def classifier_classify(m, images):
    return torch.softmax(m.nets[0](m.to_range(images)), dim=1)


# ---- the table -------------------------------------------------------------------------------

class Family:
    def __init__(self, name, presets, roles, lr, beta1, image_scale, image_shift, net_input, objective,
                 join=None, conditional=False, generate=None, encode=None, classify=None, generator=None):
        self.name, self.presets, self.roles = name, presets, roles
        self.lr, self.beta1 = lr, beta1
        self.image_scale, self.image_shift = image_scale, image_shift
        self.net_input, self.objective, self.join = net_input, objective, join
        self.conditional = conditional
        self.generate, self.encode, self.classify = generate, encode, classify
        self.generator = generator   # index of the net generate() runs, or None

    def step(self, m, x, labels, draw):
        """Losses {name: float} and one list of parameter gradients per net for a batch: x (B, C*H*W)
        in the family's range, labels (B,) or None; draw(shape) gives standard normal noise."""
        return self.objective(m, x, labels, draw, self.join)


def _img(m):
    return (m.channels, m.height, m.width)


def _pixels(m):
    return m.channels * m.height * m.width


GAN_ROLES = [("G", "generator"), ("D", "discriminator")]
VAE_ROLES = [("encoder", "encoder"), ("decoder", "decoder")]
GAN_OPT = dict(lr=2e-4, beta1=0.5, image_scale=2.0, image_shift=-1.0)
VAE_OPT = dict(lr=1e-3, beta1=0.9, image_scale=1.0, image_shift=0.0)

FAMILIES = [
    Family("gan", ["gan", "dcgan"], GAN_ROLES, **GAN_OPT,
           net_input=lambda m, k: (m.latent, 1, 1) if k == 0 else _img(m),
           objective=gan_objective, generate=gan_generate, generator=0),
    Family("cgan", ["cgan"], GAN_ROLES, **GAN_OPT,
           net_input=lambda m, k: ((m.latent if k == 0 else _pixels(m)) + m.classes, 1, 1),
           objective=gan_objective, join="flat", conditional=True, generate=gan_generate, generator=0),
    Family("cdcgan", ["cdcgan"], GAN_ROLES, **GAN_OPT,
           net_input=lambda m, k: (m.latent + m.classes, 1, 1) if k == 0 else (m.channels + m.classes, m.height, m.width),
           objective=gan_objective, join="planes", conditional=True, generate=gan_generate, generator=0),
    Family("acgan", ["acgan"], GAN_ROLES, **GAN_OPT,
           net_input=lambda m, k: (m.latent + m.classes, 1, 1) if k == 0 else (_pixels(m), 1, 1),
           objective=acgan_objective, conditional=True, generate=gan_generate, generator=0),
    Family("vae", ["vae", "convvae"], VAE_ROLES, **VAE_OPT,
           net_input=lambda m, k: _img(m) if k == 0 else (m.latent, 1, 1),
           objective=vae_objective, generate=vae_generate, encode=vae_encode, generator=1),
    Family("cvae", ["cvae"], VAE_ROLES, **VAE_OPT,
           net_input=lambda m, k: ((_pixels(m) if k == 0 else m.latent) + m.classes, 1, 1),
           objective=vae_objective, join="flat", conditional=True, generate=vae_generate,
           encode=vae_encode, generator=1),
    Family("classifier", ["lenet"], [("classifier", "classifier")], lr=1e-3, beta1=0.9,
           image_scale=2.0, image_shift=-1.0, net_input=lambda m, k: _img(m),
           objective=classifier_objective, conditional=True, classify=classifier_classify),
]


def family_of(preset):
    """The Family whose presets include `preset` (a config's "model"); a clear error otherwise."""
    for f in FAMILIES:
        if preset in f.presets:
            return f
    known = ", ".join(p for f in FAMILIES for p in f.presets)
    raise WasmgenTorchError(f"model {preset!r} is not supported by wasmgen_torch (it supports {known})")
