"""train.py — continue training a wasmgen checkpoint in PyTorch, on one process or data-parallel.

Data parallelism is torch.nn.parallel.DistributedDataParallel's (gloo on CPU, NCCL on GPUs):
each net (G and D, encoder and decoder, CycleGAN's four) gets its own DDP wrapper, so its
reducer averages exactly that net's gradients, overlapped with the backward pass. A GAN step
runs D several times (on fakes for G's loss, on real images and fakes for its own) and takes
G's and D's gradients from different losses: the family objectives (families.py) back-propagate
each loss into its own net only (backward(inputs=...)), so every reducer sees each of its
parameters become ready exactly once per step, and no parameter goes unused (no
find_unused_parameters). DDP's constructor broadcasts rank 0's weights and statistics; every
rank loads the same optimizer state from the checkpoint.

Batch-norm running statistics are rank 0's, as with DDP's broadcast_buffers; the wrappers are
built with broadcast_buffers=False and this loop broadcasts every net's buffers from rank 0 once
after each update instead of before every forward (D runs two or three times a step), so the
ranks hold the same weights and statistics at every step boundary, and at the end. Running
statistics only matter in eval mode (sampling), so training itself is unchanged by this.

Each rank trains on its own shard of each epoch's shuffled order (a CycleGAN's domain B is drawn
uniformly with replacement, per rank, as the core draws it); the effective batch is --batch x
world size. The learning rates are the checkpoint's, times the family's schedule where it has one
(CycleGAN's linear decay, as a LambdaLR on the global step). A CycleGAN continues with the
checkpoint's image pools; each rank then keeps its own, and rank 0's are written back.

A step whose losses or gradients are not finite (averaged over the ranks, so every rank agrees)
is skipped, as wasmgen's guard does.

    run_training(args, rank=0, world=1)       # from cli.py (single process, spawn or torchrun)
"""

import hashlib
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .checkpoint import load_checkpoint, save_checkpoint
from .data import load_dataset
from .errors import WasmgenTorchError
from .families import Batch, ImagePools


def digest_of(tensors):
    """SHA-1 of the tensors' bytes in order (do the ranks agree?)."""
    h = hashlib.sha1()
    for v in tensors:
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def broadcast_buffers(model):
    """Rank 0's buffers everywhere: one broadcast per dtype of all buffers flattened together."""
    by_dtype = {}
    for b in model.buffers():
        by_dtype.setdefault(b.dtype, []).append(b)
    for bufs in by_dtype.values():
        flat = torch.cat([b.reshape(-1) for b in bufs])
        dist.broadcast(flat, 0)
        i = 0
        for b in bufs:
            b.copy_(flat[i:i + b.numel()].view_as(b))
            i += b.numel()


def _check_data(model, ds, spec, labelled):
    n, c, h, w = ds.pixels.shape
    if (c, h, w) != (model.channels, model.height, model.width):
        raise WasmgenTorchError(f"{spec}: images are {c}x{h}x{w} (CxHxW), the model needs "
                                f"{model.channels}x{model.height}x{model.width}")
    if labelled and ds.labels is None:
        raise WasmgenTorchError(f"a {model.config['model']} model trains on labelled data; {spec} has no labels")
    if labelled and int(ds.labels.max()) >= model.classes:
        raise WasmgenTorchError(f"{spec}: label {int(ds.labels.max())} is out of range for {model.classes} classes")


def _to_device(state, device):
    for opt in state.optimizers:   # moments follow their parameters; Adam's step count stays on the CPU
        for st in opt.state.values():
            for k, v in st.items():
                if torch.is_tensor(v) and k != "step":
                    st[k] = v.to(device)


POOL_TENSORS = ("family.pool_a", "family.pool_b")


def attach_pools(model, state, generator):
    """A CycleGAN's image pools from the checkpoint (contents and fill counts) as model.pools;
    `generator` makes the pools' random choices. Other families: nothing."""
    if model.family.name != "cyclegan":
        return
    counts = (state.family_state or {}).get("pool_count", [0, 0])
    pools = [torch.from_numpy(np.array(state.family_tensors[k])) for k in POOL_TENSORS] if model.pool_size else None
    model.pools = ImagePools(model.pool_size, model.channels * model.height * model.width, pools, counts, generator)


def store_pools(model, state):
    """model.pools back into the state the checkpoint writes; the record keeps the pool stream it
    was loaded with (PyTorch's choices did not draw from it)."""
    if model.pools is None or not model.pool_size:
        return
    for k, name in enumerate(POOL_TENSORS):
        state.family_tensors[name] = model.pools.images[k].cpu().numpy().reshape(state.family_tensors[name].shape)
    state.family_state = dict(state.family_state or {}, pool_count=list(model.pools.counts))


def lr_schedulers(model, state):
    """One LambdaLR per optimizer for a family with a schedule (CycleGAN), else []: the k-th
    scheduler step after loading gives the factor of the update at step state.step + k, as the
    core's lr_factor(m) with m->step. Call .step() after every training step, skipped or not."""
    if model.family.lr_factor is None:
        return []
    start = int(state.step)
    return [torch.optim.lr_scheduler.LambdaLR(opt, lambda k: model.family.lr_factor(model, start + k))
            for opt in state.optimizers]


