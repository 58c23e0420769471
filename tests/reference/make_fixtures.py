#!/usr/bin/python3
"""Generate PyTorch reference fixtures for the C layer tests.

For every case: float32 random inputs/parameters/upstream gradient are drawn
(torch.manual_seed per case), then the layer is evaluated in float64 on exactly
those float32 values, and forward output + all gradients are written to
tests/reference/fixtures/<name>.json (format: see README.md next to this file).

    /usr/bin/python3 tests/reference/make_fixtures.py          # regenerate all
    /usr/bin/python3 tests/reference/make_fixtures.py --check  # also print float32 vs float64 error

Requires PyTorch (tested with Debian's 1.13.1). Not needed at test time.
"""

import argparse
import copy
import json
import os
import sys
import zlib

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "fixtures")

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# helpers

def r9(x):
    """Round a Python float to 9 significant digits (exact for float32 values)."""
    return float("%.9g" % x)


def flat(t):
    return [r9(v) for v in t.detach().to(torch.float64).reshape(-1).tolist()]


def f32(shape, lo=None, hi=None, scale=1.0):
    """Random float32 tensor: normal*scale, or uniform [lo, hi)."""
    if lo is not None:
        return (torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo)
    return torch.randn(*shape, dtype=torch.float32) * scale


def seed_for(name):
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


# --------------------------------------------------------------------------
# layer builders: each returns (module, tensors dict of float32 params,
# params dict for the JSON, list of tensor names that receive gradients)

def build_conv2d(p, N, H, W):
    m = nn.Conv2d(p["in_channels"], p["out_channels"], tuple(p["kernel"]),
                  stride=tuple(p["stride"]), padding=tuple(p["padding"]), bias=p["bias"])
    # default kaiming-uniform init is fine for the weight; give the bias a real spread
    tensors = {"weight": m.weight.detach().clone()}
    if p["bias"]:
        tensors["bias"] = f32([p["out_channels"]], scale=0.5)
    return m, tensors, list(tensors), [N, p["in_channels"], H, W]


def build_conv_transpose2d(p, N, H, W):
    m = nn.ConvTranspose2d(p["in_channels"], p["out_channels"], tuple(p["kernel"]),
                           stride=tuple(p["stride"]), padding=tuple(p["padding"]),
                           output_padding=tuple(p["output_padding"]), bias=p["bias"])
    tensors = {"weight": m.weight.detach().clone()}
    if p["bias"]:
        tensors["bias"] = f32([p["out_channels"]], scale=0.5)
    return m, tensors, list(tensors), [N, p["in_channels"], H, W]


def build_batchnorm2d(p, N, H, W):
    C = p["channels"]
    m = nn.BatchNorm2d(C, eps=p["eps"], momentum=p["momentum_pytorch"])
    tensors = {
        "weight": f32([C], lo=0.5, hi=1.5),
        "bias": f32([C], scale=0.5),
        "running_mean": f32([C], scale=0.5),
        "running_var": f32([C], lo=0.5, hi=2.0),
    }
    if p["mode"] == "train":
        m.train()
    else:
        m.eval()
    return m, tensors, ["weight", "bias"], [N, C, H, W]


def build_instancenorm2d(p, N, H, W):
    C = p["channels"]
    m = nn.InstanceNorm2d(C, eps=p["eps"], affine=p["affine"], track_running_stats=False)
    tensors = {}
    if p["affine"]:
        tensors = {"weight": f32([C], lo=0.5, hi=1.5), "bias": f32([C], scale=0.5)}
    return m, tensors, list(tensors), [N, C, H, W]


def build_upsample_nearest2x(p, N, H, W, C):
    return nn.Upsample(scale_factor=2, mode="nearest"), {}, [], [N, C, H, W]


def build_upsample_bilinear2x(p, N, H, W, C):
    return (nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            {}, [], [N, C, H, W])


