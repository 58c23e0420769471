"""checkpoint.py — wasmgen checkpoints (format 2) to and from WasmgenModel + torch optimizers.

What carries over, both ways: every net's weights and batch-norm running statistics (same names
and layouts), each optimizer group's hyperparameters, learning rate and step count, and the Adam
moments ("opt.G.0.weight.exp_avg", "...exp_avg_sq"; SGD "...momentum_buffer") into
torch.optim.Adam / SGD state; the config, step and epoch.

What cannot carry over, and what wasmgen does when it loads a file written here:
  - RNG streams (noise, dropout, shuffle, augment): PyTorch draws from its own generators, so a
    run is not bit-identical to one that stayed in wasmgen. The file keeps the streams of the
    checkpoint it resumed (or, for an export, the streams a fresh model of that seed starts with);
    wasmgen continues from them.
  - Data order: PyTorch shards and shuffles its own way. The file keeps the resumed data position;
    wasmgen continues that order on the same dataset and starts a new order on other data.
  - The divergence guard's snapshot: after training here the file says the snapshot is the saved
    weights ("guard_snapshot": [0, 0]) and wasmgen snapshots the loaded weights on load; skip and
    rollback counts are kept, the bad-step streak restarts at 0. A file loaded and saved without
    training keeps the core's snapshot and counters unchanged.
  - Adam's bias corrections: wasmgen keeps beta^t as a float32 running product, PyTorch computes
    beta**t; the written products are wasmgen's (float32, multiplied once per step).
  - A family's own state (CycleGAN's two image pools, "family.pool_a"/"family.pool_b", and their
    fill counts in the "family_state" record) does carry over: TrainingState.family_tensors and
    .family_state; training continues with those pools and writes them back (rank 0's pools under
    DDP, where each rank keeps its own). The pools' random stream does not: PyTorch makes the
    pool's choices with its own generator and the file keeps the stream it was loaded with.
  - Learning rates: the record's "lr" is each group's base rate (the guard may have lowered it);
    a family's schedule (CycleGAN's linear decay) multiplies it per step in the core and through a
    LambdaLR in PyTorch, whose "initial_lr" is what is written back.

    model, state = load_checkpoint("m.safetensors")   # state.optimizers, state.step, ...
    save_checkpoint("m2.safetensors", model, state)
"""

import json

import numpy as np
import torch

from .errors import WasmgenTorchError
from .layers import wasmgen_state_dict
from .model import WasmgenModel
from .safetensors_io import parse_safetensors, encode_safetensors

FORMAT_NAME = "wasmgen"
FORMAT_VERSION = 2
STREAMS = {"shuffle": 2, "noise": 3, "dropout": 4, "augment": 5, "domain_b": 9, "family": 10}   # src/rng.h
_M64 = (1 << 64) - 1


def _pcg_next(state, inc):
    return (state * 6364136223846793005 + inc) & _M64


def seeded_stream(seed, stream):
    """wg_rng_seed(seed, stream) of src/rng.c: [state hex, inc hex, spare, has_spare]."""
    inc = ((stream << 1) | 1) & _M64
    state = _pcg_next(0, inc)
    state = _pcg_next((state + seed) & _M64, inc)
    return [f"{state:016x}", f"{inc:016x}", 0, 0]


def fresh_state_record(seed, roles, lrs, two_domains=False):
    """The state record of a model of this seed that has not trained yet."""
    rec = {"perm_n": 0, "perm_pos": 0}
    rec["shuffle"] = seeded_stream(seed, STREAMS["shuffle"])
    rec["epoch_start"] = list(rec["shuffle"])
    for name in ("noise", "dropout", "augment") + (("domain_b",) if two_domains else ()):
        rec[name] = seeded_stream(seed, STREAMS[name])
    for role in roles:
        rec["opt_" + role] = [0, 1.0, 1.0]
    rec["guard"] = [0, 0, 0]
    rec["lr"] = [float(v) for v in lrs]
    rec["guard_snapshot"] = [0, 0]
    return rec


class TrainingState:
    """What a checkpoint holds besides weights: optimizers, counters, the core's state record."""
    def __init__(self, optimizers, step, epoch, record, dataset=None, guard_tensors=None, family_tensors=None,
                 family_state=None):
        self.optimizers, self.step, self.epoch, self.record, self.dataset = optimizers, step, epoch, record, dataset
        self.guard_tensors = guard_tensors or {}   # the core's guard snapshot, kept while nothing trains
        self.family_tensors = family_tensors or {}   # "family.pool_a": numpy array, ... (CycleGAN's pools)
        self.family_state = family_state   # the core's "family_state" record (dict) or None


