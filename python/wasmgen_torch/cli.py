"""cli.py — python3 -m wasmgen_torch: continue training wasmgen checkpoints in PyTorch, export PyTorch models.

    python3 -m wasmgen_torch train --resume m.safetensors --data mnist --steps 1000 --out m2.safetensors
    python3 -m wasmgen_torch train ... --nproc 2                  # 2 local processes (gloo / NCCL)
    python3 -m wasmgen_torch train --resume cg.safetensors --data mnist:3 --data-b mnist:8 --out cg2.safetensors
    torchrun --nnodes 2 --nproc_per_node 4 ... -m wasmgen_torch train ...   # a cluster: env vars set
    python3 -m wasmgen_torch export nets.pt --model dcgan --latent 100 --out m.safetensors
    python3 -m wasmgen_torch info m.safetensors
"""

import argparse
import json
import os
import socket
import sys

import torch

from .errors import WasmgenTorchError

USAGE_EPILOG = """
train: --data is mnist (the repo's data/), fashion (Debian's dataset-fashion-mnist), one class of
either (mnist:3, fashion:7), an IDX file (--labels LABELS.idx for its labels) or an image folder
(one subfolder per class gives labels). A CycleGAN trains on --data (domain A) and --data-b
(domain B, the same kinds of source).
--batch is per process; with N processes the effective batch is N x batch. Under torchrun (RANK,
WORLD_SIZE, MASTER_ADDR set) every process it starts is one rank; --nproc N starts N local ranks.
export: NETS.pt is torch.save({"G": nn.Sequential(...), "D": ...}) (the nets of the --model's
family by role); Adam moments carry over through the Python API, wasmgen_torch.export(optimizers=).
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _device(args, local_rank):
    if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise WasmgenTorchError("--device cuda but torch sees no GPU")
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def _worker(rank, world, args, port):
    """One rank of --nproc: joins the group over localhost, trains, rank 0 reports."""
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    try:
        _run_rank(args, rank, world, rank)
    except WasmgenTorchError as err:
        print(f"wasmgen_torch (rank {rank}): {err}", file=sys.stderr)
        sys.exit(2)


def _run_rank(args, rank, world, local_rank):
    from .train import run_training
    import torch.distributed as dist
    torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // max(1, args.local_world or world)))
    device = _device(args, local_rank)
    if world > 1:
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend, rank=rank, world_size=world)
    try:
        summary = run_training(args, rank, world, device)
    finally:
        if world > 1:
            dist.destroy_process_group()
    if rank == 0:
        if args.json:
            print(json.dumps(summary))
        else:
            losses = ", ".join(f"{k} {v:.4f}" for k, v in summary["losses"].items())
            print(f"trained {summary['model']} for {summary['steps']} steps on {world} process(es) "
                  f"(now at step {summary['step']}) in {summary['seconds']}s, {summary['images_per_sec']} images/s; "
                  f"{losses}; ranks in sync: {summary['in_sync']}\nsaved {summary['saved']}")


def cmd_train(args):
    if args.steps < 1 or args.batch < 2:
        raise WasmgenTorchError("--steps must be >= 1 and --batch >= 2")
    if not args.resume or not args.out:
        raise WasmgenTorchError("train needs --resume CHECKPOINT and --out CHECKPOINT")
    env = os.environ
    if "RANK" in env and "WORLD_SIZE" in env and "MASTER_ADDR" in env:   # started by torchrun
        if args.nproc:
            raise WasmgenTorchError("--nproc starts its own processes; under torchrun use its --nproc_per_node")
        args.local_world = int(env.get("LOCAL_WORLD_SIZE", env["WORLD_SIZE"]))
        _run_rank(args, int(env["RANK"]), int(env["WORLD_SIZE"]), int(env.get("LOCAL_RANK", 0)))
    elif args.nproc and args.nproc > 1:
        import torch.multiprocessing as mp
        args.local_world = args.nproc
        try:
            mp.spawn(_worker, args=(args.nproc, args, _free_port()), nprocs=args.nproc, join=True)
        except mp.ProcessExitedException as err:
            raise WasmgenTorchError(f"a training process failed (exit code {err.exit_code}; see its message above)") from None
    else:
        args.local_world = 1
        _run_rank(args, 0, 1, 0)


def cmd_export(args):
    from .export import export
    nets = torch.load(args.nets, map_location="cpu")
    if not isinstance(nets, dict):
        raise WasmgenTorchError(f'{args.nets}: expected torch.save({{"G": module, "D": module}}) (a dict of nets by role)')
    export(args.out, args.model, nets, height=args.height, width=args.width, channels=args.channels,
           latent=args.latent, classes=args.classes, seed=args.seed)
    print(f"saved {args.out}")


def cmd_info(args):
    from .checkpoint import load_checkpoint
    model, state = load_checkpoint(args.checkpoint)
    print(json.dumps({"model": model.config["model"], "family": model.family.name, "step": state.step,
                      "epoch": state.epoch, "dataset": state.dataset,
                      "nets": {r: sum(p.numel() for p in n.parameters()) for r, n in zip(model.roles, model.nets)}}))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m wasmgen_torch", description="continue training wasmgen checkpoints in PyTorch; export PyTorch models to wasmgen",
                                epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="continue training a wasmgen checkpoint")
    t.add_argument("--resume", required=True)
    t.add_argument("--data", default="mnist")
    t.add_argument("--labels")
    t.add_argument("--data-b", help="domain B of a two-domain model (CycleGAN); --data is domain A")
    t.add_argument("--steps", type=int, default=1000)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--out", required=True)
    t.add_argument("--nproc", type=int, default=0)
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    t.add_argument("--threads", type=int, default=0, help="torch threads per process (default: cores / processes)")
    t.add_argument("--seed", type=int, help="seed of PyTorch's noise and data order (default: the config's)")
    t.add_argument("--log-every", type=int, default=100)
    t.add_argument("--json", action="store_true", help="print one JSON summary line")
    e = sub.add_parser("export", help="write PyTorch nets as a wasmgen checkpoint")
    e.add_argument("nets")
    e.add_argument("--model", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--height", type=int, default=28)
    e.add_argument("--width", type=int, default=28)
    e.add_argument("--channels", type=int, default=1)
    e.add_argument("--latent", type=int)
    e.add_argument("--classes", type=int)
    e.add_argument("--seed", type=int, default=1)
    i = sub.add_parser("info", help="what a checkpoint holds, as wasmgen_torch reads it")
    i.add_argument("checkpoint")
    args = p.parse_args(argv)
    try:
        {"train": cmd_train, "export": cmd_export, "info": cmd_info}[args.command](args)
    except WasmgenTorchError as err:
        print(f"wasmgen_torch: {err}", file=sys.stderr)
        return 2
    return 0