def build_pad2d(p, N, H, W, C):
    pad = (p["padding"][1], p["padding"][1], p["padding"][0], p["padding"][0])
    m = {"reflect": nn.ReflectionPad2d, "replicate": nn.ReplicationPad2d,
         "zero": nn.ZeroPad2d}[p["mode"]](pad)
    return m, {}, [], [N, C, H, W]


def build_avgpool2d(p, N, H, W, C):
    m = nn.AvgPool2d(tuple(p["kernel"]), stride=tuple(p["stride"]),
                     padding=tuple(p["padding"]), ceil_mode=False,
                     count_include_pad=p["count_include_pad"])
    return m, {}, [], [N, C, H, W]


def build_linear(p, N):
    m = nn.Linear(p["in_features"], p["out_features"], bias=p["bias"])
    tensors = {"weight": m.weight.detach().clone()}
    if p["bias"]:
        tensors["bias"] = f32([p["out_features"]], scale=0.5)
    return m, tensors, list(tensors), [N, p["in_features"]]


def make_softmax_xent(case):
    """Softmax cross-entropy (the classifier's loss): output is the SUM over rows of
    -log softmax(x)[label], as wg_softmax_xent returns it; grad_output is the one scale it
    multiplies the gradient by; probs is the softmax. Large-logit cases check that the
    max is taken out before exp (naive exp overflows float32 above ~88)."""
    N, K, spread, offset = case["N"], case["params"]["classes"], case["spread"], case["offset"]
    logits = f32([N, K], scale=spread)
    if offset:
        # rows shifted far from 0 in both directions, and one row whose label is far below the max
        logits += torch.tensor([offset * (1 if i % 2 else -1) for i in range(N)])[:, None]
    labels = torch.randint(0, K, (N,))
    if offset:
        low = int(logits[0].argmin())
        labels[0] = low
    scale = f32([1], lo=0.2, hi=1.2)
    x = logits.to(torch.float64).requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(x, labels, reduction="sum")
    (loss * scale.to(torch.float64)[0]).backward()
    return {
        "name": case["name"],
        "layer": "softmax_xent",
        "params": case["params"],
        "input_shape": [N, K],
        "input": flat(logits),
        "labels": labels.tolist(),
        "tensors": {},
        "output_shape": [1],
        "output": [r9(loss.item())],
        "probs": flat(torch.softmax(x.detach(), 1)),
        "grad_output": flat(scale),
        "grad_input": flat(x.grad),
        "grad_tensors": {},
    }


# --------------------------------------------------------------------------
# cases

def conv(name, N, IC, OC, H, W, k, s, p, bias=True):
    return dict(name=name, layer="conv2d", N=N, H=H, W=W,
                params=dict(in_channels=IC, out_channels=OC, kernel=pair(k), stride=pair(s),
                            padding=pair(p), bias=bias))


def convT(name, N, IC, OC, H, W, k, s, p, op, bias=True):
    return dict(name=name, layer="conv_transpose2d", N=N, H=H, W=W,
                params=dict(in_channels=IC, out_channels=OC, kernel=pair(k), stride=pair(s),
                            padding=pair(p), output_padding=pair(op), bias=bias))


def bn(name, N, C, H, W, mode="train", momentum=0.1, eps=1e-5):
    return dict(name=name, layer="batchnorm2d", N=N, H=H, W=W,
                params=dict(mode=mode, channels=C, momentum_pytorch=momentum, eps=eps))


def inorm(name, N, C, H, W, affine, eps=1e-5):
    return dict(name=name, layer="instancenorm2d", N=N, H=H, W=W,
                params=dict(channels=C, eps=eps, affine=affine))


def up(name, kind, N, C, H, W):
    return dict(name=name, layer="upsample_" + kind + "2x", N=N, C=C, H=H, W=W, params={})