def run_training(args, rank=0, world=1, device="cpu"):
    distributed = world > 1
    model, state = load_checkpoint(args.resume)
    model.to(device)
    _to_device(state, device)
    family = model.family
    if model.config.get("augment") and rank == 0:
        print(f"wasmgen_torch: the config's augmentation \"{model.config['augment']}\" is not applied in PyTorch "
              "(the returned checkpoint keeps it for wasmgen)", file=sys.stderr)
    data_b = getattr(args, "data_b", None)
    if family.two_domains and not data_b:
        raise WasmgenTorchError(f"a {model.config['model']} model translates between two domains: give --data A and --data-b B")
    if not family.two_domains and data_b:
        raise WasmgenTorchError(f"--data-b is the second domain of a two-domain model; a {model.config['model']} trains on one dataset")
    ds = load_dataset(args.data, args.labels, channels=model.channels)
    _check_data(model, ds, args.data, family.conditional)
    ds_b = load_dataset(data_b, channels=model.channels, flag="--data-b") if data_b else None
    if ds_b is not None:
        _check_data(model, ds_b, data_b, False)
    n = len(ds.pixels)
    per_rank = n // world
    if per_rank < args.batch:
        raise WasmgenTorchError(f"{args.data}: {n} images cannot give {world} process(es) a batch of {args.batch} each")

    nets = model.nets
    if distributed:   # one wrapper per net; the constructor broadcasts rank 0's weights and buffers
        ids = [device.index] if getattr(device, "type", "cpu") == "cuda" else None
        nets = [DistributedDataParallel(net, device_ids=ids, broadcast_buffers=False) for net in model.nets]
    seed = int(args.seed if args.seed is not None else model.config.get("seed", 1)) + 1000003 * int(state.step)
    torch.manual_seed(seed + 7919 * rank)   # dropout
    noise = torch.Generator(device=device)
    noise.manual_seed(seed * 31 + rank)

    def draw(shape):
        return torch.randn(shape, generator=noise, device=device)
    attach_pools(model, state, torch.Generator().manual_seed(seed * 37 + rank))
    schedulers = lr_schedulers(model, state)
    order, draw_b = torch.Generator(), torch.Generator()
    draw_b.manual_seed(seed * 53 + rank)
    pixels = torch.from_numpy(ds.pixels)
    pixels_b = torch.from_numpy(ds_b.pixels) if ds_b is not None else None
    labels = torch.from_numpy(ds.labels.astype(np.int64)) if ds.labels is not None and family.conditional else None
    scale, shift = family.image_scale, family.image_shift

    def images(px, idx):
        x = (px[idx].reshape(len(idx), -1).to(torch.float32) * np.float32(1 / 255)) * scale + shift
        return x.to(device)
    per_epoch = per_rank // args.batch
    history, skipped, applied = [], 0, [0] * len(model.nets)
    params = [list(net.parameters()) for net in model.nets]
    model.train()
    t0, cpu0 = time.time(), time.process_time()
    for i in range(args.steps):
        epoch, j = divmod(i, per_epoch)
        if j == 0:
            order.manual_seed(seed + epoch)
            perm = torch.randperm(n, generator=order)[rank:per_rank * world:world]
        idx = perm[j * args.batch:(j + 1) * args.batch]
        x_b = images(pixels_b, torch.randint(len(pixels_b), (args.batch,), generator=draw_b)) if ds_b is not None else None
        batch = Batch(images(pixels, idx), labels[idx].to(device) if labels is not None else None, x_b)
        losses = family.step(model, batch, draw, nets)   # under DDP, .grad is already the ranks' average
        vals = torch.tensor([losses[k] for k in losses], dtype=torch.float64, device=device)
        if distributed:
            dist.all_reduce(vals)
            vals /= world
        finite = bool(torch.isfinite(vals).all()) and all(
            p.grad is None or bool(torch.isfinite(p.grad).all()) for ps in params for p in ps)
        if finite:
            for k, opt in enumerate(state.optimizers):
                opt.step()
                applied[k] += 1
        else:
            skipped += 1
        for s in schedulers:   # a skipped step still counts, as in wasmgen
            s.step()
        if distributed:
            broadcast_buffers(model)
        history.append(dict(zip(losses, (float(v) for v in vals.tolist()))))
        if rank == 0 and args.log_every and (i + 1) % args.log_every == 0 and not args.json:
            print(f"step {state.step + i + 1}: " + ", ".join(f"{k} {v:.4f}" for k, v in history[-1].items()), file=sys.stderr)
    seconds, cpu = time.time() - t0, time.process_time() - cpu0
    digests = [[digest_of(model.parameters()), digest_of(model.buffers()), cpu]]
    if distributed:
        gathered = [None] * world
        dist.all_gather_object(gathered, digests[0])
        digests = gathered
    if rank != 0:
        return None
    model.to("cpu")
    _to_device(state, "cpu")
    store_pools(model, state)   # rank 0's
    epochs_seen = (args.steps * args.batch * world) // max(n, 1)
    state.step += args.steps   # as in wasmgen, a skipped step still counts
    state.epoch += epochs_seen
    if state.record.get("guard"):
        state.record["guard"][0] = int(state.record["guard"][0]) + skipped
    state.dataset = ds.id if ds_b is None else f"{ds.id}+{ds_b.id}"
    save_checkpoint(args.out, model, state, extra_steps=applied)
    summary = {"model": model.config["model"], "dataset": state.dataset, "steps": args.steps, "step": state.step,
               "world_size": world, "batch": args.batch, "device": str(device), "seconds": round(seconds, 3),
               "images_per_sec": round(args.steps * args.batch * world / max(seconds, 1e-9), 1),
               "skipped": skipped, "losses": history[-1], "history": history,
               "cpu_seconds": round(sum(d[2] for d in digests), 3),   # all ranks' training loops, every thread
               "rank_digests": [d[0] for d in digests], "rank_buffer_digests": [d[1] for d in digests],
               "buffers": sum(b.numel() for b in model.buffers()),
               "in_sync": len({tuple(d[:2]) for d in digests}) == 1, "saved": args.out}
    if schedulers:
        summary["next_lr_factor"] = schedulers[0].get_last_lr()[0] / schedulers[0].base_lrs[0]
    return summary
