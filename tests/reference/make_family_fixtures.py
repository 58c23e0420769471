#!/usr/bin/python3
"""Generate PyTorch references for one full training step of whole model families.

For each case (a small wasmgen config of a family), the core itself (family_setup.c, compiled
here against src/) reports the canonical layer lists, each net's input shape, the loss names and
the noise the step will draw from the model's noise stream. This script rebuilds the nets in
PyTorch with the same state_dict names ("G.0.weight", "G.2.running_mean"), draws float32 weights,
batch images and labels, evaluates the family's objective in float64 on exactly those values and
writes every loss, every parameter gradient and the batch-norm running statistics after the
step to tests/reference/family_fixtures/<name>.json (read by tests/native/test_family_reference.c).

    /usr/bin/python3 tests/reference/make_family_fixtures.py   # ~1 min (compiles the core once)

Requires PyTorch (Debian's 1.13.1) and gcc. Not needed at test time. The objectives mirror the
family files: family_gan.c (gan/cgan/cdcgan), family_vae.c (cvae), family_classifier.c,
family_cyclegan.c (two domains: the fixture adds "x_b").
"""

import json
import os
import subprocess
import sys
import tempfile
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT_DIR = os.path.join(HERE, "family_fixtures")

torch.set_num_threads(1)

CASES = [
    # name, config, batch
    ("cgan_6x5_l3_k4", {"model": "cgan", "height": 6, "width": 5, "latent": 3, "classes": 4,
                        "hidden": [7, 8], "disc_hidden": [6, 5], "seed": 9}, 5),
    ("cvae_6x5_l3_k4", {"model": "cvae", "height": 6, "width": 5, "latent": 3, "classes": 4,
                        "hidden": [7], "seed": 10}, 5),
    ("cdcgan_8x4_l3_k3", {"model": "cdcgan", "height": 8, "width": 4, "latent": 3, "classes": 3,
                          "hidden": [4, 3], "seed": 11}, 5),
    ("lenet_13x12_k3", {"model": "lenet", "height": 13, "width": 12, "classes": 3,
                        "hidden": [2, 3, 5, 4], "seed": 12}, 5),
    # The CycleGAN presets' structure at small sizes; the pools (50 images) are empty at the first
    # step, so they hand the fakes through: the step is the reference's first step.
    ("cyclegan_12x12_g2_d2", {"model": "cyclegan", "height": 12, "width": 12, "hidden": [2],
                              "disc_hidden": [2], "res_blocks": 2, "disc_layers": 2,
                              "seed": 13}, 3),
    ("cyclegan_upsample_rgb_16x16", {"model": "cyclegan_upsample", "height": 16, "width": 16,
                                   "channels": 3, "hidden": [2], "disc_hidden": [2],
                                   "res_blocks": 1, "disc_layers": 1, "lambda_cycle": 7,
                                   "lambda_identity": 0.3, "seed": 14}, 2),
]


def r9(x):
    return float("%.9g" % x)


def flat(t):
    return [r9(v) for v in t.detach().to(torch.float64).reshape(-1).tolist()]


def compile_setup(tmp):
    exe = os.path.join(tmp, "family_setup")
    src = sorted(os.path.join(ROOT, "src", f) for f in os.listdir(os.path.join(ROOT, "src"))
                 if f.endswith(".c"))
    subprocess.run(["gcc", "-std=c11", "-O1", "-ffp-contract=off", "-fno-math-errno", "-fwrapv",
                    "-I" + os.path.join(ROOT, "src"), "-isystem", os.path.join(ROOT, "build", "stb"),
                    "-isystem", "/usr/include/stb"] + src +
                   [os.path.join(HERE, "family_setup.c"), "-o", exe, "-lm"], check=True)
    return exe


# --------------------------------------------------------------------------
# nets from wasmgen layer lists (PyTorch modules whose state_dict names match the core's)

class Dense(nn.Linear):
    """wasmgen's dense layer flattens its input."""
    def forward(self, x):
        return super().forward(x.reshape(x.shape[0], -1))


class Add(nn.Module):
    """wasmgen's residual add: this input plus the output of an earlier layer."""
    def __init__(self, src):
        super().__init__()
        self.src = src


