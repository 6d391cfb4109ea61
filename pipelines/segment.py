"""Index segments: the dedupe + near-duplicate index of the documents one batch archived.

One file per batch (``index/docs/dt=D/seg-<digest>.idx``, listed in the
date's manifest like a data file). It holds, per archived document:

========== ======================= ======================================================
array      dtype, shape            use
========== ======================= ======================================================
``chi``    uint64 (n,) sorted      content key: bytes 0–8 of the sha256 ``content_hash``
``clo``    uint64 (n,)             bytes 8–16; 128 bits identify a content (no verification)
``run``    uint16 (n,)             batch of the row (index into the header's ``runs``)
``bkey``   uint32 (BANDS, n)       LSH band keys, each band sorted
``bdoc``   uint32 (BANDS, n)       row of each band key
``cluster``uint8 (n, 32)           raw ``cluster_id`` (sha256 digest)
``sketch`` uint8 (n, NUM_PERM)     8-bit minwise sketch, to verify candidates
========== ======================= ======================================================

That is 306 bytes per document on disk (8+8+2+64+64+32+128). The file is a fixed header
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

from pipelines import neardup

MAGIC = b"NAIDX001"
FORMAT = 1
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
class SegmentData:
    """Index rows in any order (what a batch builds, or what filter/merge produce)."""
    ckey: np.ndarray      # (n, 2) uint64
    cluster: np.ndarray   # (n, 32) uint8
    sketch: np.ndarray    # (n, NUM_PERM) uint8
    bands: np.ndarray     # (n, BANDS) uint32
    run: np.ndarray       # (n,) uint16
    runs: list[str]

    def __len__(self) -> int:
        return len(self.ckey)

    @classmethod
    def concat(cls, parts: list["SegmentData"]) -> "SegmentData":
        runs = sorted({r for p in parts for r in p.runs})
        pos = {r: i for i, r in enumerate(runs)}
        remap = [np.array([pos[r] for r in p.runs] or [0], dtype=np.uint16)[p.run] for p in parts]
        cat = lambda name, shape: (np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
                                   if parts else np.zeros(shape, dtype=np.uint8))
        return cls(ckey=cat("ckey", (0, 2)).astype(np.uint64), cluster=cat("cluster", (0, 32)),
                   sketch=cat("sketch", (0, neardup.NUM_PERM)),
                   bands=cat("bands", (0, neardup.BANDS)).astype(np.uint32),
                   run=np.concatenate(remap).astype(np.uint16) if parts else np.zeros(0, np.uint16),
                   runs=runs)

    def without_run(self, run_id: str) -> "SegmentData":
        if run_id not in self.runs:
            return self
        keep = self.run != self.runs.index(run_id)
        sub = SegmentData(self.ckey[keep], self.cluster[keep], self.sketch[keep], self.bands[keep],
                          self.run[keep], self.runs)
        return sub._drop_unused_runs()

    def _drop_unused_runs(self) -> "SegmentData":
        used = sorted(set(self.run.tolist()))
        runs = [self.runs[i] for i in used]
        remap = np.zeros(max(len(self.runs), 1), dtype=np.uint16)
        remap[used] = np.arange(len(used), dtype=np.uint16)
        return SegmentData(self.ckey, self.cluster, self.sketch, self.bands, remap[self.run], runs)

    def encode(self) -> bytes:
        """The segment file: rows sorted by content key, each band sorted."""
        order = np.lexsort((self.ckey[:, 1], self.ckey[:, 0]))
        ckey, bands = self.ckey[order], self.bands[order]
        border = np.argsort(bands.T, axis=1, kind="stable").astype(np.uint32)
        arrays = {
            "chi": np.ascontiguousarray(ckey[:, 0]), "clo": np.ascontiguousarray(ckey[:, 1]),
            "run": self.run[order], "bkey": np.take_along_axis(bands.T, border, axis=1),
            "bdoc": border, "cluster": self.cluster[order], "sketch": self.sketch[order],
        }
        return _pack(arrays, {"format": FORMAT, "num_perm": neardup.NUM_PERM, "bands": neardup.BANDS,
                              "rows_per_band": neardup.ROWS, "n": int(len(order)), "runs": self.runs})


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


class Segment:
    """A read-only segment over bytes or a memory-mapped local file."""

    def __init__(self, buf, name: str = ""):
        self.name = name
        if bytes(buf[:8]) != MAGIC:
            raise ValueError(f"{name}: not an index segment")
        (hlen,) = struct.unpack("<I", bytes(buf[8:12]))
        self.header = json.loads(bytes(buf[12:12 + hlen]))
        if self.header["format"] != FORMAT or self.header["bands"] != neardup.BANDS \
                or self.header["num_perm"] != neardup.NUM_PERM:
            raise ValueError(f"{name}: index segment parameters differ from this build")
        base = 12 + hlen
        for key, (off, dtype, shape) in self.header["arrays"].items():
            count = int(np.prod(shape)) if shape else 1
            arr = np.frombuffer(buf, dtype=np.dtype(dtype), count=count, offset=base + off)
            setattr(self, key, arr.reshape(shape))
        self.runs: list[str] = self.header["runs"]
        self.n: int = self.header["n"]

    @classmethod
    def open_local(cls, path: str) -> "Segment":
        return cls(np.memmap(path, dtype=np.uint8, mode="r"), path)

    def data(self) -> SegmentData:
        """All rows (for filter/merge), in content-key order."""
        bands = np.empty((self.n, neardup.BANDS), dtype=np.uint32)
        for b in range(neardup.BANDS):
            bands[self.bdoc[b], b] = self.bkey[b]
        return SegmentData(np.stack([self.chi, self.clo], axis=1), np.array(self.cluster),
                           np.array(self.sketch), bands, np.array(self.run), list(self.runs))