def fresh_family_state(model, seed):
    """A family's own tensors and record as the core starts them (CycleGAN: empty pools)."""
    if model.family.name != "cyclegan" or not model.pool_size:
        return {}, None
    shape = (model.pool_size, model.channels, model.height, model.width)
    tensors = {"family.pool_a": np.zeros(shape, np.float32), "family.pool_b": np.zeros(shape, np.float32)}
    return tensors, {"pool_count": [0, 0], "pool_rng": seeded_stream(seed, STREAMS["family"])}


def _check_header(meta, where):
    if meta.get("format") != FORMAT_NAME or "config" not in meta:
        raise WasmgenTorchError(f'{where}: not a wasmgen checkpoint (its metadata lacks format "wasmgen" and a config)')
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        version = 0
    if version < 1:
        raise WasmgenTorchError(f'{where}: invalid format_version "{meta.get("format_version", "")}"')
    if version > FORMAT_VERSION:
        raise WasmgenTorchError(f"{where}: checkpoint format version {version} is newer than wasmgen_torch "
                                f"supports ({FORMAT_VERSION}); update the wasmgen repository's python/ package")


def load_checkpoint(source, where=None):
    """Path or bytes of a wasmgen checkpoint -> (WasmgenModel, TrainingState)."""
    if isinstance(source, (bytes, bytearray)):
        data, where = bytes(source), where or "checkpoint"
    else:
        with open(source, "rb") as f:
            data = f.read()
        where = where or str(source)
    tensors, meta = parse_safetensors(data, where)
    _check_header(meta, where)
    try:
        config = json.loads(meta["config"])
    except ValueError as e:
        raise WasmgenTorchError(f"{where}: its config is not valid JSON ({e})") from None
    model = WasmgenModel(config)
    own = wasmgen_state_dict(model)
    for name, t in own.items():
        if name not in tensors:
            raise WasmgenTorchError(f"{where}: tensor '{name}' is missing")
        if tuple(tensors[name].shape) != tuple(t.shape):
            raise WasmgenTorchError(f"{where}: tensor '{name}' has shape {list(tensors[name].shape)}, "
                                    f"the config needs {list(t.shape)}")
        with torch.no_grad():
            t.copy_(torch.from_numpy(tensors[name]))
    fresh_tensors, fresh_record = fresh_family_state(model, int(config.get("seed", 1)))
    family_tensors = {}
    for name, t in fresh_tensors.items():   # absent (an older file): the core starts them afresh too
        got = tensors.get(name, t)
        if tuple(got.shape) != t.shape:
            raise WasmgenTorchError(f"{where}: tensor '{name}' has shape {list(got.shape)}, the config needs {list(t.shape)}")
        family_tensors[name] = got
    family_state = fresh_record
    if fresh_record is not None and meta.get("family_state"):
        try:
            family_state = json.loads(meta["family_state"])
            counts = [int(c) for c in family_state["pool_count"]]
            family_state["pool_rng"][0]
        except (ValueError, KeyError, TypeError, IndexError):
            raise WasmgenTorchError(f'{where}: metadata "family_state" lacks valid image pool counts and stream') from None
        if len(counts) != 2 or not all(0 <= c <= model.pool_size for c in counts):
            raise WasmgenTorchError(f'{where}: metadata "family_state" has pool counts {counts} for pools of {model.pool_size}')
    for name in tensors:
        if not (name in own or name in family_tensors or name.startswith("opt.") or name.startswith("guard.")):
            raise WasmgenTorchError(f"{where}: unexpected tensor '{name}' (not part of this model's config)")
    try:
        record = json.loads(meta.get("state", ""))
        step, epoch = int(meta["step"]), int(meta["epoch"])
    except (ValueError, KeyError):
        raise WasmgenTorchError(f"{where}: metadata lacks a valid state record, step or epoch") from None
    lrs = record.get("lr")
    if isinstance(lrs, (int, float)):
        lrs = [lrs] * len(model.roles)
    optimizers = model.make_optimizers(lrs)
    for k, (role, net, opt) in enumerate(zip(model.roles, model.nets, optimizers)):
        t = int(record.get("opt_" + role, [0])[0])
        if t == 0:
            continue
        adam = isinstance(opt, torch.optim.Adam)
        for pname, p in net.named_parameters():
            base = f"opt.{role}.{pname}."
            if adam:
                st = {"step": torch.tensor(float(t)),
                      "exp_avg": torch.from_numpy(tensors.get(base + "exp_avg", np.zeros(p.shape, np.float32))).clone(),
                      "exp_avg_sq": torch.from_numpy(tensors.get(base + "exp_avg_sq", np.zeros(p.shape, np.float32))).clone()}
            else:
                st = {"momentum_buffer": torch.from_numpy(tensors.get(base + "momentum_buffer", np.zeros(p.shape, np.float32))).clone()}
            opt.state[p] = st
    guard = {k: v for k, v in tensors.items() if k.startswith("guard.")}
    return model, TrainingState(optimizers, step, epoch, record, meta.get("dataset"), guard, family_tensors, family_state)