class Net(nn.Sequential):
    """nn.Sequential whose Add layers read earlier outputs (same state_dict names)."""
    def forward(self, x):
        outs = []
        for m in self:
            x = x + outs[m.src] if isinstance(m, Add) else m(x)
            outs.append(x)
        return x


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = list(shape)

    def forward(self, x):
        return x.reshape([x.shape[0]] + self.shape)


def build_net(layers, in_shape):
    c, h, w = in_shape
    probe = torch.zeros(2, c) if h == 1 and w == 1 else torch.zeros(2, c, h, w)
    mods, outs = [], []
    for L in layers:
        t = L["type"]
        if t == "add":
            mods.append(Add(L["from"]))
            probe = probe + outs[L["from"]]
            outs.append(probe)
            continue
        if t == "dense":
            m = Dense(probe[0].numel(), L["units"])
        elif t == "leaky_relu":
            m = nn.LeakyReLU(L["slope"])
        elif t == "relu":
            m = nn.ReLU()
        elif t == "tanh":
            m = nn.Tanh()
        elif t == "sigmoid":
            m = nn.Sigmoid()
        elif t == "batchnorm":
            # Keras-style momentum m: running = m * running + (1 - m) * batch.
            cls = nn.BatchNorm1d if probe.dim() == 2 else nn.BatchNorm2d
            m = cls(probe.shape[1], eps=L["eps"], momentum=1.0 - L["momentum"])
        elif t == "reshape":
            m = Reshape(L["shape"])
        elif t == "flatten":
            m = nn.Flatten()
        elif t == "conv2d":
            m = nn.Conv2d(probe.shape[1], L["out_channels"], L["kernel"], stride=L["stride"],
                          padding=L["padding"])
        elif t == "conv_transpose2d":
            m = nn.ConvTranspose2d(probe.shape[1], L["out_channels"], L["kernel"],
                                   stride=L["stride"], padding=L["padding"],
                                   output_padding=L.get("output_padding", 0))
        elif t == "pad":
            ph, pw = (L["padding"], L["padding"]) if isinstance(L["padding"], int) else L["padding"]
            m = {"reflect": nn.ReflectionPad2d, "replicate": nn.ReplicationPad2d,
                 "zero": nn.ZeroPad2d}[L["mode"]]((pw, pw, ph, ph))
        elif t == "instancenorm":
            m = nn.InstanceNorm2d(probe.shape[1], eps=L["eps"], affine=L["affine"])
        elif t == "upsample":
            m = nn.Upsample(scale_factor=2, mode=L["mode"],
                            align_corners=False if L["mode"] == "bilinear" else None)
        elif t == "avgpool":
            m = nn.AvgPool2d(L["kernel"], stride=L["stride"], padding=L["padding"],
                             count_include_pad=True)
        else:
            raise ValueError("layer type not handled here: " + t)
        with torch.no_grad():
            probe = copy_eval(m, probe)
        mods.append(m)
        outs.append(probe)
    return Net(*mods)


def copy_eval(m, x):
    m.eval()
    y = m(x)
    m.train()
    return y


def draw_tensors(net):
    """float32 values for every parameter and buffer: PyTorch's default weights, visible biases,
    batch-norm scales away from 1 and running statistics away from (0, 1)."""
    out = {}
    for name, t in net.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        mod = net[int(name.split(".")[0])]
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if name.endswith("weight"):
                v = torch.rand(t.shape) + 0.5
            elif name.endswith("running_var"):
                v = torch.rand(t.shape) * 1.5 + 0.5
            else:
                v = torch.randn(t.shape) * 0.5
        elif name.endswith("bias"):
            v = torch.randn(t.shape) * 0.3
        else:
            v = t.detach().clone()
        out[name] = v.to(torch.float32)
    return out


# --------------------------------------------------------------------------
# objectives, as in the family files

def one_hot(labels, K):
    return F.one_hot(labels, K).to(torch.float64)


