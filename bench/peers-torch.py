#!/usr/bin/python3
"""PyTorch CPU training throughput (one thread, or --threads N) on the same architectures as our benchmark.

Prints one JSON object on stdout (nothing else), e.g.

  {"torch": "1.13.1", "threads": 1, "blas": "OpenBLAS 0.3.21 ...", ...,
   "results": {"mlp_gan": {"images_per_sec": ..., "steps": ..., "seconds": ...}, ...}}

Usage (Debian's python3 has torch; the first python3 on PATH may not):

  /usr/bin/python3 bench/peers-torch.py [--only dcgan,conv_vae] [--seconds 3] [--batch 64]
                                        [--gan-step reference|shared] [--threads 1]

Models are 28x28x1, batch 64, random data (no dataset), Adam. Each model is warmed up, then
timed for whole steps until --seconds have elapsed. An architecture that fails (or an unknown
name in --only) is reported as {"error": "..."} instead of aborting the run.

GAN step (--gan-step reference, the default; the usual PyTorch recipe):
  fake = G(z); G update with BCE(D(fake), 1); then D update with
  (BCE(D(real), 1) + BCE(D(fake.detach()), 0)) / 2.  G runs forward once per step, D three times.
--gan-step shared does exactly the work of our C step (src/gan.c): D(fake) is computed once and
  backpropagated twice (to G only, and to D's parameters only), then both optimisers step.
  Both give identical gradients; "shared" skips one D forward and D's weight gradients of the
  G loss.
"""

import os
import sys


