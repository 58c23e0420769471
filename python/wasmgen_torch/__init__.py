"""wasmgen_torch — wasmgen models in PyTorch: load a wasmgen checkpoint of any family (GANs, VAEs,
the conditional ones, the classifier, CycleGAN), keep training it (one process, or data-parallel
with DistributedDataParallel over many), write it back for wasmgen, or export a PyTorch-built model.

Depends on torch and numpy only (Debian's python3-torch works); safetensors are read by hand.

    from wasmgen_torch import load_checkpoint, save_checkpoint, export
    model, state = load_checkpoint("gan.safetensors")     # WasmgenModel, TrainingState
    images = model.generate(torch.randn(8, model.latent))  # (8, C*H*W) in [0, 1], as wasmgen's decode
    losses = model.family.step(model, Batch(x), draw)      # one step's gradients in .grad (families.py)
    save_checkpoint("gan2.safetensors", model, state)
    cg, _ = load_checkpoint("cg.safetensors")
    b = cg.translate(images_a, "ab")                       # = wasmgen's translate(), G_AB in eval mode

Command line: python3 -m wasmgen_torch --help (train, export, info).
"""

from .checkpoint import FORMAT_VERSION, TrainingState, checkpoint_bytes, load_checkpoint, save_checkpoint
from .data import Dataset, load_dataset
from .errors import WasmgenTorchError
from .export import export, layer_spec
from .families import FAMILIES, Batch, ImagePools, family_of
from .layers import WasmgenNet
from .model import WasmgenModel
from .safetensors_io import read_safetensors, write_safetensors

__all__ = ["Batch", "Dataset", "ImagePools", "FORMAT_VERSION", "FAMILIES", "TrainingState", "WasmgenModel", "WasmgenNet", "WasmgenTorchError",
           "checkpoint_bytes", "export", "family_of", "layer_spec", "load_checkpoint", "load_dataset",
           "read_safetensors", "save_checkpoint", "write_safetensors"]
