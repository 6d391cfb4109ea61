"""Index files: the dedupe + near-duplicate index of the documents publish batches archived.

One file per publish batch (``index/docs/<digest>.idx``), listed in the
catalog's ``pipeline.index_files`` in the same transaction as the batch's rows
(maintenance merges small ones). It holds, per archived document:

========== ======================= ======================================================
array      dtype, shape            use
========== ======================= ======================================================
``chi``    uint64 (n,) sorted      content key: bytes 0–8 of the sha256 ``content_hash``
``clo``    uint64 (n,)             bytes 8–16; 128 bits identify a content (no verification)
``key``    uint32 (n,)             raw segment the row came from (index into the header's ``keys``)
``bkey``   uint32 (BANDS, n)       LSH band keys, each band sorted
``bdoc``   uint32 (BANDS, n)       row of each band key
``cluster``uint8 (n, 32)           raw ``cluster_id`` (sha256 digest)
``sketch`` uint8 (n, NUM_PERM)     8-bit minwise sketch, to verify candidates
========== ======================= ======================================================

That is 308 bytes per document on disk (8+8+4+64+64+32+128). The file is a fixed header
(``NAIDX001`` + little-endian uint32 length + JSON giving each array's offset,
dtype and shape) followed by the arrays, 64-byte aligned, so a local file is
memory-mapped and a lookup (binary search) touches only a few pages; nothing
is loaded per archived document.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from pipelines.dedupe import minhash

MAGIC = b"NAIDX001"
FORMAT = 2
_ALIGN = 64


def content_keys(hashes) -> np.ndarray:
    """(n, 2) uint64: the first 16 bytes of each sha256 hex ``content_hash``."""
    raw = b"".join(bytes.fromhex(h[:32]) for h in hashes)
    return np.frombuffer(raw, dtype=">u8").reshape(-1, 2).astype(np.uint64)


def digests(hashes) -> np.ndarray:
    """(n, 32) uint8: raw sha256 digests of hex hashes."""
    return np.frombuffer(b"".join(bytes.fromhex(h) for h in hashes), dtype=np.uint8).reshape(-1, 32)


def hex_of(digest_row: np.ndarray) -> str:
    return bytes(digest_row).hex()


@dataclass
class IndexRows:
    """Index rows in any order (what a publish batch builds, or what filter/merge produce)."""
    ckey: np.ndarray      # (n, 2) uint64
    cluster: np.ndarray   # (n, 32) uint8
    sketch: np.ndarray    # (n, NUM_PERM) uint8
    bands: np.ndarray     # (n, BANDS) uint32
    key: np.ndarray       # (n,) uint32: index into keys
    keys: list[str]       # raw segments (ids) whose rows the file holds

    def __len__(self) -> int:
        return len(self.ckey)

    @classmethod
    def concat(cls, parts: list["IndexRows"]) -> "IndexRows":
        keys = sorted({r for p in parts for r in p.keys})
        pos = {r: i for i, r in enumerate(keys)}
        remap = [np.array([pos[r] for r in p.keys] or [0], dtype=np.uint32)[p.key] for p in parts]
        cat = lambda name, shape: (np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
                                   if parts else np.zeros(shape, dtype=np.uint8))
        return cls(ckey=cat("ckey", (0, 2)).astype(np.uint64), cluster=cat("cluster", (0, 32)),
                   sketch=cat("sketch", (0, minhash.NUM_PERM)),
                   bands=cat("bands", (0, minhash.BANDS)).astype(np.uint32),
                   key=np.concatenate(remap).astype(np.uint32) if parts else np.zeros(0, np.uint32),
                   keys=keys)

    def without(self, keys: "set[str] | list[str]") -> "IndexRows":
        """The rows of every raw segment but ``keys``."""
        drop = [i for i, k in enumerate(self.keys) if k in set(keys)]
        if not drop:
            return self
        keep = ~np.isin(self.key, np.array(drop, dtype=np.uint32))
        sub = IndexRows(self.ckey[keep], self.cluster[keep], self.sketch[keep], self.bands[keep],
                          self.key[keep], self.keys)
        return sub._drop_unused_keys()

    def _drop_unused_keys(self) -> "IndexRows":
        used = sorted(set(self.key.tolist()))
        keys = [self.keys[i] for i in used]
        remap = np.zeros(max(len(self.keys), 1), dtype=np.uint32)
        remap[used] = np.arange(len(used), dtype=np.uint32)
        return IndexRows(self.ckey, self.cluster, self.sketch, self.bands, remap[self.key], keys)

    def encode(self) -> bytes:
        """The segment file: rows sorted by content key, each band sorted."""
        order = np.lexsort((self.ckey[:, 1], self.ckey[:, 0]))
        ckey, bands = self.ckey[order], self.bands[order]
        border = np.argsort(bands.T, axis=1, kind="stable").astype(np.uint32)
        arrays = {
            "chi": np.ascontiguousarray(ckey[:, 0]), "clo": np.ascontiguousarray(ckey[:, 1]),
            "key": self.key[order], "bkey": np.take_along_axis(bands.T, border, axis=1),
            "bdoc": border, "cluster": self.cluster[order], "sketch": self.sketch[order],
        }
        return _pack(arrays, {"format": FORMAT, "num_perm": minhash.NUM_PERM, "bands": minhash.BANDS,
                              "rows_per_band": minhash.ROWS, "n": int(len(order)), "keys": self.keys})


def _pack(arrays: dict[str, np.ndarray], header: dict) -> bytes:
    specs, offset, blobs = {}, 0, []
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        specs[name] = [offset, arr.dtype.str, list(arr.shape)]
        blob = arr.tobytes()
        pad = (-len(blob)) % _ALIGN
        blobs.append(blob + b"\0" * pad)
        offset += len(blob) + pad
    head = json.dumps({**header, "arrays": specs}, sort_keys=True).encode()
    head += b" " * ((-(len(head) + len(MAGIC) + 4)) % _ALIGN)
    return MAGIC + struct.pack("<I", len(head)) + head + b"".join(blobs)


class IndexFile:
    """A read-only index file over bytes or a memory-mapped local file."""

    def __init__(self, buf, name: str = ""):
        self.name = name
        if bytes(buf[:8]) != MAGIC:
            raise ValueError(f"{name}: not an index file")
        (hlen,) = struct.unpack("<I", bytes(buf[8:12]))
        self.header = json.loads(bytes(buf[12:12 + hlen]))
        if self.header["format"] != FORMAT or self.header["bands"] != minhash.BANDS \
                or self.header["num_perm"] != minhash.NUM_PERM:
            raise ValueError(f"{name}: index file parameters differ from this build")
        base = 12 + hlen
        for key, (off, dtype, shape) in self.header["arrays"].items():
            count = int(np.prod(shape)) if shape else 1
            arr = np.frombuffer(buf, dtype=np.dtype(dtype), count=count, offset=base + off)
            setattr(self, key, arr.reshape(shape))
        self.keys: list[str] = self.header["keys"]
        self.n: int = self.header["n"]

    @classmethod
    def open_local(cls, path: str) -> "IndexFile":
        return cls(np.memmap(path, dtype=np.uint8, mode="r"), path)

    def data(self) -> IndexRows:
        """All rows (for filter/merge), in content-key order."""
        bands = np.empty((self.n, minhash.BANDS), dtype=np.uint32)
        for b in range(minhash.BANDS):
            bands[self.bdoc[b], b] = self.bkey[b]
        return IndexRows(np.stack([self.chi, self.clo], axis=1), np.array(self.cluster),
                           np.array(self.sketch), bands, np.array(self.key), list(self.keys))
