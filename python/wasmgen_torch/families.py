"""families.py — what one training step means per wasmgen model family, in PyTorch.

One table, FAMILIES, mirrors the core's registry (src/registry.c, src/family_*.c): each Family
names its nets (role = parameter prefix and optimizer group, key = config member), its presets,
optimizer defaults, the image range training data is mapped to, each net's input shape, the
objective and, where it has them, generate/encode/classify/translate and a learning-rate schedule.

To add a family: write its objective and input shapes here, add one Family(...) to FAMILIES, and
the loader, trainer, writer and exporter pick it up.

An objective runs one step's forward passes through `nets` (the modules in role order, or their
DistributedDataParallel wrappers) and calls backward so that each net's .grad holds the gradient
of that net's own loss, as the core takes them: all gradients before any update, fakes detached
where the core detaches them. A GAN's D(fake) is run once and serves both losses, so G's loss is
back-propagated into G's parameters only and D's loss into D's only (backward(inputs=...)); under
DDP each net's reducer then all-reduces exactly its own gradients, once per step.

The objectives follow the C code, not a paper: GANs use the non-saturating loss with D's loss
(BCE(D(x),1) + BCE(D(G(z)),0)) / 2 over the same fake batch; VAEs minimise the per-image sum of
pixel BCE plus KL, batch mean; classifiers mean softmax cross-entropy; CycleGAN is LSGAN + cycle
L1 x lambda + identity L1 x lambda x lambda_identity with 50-image pools of fakes for the
discriminators (src/family_cyclegan.c). Conditional families join the class as a one-hot row (G's
and the encoder's/decoder's inputs, cgan's D) or as constant label planes beside the image
(cdcgan's D).

    losses = model.family.step(model, Batch(x, labels), draw)   # .grad of every parameter is set
    for opt in optimizers: opt.step()
"""

import torch
import torch.nn.functional as F

from .errors import WasmgenTorchError


class Batch:
    """One step's data in the family's range: x (B, C*H*W), labels (B,) or None, and for two-domain
    families x_b (B, C*H*W), the second domain's images."""
    def __init__(self, x, labels=None, x_b=None):
        self.x, self.labels, self.x_b = x, labels, x_b


def one_hot(labels, classes):
    return F.one_hot(labels.long(), classes).to(torch.float32)


def join_rows(x, cond):
    return x if cond is None else torch.cat([x.reshape(x.shape[0], -1), cond], dim=1)


def join_planes(x, cond, channels, height, width):
    """(B, C*H*W) images and (B, K) class weights -> (B, (C+K)*H*W) rows with constant planes."""
    b, k = x.shape[0], cond.shape[1]
    planes = cond[:, :, None, None].expand(b, k, height, width)
    return torch.cat([x.reshape(b, channels, height, width), planes], dim=1).reshape(b, -1)


def _backward(loss, module, retain=False):
    """d loss / d (module's parameters) into their .grad, and nowhere else."""
    torch.autograd.backward(loss, inputs=list(module.parameters()), retain_graph=retain)


# ---- GAN-like: gan, cgan, cdcgan, acgan ---------------------------------------------------------

def _gan_d_join(m, x, cond, join):
    if join == "flat":
        return join_rows(x, cond)
    if join == "planes":
        return join_planes(x, cond, m.channels, m.height, m.width)
    return x


def gan_objective(m, nets, batch, draw, join=None):
    G, D = nets
    x, b = batch.x, batch.x.shape[0]
    cond = one_hot(batch.labels, m.classes) if join else None
    z = draw((b, m.latent))
    fake = G(join_rows(z, cond))
    logits_fake = D(_gan_d_join(m, fake, cond, join)).reshape(-1)
    ones, zeros = torch.ones_like(logits_fake), torch.zeros_like(logits_fake)
    g_loss = F.binary_cross_entropy_with_logits(logits_fake, ones)
    d_fake = F.binary_cross_entropy_with_logits(logits_fake, zeros)
    logits_real = D(_gan_d_join(m, x, cond, join)).reshape(-1)
    d_real = F.binary_cross_entropy_with_logits(logits_real, ones)
    d_loss = 0.5 * (d_real + d_fake)
    _backward(g_loss, m.nets[0], retain=True)
    _backward(d_loss, m.nets[1])
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
            "d_real": torch.sigmoid(logits_real).mean().item(),
            "d_fake": torch.sigmoid(logits_fake).mean().item()}