def gan_step(info, nets, x, labels, noise):
    G, D = nets
    B, L, K = x.shape[0], info["latent"], info["classes"]
    C, H, W = info["channels"], info["height"], info["width"]
    y = one_hot(labels, K)
    planes = info["family"] == "cdcgan"

    def d_input(img):
        if planes:
            return torch.cat([img.reshape(B, C, H, W), y[:, :, None, None].expand(B, K, H, W)], 1)
        return torch.cat([img.reshape(B, -1), y], 1)

    fake = G(torch.cat([noise.reshape(B, L), y], 1))
    logit_fake = D(d_input(fake)).reshape(B)
    g_loss = F.binary_cross_entropy_with_logits(logit_fake, torch.ones(B, dtype=torch.float64))
    g_grads = torch.autograd.grad(g_loss, list(G.parameters()), retain_graph=True)
    logit_real = D(d_input(x)).reshape(B)
    d_loss = 0.5 * (F.binary_cross_entropy_with_logits(logit_real, torch.ones(B, dtype=torch.float64)) +
                    F.binary_cross_entropy_with_logits(logit_fake, torch.zeros(B, dtype=torch.float64)))
    # Only D's parameters: the same as detaching the fake batch.
    d_grads = torch.autograd.grad(d_loss, list(D.parameters()))
    losses = {"d_loss": d_loss, "g_loss": g_loss, "d_real": torch.sigmoid(logit_real).mean(),
              "d_fake": torch.sigmoid(logit_fake).mean()}
    return losses, [g_grads, d_grads]


def cvae_step(info, nets, x, labels, noise):
    E, Dec = nets
    B, L, K = x.shape[0], info["latent"], info["classes"]
    y = one_hot(labels, K)
    h = E(torch.cat([x, y], 1))
    mu, logvar = h[:, :L], h[:, L:]
    z = mu + torch.exp(0.5 * logvar) * noise.reshape(B, L)
    logits = Dec[:-1](torch.cat([z, y], 1))   # the decoder's final sigmoid is inside the loss
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / B
    kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / B
    loss = recon + kl
    grads = torch.autograd.grad(loss, list(E.parameters()) + list(Dec.parameters()))
    nE = len(list(E.parameters()))
    return {"loss": loss, "recon": recon, "kl": kl}, [grads[:nE], grads[nE:]]


def classifier_step(info, nets, x, labels, noise):
    (Cnet,) = nets
    B = x.shape[0]
    logits = Cnet(x.reshape(B, info["channels"], info["height"], info["width"]))
    loss = F.cross_entropy(logits, labels)
    grads = torch.autograd.grad(loss, list(Cnet.parameters()))
    accuracy = (logits.argmax(1) == labels).to(torch.float64).mean()
    return {"loss": loss, "accuracy": accuracy}, [grads]


def cyclegan_step(info, nets, x, labels, noise, x_b):
    """The reference's cycle_gan model (LSGAN), first step: empty pools hand the fakes through.
    D_A here judges domain A (the reference's netD_B), D_B judges domain B."""
    G_AB, G_BA, D_A, D_B = nets
    B = x.shape[0]
    shape = (B, info["channels"], info["height"], info["width"])
    real_a, real_b = x.reshape(shape), x_b.reshape(shape)
    lam, mu = info["family_config"]["lambda_cycle"], info["family_config"]["lambda_identity"]

    def mse(scores, target):
        return F.mse_loss(scores, torch.full_like(scores, target))

    fake_b, fake_a = G_AB(real_a), G_BA(real_b)
    rec_a, rec_b = G_BA(fake_b), G_AB(fake_a)
    losses = {
        "gan_ab": mse(D_B(fake_b), 1.0), "gan_ba": mse(D_A(fake_a), 1.0),
        "cycle_a": F.l1_loss(rec_a, real_a) * lam, "cycle_b": F.l1_loss(rec_b, real_b) * lam,
        "idt_a": F.l1_loss(G_BA(real_a), real_a) * lam * mu,
        "idt_b": F.l1_loss(G_AB(real_b), real_b) * lam * mu,
    }
    g_loss = sum(losses.values())
    losses["g_loss"] = g_loss
    g_params = list(G_AB.parameters()) + list(G_BA.parameters())
    gg = torch.autograd.grad(g_loss, g_params)
    n_ab = len(list(G_AB.parameters()))
    losses["d_a"] = 0.5 * (mse(D_A(real_a), 1.0) + mse(D_A(fake_a.detach()), 0.0))
    losses["d_b"] = 0.5 * (mse(D_B(real_b), 1.0) + mse(D_B(fake_b.detach()), 0.0))
    ga = torch.autograd.grad(losses["d_a"], list(D_A.parameters()))
    gb = torch.autograd.grad(losses["d_b"], list(D_B.parameters()))
    return losses, [gg[:n_ab], gg[n_ab:], ga, gb]


