"""safetensors_io.py — read and write safetensors files with numpy only (no `safetensors` module).

A file is: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets},
"__metadata__": {str: str}}, then the raw little-endian tensor bytes. wasmgen writes float32 only
and pads the header with spaces to a multiple of 8; so does this writer. The reader checks every
offset against the file size before it slices data.

    tensors, meta = read_safetensors("m.safetensors")     # {name: np.ndarray float32}, {str: str}
    write_safetensors("out.safetensors", tensors, meta)
"""

import json
import struct

import numpy as np

from .errors import WasmgenTorchError

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "F16": np.dtype("<f2"),
           "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "U8": np.dtype("u1")}


def parse_safetensors(data, name="checkpoint"):
    """bytes -> ({tensor name: np.ndarray}, metadata dict). Raises WasmgenTorchError on bad input."""
    if len(data) < 8:
        raise WasmgenTorchError(f"{name}: not a safetensors file ({len(data)} bytes, shorter than its 8-byte header length)")
    (hlen,) = struct.unpack("<Q", data[:8])
    if hlen > len(data) - 8:
        raise WasmgenTorchError(f"{name}: not a safetensors file (header length {hlen} exceeds the file size {len(data)})")
    try:
        header = json.loads(data[8:8 + hlen].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise WasmgenTorchError(f"{name}: safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise WasmgenTorchError(f"{name}: safetensors header is not a JSON object")
    meta = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + hlen:]
    tensors = {}
    for key, t in header.items():
        try:
            dtype = _DTYPES[t["dtype"]]
            shape = [int(s) for s in t["shape"]]
            start, end = (int(o) for o in t["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise WasmgenTorchError(f"{name}: tensor '{key}' has an invalid header entry") from None
        count = int(np.prod(shape)) if shape else 1
        if not (0 <= start <= end <= len(body)) or end - start != count * dtype.itemsize:
            raise WasmgenTorchError(f"{name}: tensor '{key}' data offsets [{start}, {end}) do not fit the file or its shape {shape}")
        tensors[key] = np.frombuffer(body[start:end], dtype=dtype).reshape(shape).astype(np.float32, copy=True) \
            if dtype.kind == "f" else np.frombuffer(body[start:end], dtype=dtype).reshape(shape).copy()
    return tensors, {str(k): str(v) for k, v in meta.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        return parse_safetensors(f.read(), str(path))


def encode_safetensors(tensors, meta):
    """{name: array-like float32} and {str: str} -> bytes (float32 tensors, header padded to 8)."""
    header, chunks, offset = {}, [], 0
    if meta:
        header["__metadata__"] = {str(k): str(v) for k, v in meta.items()}
    for key, value in tensors.items():
        a = np.ascontiguousarray(np.asarray(value, dtype="<f4"))
        raw = a.tobytes()
        header[key] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_safetensors(path, tensors, meta):
    """Writes atomically (a temporary file renamed over the target)."""
    import os
    data = encode_safetensors(tensors, meta)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
