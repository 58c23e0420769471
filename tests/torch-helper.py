#!/usr/bin/python3
"""torch-helper.py — the PyTorch side of tests/torch.test.js (run with Debian's /usr/bin/python3).

    /usr/bin/python3 tests/torch-helper.py roundtrip DIR   # DIR/inputs.json + DIR/<name>.safetensors
    /usr/bin/python3 tests/torch-helper.py export DIR      # a PyTorch-built GAN -> DIR/exported.safetensors
    /usr/bin/python3 tests/torch-helper.py errors DIR      # bad input -> the messages, as JSON
    /usr/bin/python3 tests/torch-helper.py step DIR        # one training step with wasmgen's batch and noise
    /usr/bin/python3 tests/torch-helper.py all DIR         # each of the above whose DIR/<name>/ exists

step: replays wasmgen's RNG streams (PCG32, the polar method; src/rng.c) from each checkpoint's
state record to take the very batch, noise, second-domain draws and pool choices the core's next
step takes, runs the family's
objective and the optimizer update in PyTorch and writes <name>-torchstep.safetensors and the
losses to DIR/step-out.json, for comparison with the core's own step.

roundtrip: for each checkpoint named in inputs.json, loads it into wasmgen_torch, runs
generate/encode/classify on the given inputs, reports the optimizer state torch holds, and writes
the model back untouched as <name>-back.safetensors. Results go to DIR/torch.json.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import wasmgen_torch as wt  # noqa: E402
from wasmgen_torch.train import attach_pools, lr_schedulers, store_pools  # noqa: E402

torch.set_num_threads(1)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def roundtrip(d):
    inputs = json.load(open(os.path.join(d, "inputs.json")))
    out = {}
    for name, inp in inputs.items():
        model, state = wt.load_checkpoint(os.path.join(d, name + ".safetensors"))
        r = {"family": model.family.name}
        labels = inp.get("labels")
        if "z" in inp:
            r["images"] = flat(model.generate(torch.tensor(inp["z"]), labels=labels))
        if "x" in inp and model.family.encode:
            mu, logvar = model.encode(torch.tensor(inp["x"]), labels=labels)
            r["mu"], r["logvar"] = flat(mu), flat(logvar)
        if "x" in inp and model.family.classify:
            r["probs"] = flat(model.classify(torch.tensor(inp["x"])))
        if "x" in inp and model.family.translate:
            r["ab"] = flat(model.translate(torch.tensor(inp["x"]), "ab"))
            r["ba"] = flat(model.translate(torch.tensor(inp["x"]), "ba"))
        # What torch's optimizers hold: the first parameter's Adam state of every net.
        r["optim"] = {}
        for role, net, opt in zip(model.roles, model.nets, state.optimizers):
            name0, p0 = next(iter(net.named_parameters()))
            st = opt.state[p0]
            r["optim"][role] = {"tensor": f"opt.{role}.{name0}", "step": float(st["step"]),
                                "exp_avg": flat(st["exp_avg"]), "exp_avg_sq": flat(st["exp_avg_sq"]),
                                "lr": opt.param_groups[0]["lr"], "betas": list(opt.param_groups[0]["betas"])}
        r["running_means"] = {k: flat(v) for k, v in model.state_dict().items() if k.endswith("running_mean")}
        wt.save_checkpoint(os.path.join(d, name + "-back.safetensors"), model, state)
        out[name] = r
    json.dump(out, open(os.path.join(d, "torch.json"), "w"))


class WasmgenRng:
    """src/rng.c in Python: PCG32 (XSH-RR), uniform floats, rejection below n, polar normals."""
    M64 = (1 << 64) - 1

    def __init__(self, rec):
        self.state, self.inc = int(rec[0], 16), int(rec[1], 16)
        self.spare, self.has_spare = np.float32(rec[2]), bool(rec[3])

    def u32(self):
        old = self.state
        self.state = (old * 6364136223846793005 + self.inc) & self.M64
        xs = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF
        rot = old >> 59
        return ((xs >> rot) | (xs << ((32 - rot) & 31))) & 0xFFFFFFFF

    def below(self, n):
        limit = ((1 << 32) - n) % n
        while True:
            x = self.u32()
            if x >= limit:
                return x % n

    def uniform(self):
        return np.float32(self.u32() >> 8) * np.float32(1 / 16777216)

    def normal(self):
        if self.has_spare:
            self.has_spare = False
            return self.spare
        one, two = np.float32(1), np.float32(2)
        while True:
            u = two * self.uniform() - one
            v = two * self.uniform() - one
            s = u * u + v * v
            if s >= one or s == 0:
                continue
            f = np.sqrt(np.float32(-2) * np.log(s) / s, dtype=np.float32)
            self.spare, self.has_spare = v * f, True
            return u * f


def step(d):
    spec = json.load(open(os.path.join(d, "step.json")))
    data = wt.load_dataset("mnist")
    data_b = {name: wt.load_dataset(src) for name, src in spec.get("data_b", {}).items()}
    out = {}
    for name in spec["names"]:
        model, state = wt.load_checkpoint(os.path.join(d, name + ".safetensors"))
        rec, b = state.record, spec["batch"]
        assert rec["perm_n"] == 0, "a model that has not trained yet: its first step draws a new order"
        shuffle, noise = WasmgenRng(rec["shuffle"]), WasmgenRng(rec["noise"])
        n = len(data.pixels)
        perm = list(range(n))
        for i in range(n - 1, 0, -1):   # Fisher-Yates, as wg__model_shuffle
            j = shuffle.below(i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        idx = perm[:b]
        f = model.family
        x = torch.from_numpy(data.pixels[idx].reshape(b, -1).astype(np.float32) * np.float32(1 / 255))
        x = x * f.image_scale + f.image_shift
        labels = torch.from_numpy(data.labels[idx].astype(np.int64)) if f.conditional else None
        x_b = None
        if f.two_domains:   # domain B: uniform draws with replacement from its own stream (wg__next_batch_b)
            draws, nb = WasmgenRng(rec["domain_b"]), len(data_b[name].pixels)
            idx_b = [draws.below(nb) for _ in range(b)]
            x_b = torch.from_numpy(data_b[name].pixels[idx_b].reshape(b, -1).astype(np.float32) * np.float32(1 / 255))
            x_b = x_b * f.image_scale + f.image_shift

        def draw(shape):
            return torch.from_numpy(np.array([noise.normal() for _ in range(int(np.prod(shape)))],
                                             np.float32).reshape(shape))
        model.train()
        schedulers = lr_schedulers(model, state)   # CycleGAN's linear decay, as in train.py
        attach_pools(model, state, None)
        if model.pools is not None:   # the core's pool stream, so that full pools make the core's choices
            pool_rng = WasmgenRng(state.family_state["pool_rng"])
            model.pools.uniform, model.pools.below = pool_rng.uniform, pool_rng.below
        losses = f.step(model, wt.Batch(x, labels, x_b), draw)
        for opt in state.optimizers:
            opt.step()
        for s in schedulers:
            s.step()
        store_pools(model, state)
        state.step += 1
        wt.save_checkpoint(os.path.join(d, name + "-torchstep.safetensors"), model, state)
        out[name] = losses
    json.dump(out, open(os.path.join(d, "step-out.json"), "w"))


def plain_gan(latent):
    """A small GAN written in plain PyTorch, with its own (non-default) initialisation."""
    G = nn.Sequential(
        nn.Linear(latent, 64), nn.BatchNorm1d(64, momentum=0.2), nn.ReLU(), nn.Unflatten(1, (4, 4, 4)),
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(4, 6, 3, padding=1), nn.BatchNorm2d(6), nn.LeakyReLU(0.1),
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), nn.InstanceNorm2d(6, affine=True),
        nn.ReflectionPad2d(1), nn.ConvTranspose2d(6, 1, 3, stride=1, padding=2), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.LeakyReLU(0.2), nn.ZeroPad2d(1), nn.AvgPool2d(2), nn.Flatten(),
        nn.Dropout(0.3), nn.Linear(4 * 5 * 5, 1))
    gen = torch.Generator().manual_seed(7)
    for m in list(G) + list(D):
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * 0.3)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) * 0.2 - 0.1)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.InstanceNorm2d)):
            with torch.no_grad():
                m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
    return G, D


def export(d):
    torch.manual_seed(3)
    latent = 5
    G, D = plain_gan(latent)
    og = torch.optim.Adam(G.parameters(), lr=3e-4, betas=(0.5, 0.99))
    od = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.99))
    bce = nn.BCEWithLogitsLoss()
    real = torch.rand(16, 1, 16, 16) * 2 - 1
    for _ in range(4):   # a few plain-PyTorch training steps: moved weights, BN statistics, Adam state
        fake = G(torch.randn(16, latent))
        og.zero_grad()
        bce(D(fake), torch.ones(16, 1)).backward()
        og.step()
        od.zero_grad()
        (bce(D(real), torch.ones(16, 1)) + bce(D(fake.detach()), torch.zeros(16, 1))).backward()
        od.step()
    G.eval()
    z = torch.randn(6, latent, generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        images = (G(z) + 1) / 2
    wt.export(os.path.join(d, "exported.safetensors"), "dcgan", {"G": G, "D": D}, height=16, width=16,
              latent=latent, seed=5, optimizers={"G": og, "D": od})
    torch.save({"G": G, "D": D}, os.path.join(d, "nets.pt"))
    json.dump({"z": flat(z), "images": flat(images), "g_lr": 3e-4, "d_lr": 1e-4,
               "g_steps": 4, "g_exp_avg0": flat(og.state[G[0].weight]["exp_avg"])[:8]},
              open(os.path.join(d, "exported.json"), "w"))


def errors(d):
    msgs = {}

    def catch(key, fn):
        try:
            fn()
            msgs[key] = None
        except wt.WasmgenTorchError as e:
            msgs[key] = str(e)

    G, D = plain_gan(5)
    bad_g = nn.Sequential(*list(G)[:-1], nn.GELU())
    catch("unsupported_module", lambda: wt.export(os.path.join(d, "x.safetensors"), "dcgan", {"G": bad_g, "D": D},
                                                  height=16, width=16, latent=5))
    dilated = nn.Sequential(nn.Conv2d(1, 4, 4, stride=2, padding=1, dilation=2), *list(D)[1:])
    catch("one_sided_pad", lambda: wt.layer_spec(nn.ReplicationPad2d((1, 2, 1, 1)), "net G layer 3"))
    catch("unsupported_setting", lambda: wt.export(os.path.join(d, "x.safetensors"), "dcgan", {"G": G, "D": dilated},
                                                   height=16, width=16, latent=5))
    src = os.path.join(d, "source.safetensors")
    tensors, meta = wt.read_safetensors(src)
    newer = dict(meta, format_version="3")
    wt.write_safetensors(os.path.join(d, "newer.safetensors"), tensors, newer)
    catch("newer_format", lambda: wt.load_checkpoint(os.path.join(d, "newer.safetensors")))
    cfg = json.loads(meta["config"])
    key = next(k for k in ("generator", "decoder", "classifier") if k in cfg)
    cfg[key] = cfg[key] + [{"type": "swish"}]
    wt.write_safetensors(os.path.join(d, "unknown-layer.safetensors"), tensors,
                                        dict(meta, config=json.dumps(cfg)))
    catch("unknown_layer", lambda: wt.load_checkpoint(os.path.join(d, "unknown-layer.safetensors")))
    cfg = json.loads(meta["config"])
    cfg["model"] = "stylegan"
    catch("unknown_family", lambda: wt.WasmgenModel(cfg))
    # Training arguments that do not fit the model: domains of a CycleGAN, a second domain for a VAE.
    from argparse import Namespace
    from wasmgen_torch.train import run_training

    def train_args(resume, data, data_b=None):
        return Namespace(resume=os.path.join(d, resume), data=data, data_b=data_b, labels=None, steps=1, batch=4,
                         seed=None, log_every=0, json=True, out=os.path.join(d, "never.safetensors"))
    catch("cyclegan_one_domain", lambda: run_training(train_args("cyclegan.safetensors", "mnist:3")))
    catch("cyclegan_bad_class", lambda: run_training(train_args("cyclegan.safetensors", "mnist:3", "mnist:12")))
    catch("cyclegan_bad_source", lambda: run_training(train_args("cyclegan.safetensors", "mnist:3", "nowhere")))
    catch("vae_two_domains", lambda: run_training(train_args("source.safetensors", "mnist", "mnist:8")))
    json.dump(msgs, open(os.path.join(d, "errors.json"), "w"))


if __name__ == "__main__":
    COMMANDS = {"roundtrip": roundtrip, "step": step, "export": export, "errors": errors}
    if sys.argv[1] == "all":   # every case whose folder exists under DIR, in one torch start-up
        for name, fn in COMMANDS.items():
            if os.path.isdir(os.path.join(sys.argv[2], name)):
                fn(os.path.join(sys.argv[2], name))
    else:
        COMMANDS[sys.argv[1]](sys.argv[2])