def acgan_objective(m, nets, batch, draw, join=None):
    """AC-GAN (src/family_acgan.c): D sees the image alone and outputs 1 + K logits, real/fake
    then one per class; both nets also train D's class head on the class asked for."""
    G, D = nets
    b = batch.x.shape[0]
    labels = batch.labels.long()
    z = draw((b, m.latent))
    fake = G(join_rows(z, one_hot(labels, m.classes)))
    out_fake = D(fake).reshape(b, -1)
    adv_fake, cls_fake = out_fake[:, 0], out_fake[:, 1:]
    ones, zeros = torch.ones_like(adv_fake), torch.zeros_like(adv_fake)
    g_loss = F.binary_cross_entropy_with_logits(adv_fake, ones) + F.cross_entropy(cls_fake, labels)
    d_fake = F.binary_cross_entropy_with_logits(adv_fake, zeros)
    c_fake = F.cross_entropy(cls_fake, labels)
    out_real = D(batch.x.reshape(b, -1)).reshape(b, -1)
    adv_real, cls_real = out_real[:, 0], out_real[:, 1:]
    d_real = F.binary_cross_entropy_with_logits(adv_real, ones)
    c_real = F.cross_entropy(cls_real, labels)
    d_loss = 0.5 * (d_real + d_fake) + 0.5 * (c_real + c_fake)
    _backward(g_loss, m.nets[0], retain=True)
    _backward(d_loss, m.nets[1])
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
            "d_real": torch.sigmoid(adv_real).mean().item(),
            "d_fake": torch.sigmoid(adv_fake).mean().item(),
            "class_real": c_real.item(), "class_fake": c_fake.item()}


def gan_generate(m, z, cond):
    return m.from_range(m.nets[0](join_rows(z, cond)))


# ---- VAE-like: vae, cvae ---------------------------------------------------------------------

def vae_objective(m, nets, batch, draw, join=None):
    E, Dec = nets
    x, b, L = batch.x, batch.x.shape[0], m.latent
    cond = one_hot(batch.labels, m.classes) if join else None
    eps = draw((b, L))
    h = E(join_rows(x, cond))
    mu, logvar = h[:, :L], h[:, L:]
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = Dec(join_rows(z, cond), upto=len(m.nets[1]) - 1)   # the final sigmoid is inside the loss
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / b
    kl = (-0.5 * (1 + logvar - mu * mu - torch.exp(logvar))).sum() / b
    loss = recon + kl
    loss.backward()
    return {"loss": loss.item(), "recon": recon.item(), "kl": kl.item()}


def vae_generate(m, z, cond):
    return m.from_range(m.nets[1](join_rows(z, cond)))


def vae_encode(m, images, cond):
    h = m.nets[0](join_rows(m.to_range(images), cond))
    return h[:, :m.latent], h[:, m.latent:]


# ---- classifier ------------------------------------------------------------------------------

def classifier_objective(m, nets, batch, draw, join=None):
    logits = nets[0](batch.x)
    labels = batch.labels.long()
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    accuracy = (logits.argmax(dim=1) == labels).float().mean()
    return {"loss": loss.item(), "accuracy": accuracy.item()}


def classifier_classify(m, images):
    return torch.softmax(m.nets[0](m.to_range(images)), dim=1)


# ---- CycleGAN: cyclegan, cyclegan_upsample ---------------------------------------------------

class ImagePools:
    """The two 50-image histories of generated images (index 0: fakes of domain A, D_A's; 1: B's),
    with the core's rule (src/family_cyclegan.c cg_pool_query): while a pool fills, a fake goes in
    and is used; once full, with probability 1/2 a random stored image is used in its place and
    the fake takes its slot. Choices come from `generator` (a torch.Generator), not the core's
    stream, so the same pool contents give other choices than in wasmgen; `uniform()` (a float in
    [0, 1)) and `below(n)` are the two draws, replaceable by the core's stream (the tests do so)."""

    def __init__(self, size, image_size, pools=None, counts=(0, 0), generator=None):
        self.size = int(size)
        self.images = [torch.zeros(self.size, image_size) if pools is None else pools[k].reshape(self.size, image_size).clone()
                       for k in range(2)]
        self.counts = [int(c) for c in counts]
        self.generator = generator or torch.Generator()
        self.uniform = lambda: float(torch.rand((), generator=self.generator))
        self.below = lambda n: int(torch.randint(n, (), generator=self.generator))

    def query(self, which, fakes):
        """What D sees for these (detached) fakes; updates pool `which` in place."""
        fakes = fakes.detach()
        out = fakes.clone()
        pool = self.images[which]
        if pool.device != fakes.device:
            pool = self.images[which] = pool.to(fakes.device)
        for i in range(fakes.shape[0]):
            if self.counts[which] < self.size:
                pool[self.counts[which]] = fakes[i]
                self.counts[which] += 1
            elif self.size > 0 and self.uniform() > 0.5:
                slot = self.below(self.size)
                out[i] = pool[slot]
                pool[slot] = fakes[i]
        return out