def _threads_from_argv():
    """--threads N, read before argparse runs: the thread count must be set before torch loads."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return max(1, int(sys.argv[i + 1]))
        if a.startswith("--threads="):
            return max(1, int(a.split("=", 1)[1]))
    return 1


THREADS = _threads_from_argv()
# Must happen before torch (and its OpenMP / OpenBLAS) is loaded. torch's own kernels (mkldnn
# convolutions, element-wise ops) run on THREADS OpenMP threads; OpenBLAS (linear layers, the
# transposed convolutions' GEMMs) stays on one thread, called from inside those kernels. Giving
# OpenBLAS its own THREADS pthreads as well made every model slower than one thread on this
# 2-core machine (its busy-waiting threads fight OpenMP's: DCGAN 134 against 211 images/s at 1
# thread), while this setting made DCGAN 1.4x faster (308), so this is PyTorch's fair 2-thread figure.
os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(THREADS)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(THREADS)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

IMG = 28 * 28
ARCHS = ("mlp_gan", "dcgan", "conv_vae", "mlp_vae", "cyclegan")
CYCLEGAN_BATCH = 4   # the reference trains CycleGANs at batch 1; wasmgen's bench row uses 4


# ----------------------------------------------------------------------------- models

class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def mlp_gan():
    lrelu = lambda: nn.LeakyReLU(0.2)  # noqa: E731
    G = nn.Sequential(
        nn.Linear(100, 256), lrelu(), nn.BatchNorm1d(256),
        nn.Linear(256, 512), lrelu(), nn.BatchNorm1d(512),
        nn.Linear(512, 1024), lrelu(), nn.BatchNorm1d(1024),
        nn.Linear(1024, IMG), nn.Tanh(), Reshape(1, 28, 28))
    D = nn.Sequential(
        nn.Flatten(),
        nn.Linear(IMG, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 1))
    return G, D


def dcgan():
    G = nn.Sequential(
        nn.Linear(100, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(), Reshape(128, 7, 7),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1),   # 14x14x64
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1),     # 28x28x1
        nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, 64, 5, stride=2, padding=2), nn.LeakyReLU(0.2),              # 14x14x64
        nn.Conv2d(64, 128, 5, stride=2, padding=2), nn.LeakyReLU(0.2),            # 7x7x128
        nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    return G, D


class VAE(nn.Module):
    def __init__(self, encoder, decoder, latent):
        super().__init__()
        self.encoder, self.decoder, self.latent = encoder, decoder, latent

    def loss(self, x):
        h = self.encoder(x)
        mu, logvar = h[:, :self.latent], h[:, self.latent:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.decoder(z)  # pre-sigmoid
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp())
        return (recon + kl) / x.shape[0]


def conv_vae():
    L = 16
    enc = nn.Sequential(
        nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.ReLU(),      # 14x14x32
        nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.ReLU(),     # 7x7x64
        nn.Flatten(), nn.Linear(7 * 7 * 64, 2 * L))
    dec = nn.Sequential(
        nn.Linear(L, 7 * 7 * 64), nn.ReLU(), Reshape(64, 7, 7),
        nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),   # 14x14x32
        nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1))               # 28x28x1 logits
    return VAE(enc, dec, L)


def mlp_vae():
    L = 20
    enc = nn.Sequential(nn.Flatten(), nn.Linear(IMG, 400), nn.ReLU(), nn.Linear(400, 2 * L))
    dec = nn.Sequential(nn.Linear(L, 400), nn.ReLU(), nn.Linear(400, IMG), Reshape(1, 28, 28))
    return VAE(enc, dec, L)


# ----------------------------------------------------------------------------- steps

def make_gan_step(G, D, batch, mode):
    G.train()
    D.train()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones = torch.ones(batch, 1)
    zeros = torch.zeros(batch, 1)
    real = torch.rand(batch, 1, 28, 28) * 2 - 1  # in tanh range
    g_params, d_params = list(G.parameters()), list(D.parameters())

    def reference():
        z = torch.randn(batch, 100)
        fake = G(z)
        opt_g.zero_grad(set_to_none=True)
        bce(D(fake), ones).backward()
        opt_g.step()
        opt_d.zero_grad(set_to_none=True)
        d_loss = 0.5 * (bce(D(real), ones) + bce(D(fake.detach()), zeros))
        d_loss.backward()
        opt_d.step()

    def shared():
        z = torch.randn(batch, 100)
        fake = G(z)
        logit_fake = D(fake)
        logit_real = D(real)
        opt_g.zero_grad(set_to_none=True)
        opt_d.zero_grad(set_to_none=True)
        bce(logit_fake, ones).backward(inputs=g_params, retain_graph=True)
        d_loss = 0.5 * (bce(logit_real, ones) + bce(logit_fake, zeros))
        d_loss.backward(inputs=d_params)
        opt_g.step()
        opt_d.step()

    return reference if mode == "reference" else shared


def make_vae_step(vae, batch):
    vae.train()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28)  # BCE targets in [0, 1]

    def step():
        opt.zero_grad(set_to_none=True)
        vae.loss(x).backward()
        opt.step()

    return step


def cyclegan_nets(ngf=16, ndf=16, blocks=3, d_layers=2, C=1):
    """wasmgen's "cyclegan" preset at 28x28 grey: ResNet generators, PatchGAN discriminators."""
    def generator():
        m = [nn.ReflectionPad2d(3), nn.Conv2d(C, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU()]
        for j in (1, 2):
            m += [nn.Conv2d(ngf << (j - 1), ngf << j, 3, 2, 1), nn.InstanceNorm2d(ngf << j), nn.ReLU()]
        body = []
        for _ in range(blocks):
            w = ngf << 2
            body.append(nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(w, w, 3), nn.InstanceNorm2d(w), nn.ReLU(),
                                      nn.ReflectionPad2d(1), nn.Conv2d(w, w, 3), nn.InstanceNorm2d(w)))
        ups = []
        for j in (1, 0):
            ups += [nn.ConvTranspose2d(ngf << (j + 1), ngf << j, 3, 2, 1, output_padding=1),
                    nn.InstanceNorm2d(ngf << j), nn.ReLU()]
        tail = [nn.ReflectionPad2d(3), nn.Conv2d(ngf, C, 7), nn.Tanh()]

        class G(nn.Module):
            def __init__(self):
                super().__init__()
                self.head, self.body = nn.Sequential(*m), nn.ModuleList(body)
                self.tail = nn.Sequential(*ups, *tail)

            def forward(self, x):
                x = self.head(x)
                for b in self.body:
                    x = x + b(x)
                return self.tail(x)
        return G()

    def discriminator():
        m = [nn.Conv2d(C, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        prev = ndf
        for j in range(1, d_layers + 1):
            w = ndf * min(2 ** j, 8)
            m += [nn.Conv2d(prev, w, 4, 2 if j < d_layers else 1, 1), nn.InstanceNorm2d(w), nn.LeakyReLU(0.2)]
            prev = w
        m.append(nn.Conv2d(prev, 1, 4, 1, 1))
        return nn.Sequential(*m)
    return generator(), generator(), discriminator(), discriminator()


def make_cyclegan_step(batch):
    """One reference step (LSGAN, cycle x10, identity x5): generators' update, then the
    discriminators' on the detached fakes (no history pool: its cost is a copy)."""
    G_AB, G_BA, D_A, D_B = cyclegan_nets()
    opt_g = torch.optim.Adam(list(G_AB.parameters()) + list(G_BA.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(D_A.parameters()) + list(D_B.parameters()), lr=2e-4, betas=(0.5, 0.999))
    a = torch.rand(batch, 1, 28, 28) * 2 - 1
    b = torch.rand(batch, 1, 28, 28) * 2 - 1

    def mse(x, t):
        return F.mse_loss(x, torch.full_like(x, t))

    def step():
        opt_g.zero_grad(set_to_none=True)
        fake_b, fake_a = G_AB(a), G_BA(b)
        loss = (mse(D_B(fake_b), 1.0) + mse(D_A(fake_a), 1.0) +
                10 * F.l1_loss(G_BA(fake_b), a) + 10 * F.l1_loss(G_AB(fake_a), b) +
                5 * F.l1_loss(G_BA(a), a) + 5 * F.l1_loss(G_AB(b), b))
        loss.backward()
        opt_g.step()
        opt_d.zero_grad(set_to_none=True)
        d = 0.5 * (mse(D_A(a), 1.0) + mse(D_A(fake_a.detach()), 0.0)) + \
            0.5 * (mse(D_B(b), 1.0) + mse(D_B(fake_b.detach()), 0.0))
        d.backward()
        opt_d.step()

    return step


def build_step(name, batch, gan_step):
    if name == "cyclegan":
        return make_cyclegan_step(CYCLEGAN_BATCH)
    if name == "mlp_gan":
        return make_gan_step(*mlp_gan(), batch, gan_step)
    if name == "dcgan":
        return make_gan_step(*dcgan(), batch, gan_step)
    if name == "conv_vae":
        return make_vae_step(conv_vae(), batch)
    if name == "mlp_vae":
        return make_vae_step(mlp_vae(), batch)
    raise ValueError("unknown architecture '%s' (expected one of %s)" % (name, ", ".join(ARCHS)))


def measure(name, batch, seconds, gan_step):
    torch.manual_seed(0)
    step = build_step(name, batch, gan_step)
    # Warm-up: at least 3 steps and ~10% of the timed budget (allocator, oneDNN primitive cache).
    t0 = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - t0 < 0.1 * seconds:
        step()
        n += 1
    steps = 0
    t0 = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds and steps >= 3:
            break
    if name == "cyclegan":
        batch = CYCLEGAN_BATCH
    return {"images_per_sec": round(steps * batch / elapsed, 1), "steps": steps, "batch": batch,
            "seconds": round(elapsed, 3), "ms_per_step": round(1000 * elapsed / steps, 3)}


# ----------------------------------------------------------------------------- environment

def torch_version():
    """Debian's build reports 1.13.0a0; the package version is the real one (1.13.1)."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                             capture_output=True, text=True, timeout=5)
        if out.returncode == 0 and out.stdout:
            return out.stdout.split("+")[0].split("-")[0], out.stdout
    except (OSError, subprocess.SubprocessError):
        pass
    return torch.__version__, None


def blas_info():
    """Which BLAS torch actually calls (Debian's torch links the libblas.so.3 alternative)."""
    torch.mm(torch.randn(8, 8), torch.randn(8, 8))  # make sure the BLAS is loaded
    libs = []
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if ("blas" in base or "mkl" in base) and path not in libs:
                    libs.append(path)
    except OSError:
        pass
    info = {"libraries": libs, "openblas": False}
    if any("openblas" in p for p in libs):
        try:
            lib = ctypes.CDLL("libopenblas.so.0")
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info.update(openblas=True,
                        config=lib.openblas_get_config().decode(),
                        core=lib.openblas_get_corename().decode(),
                        threads=int(lib.openblas_get_num_threads()))
        except (OSError, AttributeError):
            info["openblas"] = True
    return info


def kernel_info():
    """Which ATen kernels serve linear / conv / conv-transpose at batch 64 (via the profiler)."""
    try:
        from torch.profiler import ProfilerActivity, profile
        probes = {
            "linear": (nn.Linear(IMG, 32), torch.randn(64, IMG)),
            "conv2d": (nn.Conv2d(1, 8, 5, 2, 2), torch.randn(64, 1, 28, 28)),
            "conv_transpose2d": (nn.ConvTranspose2d(8, 4, 4, 2, 1), torch.randn(64, 8, 7, 7)),
        }
        interesting = ("addmm", "mm", "mkldnn", "slow_conv", "thnn_conv", "_nnpack", "xnnpack")
        out = {}
        for k, (m, x) in probes.items():
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                m(x).sum().backward()
            names = sorted({e.name for e in prof.events()
                            if e.name.startswith("aten::") and
                            any(s in e.name for s in interesting)})
            out[k] = names
        return out
    except Exception as e:  # profiler details are informative only
        return {"error": str(e)}


def cpu_capability():
    """e.g. "AVX2" (the vectorised ATen kernels chosen at runtime)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return None


def main():
    ap = argparse.ArgumentParser(description="PyTorch training throughput (JSON).")
    ap.add_argument("--only", default=",".join(ARCHS),
                    help="comma-separated subset of " + ",".join(ARCHS))
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per model (default 3)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--gan-step", choices=("reference", "shared"), default="reference")
    ap.add_argument("--threads", type=int, default=1, help="intra-op threads (default 1)")
    args = ap.parse_args()

    names = [s.strip() for s in args.only.split(",") if s.strip()]
    # An unknown name becomes {"error": ...} in results (like a failing model), so a bench that
    # asks for a model this script does not know yet still gets the others.

    version, deb = torch_version()
    blas = blas_info()
    report = {
        "torch": version,
        "torch_build": torch.__version__ + ((" (Debian %s)" % deb) if deb else ""),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "blas": blas.get("config") or (", ".join(blas["libraries"]) or "unknown"),
        "blas_info": blas,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "kernels": kernel_info(),
        "cpu_capability": cpu_capability(),
        "batch": args.batch,
        "gan_step": args.gan_step,
        "seconds_per_model": args.seconds,
        "results": {},
    }
    for name in names:
        try:
            report["results"][name] = measure(name, args.batch, args.seconds, args.gan_step)
        except Exception as e:  # report and carry on with the other models
            report["results"][name] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
