"""One storage helper for a local folder or ``s3://bucket/prefix``.

Every reader and writer goes through :class:`Store`, so the local default
(``./data``) and S3-compatible storage (MinIO, AWS, moto in tests) run the same
code. Paths given to its methods are *relative* to the store root and always
use ``/``.

The store also names the archive's DuckLake *catalog* (``Store.catalog``):
``NEWSARCHIVE_CATALOG`` when set (``postgres:dbname=newsarchive_catalog host=…``
in production, or ``sqlite:/path/catalog.sqlite``), else, for a local store,
``sqlite:<root>/catalog.sqlite`` (the embedded default). The catalog's data files
live under ``<root>/lake/``. Only :mod:`newsarchive.lake` opens the catalog.

S3 settings come from the environment (an Airflow task turns its connection
into the same variables before calling in):

* ``NEWSARCHIVE_S3_ENDPOINT`` or ``AWS_ENDPOINT_URL`` – e.g. ``http://minio:9000``
  (unset means AWS);
* ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``;
* ``AWS_REGION`` or ``AWS_DEFAULT_REGION`` (default ``us-east-1``).
"""
from __future__ import annotations

import io
import os
import posixpath
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipelines.layout import LAKE_DIR, LOCAL_CATALOG


@dataclass(frozen=True)
class S3Settings:
    endpoint: str | None = None          # full URL, e.g. http://127.0.0.1:9000
    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None
    region: str = "us-east-1"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "S3Settings":
        e = os.environ if env is None else env
        return cls(
            endpoint=e.get("NEWSARCHIVE_S3_ENDPOINT") or e.get("AWS_ENDPOINT_URL") or None,
            access_key=e.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=e.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=e.get("AWS_SESSION_TOKEN") or None,
            region=e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION") or "us-east-1",
        )

    def to_env(self) -> dict[str, str]:
        out = {"AWS_REGION": self.region}
        if self.endpoint:
            out["NEWSARCHIVE_S3_ENDPOINT"] = self.endpoint
        if self.access_key:
            out["AWS_ACCESS_KEY_ID"] = self.access_key
        if self.secret_key:
            out["AWS_SECRET_ACCESS_KEY"] = self.secret_key
        if self.session_token:
            out["AWS_SESSION_TOKEN"] = self.session_token
        return out


class StoreError(RuntimeError):
    pass


class WouldReplace(FileExistsError):
    """A create-only write met an object that is already there (raw data is append-only)."""




