"""Safe file handling: refuse special files, read with a size bound, decode text, write atomically.

Every front end reads stories and writes results through here, so the rules are the same in the
CLI, batch and the service:

- only regular files (and stdin) are read; FIFOs, devices and sockets are refused by type before
  a byte is read (a FIFO would block, /dev/zero would never end);
- a story is at most MAX_STORY_BYTES; more is refused with "too large" after reading just past
  the limit, never by running out of memory;
- text is UTF-8 (a BOM is skipped) or UTF-16 with a BOM; a NUL byte anywhere means binary data;
- text that arrives already decoded (JSON strings) may hold lone surrogates or NULs, which no
  output can encode: `clean_text` turns each into U+FFFD (one code point for one, so offsets keep);
- output files appear complete or not at all (temp file, fsync, rename), with the umask's mode;
  onto a symlink the write goes through to the link's target, the link stays.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterator
from typing import IO, BinaryIO

from .errors import InputError, UsageError

MAX_STORY_BYTES = 32 * 1024 * 1024  # 32 MB: a long story is ~50 KB; beyond this, "too large"
MAX_STORY_CHARS = 32 * 1024 * 1024  # the same bound for text that arrives decoded (JSON, API)

_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: str | os.PathLike) -> os.stat_result:
    """The file's stat if it is a regular file (after symlinks); else an InputError naming why."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{os.fspath(path)}: no such file") from None
    except OSError as exc:
        raise InputError(f"{os.fspath(path)}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{os.fspath(path)}: is {_kind(st.st_mode)}, not a regular file")
    return st


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading; special files are refused without blocking on them."""
    name = os.fspath(path)
    check_regular(name)
    try:  # O_NONBLOCK: a file swapped for a FIFO after the check still cannot block the open
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise InputError(f"{name}: is {_kind(st.st_mode)}, not a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_limited(fh: IO[bytes], name: str, limit: int = MAX_STORY_BYTES) -> bytes:
    """At most `limit` bytes from `fh`; more is an InputError "too large"."""
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{name}: too large (over the {_mb(limit)} limit for one story)")
    return data


def read_file(path: str | os.PathLike, limit: int = MAX_STORY_BYTES) -> bytes:
    """A regular file's bytes (gunzipped for *.gz), at most `limit` of them."""
    name = os.fspath(path)
    try:
        with open_regular(name) as fh:
            data = read_limited(fh, name, limit)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if name.endswith(".gz"):
        data = gunzip(data, name, limit)
    return data


def read_stdin(limit: int = MAX_STORY_BYTES) -> bytes:
    return read_limited(sys.stdin.buffer, "<stdin>", limit)


def bounded_lines(fh: IO[bytes], limit: int = MAX_STORY_BYTES) -> Iterator[bytes | None]:
    """The lines of a binary stream; a line over `limit` bytes yields None in its place (it is
    skipped without being held in memory, so one endless line cannot fill it)."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def too_long(where: str) -> str:
    return f"{where}: line too large (over the {_mb(MAX_STORY_BYTES)} limit for one story)"


def _where(name: str) -> str:
    """The prefix of an error about `name` ("" when the caller adds the name itself)."""
    return f"{name}: " if name else ""


def gunzip(data: bytes, name: str, limit: int = MAX_STORY_BYTES) -> bytes:
    """Decompress gzip data, refusing output over `limit` (a small bomb cannot fill memory)."""
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as exc:
        raise InputError(f"{_where(name)}not a valid gzip file ({exc})") from None
    if len(out) > limit:
        raise InputError(f"{_where(name)}too large once decompressed (over {_mb(limit)})")
    if not d.eof:
        raise InputError(f"{_where(name)}not a valid gzip file (truncated)")
    return out


def decode_text(data: bytes, name: str = "input") -> str:
    """Bytes to text: UTF-8 (BOM skipped), or UTF-16 / UTF-32 with a BOM; binary is refused."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        text = _decode_as(data, "utf-32", name)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_as(data, "utf-16", name)
    else:
        if b"\x00" in data:
            raise InputError(f"{_where(name)}looks like binary data, not text (it has NUL bytes)")
        text = _decode_as(data, "utf-8-sig", name)
    if "\x00" in text:
        raise InputError(f"{_where(name)}looks like binary data, not text (it has NUL characters)")
    head = text[:8192]
    controls = sum(1 for c in head if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(head)):
        raise InputError(f"{_where(name)}looks like binary data, not text")
    return text


def _decode_as(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        what = "UTF-8" if codec.startswith("utf-8") else codec.upper()
        raise InputError(
            f"{_where(name)}not valid {what} (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def story_text(text: str) -> str:
    """A story's text checked against MAX_STORY_CHARS and cleaned (see clean_text)."""
    if len(text) > MAX_STORY_CHARS:
        raise InputError(
            f"story too large ({len(text):,} characters; the limit is {MAX_STORY_CHARS:,})"
        )
    return clean_text(text)


def clean_text(text: str) -> str:
    """Lone surrogates and NULs (from JSON escapes) become U+FFFD; same length, so offsets hold."""
    if text.isascii() and "\x00" not in text:
        return text
    return _UNENCODABLE.sub("\ufffd", text)


# ----------------------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def output_target(path: str | os.PathLike) -> str:
    """Where writing `path` really goes: a symlink's target (the link stays), checked for use.

    A missing folder, a directory or a special file as target is a UsageError, one line.
    """
    name = os.fspath(path)
    target = os.path.realpath(name) if os.path.islink(name) else os.path.abspath(name)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise UsageError(f"{name}: cannot write (folder {folder} does not exist)")
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(target).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"{name}: cannot write (it is {_kind(mode)})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{name}: cannot write (permission denied in {folder})")
    return target


class AtomicOutput:
    """stdout, or a file that appears only when complete (temp file renamed on success)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._target: str | None = None
        self._tmp: str | None = None
        self._fh: IO[str] = sys.stdout
        self._keep = True

    def __enter__(self) -> AtomicOutput:
        if self.path:
            import tempfile  # here, not at the top: ~4 ms of start-up (random, shutil)

            self._target = output_target(self.path)
            try:
                fd, self._tmp = tempfile.mkstemp(
                    prefix=".newsum-", dir=os.path.dirname(self._target)
                )
            except OSError as exc:
                raise UsageError(f"{self.path}: cannot write ({exc.strerror})") from None
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, text: str) -> None:
        self._fh.write(text)

    def discard(self) -> None:
        """Leave no output file behind (nothing worth writing)."""
        self._keep = False

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._tmp:
            self._fh.flush()
            return
        try:
            if exc_type is None and self._keep:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
                os.chmod(self._tmp, 0o666 & ~_umask())
                os.replace(self._tmp, self._target)
                return
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            raise UsageError(f"{self.path}: cannot write ({exc.strerror})") from None
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    import tempfile

    target = output_target(path)
    fd, tmp = tempfile.mkstemp(prefix=".newsum-", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