STEPS = {"cgan": gan_step, "cdcgan": gan_step, "cvae": cvae_step, "classifier": classifier_step,
         "cyclegan": cyclegan_step}
NOISE = {"cgan": "latent", "cdcgan": "latent", "cvae": "latent", "classifier": None,
         "cyclegan": None}


def make_case(exe, name, config, B):
    cfg_text = json.dumps(config, separators=(",", ":"))
    probe = json.loads(subprocess.run([exe, cfg_text, "0"], check=True, capture_output=True,
                                      text=True).stdout)
    fam = probe["family"]
    n_noise = B * probe["latent"] if NOISE[fam] else 0
    info = json.loads(subprocess.run([exe, cfg_text, str(n_noise)], check=True,
                                     capture_output=True, text=True).stdout)
    torch.manual_seed(zlib.crc32(name.encode()) & 0x7FFFFFFF)
    nets, tensors = [], {}
    for spec in info["nets"]:
        net = build_net(spec["layers"], spec["input"])
        vals = draw_tensors(net)
        for k, v in vals.items():
            tensors[spec["role"] + "." + k] = v
        net.double()
        with torch.no_grad():
            for k, v in vals.items():
                net.state_dict()[k].copy_(v.to(torch.float64))
        net.train()
        nets.append(net)
    P = info["channels"] * info["height"] * info["width"]
    lo, span = info["image_shift"], info["image_scale"]
    x32 = (torch.rand(B, P) * span + lo).to(torch.float32)
    if info["classes"]:
        labels = torch.randint(0, info["classes"], (B,))
        if len(set(labels.tolist())) < 2:
            labels[0] = (labels[1] + 1) % info["classes"]
    else:
        labels = torch.zeros(B, dtype=torch.long)
    noise32 = torch.tensor(info["noise"], dtype=torch.float32)
    two = fam == "cyclegan"
    if two:   # the second domain's batch
        xb32 = (torch.rand(B, P) * span + lo).to(torch.float32)
        info["family_config"] = json.loads(info["config"])
        losses, grads = STEPS[fam](info, nets, x32.to(torch.float64), labels,
                                   noise32.to(torch.float64), xb32.to(torch.float64))
    else:
        losses, grads = STEPS[fam](info, nets, x32.to(torch.float64), labels,
                                   noise32.to(torch.float64))
    assert sorted(losses) == sorted(info["losses"]), (losses.keys(), info["losses"])
    grad_doc, after = {}, {}
    for spec, net, gs in zip(info["nets"], nets, grads):
        names = [n for n, _ in net.named_parameters()]
        assert len(names) == len(gs)
        for n, g in zip(names, gs):
            grad_doc[spec["role"] + "." + n] = flat(g)
        for n, t in net.state_dict().items():
            if n.endswith("running_mean") or n.endswith("running_var"):
                after[spec["role"] + "." + n] = flat(t)
    doc = {
        "name": name,
        "family": fam,
        "config": cfg_text,   # a string: the test passes it to wg_model_create
        "batch": B,
        "x": flat(x32),
        **({"x_b": flat(xb32)} if two else {}),
        "labels": labels.tolist(),
        "noise": flat(noise32),
        "tensors": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in tensors.items()},
        "losses": {k: float(v.item()) for k, v in losses.items()},
        "grads": grad_doc,
        "after": after,
    }
    return doc


def dump(doc):
    lines = ["{"]
    items = list(doc.items())
    for i, (k, v) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v, separators=(",", ":")), sep))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    names = [c[0] for c in CASES]
    for f in os.listdir(OUT_DIR):
        if f.endswith(".json") and f[:-5] not in names:
            os.remove(os.path.join(OUT_DIR, f))
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_setup(tmp)
        for name, config, B in CASES:
            doc = make_case(exe, name, config, B)
            text = dump(doc)
            with open(os.path.join(OUT_DIR, name + ".json"), "w") as fh:
                fh.write(text)
            print("%-22s %6d bytes  losses %s" % (name, len(text), {
                k: round(v, 6) for k, v in doc["losses"].items()}))
            assert len(text) < 250000   # the CycleGAN's four nets are the largest
    with open(os.path.join(OUT_DIR, "MANIFEST"), "w") as fh:
        fh.write("".join(n + ".json\n" for n in names))


if __name__ == "__main__":
    sys.exit(main())
