"""Output: each finished chunk committed as a part file, then the parts joined into OUTPUT.

A part is OUTPUT.parts/part-<k>.jsonl: a header line (b"H {chunk, digest, records, body}") and
the chunk's b"R <record>" / b"E <error>" lines, written to a temp file, fsynced and renamed.
`digest` ties the part to its input records; `body` is a digest of the lines after the header
and `records` their count, so a part that was truncated, edited, duplicated into or emptied does
not verify (`check_part`) and is recomputed instead of joined. Once every chunk has a part,
`assemble` joins them in input order into OUTPUT (.jsonl, .jsonl.gz or .parquet) and
OUTPUT.errors.jsonl, checking each part again as it reads it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from typing import IO, Any

from ..errors import InputError
from .sources import Chunk

_PART = re.compile(r"^part-(\d{8})\.jsonl$")


def output_format(path: str) -> str:
    """ "parquet" for .parquet / .pq, "jsonl.gz" for .gz, else "jsonl"."""
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl.gz" if lower.endswith(".gz") else "jsonl"


def errors_path(output: str) -> str:
    return output + ".errors.jsonl"


def parts_path(output: str) -> str:
    return output + ".parts"


def _part_file(parts: str, index: int) -> str:
    return os.path.join(parts, f"part-{index:08d}.jsonl")


def committed_parts(parts: str) -> set[int]:
    """The indexes of the chunks with an entry in `parts` (each is checked before it is used)."""
    return {int(m.group(1)) for name in os.listdir(parts) if (m := _PART.match(name))}


def _body_digest() -> Any:
    return hashlib.blake2b(digest_size=16)


def _parse_header(line: bytes, index: int) -> dict[str, Any]:
    if not line.startswith(b"H ") or not line.endswith(b"\n"):
        raise ValueError("no header line")
    header = json.loads(line[2:])
    if not isinstance(header, dict) or header.get("chunk") != index:
        raise ValueError("header is not this chunk's")
    for key, kind in (("digest", str), ("body", str), ("records", int)):
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            raise ValueError(f"header has no valid {key!r}")
    return header


def check_part(parts: str, index: int) -> tuple[dict[str, Any] | None, str]:
    """(header, "") when part `index` is whole and unchanged, else (None, why not).

    Whole means: a regular file; a header naming this chunk; then exactly `records` lines, each
    b"R " or b"E " and ending in a newline, whose digest is the header's `body`.
    """
    path = _part_file(parts, index)
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        with open(path, "rb") as fh:
            try:
                header = _parse_header(fh.readline(1 << 20), index)
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError included
                return None, f"damaged header ({exc})"
            h = _body_digest()
            count = 0
            for line in fh:
                if line[:2] not in (b"R ", b"E ") or not line.endswith(b"\n"):
                    return None, f"line {count + 2} is not a record line"
                h.update(line)
                count += 1
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"
    if count != header["records"]:
        return None, f"{count} of {header['records']} records"
    if h.hexdigest() != header["body"]:
        return None, "its records do not match their digest"
    return header, ""


def discard_part(parts: str, index: int) -> None:
    """Remove part `index`, whatever it is (a file, a folder in its place)."""
    path = _part_file(parts, index)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit_part(parts: str, chunk: Chunk, body: list[bytes]) -> None:
    """Write a chunk's part beside its final name, fsync it, rename it: the chunk is done."""
    final = _part_file(parts, chunk.index)
    tmp = f"{final}.tmp-{os.getpid()}"
    if len(body) != len(chunk.items):
        raise RuntimeError(f"chunk {chunk.index}: {len(body)} lines for {len(chunk.items)} records")
    h = _body_digest()
    for line in body:
        h.update(line)
    header = {
        "chunk": chunk.index,
        "digest": chunk.digest,
        "records": len(chunk.items),
        "body": h.hexdigest(),
    }
    if os.path.lexists(final):  # something that did not verify (a folder, a damaged part)
        discard_part(parts, chunk.index)
    with open(tmp, "wb") as fh:
        fh.write(b"H " + json.dumps(header).encode() + b"\n")
        fh.writelines(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)


class _JsonlWriter:
    def __init__(self, fh: IO[bytes], gz: bool) -> None:
        self._fh = fh
        self._gz = (
            gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=6, mtime=0)
            if gz
            else None
        )

    def write(self, line: bytes) -> None:
        (self._gz or self._fh).write(line)

    def close(self) -> None:
        if self._gz:
            self._gz.close()


class _ParquetWriter:
    ROWS = 10_000

    def __init__(self, fh: IO[bytes]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self._schema = pa.schema(
            [
                ("id", pa.string()),
                ("summary", pa.list_(pa.string())),
                ("indices", pa.list_(pa.int32())),
                ("method", pa.string()),
            ]
        )
        self._writer = pq.ParquetWriter(fh, self._schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, line: bytes) -> None:
        self._rows.append(json.loads(line))
        if len(self._rows) >= self.ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def assemble(parts: str, n_chunks: int, output: str) -> tuple[int, int]:
    """Join parts 0..n-1 in order into OUTPUT and its errors file; (records, errors).

    Both are written to temp files and renamed, the errors file (or its removal) first and
    OUTPUT last, so OUTPUT appearing means everything is in place.
    """
    folder = os.path.dirname(os.path.abspath(output))
    base = os.path.basename(output)
    fmt = output_format(output)
    out_fd, out_tmp = tempfile.mkstemp(prefix=f".{base}.tmp-", dir=folder)
    err_fd, err_tmp = tempfile.mkstemp(prefix=f".{base}.tmp-", dir=folder)
    records = errors = 0
    try:
        with os.fdopen(out_fd, "wb") as out_fh, os.fdopen(err_fd, "wb") as err_fh:
            writer: Any = (
                _ParquetWriter(out_fh)
                if fmt == "parquet"
                else _JsonlWriter(out_fh, fmt == "jsonl.gz")
            )
            for k in range(n_chunks):
                r, e = _join_part(parts, k, writer, err_fh)
                records += r
                errors += e
            writer.close()
            for fh in (out_fh, err_fh):
                fh.flush()
                os.fsync(fh.fileno())
        for tmp in (out_tmp, err_tmp):
            os.chmod(tmp, 0o666 & ~_umask())
        if errors:
            os.replace(err_tmp, errors_path(output))
        else:
            os.unlink(err_tmp)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(errors_path(output))
        os.replace(out_tmp, output)
        _fsync_dir(folder)
    except BaseException:
        for tmp in (out_tmp, err_tmp):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return records, errors


def _join_part(parts: str, k: int, writer: Any, err_fh: IO[bytes]) -> tuple[int, int]:
    """Copy part k's records and errors, checking it again on the way (it could have changed
    since it was checked); a part that does not verify is discarded and the run stops."""
    records = errors = 0
    h = _body_digest()
    try:
        with open(_part_file(parts, k), "rb") as part:
            header = _parse_header(part.readline(1 << 20), k)
            lines = []
            for line in part:
                h.update(line)
                lines.append(line)
        ok = len(lines) == header["records"] and h.hexdigest() == header["body"]
    except (OSError, ValueError):
        ok = False
    if not ok:
        discard_part(parts, k)
        raise InputError(
            f"part {k} of {parts} changed during the run; rerun the same command to recompute it"
        )
    for line in lines:
        if line[:2] == b"R ":
            writer.write(line[2:])
            records += 1
        else:
            err_fh.write(line[2:])
            errors += 1
    return records, errors


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
