"""layers.py — wasmgen layer lists as PyTorch modules with the same state_dict names.

`WasmgenNet(spec, in_shape)` is an nn.Sequential subclass: layer i of the wasmgen list is child
"i", so its parameters are "0.weight", "2.running_mean", ... and a family module that holds the
net as attribute "G" names them "G.0.weight" exactly as a wasmgen checkpoint does. Layouts are
PyTorch's own (Linear (out, in), Conv2d (OC, IC, KH, KW), ConvTranspose2d (IC, OC, KH, KW)).

Semantics that differ from PyTorch's defaults and are mapped here:
  - dense flattens its input (wasmgen tracks (C, H, W) and a dense layer reads all of it);
  - batchnorm's "momentum" is Keras-style (running = m * running + (1 - m) * batch), so PyTorch's
    momentum is 1 - m; the running variance is unbiased in both; a flat input uses BatchNorm1d;
  - avgpool counts zero padding in the divisor (count_include_pad=True); upsample is 2x nearest or
    bilinear with align_corners=False;
  - {"type":"add","from":J} adds the output of layer J (a residual skip), so forward keeps outputs;
  - {"type":"pad","padding":P,"mode":M} pads H by P[0] and W by P[1] on both sides: "zero",
    "reflect" (about the edge cell, which is not repeated: F.pad's "reflect", ReflectionPad2d) or
    "replicate" (the edge cell repeated: ReplicationPad2d). It has no parameters.

    net = WasmgenNet([{"type": "dense", "units": 8}, {"type": "relu"}], (4, 1, 1))
    y = net(torch.zeros(2, 4))
"""

import torch.nn as nn
import torch.nn.functional as F

from .errors import WasmgenTorchError

LAYER_TYPES = ("dense", "relu", "leaky_relu", "tanh", "sigmoid", "batchnorm", "dropout", "conv2d",
               "conv_transpose2d", "instancenorm", "upsample", "avgpool", "reshape", "flatten", "add", "pad")
PAD_MODES = {"zero": "constant", "reflect": "reflect", "replicate": "replicate"}   # wasmgen -> F.pad


def _pair(v, default=None):
    if v is None:
        v = default
    return (int(v[0]), int(v[1])) if isinstance(v, (list, tuple)) else (int(v), int(v))


class Dense(nn.Linear):
    """wasmgen's dense layer: a Linear layer that flattens its input first."""
    def forward(self, x):
        return super().forward(x.reshape(x.shape[0], -1))


class FlatBatchNorm(nn.BatchNorm1d):
    """Batch norm per feature of a flat (C, 1, 1) input, whichever layout the tensor has."""
    def forward(self, x):
        return super().forward(x.reshape(x.shape[0], -1)).reshape(x.shape)


class Reshape(nn.Module):
    """(B, ...) -> (B, C, H, W)."""
    def __init__(self, shape):
        super().__init__()
        self.shape = [int(s) for s in shape]

    def forward(self, x):
        return x.reshape([x.shape[0]] + self.shape)

    def extra_repr(self):
        return f"shape={self.shape}"


class Add(nn.Module):
    """Placeholder for a residual add; WasmgenNet.forward supplies the earlier output."""
    def __init__(self, source):
        super().__init__()
        self.source = int(source)

    def forward(self, x, skip):
        return x + skip

    def extra_repr(self):
        return f"from={self.source}"


class Pad(nn.Module):
    """wasmgen's pad layer: (ph, pw) cells on each side of H and W, zero / reflect / replicate."""
    def __init__(self, padding, mode="zero"):
        super().__init__()
        if mode not in PAD_MODES:
            raise WasmgenTorchError(f'pad "mode" must be "zero", "reflect" or "replicate", not {mode!r}')
        self.padding, self.mode = _pair(padding), mode

    def forward(self, x):
        ph, pw = self.padding
        return F.pad(x, (pw, pw, ph, ph), mode=PAD_MODES[self.mode])

    def extra_repr(self):
        return f"padding={self.padding}, mode={self.mode}"


