"""export.py — a model built and trained in plain PyTorch, written as a wasmgen checkpoint.

Each net is an nn.Sequential (or any module whose children run in order) of layers wasmgen has:
Linear, Conv2d, ConvTranspose2d, BatchNorm1d/2d, InstanceNorm2d, ReLU, LeakyReLU, Tanh, Sigmoid,
Dropout, Upsample (x2 nearest or bilinear), AvgPool2d, Flatten, Unflatten (to C, H, W),
ReflectionPad2d / ReplicationPad2d / ZeroPad2d (the same padding on both sides) and this package's
own layers. The exporter turns each child into a wasmgen layer spec, rebuilds the net
from that spec (layers.WasmgenNet), copies the weights and checks that both give the same output
on random input before it writes anything; a layer or setting wasmgen lacks is a clear error.

    export("gan.safetensors", "dcgan", {"G": G, "D": D}, height=28, width=28, latent=100)
    # then: wasmgen sample --load gan.safetensors --out grid.png

The nets are given by role (gan/dcgan/cgan/cdcgan: G, D; vae/convvae/cvae: encoder, decoder;
lenet: classifier; cyclegan: G_AB, G_BA, D_A, D_B, in layers run one after another: a plain
nn.Sequential has no residual skips). G's output and the decoder's are images in the family's
range (tanh for GANs and CycleGAN, sigmoid for VAEs), D outputs one logit (CycleGAN's D a map of
patch scores), the encoder [mu, logvar]. Optimizers, when given, export
their Adam moments and step counts so wasmgen continues training with them.
"""

import json

import torch
import torch.nn as nn

from .checkpoint import TrainingState, fresh_family_state, fresh_state_record, save_checkpoint
from .errors import WasmgenTorchError
from .families import family_of
from .layers import Add, Dense, Pad, Reshape
from .model import WasmgenModel


def _same(v):
    return v[0] if isinstance(v, (tuple, list)) and v[0] == v[1] else (list(v) if isinstance(v, (tuple, list)) else v)


def _no(cond, where, what):
    if cond:
        raise WasmgenTorchError(f"{where}: {what}")


