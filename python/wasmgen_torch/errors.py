"""errors.py — the one exception type of wasmgen_torch: bad input, named clearly."""


class WasmgenTorchError(Exception):
    """A checkpoint, config, module or dataset that wasmgen_torch cannot use; the message says why."""