def pool(name, N, C, H, W, k, s, p=0):
    return dict(name=name, layer="avgpool2d", N=N, C=C, H=H, W=W,
                params=dict(kernel=pair(k), stride=pair(s), padding=pair(p),
                            count_include_pad=True))


def pad(name, mode, N, C, H, W, p):
    return dict(name=name, layer="pad2d", N=N, C=C, H=H, W=W,
                params=dict(padding=pair(p), mode=mode))


def lin(name, N, fin, fout, bias=True):
    return dict(name=name, layer="linear", N=N,
                params=dict(in_features=fin, out_features=fout, bias=bias))


def xent(name, N, K, spread, offset=0.0):
    return dict(name=name, layer="softmax_xent", N=N, spread=spread, offset=offset,
                params=dict(classes=K))


CASES = [
    # conv2d
    conv("conv2d_k3_s1_p1_7x5", 2, 3, 5, 7, 5, 3, 1, 1),
    conv("conv2d_s2_p1_oddsizes", 3, 5, 6, 9, 6, 3, 2, 1),
    conv("conv2d_k4_s2_p1_9x7", 2, 3, 6, 9, 7, 4, 2, 1),
    conv("conv2d_k5_s1_p2_nobias", 2, 4, 3, 6, 8, 5, 1, 2, bias=False),
    conv("conv2d_k3_s1_p0_nobias", 3, 6, 5, 5, 7, 3, 1, 0, bias=False),
    conv("conv2d_k3_s2_p2_7x5", 2, 3, 5, 7, 5, 3, 2, 2),
    conv("conv2d_k5_s2_p2_dcgan_d1_28x28", 1, 1, 3, 28, 28, 5, 2, 2),
    conv("conv2d_k5_s2_p2_dcgan_d2_14x14", 1, 3, 5, 14, 14, 5, 2, 2),
    conv("conv2d_k4_s2_p1_vae_e2_14x14", 1, 5, 3, 14, 14, 4, 2, 1),
    conv("conv2d_rect_k3x5_s2x1_p1x2", 2, 3, 4, 7, 6, (3, 5), (2, 1), (1, 2)),
    # conv_transpose2d
    convT("convT_k5_s2_p2_op1_dcgan_g1_7x7", 1, 6, 4, 7, 7, 5, 2, 2, 1),
    convT("convT_k5_s2_p2_op1_dcgan_g2_14x14", 1, 4, 1, 14, 14, 5, 2, 2, 1),
    convT("convT_k4_s2_p1_vae_5x4", 2, 5, 3, 5, 4, 4, 2, 1, 0),
    convT("convT_k3_s2_p1_op1_5x7", 2, 3, 6, 5, 7, 3, 2, 1, 1),
    convT("convT_k3_s1_p1_nobias_6x5", 3, 6, 5, 6, 5, 3, 1, 1, 0, bias=False),
    convT("convT_k4_s2_p2_6x5", 2, 3, 5, 6, 5, 4, 2, 2, 0),
    convT("convT_k3_s2_p0_nobias_4x3", 2, 5, 3, 4, 3, 3, 2, 0, 0, bias=False),
    convT("convT_rect_k3x4_s2x1_p1x2_op1x0", 2, 3, 5, 4, 6, (3, 4), (2, 1), (1, 2), (1, 0)),
    # batchnorm2d
    bn("batchnorm2d_train_c3_7x5_n2", 2, 3, 7, 5),
    bn("batchnorm2d_train_c5_9x6_n3", 3, 5, 9, 6),
    bn("batchnorm2d_train_c6_4x4_n2_m0.2_eps1e-3", 2, 6, 4, 4, momentum=0.2, eps=1e-3),
    bn("batchnorm2d_train_c3_1x1_n5", 5, 3, 1, 1),
    bn("batchnorm2d_eval_c5_6x7_n2", 2, 5, 6, 7, mode="eval"),
    # instancenorm2d
    inorm("instancenorm2d_affine_c3_7x5_n2", 2, 3, 7, 5, True),
    inorm("instancenorm2d_noaffine_c5_9x6_n2", 2, 5, 9, 6, False),
    inorm("instancenorm2d_affine_c6_4x6_n3_eps1e-3", 3, 6, 4, 6, True, eps=1e-3),
    # upsampling
    up("upsample_nearest2x_c3_7x5_n2", "nearest", 2, 3, 7, 5),
    up("upsample_nearest2x_c5_4x6_n1", "nearest", 1, 5, 4, 6),
    up("upsample_bilinear2x_c3_7x5_n2", "bilinear", 2, 3, 7, 5),
    up("upsample_bilinear2x_c6_3x4_n2", "bilinear", 2, 6, 3, 4),
    up("upsample_bilinear2x_c5_1x6_n1", "bilinear", 1, 5, 1, 6),
    # avgpool2d
    pool("avgpool2d_k2_s2_c3_8x6_n2", 2, 3, 8, 6, 2, 2),
    pool("avgpool2d_k2_s2_c5_7x5_n2_truncated", 2, 5, 7, 5, 2, 2),
    pool("avgpool2d_k3_s2_c6_9x7_n2", 2, 6, 9, 7, 3, 2),
    pool("avgpool2d_k3_s1_p1_countpad_c3_7x5_n2", 2, 3, 7, 5, 3, 1, 1),
    # padding (the ResNet generator's reflection pad, and the other two modes)
    pad("pad2d_reflect_p3_c3_7x5_n2", "reflect", 2, 3, 7, 5, 3),
    pad("pad2d_reflect_p1x2_c2_4x6_n2", "reflect", 2, 2, 4, 6, (1, 2)),
    pad("pad2d_replicate_p2_c3_3x4_n2", "replicate", 2, 3, 3, 4, 2),
    pad("pad2d_zero_p2x1_c2_5x3_n3", "zero", 3, 2, 5, 3, (2, 1)),
    # linear
    lin("linear_13_to_7_n3", 3, 13, 7),
    lin("linear_20_to_6_nobias_n2", 2, 20, 6, bias=False),
    # softmax cross-entropy (a loss: no parameters)
    xent("softmax_xent_k4_n5", 5, 4, 2.0),
    xent("softmax_xent_k10_n6", 6, 10, 1.0),
    xent("softmax_xent_k2_n3", 3, 2, 3.0),
    xent("softmax_xent_k5_n4_large_logits", 4, 5, 300.0, offset=5000.0),
    xent("softmax_xent_k3_n5_large_gaps", 5, 3, 40.0, offset=120.0),
]


