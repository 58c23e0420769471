"""data.py — training images as wasmgen's CLI reads them: built-in MNIST, Fashion-MNIST, one class
of either ("mnist:3", a CycleGAN domain, id "mnist-train:3:860"), IDX files
(plain or gzip, rank 3 N×H×W or rank 4 N×H×W×C, with an optional rank-1 labels file) and image
folders (PNG/JPEG/...; one subfolder per class gives labels, in sorted order).

Pixels stay uint8 (N, C, H, W); each batch becomes float32 x/255 mapped to the family's range.
Dataset ids are the core's ("mnist-train:8337", "<file name>:<count>"), written into the returned
checkpoint so wasmgen's `train --resume` accepts the same data.

    ds = load_dataset("mnist")           # ds.pixels (N, 1, 28, 28) uint8, ds.labels (N,) or None, ds.id
    threes = load_dataset("mnist:3")     # the 3s only
"""

import gzip
import os

import numpy as np

from .errors import WasmgenTorchError

REPO_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


class Dataset:
    def __init__(self, pixels, labels, name):
        self.pixels, self.labels, self.name = pixels, labels, name

    @property
    def id(self):
        return f"{self.name}:{len(self.pixels)}"


def _read_maybe_gz(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def parse_idx(data, where):
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise WasmgenTorchError(f"{where}: not an IDX file of uint8 (magic 00 00 08 xx)")
    rank = data[3]
    if rank not in (1, 3, 4) or len(data) < 4 + 4 * rank:
        raise WasmgenTorchError(f"{where}: IDX rank {rank} (want 1 for labels, 3 or 4 for images)")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    count = int(np.prod(dims))
    if len(data) != 4 + 4 * rank + count:
        raise WasmgenTorchError(f"{where}: IDX holds {len(data) - 4 - 4 * rank} data bytes, its dimensions {dims} need {count}")
    return np.frombuffer(data, np.uint8, count, 4 + 4 * rank).reshape(dims)


def load_idx(images_path, labels_path=None, name=None):
    a = parse_idx(_read_maybe_gz(images_path), images_path)
    if a.ndim == 1:
        raise WasmgenTorchError(f"{images_path}: a labels file (rank 1), not images")
    pixels = a[:, None] if a.ndim == 3 else a.transpose(0, 3, 1, 2)
    labels = None
    if labels_path:
        labels = parse_idx(_read_maybe_gz(labels_path), labels_path)
        if labels.ndim != 1 or len(labels) != len(pixels):
            raise WasmgenTorchError(f"{labels_path}: {labels.size} labels for {len(pixels)} images")
    return Dataset(np.array(pixels, np.uint8, order="C"), labels, name or os.path.basename(images_path))


def load_folder(path, channels):
    from PIL import Image   # only for folders; Debian's python3-pil
    exts = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
    classes = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)))
    files = [(os.path.join(path, f), None) for f in sorted(os.listdir(path)) if f.lower().endswith(exts)]
    for k, d in enumerate(classes):
        files += [(os.path.join(path, d, f), k) for f in sorted(os.listdir(os.path.join(path, d))) if f.lower().endswith(exts)]
    if not files:
        raise WasmgenTorchError(f"{path}: no images (png, jpg, bmp, gif, webp) in the folder or its subfolders")
    imgs = []
    for f, _ in files:
        im = Image.open(f).convert("L" if channels == 1 else "RGB")
        a = np.asarray(im, np.uint8)
        imgs.append(a[None] if a.ndim == 2 else a.transpose(2, 0, 1))
    if len({i.shape for i in imgs}) != 1:
        raise WasmgenTorchError(f"{path}: images differ in size; resize them to the model's size first")
    labels = np.array([k for _, k in files], np.uint8) if classes and all(k is not None for _, k in files) else None
    return Dataset(np.stack(imgs), labels, os.path.basename(os.path.normpath(path)))


def class_subset(ds, cls, spec):
    """The images of one class, named as the core names them ("mnist-train:3"): a CycleGAN domain."""
    if not 0 <= cls <= 9:
        raise WasmgenTorchError(f"{spec}: {spec.split(':')[0]} has classes 0..9")
    keep = np.flatnonzero(ds.labels == cls)
    if not len(keep):
        raise WasmgenTorchError(f"{spec}: no image has class {cls}: the domain is empty")
    return Dataset(np.ascontiguousarray(ds.pixels[keep]), ds.labels[keep], f"{ds.name}:{cls}")


def load_dataset(spec, labels_path=None, split="train", channels=1, flag="--data"):
    """"mnist", "fashion", one class of them ("mnist:3", "fashion:7"), an IDX path (labels_path
    optional) or an image folder."""
    name, _, cls = spec.partition(":")
    if name in ("mnist", "fashion") and cls.isdigit():
        return class_subset(load_dataset(name, split=split), int(cls), spec)
    if spec == "mnist":
        base = os.environ.get("WASMGEN_DATA", REPO_DATA)
        return load_idx(os.path.join(base, f"mnist-{split}-images.idx.gz"),
                        os.path.join(base, f"mnist-{split}-labels.idx.gz"), f"mnist-{split}")
    if spec == "fashion":
        prefix = "train" if split == "train" else "t10k"
        images = os.path.join(FASHION_DIR, f"{prefix}-images-idx3-ubyte.gz")
        if not os.path.exists(images):
            raise WasmgenTorchError(f"Fashion-MNIST not found at {images}. Install it with: sudo apt-get install dataset-fashion-mnist")
        return load_idx(images, images.replace("-images-idx3-", "-labels-idx1-"), f"fashion-{split}")
    if os.path.isdir(spec):
        return load_folder(spec, channels)
    if os.path.isfile(spec):
        return load_idx(spec, labels_path)
    raise WasmgenTorchError(f'{flag} must be mnist, fashion, mnist:K, fashion:K, an IDX file or an image folder; "{spec}" is none of these')
