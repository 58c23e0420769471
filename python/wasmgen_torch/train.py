"""train.py — continue training a wasmgen checkpoint in PyTorch, on one process or data-parallel.

Data parallelism as DistributedDataParallel does it: every rank starts from the same weights
and optimizer state (rank 0's, broadcast), trains on its own shard of each epoch's shuffled
order, and before each update the gradients of every net are averaged over the ranks with one
all-reduce per net (gloo on CPU, NCCL on GPUs); batch-norm running statistics are rank 0's,
broadcast after each step (DDP's broadcast_buffers). The DistributedDataParallel wrapper itself
is not used because a GAN step takes G's and D's gradients from different losses in one pass and
runs D twice; its reducer fires once per backward() over all of a module's parameters. The
effective batch is --batch x world size; the learning rates stay the checkpoint's.

A step whose losses or gradients are not finite (on any rank) is skipped, as wasmgen's guard does.

    run_training(args, rank=0, world=1)       # from __main__ (single process, spawn or torchrun)
"""

import hashlib
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

from .checkpoint import load_checkpoint, save_checkpoint
from .data import load_dataset
from .errors import WasmgenTorchError


def _flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors]) if tensors else torch.zeros(0)


def _unflat(flat, like):
    out, i = [], 0
    for t in like:
        out.append(flat[i:i + t.numel()].view_as(t))
        i += t.numel()
    return out


def digest(model):
    """SHA-1 of every parameter and statistic's bytes, in state_dict order (rank agreement)."""
    h = hashlib.sha1()
    for v in model.state_dict().values():
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def run_training(args, rank=0, world=1, device="cpu"):
    distributed = world > 1
    model, state = load_checkpoint(args.resume)
    model.to(device)
    for opt in state.optimizers:   # moments follow their parameters to the device
        for st in opt.state.values():
            for k, v in st.items():
                if torch.is_tensor(v) and k != "step":
                    st[k] = v.to(device)
    if model.config.get("augment") and rank == 0:
        print(f"wasmgen_torch: the config's augmentation \"{model.config['augment']}\" is not applied in PyTorch "
              "(the returned checkpoint keeps it for wasmgen)", file=sys.stderr)
    ds = load_dataset(args.data, args.labels, channels=model.channels)
    n, c, h, w = ds.pixels.shape
    if (c, h, w) != (model.channels, model.height, model.width):
        raise WasmgenTorchError(f"{args.data}: images are {c}x{h}x{w} (CxHxW), the model needs "
                                f"{model.channels}x{model.height}x{model.width}")
    if model.family.conditional and ds.labels is None:
        raise WasmgenTorchError(f"a {model.config['model']} model trains on labelled data; {args.data} has no labels")
    if model.family.conditional and int(ds.labels.max()) >= model.classes:
        raise WasmgenTorchError(f"{args.data}: label {int(ds.labels.max())} is out of range for {model.classes} classes")
    per_rank = n // world
    if per_rank < args.batch:
        raise WasmgenTorchError(f"{args.data}: {n} images cannot give {world} process(es) a batch of {args.batch} each")

    if distributed:   # rank 0's state everywhere, as DDP's constructor broadcasts
        for t in model.state_dict().values():
            dist.broadcast(t, 0)
    seed = int(args.seed if args.seed is not None else model.config.get("seed", 1)) + 1000003 * int(state.step)
    torch.manual_seed(seed + 7919 * rank)   # dropout
    noise = torch.Generator(device=device)
    noise.manual_seed(seed * 31 + rank)

    def draw(shape):
        return torch.randn(shape, generator=noise, device=device)
    order = torch.Generator()
    pixels = torch.from_numpy(ds.pixels)
    labels = torch.from_numpy(ds.labels.astype(np.int64)) if ds.labels is not None else None
    scale, shift = model.family.image_scale, model.family.image_shift
    per_epoch = per_rank // args.batch
    history, skipped, applied = [], 0, [0] * len(model.nets)
    model.train()
    t0 = time.time()
    for i in range(args.steps):
        epoch, j = divmod(i, per_epoch)
        if j == 0:
            order.manual_seed(seed + epoch)
            perm = torch.randperm(n, generator=order)[rank:per_rank * world:world]
        idx = perm[j * args.batch:(j + 1) * args.batch]
        x = (pixels[idx].reshape(len(idx), -1).to(torch.float32) * np.float32(1 / 255)) * scale + shift
        x = x.to(device)
        y = labels[idx].to(device) if labels is not None else None
        losses, grads = model.family.step(model, x, y, draw)
        flats = [_flat(g) for g in grads]
        vals = torch.tensor([losses[k] for k in losses], dtype=torch.float64, device=device)
        if distributed:
            for f in flats:
                dist.all_reduce(f)
                f /= world
            dist.all_reduce(vals)
            vals /= world
        finite = all(bool(torch.isfinite(f).all()) for f in flats) and bool(torch.isfinite(vals).all())
        if finite:
            for k, (net, opt, f, g) in enumerate(zip(model.nets, state.optimizers, flats, grads)):
                for p, gi in zip(net.parameters(), _unflat(f, g)):
                    p.grad = gi.clone()
                opt.step()
                applied[k] += 1
        else:
            skipped += 1
        if distributed:
            for name, b in model.named_buffers():
                dist.broadcast(b, 0)
        history.append(dict(zip(losses, (float(v) for v in vals.tolist()))))
        if rank == 0 and args.log_every and (i + 1) % args.log_every == 0 and not args.json:
            print(f"step {state.step + i + 1}: " + ", ".join(f"{k} {v:.4f}" for k, v in history[-1].items()), file=sys.stderr)
    seconds = time.time() - t0
    digests = [digest(model)]
    if distributed:
        gathered = [None] * world
        dist.all_gather_object(gathered, digests[0])
        digests = gathered
    if rank != 0:
        return None
    model.to("cpu")
    for opt in state.optimizers:
        for st in opt.state.values():
            for k, v in st.items():
                if torch.is_tensor(v):
                    st[k] = v.cpu()
    epochs_seen = (args.steps * args.batch * world) // max(n, 1)
    state.step += args.steps   # as in wasmgen, a skipped step still counts
    state.epoch += epochs_seen
    if state.record.get("guard"):
        state.record["guard"][0] = int(state.record["guard"][0]) + skipped
    state.dataset = ds.id
    save_checkpoint(args.out, model, state, extra_steps=applied)
    summary = {"model": model.config["model"], "dataset": ds.id, "steps": args.steps, "step": state.step,
               "world_size": world, "batch": args.batch, "device": str(device), "seconds": round(seconds, 3),
               "images_per_sec": round(args.steps * args.batch * world / max(seconds, 1e-9), 1),
               "skipped": skipped, "losses": history[-1], "history": history,
               "rank_digests": digests, "in_sync": len(set(digests)) == 1, "saved": args.out}
    return summary
