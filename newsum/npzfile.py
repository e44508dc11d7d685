"""The model file's container: an .npz (a zip of .npy arrays) with fixed bytes, read in place.

`write_npz` stores every array uncompressed, with fixed timestamps (the same arrays give the same
bytes) and with its data aligned to 64 bytes in the file. `read_npz` then takes each array as a
view of the file's bytes, walking the zip's local headers itself and checking each member's
CRC: 6 ms for the shipped model where np.load, which parses every header with `ast`, takes 11,
and without importing zipfile (start-up of `newsum summarize`). Any other .npz (deflated,
written by numpy with data descriptors, ...) is read by np.load. No pickles either way.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_ALIGN = 64
_PAD_ID = 0xD935  # the zip extra-field id that Android's zipalign uses for the same padding
# A zip member's local header: signature, version, flags, method, time, date, crc, sizes,
# name length, extra length; the name, the extra field and the data follow.
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_MAGIC = b"\x93NUMPY\x01\x00"  # .npy format 1.0: a 2-byte header length follows
# The header numpy writes for a C-ordered 1-D array of a plain type (not objects).
_HEADER = re.compile(
    rb"\{'descr': '([<>|][biufcSU]\d+)', 'fortran_order': False, 'shape': \((\d+),\), \} *\n"
)


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` (1-D) as an .npz whose bytes depend on the arrays alone."""
    import zipfile

    import numpy as np

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            # Pad the local header so the member starts on an _ALIGN boundary; the .npy
            # header is itself padded to 64 bytes, so the array data is aligned too.
            start = buf.tell() + _LOCAL.size + len(info.filename.encode("utf-8")) + 4
            pad = -start % _ALIGN
            info.extra = struct.pack("<HH", _PAD_ID, pad) + bytes(pad)
            zf.writestr(info, member.getvalue())
    Path(path).write_bytes(buf.getvalue())


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of an .npz by name (read-only views where read in place). Raises OSError
    or ValueError for a file that is not one."""
    import numpy as np

    data = Path(path).read_bytes()
    out = _in_place(data)
    if out is not None:
        return out
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, EOFError) as exc:  # a damaged zip; an empty file
        raise ValueError(str(exc) or "empty file") from None


def _in_place(data: bytes) -> dict[str, np.ndarray] | None:
    """Every member's array as a view of `data`, or None where the file is not laid out as
    `write_npz` writes (np.load reads those)."""
    import numpy as np

    out = {}
    pos = 0
    while data.startswith(b"PK\x03\x04", pos) and pos + _LOCAL.size <= len(data):
        _, _, flags, method, _, _, crc, size, _, name_len, extra_len = _LOCAL.unpack_from(data, pos)
        name = data[pos + _LOCAL.size : pos + _LOCAL.size + name_len]
        start = pos + _LOCAL.size + name_len + extra_len
        pos = start + size
        # Stored (method 0), sizes in the header (no data descriptor, flag bit 3), an .npy.
        if method or flags & 8 or not name.endswith(b".npy") or size < 10 or pos > len(data):
            return None
        if not data.startswith(_MAGIC, start):
            return None
        if zlib.crc32(memoryview(data)[start:pos]) != crc:  # 2 ms for the shipped model
            raise ValueError(f"{name.decode('utf-8', 'replace')} is damaged (CRC check failed)")
        (header_len,) = struct.unpack_from("<H", data, start + len(_MAGIC))
        begin = start + len(_MAGIC) + 2
        header = _HEADER.fullmatch(data, begin, begin + header_len)
        if header is None:
            return None
        dtype = np.dtype(header.group(1).decode("ascii"))
        count = int(header.group(2))
        offset = begin + header_len
        if count * dtype.itemsize != pos - offset:
            return None
        arr = np.frombuffer(data, dtype, count, offset)
        out[name[: -len(".npy")].decode("utf-8")] = (
            arr if offset % dtype.alignment == 0 else arr.copy()
        )
    # The members end where the zip's central directory begins.
    return out if out and data.startswith(b"PK\x01\x02", pos) else None


def pack_words(words: list[str]) -> np.ndarray:
    """Sorted, distinct words as a numpy array of UTF-8 byte strings: read in place from a
    model file and searched there (newsum.features.IdfTable), no strings made at start-up."""
    import numpy as np

    if words != sorted(set(words)) or any("\0" in w for w in words):
        raise ValueError("a model file's words must be sorted, distinct and without NULs")
    return np.array([w.encode("utf-8") for w in words], dtype=np.bytes_)


def unpack_words(packed: np.ndarray) -> list[str]:
    """The words of `pack_words`."""
    return [w.decode("utf-8") for w in packed.tolist()]