def build(case):
    layer, p = case["layer"], case["params"]
    N = case["N"]
    if layer == "conv2d":
        return build_conv2d(p, N, case["H"], case["W"])
    if layer == "conv_transpose2d":
        return build_conv_transpose2d(p, N, case["H"], case["W"])
    if layer == "batchnorm2d":
        return build_batchnorm2d(p, N, case["H"], case["W"])
    if layer == "instancenorm2d":
        return build_instancenorm2d(p, N, case["H"], case["W"])
    if layer == "upsample_nearest2x":
        return build_upsample_nearest2x(p, N, case["H"], case["W"], case["C"])
    if layer == "upsample_bilinear2x":
        return build_upsample_bilinear2x(p, N, case["H"], case["W"], case["C"])
    if layer == "avgpool2d":
        return build_avgpool2d(p, N, case["H"], case["W"], case["C"])
    if layer == "pad2d":
        return build_pad2d(p, N, case["H"], case["W"], case["C"])
    if layer == "linear":
        return build_linear(p, N)
    raise ValueError(layer)


def load_params(m, tensors, dtype):
    """Copy the float32 parameter/buffer values into module m (converted to dtype)."""
    m.to(dtype)
    with torch.no_grad():
        for k, v in tensors.items():
            getattr(m, k).copy_(v.to(dtype))