def cyclegan_objective(m, nets, batch, draw, join=None):
    """One step of src/family_cyclegan.c: the generators' LSGAN + cycle + identity terms (one loss
    for both, against the discriminators before their update), then each discriminator on real
    images and pooled, detached fakes. m.pools (ImagePools) is used when set; without it (pool
    size 0, or a single step compared with the core's on a fresh model, whose pools are filling)
    the fakes go to the discriminators as they are."""
    g_ab, g_ba, d_a, d_b = nets
    real_a, real_b = batch.x, batch.x_b
    if real_b is None:
        raise WasmgenTorchError("a CycleGAN step needs images of both domains (x and x_b)")
    lam, lam_idt = m.lambda_cycle, m.lambda_cycle * m.lambda_identity
    L = {}
    zero = real_a.new_zeros(())
    idt_a = lam_idt * F.l1_loss(g_ba(real_a), real_a) if lam_idt > 0 else zero
    idt_b = lam_idt * F.l1_loss(g_ab(real_b), real_b) if lam_idt > 0 else zero
    fake_b = g_ab(real_a)
    rec_a = g_ba(fake_b)
    fake_a = g_ba(real_b)
    rec_b = g_ab(fake_a)
    scores_b = d_b(fake_b)
    scores_a = d_a(fake_a)
    gan_ab = F.mse_loss(scores_b, torch.ones_like(scores_b))
    gan_ba = F.mse_loss(scores_a, torch.ones_like(scores_a))
    cycle_a = lam * F.l1_loss(rec_a, real_a)
    cycle_b = lam * F.l1_loss(rec_b, real_b)
    g_loss = gan_ab + gan_ba + cycle_a + cycle_b + idt_a + idt_b
    torch.autograd.backward(g_loss, inputs=list(m.nets[0].parameters()) + list(m.nets[1].parameters()))
    pools = getattr(m, "pools", None)

    def d_loss(d, real, fake, which):
        fake = pools.query(which, fake) if pools is not None and pools.size > 0 else fake.detach()
        s_real, s_fake = d(real), d(fake)
        return 0.5 * (F.mse_loss(s_real, torch.ones_like(s_real)) + F.mse_loss(s_fake, torch.zeros_like(s_fake)))
    loss_b = d_loss(d_b, real_b, fake_b, 1)   # the core queries pool B first
    loss_a = d_loss(d_a, real_a, fake_a, 0)
    torch.autograd.backward(loss_a + loss_b, inputs=list(m.nets[2].parameters()) + list(m.nets[3].parameters()))
    L.update(g_loss=g_loss, d_a=loss_a, d_b=loss_b, gan_ab=gan_ab, gan_ba=gan_ba, cycle_a=cycle_a, cycle_b=cycle_b,
             idt_a=idt_a, idt_b=idt_b)
    return {k: float(v.item()) for k, v in L.items()}


def cyclegan_translate(m, images01, direction):
    g = m.nets[0] if direction == "ab" else m.nets[1]
    return m.from_range(g(m.to_range(images01)))


def cyclegan_lr_factor(m, step):
    """The core's cg_lr_factor: 1 for lr_constant_steps, then linear to 0 over lr_decay_steps;
    `step` is the model's step count before the update (wasmgen's m->step)."""
    if not m.lr_decay_steps:
        return 1.0
    past = step + 1 - m.lr_constant_steps
    if past <= 0:
        return 1.0
    return max(0.0, 1.0 - past / (m.lr_decay_steps + 1))


CYCLEGAN_KEYS = {"lambda_cycle": 10.0, "lambda_identity": 0.5, "pool_size": 50, "lr_constant_steps": 5000,
                 "lr_decay_steps": 5000}


# ---- the table -------------------------------------------------------------------------------

class Family:
    def __init__(self, name, presets, roles, lr, beta1, image_scale, image_shift, net_input, objective,
                 join=None, conditional=False, generate=None, encode=None, classify=None, generator=None,
                 translate=None, two_domains=False, lr_factor=None, config_keys=None):
        self.name, self.presets, self.roles = name, presets, roles
        self.lr, self.beta1 = lr, beta1
        self.image_scale, self.image_shift = image_scale, image_shift
        self.net_input, self.objective, self.join = net_input, objective, join
        self.conditional = conditional
        self.generate, self.encode, self.classify, self.translate = generate, encode, classify, translate
        self.generator = generator   # index of the net generate() runs, or None
        self.two_domains = two_domains
        self.lr_factor = lr_factor   # (model, step before the update) -> factor of every net's rate, or None
        self.config_keys = config_keys or {}   # the family's own config keys and the core's defaults

    def step(self, m, batch, draw, nets=None):
        """One step's losses {name: float}; leaves each net's gradient in its parameters' .grad
        (zeroed first). batch: a Batch in the family's range; draw(shape) gives standard normal
        noise; nets: what to call for each role (default m.nets; DDP wrappers of them)."""
        for p in m.parameters():
            p.grad = None
        return self.objective(m, list(nets or m.nets), batch, draw, self.join)


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
    Family("cyclegan", ["cyclegan", "cyclegan_upsample"],
           [("G_AB", "generator_ab"), ("G_BA", "generator_ba"), ("D_A", "discriminator_a"), ("D_B", "discriminator_b")],
           **GAN_OPT, net_input=lambda m, k: _img(m), objective=cyclegan_objective, translate=cyclegan_translate,
           two_domains=True, lr_factor=cyclegan_lr_factor, config_keys=CYCLEGAN_KEYS),
]


def family_of(preset):
    """The Family whose presets include `preset` (a config's "model"); a clear error otherwise."""
    for f in FAMILIES:
        if preset in f.presets:
            return f
    known = ", ".join(p for f in FAMILIES for p in f.presets)
    raise WasmgenTorchError(f"model {preset!r} is not supported by wasmgen_torch (it supports {known})")