@dataclass
class Store:
    """A store root: ``/abs/folder`` or ``s3://bucket/prefix``, and its catalog."""
    uri: str
    s3: S3Settings | None = field(default=None, repr=False)
    catalog: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.is_s3:
            self.s3 = self.s3 or S3Settings.from_env()
            parts = urlsplit(self.uri)
            if not parts.netloc:
                raise StoreError(f"S3 store URI needs a bucket: {self.uri!r}")
            self.bucket = parts.netloc
            self.prefix = parts.path.strip("/")
            self.root = posixpath.join(self.bucket, self.prefix) if self.prefix else self.bucket
        else:
            p = self.uri[len("file://"):] if self.uri.startswith("file://") else self.uri
            self.root = str(Path(p).expanduser().resolve())
            self.uri = self.root
        self.catalog = self.catalog or os.environ.get("NEWSARCHIVE_CATALOG") or (
            None if self.is_s3 else f"sqlite:{posixpath.join(self.root, LOCAL_CATALOG)}")

    @property
    def lake_uri(self) -> str:
        """Where the catalog's data files are: ``<root>/lake/`` (with the trailing slash DuckLake wants)."""
        return self.uri_of(LAKE_DIR) + "/"

    # ------------------------------------------------------------------ basics
    @classmethod
    def open(cls, uri: "str | Store") -> "Store":
        return uri if isinstance(uri, Store) else cls(str(uri))

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")

    @cached_property
    def fs(self) -> pafs.FileSystem:
        if not self.is_s3:
            return pafs.LocalFileSystem()
        s = self.s3
        kw: dict = {"region": s.region}
        if s.endpoint:
            ep = urlsplit(s.endpoint)
            kw["endpoint_override"] = ep.netloc or s.endpoint
            kw["scheme"] = ep.scheme or "https"
        if s.access_key:
            kw.update(access_key=s.access_key, secret_key=s.secret_key, session_token=s.session_token)
        return pafs.S3FileSystem(**kw)

    @cached_property
    def boto(self):
        import boto3
        from botocore.config import Config
        s = self.s3
        return boto3.client(
            "s3", endpoint_url=s.endpoint, region_name=s.region,
            aws_access_key_id=s.access_key, aws_secret_access_key=s.secret_key,
            aws_session_token=s.session_token,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"}),
        )

    def path(self, rel: str = "") -> str:
        """Filesystem path (for ``self.fs``) of a store-relative path."""
        rel = rel.strip("/")
        return posixpath.join(self.root, rel) if rel else self.root

    def key(self, rel: str) -> str:
        """S3 object key of a store-relative path."""
        rel = rel.strip("/")
        return posixpath.join(self.prefix, rel) if self.prefix else rel

    def uri_of(self, rel: str) -> str:
        """Full URI of a store-relative path (``s3://…`` or an absolute local path)."""
        return ("s3://" + self.path(rel)) if self.is_s3 else self.path(rel)

    def rel_of(self, path: str) -> str:
        """Store-relative path of a filesystem path or URI inside the store."""
        p = path[len("s3://"):] if path.startswith("s3://") else path
        root = self.root.rstrip("/") + "/"
        if not p.startswith(root):
            raise StoreError(f"{path!r} is not inside store {self.uri!r}")
        return p[len(root):]

    # -------------------------------------------------------------- reading
    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def read_bytes(self, rel: str) -> bytes:
        try:
            with self.fs.open_input_stream(self.path(rel)) as f:
                return f.read()
        except FileNotFoundError:
            raise
        except OSError as exc:
            if "not found" in str(exc).lower() or "NoSuchKey" in str(exc):
                raise FileNotFoundError(self.uri_of(rel)) from exc
            raise

    def read_text(self, rel: str) -> str:
        return self.read_bytes(rel).decode("utf-8")

    def list(self, prefix: str = "", suffix: str = "", recursive: bool = True) -> list[str]:
        """Store-relative paths of files under ``prefix``, sorted."""
        sel = pafs.FileSelector(self.path(prefix), recursive=recursive, allow_not_found=True)
        root = self.root.rstrip("/") + "/"
        out = []
        for info in self.fs.get_file_info(sel):
            if info.type == pafs.FileType.File and info.path.endswith(suffix):
                out.append(info.path[len(root):])
        return sorted(out)

    def size(self, rel: str) -> int:
        return self.fs.get_file_info(self.path(rel)).size

    # -------------------------------------------------------------- writing
    def write_bytes(self, rel: str, data: bytes, *, create_only: bool = False) -> None:
        """Write a whole object atomically (S3 PUT; local temp file + rename).

        ``create_only``: the object must not exist yet; if it does, nothing is written and
        :class:`WouldReplace` is raised (S3 ``If-None-Match: *``; locally a hard link, which never
        replaces). Raw captures are written this way: a committed one is never overwritten.
        """
        if self.is_s3:
            self._put_s3(rel, data, create_only)
            return
        dest = Path(self.path(rel))
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            self._place(tmp, dest, create_only)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _place(self, tmp: str, dest: Path, create_only: bool) -> None:
        os.chmod(tmp, 0o666 & ~_UMASK)                # mkstemp makes 0600: follow the umask instead
        if not create_only:
            os.replace(tmp, dest)
            return
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise WouldReplace(f"refusing to replace {dest}: it is already committed (raw data is "
                               "append-only)") from None

    def _put_s3(self, rel: str, body, create_only: bool) -> None:
        extra = {"IfNoneMatch": "*"} if create_only else {}
        try:
            self.boto.put_object(Bucket=self.bucket, Key=self.key(rel), Body=body, **extra)
        except Exception as exc:  # noqa: BLE001 - botocore's ClientError, checked by its code
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if create_only and code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise WouldReplace(f"refusing to replace {self.uri_of(rel)}: it is already committed "
                                   "(raw data is append-only)") from None
            raise

    def write_text(self, rel: str, text: str, *, create_only: bool = False) -> None:
        self.write_bytes(rel, text.encode("utf-8"), create_only=create_only)

    def upload_file(self, local_path: str | os.PathLike, rel: str, *, create_only: bool = False) -> None:
        """Put a finished local file into the store (multipart upload on S3, copy + rename locally).
        ``create_only``: as for :meth:`write_bytes`."""
        if self.is_s3:
            if create_only:                      # a single PUT: multipart uploads take no If-None-Match
                with open(local_path, "rb") as f:
                    self._put_s3(rel, f, True)
                return
            with open(local_path, "rb") as f:
                self.boto.upload_fileobj(f, self.bucket, self.key(rel))
            return
        dest = Path(self.path(rel))
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.{uuid.uuid4().hex}.tmp"
        try:
            shutil.copyfile(local_path, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            self._place(str(tmp), dest, create_only)
        finally:
            if tmp.exists():
                tmp.unlink()

    def delete(self, rel: str, missing_ok: bool = True) -> None:
        try:
            if self.is_s3:
                self.boto.delete_object(Bucket=self.bucket, Key=self.key(rel))
            else:
                os.unlink(self.path(rel))
        except FileNotFoundError:
            if not missing_ok:
                raise

    def delete_many(self, rels: Iterable[str]) -> None:
        rels = list(rels)
        if self.is_s3:
            for i in range(0, len(rels), 1000):
                chunk = [{"Key": self.key(r)} for r in rels[i:i + 1000]]
                if chunk:
                    self.boto.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})
        else:
            for r in rels:
                self.delete(r)

    # -------------------------------------------------------------- parquet
    def write_parquet(self, table: pa.Table, rel: str, *, create_only: bool = False, **kw) -> int:
        """Write ``table`` as zstd Parquet to ``rel`` atomically; returns bytes written.

        The file is built in memory (or a local temp file when large) and put in
        one operation, so a reader never sees a partial file.
        """
        opts = {"compression": "zstd", "compression_level": 3, "write_statistics": True,
                "use_dictionary": True, "row_group_size": 128 * 1024}
        opts.update(kw)
        buf = io.BytesIO()
        pq.write_table(table, buf, **opts)
        data = buf.getvalue()
        self.write_bytes(rel, data, create_only=create_only)
        return len(data)

    def read_parquet(self, rels: str | list[str], columns: list[str] | None = None,
                     filters=None, schema: pa.Schema | None = None) -> pa.Table:
        """Read one or more Parquet files (store-relative) into one table."""
        if isinstance(rels, str):
            rels = [rels]
        if not rels:
            if schema is None:
                raise StoreError("read_parquet of no files needs a schema")
            return schema.empty_table().select(columns) if columns else schema.empty_table()
        import pyarrow.dataset as ds
        dset = ds.dataset([self.path(r) for r in rels], format="parquet", filesystem=self.fs, schema=schema)
        return dset.to_table(columns=columns, filter=filters)

    def iter_lines(self, rel: str) -> Iterator[str]:
        with self.fs.open_input_stream(self.path(rel)) as f:
            for line in io.TextIOWrapper(io.BufferedReader(f), encoding="utf-8"):
                yield line.rstrip("\n")

    def ensure_bucket(self) -> None:
        """Create the S3 bucket if missing (MinIO/moto); a no-op locally."""
        if not self.is_s3:
            Path(self.root).mkdir(parents=True, exist_ok=True)
            return
        try:
            self.boto.head_bucket(Bucket=self.bucket)
        except Exception:
            self.boto.create_bucket(Bucket=self.bucket)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The process's umask, read once at import (os.umask can only be read by setting it, which races threads).
_UMASK = _umask()


def open_store(uri: "str | Store") -> Store:
    return Store.open(uri)