def layer_spec(m, where):
    """One PyTorch module -> a wasmgen layer spec (dict); WasmgenTorchError when wasmgen lacks it."""
    if isinstance(m, (nn.Linear, Dense)):
        return {"type": "dense", "units": m.out_features, **({} if m.bias is not None else {"bias": False})}
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        t = "conv2d" if isinstance(m, nn.Conv2d) else "conv_transpose2d"
        _no(m.groups != 1, where, f"{t} with groups={m.groups} is not supported (groups must be 1)")
        _no(tuple(m.dilation) != (1, 1), where, f"{t} with dilation {m.dilation} is not supported")
        _no(isinstance(m.padding, str), where, f"{t} padding {m.padding!r} is not supported (give numbers)")
        _no(m.padding_mode != "zeros", where, f"{t} padding_mode {m.padding_mode!r} is not supported (zeros only)")
        s = {"type": t, "out_channels": m.out_channels, "kernel": _same(m.kernel_size), "stride": _same(m.stride),
             "padding": _same(m.padding)}
        if t == "conv_transpose2d":
            s["output_padding"] = _same(m.output_padding)
        if m.bias is None:
            s["bias"] = False
        return s
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        _no(not m.affine, where, "batch norm without affine weights is not supported (wasmgen's has weight and bias)")
        _no(not m.track_running_stats or m.momentum is None, where,
            "batch norm needs running statistics with a fixed momentum (momentum=None averages cumulatively)")
        return {"type": "batchnorm", "momentum": 1.0 - m.momentum, "eps": m.eps}
    if isinstance(m, nn.InstanceNorm2d):
        _no(m.track_running_stats, where, "instance norm with running statistics is not supported")
        return {"type": "instancenorm", "eps": m.eps, "affine": bool(m.affine)}
    if isinstance(m, nn.ReLU):
        return {"type": "relu"}
    if isinstance(m, nn.LeakyReLU):
        return {"type": "leaky_relu", "slope": m.negative_slope}
    if isinstance(m, nn.Tanh):
        return {"type": "tanh"}
    if isinstance(m, nn.Sigmoid):
        return {"type": "sigmoid"}
    if isinstance(m, nn.Dropout):
        return {"type": "dropout", "p": m.p}
    if isinstance(m, nn.Upsample):
        sf = m.scale_factor
        _no(m.size is not None or sf not in (2, 2.0, (2, 2), (2.0, 2.0)), where, "upsample must scale by 2 (scale_factor=2)")
        _no(m.mode not in ("nearest", "bilinear"), where, f"upsample mode {m.mode!r} is not supported (nearest or bilinear)")
        _no(m.mode == "bilinear" and m.align_corners, where, "bilinear upsample needs align_corners=False")
        return {"type": "upsample", "mode": m.mode}
    if isinstance(m, nn.AvgPool2d):
        _no(m.ceil_mode or not m.count_include_pad or m.divisor_override, where,
            "avgpool needs ceil_mode=False, count_include_pad=True and no divisor_override")
        return {"type": "avgpool", "kernel": _same(m.kernel_size), "stride": _same(m.stride), "padding": _same(m.padding)}
    if isinstance(m, nn.Flatten):
        _no(m.start_dim != 1 or m.end_dim != -1, where, "flatten must be nn.Flatten() (start_dim 1, end_dim -1)")
        return {"type": "flatten"}
    if isinstance(m, nn.Unflatten):
        _no(m.dim != 1 or len(m.unflattened_size) != 3, where, "unflatten must be nn.Unflatten(1, (C, H, W))")
        return {"type": "reshape", "shape": [int(v) for v in m.unflattened_size]}
    if isinstance(m, Reshape):
        return {"type": "reshape", "shape": list(m.shape)}
    if isinstance(m, Add):
        return {"type": "add", "from": m.source}
    if isinstance(m, Pad):
        return {"type": "pad", "padding": _same(m.padding), "mode": m.mode}
    pads = ((nn.ReflectionPad2d, "reflect"), (nn.ReplicationPad2d, "replicate"), (nn.ZeroPad2d, "zero"),
            (nn.ConstantPad2d, "zero"))
    for cls, mode in pads:
        if isinstance(m, cls):
            value = getattr(m, "value", 0)   # ZeroPad2d has none in torch 1.13
            _no(value != 0, where, f"ConstantPad2d with value {value} is not supported (wasmgen pads with zeros)")
            left, right, top, bottom = m.padding
            _no(left != right or top != bottom, where, f"{type(m).__name__} padding {tuple(m.padding)} is not supported "
                "(wasmgen pads both sides alike: (w, w, h, h))")
            return {"type": "pad", "padding": _same((top, left)), "mode": mode}
    raise WasmgenTorchError(f"{where}: unsupported layer {type(m).__name__} (wasmgen has Linear, Conv2d, ConvTranspose2d, "
                            "BatchNorm1d/2d, InstanceNorm2d, ReLU, LeakyReLU, Tanh, Sigmoid, Dropout, Upsample, "
                            "AvgPool2d, Flatten, Unflatten, ReflectionPad2d, ReplicationPad2d, ZeroPad2d)")


def net_spec(module, role):
    children = list(module.children())
    if not children:
        raise WasmgenTorchError(f"net {role}: has no layers (give an nn.Sequential)")
    return [layer_spec(m, f"net {role} layer {i}") for i, m in enumerate(children)]