def build_layer(L, shape, where):
    """One wasmgen layer spec -> (module, output shape (C, H, W), flat output?)."""
    c, h, w = shape
    t = L.get("type")
    flat_in = h == 1 and w == 1
    if t == "dense":
        bias = L.get("bias", True)
        return Dense(c * h * w, int(L["units"]), bias=bias), (int(L["units"]), 1, 1)
    if t == "relu":
        return nn.ReLU(), shape
    if t == "leaky_relu":
        return nn.LeakyReLU(float(L.get("slope", 0.2))), shape
    if t == "tanh":
        return nn.Tanh(), shape
    if t == "sigmoid":
        return nn.Sigmoid(), shape
    if t == "batchnorm":
        cls = FlatBatchNorm if flat_in else nn.BatchNorm2d
        return cls(c, eps=float(L.get("eps", 1e-5)), momentum=1.0 - float(L.get("momentum", 0.9))), shape
    if t == "instancenorm":
        return nn.InstanceNorm2d(c, eps=float(L.get("eps", 1e-5)), affine=bool(L.get("affine", False))), shape
    if t == "dropout":
        return nn.Dropout(float(L.get("p", 0.5))), shape
    if t in ("conv2d", "conv_transpose2d"):
        k, s, p = _pair(L["kernel"]), _pair(L.get("stride"), 1), _pair(L.get("padding"), 0)
        oc, bias = int(L["out_channels"]), L.get("bias", True)
        if t == "conv2d":
            m = nn.Conv2d(c, oc, k, stride=s, padding=p, bias=bias)
            oh, ow = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
        else:
            op = _pair(L.get("output_padding"), 0)
            m = nn.ConvTranspose2d(c, oc, k, stride=s, padding=p, output_padding=op, bias=bias)
            oh, ow = (h - 1) * s[0] - 2 * p[0] + k[0] + op[0], (w - 1) * s[1] - 2 * p[1] + k[1] + op[1]
        return m, (oc, oh, ow)
    if t == "upsample":
        mode = L.get("mode", "nearest")
        m = nn.Upsample(scale_factor=2, mode=mode, align_corners=False if mode == "bilinear" else None)
        return m, (c, 2 * h, 2 * w)
    if t == "avgpool":
        k = _pair(L["kernel"])
        s, p = _pair(L.get("stride"), k), _pair(L.get("padding"), 0)
        m = nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=True)
        return m, (c, (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1)
    if t == "reshape":
        s = [int(v) for v in L["shape"]]
        return Reshape(s), tuple(s)
    if t == "flatten":
        return nn.Flatten(), (c * h * w, 1, 1)
    if t == "add":
        return Add(L["from"]), shape
    if t == "pad":
        if "padding" not in L:
            raise WasmgenTorchError(f'{where}: pad needs "padding": a number or [height, width]')
        if L.get("mode", "zero") not in PAD_MODES:
            raise WasmgenTorchError(f'{where}: pad "mode" must be "zero", "reflect" or "replicate", not {L.get("mode")!r}')
        m = Pad(L["padding"], L.get("mode", "zero"))
        ph, pw = m.padding
        if m.mode == "reflect" and (ph >= h or pw >= w):
            raise WasmgenTorchError(f"{where}: reflect padding {ph}x{pw} must be smaller than the input {h}x{w}")
        return m, (c, h + 2 * ph, w + 2 * pw)
    raise WasmgenTorchError(f"{where}: unsupported layer type {t!r} (wasmgen_torch knows {', '.join(LAYER_TYPES)})")


class WasmgenNet(nn.Sequential):
    """A wasmgen layer list as an nn.Sequential whose children are named "0", "1", ..."""

    def __init__(self, spec, in_shape, name="net"):
        if not isinstance(spec, list) or not spec:
            raise WasmgenTorchError(f"config: \"{name}\" must be a non-empty list of layers")
        mods, shape, self_shapes = [], tuple(int(v) for v in in_shape), []
        for i, L in enumerate(spec):
            if not isinstance(L, dict):
                raise WasmgenTorchError(f"config: {name} layer {i} is not an object")
            m, shape = build_layer(L, shape, f"config: {name} layer {i}")
            mods.append(m)
            self_shapes.append(shape)
        super().__init__(*mods)
        self.spec = spec
        self.in_shape = tuple(int(v) for v in in_shape)
        self.out_shape = shape
        # Outputs that a later add reads.
        self._kept = {int(L["from"]) for L in spec if L.get("type") == "add"}

    @property
    def in_features(self):
        c, h, w = self.in_shape
        return c * h * w

    def shape_input(self, x):
        """Rows (B, features) -> the tensor layout layer 0 expects: (B, C) flat or (B, C, H, W)."""
        c, h, w = self.in_shape
        return x.reshape(x.shape[0], c) if h == 1 and w == 1 else x.reshape(x.shape[0], c, h, w)

    def forward(self, x, upto=None):
        x = self.shape_input(x)
        outs = {}
        n = len(self) if upto is None else upto
        for i in range(n):
            m = self[i]
            x = m(x, outs[m.source].reshape(x.shape)) if isinstance(m, Add) else m(x)
            if i in self._kept:
                outs[i] = x
        return x.reshape(x.shape[0], -1)


def wasmgen_state_dict(module):
    """A module's state_dict as wasmgen names it: without BatchNorm's num_batches_tracked."""
    return {k: v for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