def _opt_tensors(model, optimizers):
    out = {}
    for role, net, opt in zip(model.roles, model.nets, optimizers):
        adam = isinstance(opt, torch.optim.Adam)
        for pname, p in net.named_parameters():
            st = opt.state.get(p, {})
            keys = ("exp_avg", "exp_avg_sq") if adam else ("momentum_buffer",)
            for key in keys:
                v = st.get(key)
                out[f"opt.{role}.{pname}.{key}"] = (v.detach().cpu().numpy() if v is not None
                                                    else np.zeros(tuple(p.shape), np.float32))
    return out


def _opt_steps(opt):
    steps = [float(s["step"]) for s in opt.state.values() if "step" in s]
    if steps:
        return int(max(steps))
    return 0


def checkpoint_bytes(model, state, extra_steps=None):
    """The format-2 file for model + state. extra_steps: optimizer steps each net took since
    `state.record` was written (default: read from the optimizers' own step counters)."""
    rec = json.loads(json.dumps(state.record))
    trained = False
    for k, (role, opt) in enumerate(zip(model.roles, state.optimizers)):
        old = rec.get("opt_" + role, [0, 1.0, 1.0])
        t0 = int(old[0])
        if isinstance(opt, torch.optim.Adam):
            t = _opt_steps(opt) if extra_steps is None else t0 + int(extra_steps[k])
        else:
            t = t0 + int(extra_steps[k]) if extra_steps is not None else t0
        s = model.optimizer_settings(k)
        b1, b2 = np.float32(old[1]), np.float32(old[2])
        if s["kind"] == "adam":
            for _ in range(max(0, t - t0)):   # the core's float32 running products
                b1 = np.float32(b1 * np.float32(s["beta1"]))
                b2 = np.float32(b2 * np.float32(s["beta2"]))
        if t != t0:
            rec["opt_" + role] = [t, float(b1), float(b2)]
            trained = True
    # The base rates: a schedule (LambdaLR) keeps them as "initial_lr" and scales "lr" per step.
    rec["lr"] = [float(opt.param_groups[0].get("initial_lr", opt.param_groups[0]["lr"])) for opt in state.optimizers]
    tensors = {k: v.detach().cpu().numpy() for k, v in wasmgen_state_dict(model).items()}
    tensors.update(_opt_tensors(model, state.optimizers))
    tensors.update({k: np.asarray(v, np.float32) for k, v in state.family_tensors.items()})
    if trained or "guard_snapshot" not in rec:
        # The guard's snapshot becomes the saved weights; the bad-step streak restarts.
        g = rec.get("guard", [0, 0, 0])
        rec["guard"] = [int(g[0]), int(g[1]), 0]
        rec["guard_snapshot"] = [0, 0]
    elif rec["guard_snapshot"][1]:   # nothing trained: the core's snapshot goes back unchanged
        tensors.update(state.guard_tensors)
    meta = {"format": FORMAT_NAME, "format_version": str(FORMAT_VERSION),
            "config": json.dumps(model.config, separators=(",", ":")),
            "step": str(int(state.step)), "epoch": str(int(state.epoch)),
            "state": json.dumps(rec, separators=(",", ":"))}
    if state.family_state is not None:
        meta["family_state"] = json.dumps(state.family_state, separators=(",", ":"))
    if state.dataset:
        meta["dataset"] = state.dataset
    return encode_safetensors(tensors, meta)


def save_checkpoint(path, model, state, extra_steps=None):
    """Writes a wasmgen checkpoint atomically; the core, CLI and page load and resume it."""
    import os
    data = checkpoint_bytes(model, state, extra_steps)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