def run(m, tensors, grad_names, x32, dy32, dtype):
    load_params(m, tensors, dtype)
    x = x32.to(dtype).clone().requires_grad_(True)
    y = m(x)
    assert y.shape == dy32.shape
    (y * dy32.to(dtype)).sum().backward()
    grads = {k: getattr(m, k).grad.detach().clone() for k in grad_names}
    after = None
    if isinstance(m, nn.BatchNorm2d) and m.training:
        after = {"running_mean": m.running_mean.detach().clone(),
                 "running_var": m.running_var.detach().clone()}
    return y.detach(), x.grad.detach(), grads, after


def make_case(case, check=False):
    torch.manual_seed(seed_for(case["name"]))
    if case["layer"] == "softmax_xent":
        return make_softmax_xent(case), None
    m, tensors, grad_names, in_shape = build(case)
    x32 = f32(in_shape)
    with torch.no_grad():
        # output shape only (the buffers of a train-mode BN would be touched:
        # use a throwaway copy of the float32 module)
        out_shape = list(copy.deepcopy(m)(x32).shape)
    dy32 = f32(out_shape)

    y, gx, gt, after = run(m, tensors, grad_names, x32, dy32, torch.float64)

    doc = {
        "name": case["name"],
        "layer": case["layer"],
        "params": case["params"],
        "input_shape": in_shape,
        "input": flat(x32),
        "tensors": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in tensors.items()},
        "output_shape": out_shape,
        "output": flat(y),
        "grad_output": flat(dy32),
        "grad_input": flat(gx),
        "grad_tensors": {k: flat(v) for k, v in gt.items()},
    }
    if after is not None:
        doc["after"] = {k: flat(v) for k, v in after.items()}

    err = None
    if check:
        # How far is a plain float32 PyTorch evaluation from the float64 reference?
        # (relative to the largest magnitude in each array)
        m32, _, _, _ = build(case)  # same architecture; values are overwritten below
        y2, gx2, gt2, after2 = run(m32, tensors, grad_names, x32, dy32, torch.float32)
        pairs = [(y2, y), (gx2, gx)] + [(gt2[k], gt[k]) for k in gt]
        if after is not None:
            pairs += [(after2[k], after[k]) for k in after]
        err = max(((a.double() - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()
                  for a, b in pairs)
    return doc, err


def dump(doc):
    """One top-level key per line, arrays compact."""
    lines = ["{"]
    items = list(doc.items())
    for i, (k, v) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v, separators=(",", ":")), sep))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="also report float32-vs-float64 relative error per case")
    ap.add_argument("--out", default=OUT_DIR)
    args = ap.parse_args()

    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    os.makedirs(args.out, exist_ok=True)
    # remove stale fixtures (only our own *.json files)
    for f in os.listdir(args.out):
        if f.endswith(".json") and f[:-5] not in names:
            os.remove(os.path.join(args.out, f))

    total = 0
    worst = 0.0
    for case in CASES:
        doc, err = make_case(case, check=args.check)
        text = dump(doc)
        path = os.path.join(args.out, case["name"] + ".json")
        with open(path, "w") as fh:
            fh.write(text)
        total += len(text)
        msg = "%-45s %7d bytes  in %s -> out %s" % (case["name"], len(text),
                                                    doc["input_shape"], doc["output_shape"])
        if err is not None:
            worst = max(worst, err)
            msg += "  f32 err %.2e" % err
        print(msg)
        assert len(text) < 60000, "fixture too large: " + case["name"]

    with open(os.path.join(args.out, "MANIFEST"), "w") as fh:
        fh.write("".join(n + ".json\n" for n in names))
    print("%d cases, %d bytes total" % (len(CASES), total))
    if args.check:
        print("worst float32-vs-float64 relative error: %.2e" % worst)
    assert total < 1_000_000


if __name__ == "__main__":
    sys.exit(main())
