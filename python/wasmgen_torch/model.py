"""model.py — a wasmgen model (config + family + nets + optimizer groups) as one nn.Module.

The nets are attributes named by role ("G", "D", "encoder", "decoder", "classifier", CycleGAN's
"G_AB", "G_BA", "D_A", "D_B"), so the module's state_dict names are the checkpoint's
("G.0.weight"). Each net has its own optimizer group, with the config's shared settings and its
"optimizers": {role: {...}} overrides, as in the core (src/model.c). A family's own config keys
(CycleGAN's lambda_cycle, lambda_identity, pool_size, lr_constant_steps, lr_decay_steps) become
attributes with the core's defaults.

    m = WasmgenModel(json.loads(config_text))
    images = m.generate(torch.randn(4, m.latent))        # in [0, 1], (4, C*H*W)
    b = m.translate(images_a, direction="ab")             # CycleGAN: domain A -> B, as wasmgen's translate
"""

import contextlib
import json

import torch
import torch.nn as nn

from .errors import WasmgenTorchError
from .families import family_of, one_hot
from .layers import WasmgenNet


class WasmgenModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        if isinstance(config, str):
            config = json.loads(config)
        if not isinstance(config, dict) or "model" not in config:
            raise WasmgenTorchError('config: expected an object like {"model": "gan", ...}')
        self.config = config
        self.family = family_of(config["model"])
        self.height = int(config.get("height", 28))
        self.width = int(config.get("width", 28))
        self.channels = int(config.get("channels", 1))
        self.latent = int(config.get("latent", 0))
        self.classes = int(config.get("classes", 0))
        self.roles = [r for r, _ in self.family.roles]
        for key, default in self.family.config_keys.items():   # e.g. CycleGAN's lambda_cycle, pool_size
            setattr(self, key, type(default)(config.get(key, default)))
        self.pools = None   # CycleGAN's ImagePools while training (train.py sets them from the checkpoint)
        for k, (role, key) in enumerate(self.family.roles):
            if key not in config:
                raise WasmgenTorchError(f'config: lacks the layer list "{key}" of net {role} '
                                        "(a checkpoint's canonical config always has it)")
            setattr(self, role, WasmgenNet(config[key], self.family.net_input(self, k), role))

    @property
    def nets(self):
        return [getattr(self, r) for r in self.roles]

    def to_range(self, images01):
        return images01 * self.family.image_scale + self.family.image_shift

    def from_range(self, y):
        return (y - self.family.image_shift) / self.family.image_scale

    def optimizer_settings(self, k):
        """{kind, lr, beta1, beta2, eps, momentum} of net k's group (config defaults as the core's)."""
        c, f = self.config, self.family
        s = {"kind": c.get("optimizer", "adam"), "lr": c.get("lr", f.lr), "beta1": c.get("beta1", f.beta1),
             "beta2": c.get("beta2", 0.999), "eps": c.get("eps", 1e-8), "momentum": c.get("momentum", 0.9)}
        s.update((c.get("optimizers") or {}).get(self.roles[k], {}))
        return s

    def make_optimizers(self, lrs=None):
        """One torch optimizer per net with the config's hyperparameters; lrs overrides the rates."""
        opts = []
        for k, net in enumerate(self.nets):
            s = self.optimizer_settings(k)
            lr = float(lrs[k]) if lrs is not None else float(s["lr"])
            if s["kind"] == "adam":
                opts.append(torch.optim.Adam(net.parameters(), lr=lr, betas=(float(s["beta1"]), float(s["beta2"])),
                                             eps=float(s["eps"])))
            elif s["kind"] == "sgd":
                opts.append(torch.optim.SGD(net.parameters(), lr=lr, momentum=float(s["momentum"])))
            else:
                raise WasmgenTorchError(f'config: unknown optimizer {s["kind"]!r} (expected "adam" or "sgd")')
        return opts

    def _cond(self, labels, class_weights, n):
        if not self.family.conditional:
            if labels is not None or class_weights is not None:
                raise WasmgenTorchError(f"a {self.config['model']} model is not conditional; it takes no labels")
            return None
        if class_weights is not None:
            return torch.as_tensor(class_weights, dtype=torch.float32).reshape(n, self.classes)
        if labels is None:
            raise WasmgenTorchError(f"a conditional {self.config['model']} model needs labels")
        return one_hot(torch.as_tensor(labels).reshape(n), self.classes)

    @contextlib.contextmanager
    def _eval_mode(self):
        """Eval mode (batch-norm running statistics, no dropout) for one call, then the mode it had."""
        was = self.training
        self.eval()
        try:
            yield
        finally:
            self.train(was)

    @torch.no_grad()
    def generate(self, z, labels=None, class_weights=None):
        """Images in [0, 1] (n, C*H*W) from latents z (n, latent), in eval mode (as wasmgen's decode)."""
        if self.family.generate is None:
            raise WasmgenTorchError(f"a {self.config['model']} model does not generate images")
        z = torch.as_tensor(z, dtype=torch.float32).reshape(-1, self.latent)
        with self._eval_mode():
            return self.family.generate(self, z, self._cond(labels, class_weights, z.shape[0]))

    @torch.no_grad()
    def encode(self, images, labels=None):
        """VAEs: images in [0, 1] (n, C*H*W) -> (mu, logvar), eval mode."""
        if self.family.encode is None:
            raise WasmgenTorchError(f"a {self.config['model']} model does not encode")
        x = torch.as_tensor(images, dtype=torch.float32).reshape(-1, self.channels * self.height * self.width)
        with self._eval_mode():
            return self.family.encode(self, x, self._cond(labels, None, x.shape[0]))

    @torch.no_grad()
    def classify(self, images):
        """Classifiers: images in [0, 1] -> class probabilities (n, classes), eval mode."""
        if self.family.classify is None:
            raise WasmgenTorchError(f"a {self.config['model']} model does not classify")
        x = torch.as_tensor(images, dtype=torch.float32).reshape(-1, self.channels * self.height * self.width)
        with self._eval_mode():
            return self.family.classify(self, x)

    @torch.no_grad()
    def translate(self, images, direction="ab"):
        """CycleGAN: images of domain A ("ab") or B ("ba") in [0, 1] (n, C*H*W) -> the other domain
        in [0, 1], eval mode (as wasmgen's translate)."""
        if self.family.translate is None:
            raise WasmgenTorchError(f"a {self.config['model']} model does not translate images (a CycleGAN does)")
        if direction not in ("ab", "ba"):
            raise WasmgenTorchError(f"translate: direction must be 'ab' or 'ba', got {direction!r}")
        x = torch.as_tensor(images, dtype=torch.float32).reshape(-1, self.channels * self.height * self.width)
        with self._eval_mode():
            return self.family.translate(self, x, direction)