def export(path, model, nets, height=28, width=28, channels=1, latent=None, classes=None, seed=1,
           optimizers=None, step=0, config_extra=None, check=True):
    """Writes nets {role: module} as a wasmgen checkpoint of preset `model`; returns the WasmgenModel."""
    family = family_of(model)
    roles = [r for r, _ in family.roles]
    if set(nets) != set(roles):
        raise WasmgenTorchError(f"a {model} needs nets {', '.join(roles)}; got {', '.join(nets) or 'none'}")
    config = {"model": model, "height": int(height), "width": int(width), "channels": int(channels)}
    if family.generator is not None:
        if not latent:
            raise WasmgenTorchError(f"a {model} needs latent= (the size of z)")
        config["latent"] = int(latent)
    if family.conditional:
        if not classes:
            raise WasmgenTorchError(f"a {model} needs classes= (the number of classes)")
        config["classes"] = int(classes)
    config.update({"optimizer": "adam", "lr": family.lr, "beta1": family.beta1, "beta2": 0.999, "eps": 1e-8,
                   "seed": int(seed), "init": "pytorch"})
    config.update(config_extra or {})
    for role in roles:   # each given optimizer's settings become its net's group
        o = (optimizers or {}).get(role)
        if o is not None:
            _check_optimizer(o, role)
            b1, b2 = o.defaults["betas"]
            config.setdefault("optimizers", {})[role] = {"lr": o.param_groups[0]["lr"], "beta1": b1, "beta2": b2,
                                                         "eps": o.defaults["eps"]}
    for role, key in family.roles:
        config[key] = net_spec(nets[role], role)
    wm = WasmgenModel(json.loads(json.dumps(config)))
    for role in roles:   # child by child, so named nn.Sequential children work too
        src, dst = nets[role], getattr(wm, role)
        for i, (cs, cd) in enumerate(zip(src.children(), dst.children())):
            src_sd = cs.state_dict()
            for k, v in cd.state_dict().items():
                if k.endswith("num_batches_tracked"):
                    continue
                if k not in src_sd or tuple(src_sd[k].shape) != tuple(v.shape):
                    raise WasmgenTorchError(f"net {role} layer {i}: tensor {k} {tuple(v.shape)} has no match in "
                                            f"{type(cs).__name__} (it has {[(n, tuple(t.shape)) for n, t in src_sd.items()]})")
                with torch.no_grad():
                    v.copy_(src_sd[k].detach().to("cpu", torch.float32))
        if check:
            _check_same(src, dst, role)
    lrs = [float(wm.optimizer_settings(k)["lr"]) for k in range(len(roles))]
    opts = wm.make_optimizers()
    for k, role in enumerate(roles):
        if optimizers and role in optimizers:
            _copy_optimizer(optimizers[role], nets[role], opts[k], getattr(wm, role), role)
    record = fresh_state_record(int(seed), roles, lrs, family.two_domains)
    family_tensors, family_state = fresh_family_state(wm, int(seed))
    save_checkpoint(path, wm, TrainingState(opts, step, 0, record, family_tensors=family_tensors, family_state=family_state))
    return wm


def _check_same(src, dst, role):
    """Both nets in eval mode on the same random input must agree: the spec means what torch did."""
    was = src.training
    src.eval()
    dst.eval()
    try:
        x = torch.randn((3,) + dst.in_shape)
        dev = next(src.parameters(), torch.zeros(0)).device
        with torch.no_grad():
            b = dst(x.reshape(3, -1))
            try:   # the module's own input layout: (B, C, H, W) images or (B, features) rows
                a = src((x.reshape(3, -1) if dst.in_shape[1:] == (1, 1) else x).to(dev))
            except RuntimeError:
                a = src(x.reshape(3, -1).to(dev))
            a = a.reshape(3, -1).cpu()
    finally:
        src.train(was)
    if a.shape != b.shape or not torch.allclose(a, b, atol=1e-4, rtol=1e-4):
        raise WasmgenTorchError(f"net {role}: the wasmgen rebuild does not reproduce the module's output "
                                f"(max difference {float((a - b).abs().max()) if a.shape == b.shape else 'shape'}); "
                                "a layer does something wasmgen's does not")


def _check_optimizer(o, role):
    if not isinstance(o, torch.optim.Adam) or o.defaults.get("amsgrad") or o.defaults.get("weight_decay"):
        raise WasmgenTorchError(f"optimizer of {role}: only torch.optim.Adam without amsgrad or weight decay carries over")


def _copy_optimizer(src_opt, src_net, dst_opt, dst_net, role):
    for ps, pd in zip(src_net.parameters(), dst_net.parameters()):
        st = src_opt.state.get(ps)
        if st:
            dst_opt.state[pd] = {"step": torch.tensor(float(st["step"])), "exp_avg": st["exp_avg"].detach().cpu().clone(),
                                 "exp_avg_sq": st["exp_avg_sq"].detach().cpu().clone()}
