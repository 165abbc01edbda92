"""Minimal safetensors reader/writer (no dependency on the `safetensors` package).

Format (https://huggingface.co/docs/safetensors): 8-byte little-endian unsigned header
length N, then N bytes of UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}}
plus an optional "__metadata__" {str: str} map, then the raw little-endian tensor bytes.
Offsets are relative to the first byte after the header. The writer pads the header with
spaces to a multiple of 8 bytes and lays tensors out in name order.
"""

import json
import struct

import numpy as np

# safetensors dtype tag -> numpy little-endian dtype.
_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}
_TAGS = {np.dtype(v).str: k for k, v in _DTYPES.items()}


def write(path, tensors, metadata=None):
    """Write a dict of name -> numpy array (or torch tensor) to `path`.

    Arrays are written little-endian, C-contiguous, in sorted name order.
    `metadata` values must be strings (the format requires it).
    """
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = tensors[name]
        if hasattr(arr, "detach"):  # torch tensor
            arr = arr.detach().cpu().numpy()
        arr = np.ascontiguousarray(arr)
        tag = _TAGS.get(arr.dtype.newbyteorder("<").str) or _TAGS.get(arr.dtype.str)
        if tag is None:
            raise ValueError(f"tensor {name!r}: unsupported dtype {arr.dtype}")
        data = arr.astype(_DTYPES[tag], copy=False).tobytes(order="C")
        header[name] = {
            "dtype": tag,
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        for k, v in metadata.items():
            if not isinstance(v, str):
                raise ValueError(f"metadata {k!r}: value must be a string, got {type(v)}")
        header["__metadata__"] = dict(metadata)
    raw = json.dumps(header, separators=(",", ":"), sort_keys=False).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def read(path):
    """Read a safetensors file; return (dict name -> numpy array, metadata dict)."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", buf[:8])
    if 8 + n > len(buf):
        raise ValueError(f"{path}: header length {n} exceeds file size {len(buf)}")
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    data = memoryview(buf)[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        tag = info["dtype"]
        if tag not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r}: unsupported dtype {tag}")
        b, e = info["data_offsets"]
        if not (0 <= b <= e <= len(data)):
            raise ValueError(f"{path}: tensor {name!r}: offsets {b},{e} out of range")
        arr = np.frombuffer(data[b:e], dtype=_DTYPES[tag])
        shape = tuple(info["shape"])
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor {name!r}: {arr.size} elements for shape {shape}")
        out[name] = arr.reshape(shape).copy()
    return out, meta
