"""The model file's container: fixed bytes, arrays read in place and aligned, np.load's
reading for any other .npz."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsum.npzfile import read_npz, write_npz

ARRAYS = {
    "ints": np.arange(7, dtype=np.int32),
    "floats": np.linspace(0, 1, 5),
    "halfs": np.array([0.5, -2.0], dtype=np.float32),
    "flags": np.array([True, False, True]),
    "bytes": np.array([b"a", b"naive", "na\u00efve".encode()], dtype=np.bytes_),
    "blob": np.frombuffer(b"x\ny", dtype=np.uint8),
    "empty": np.zeros(0, dtype=np.int64),
}


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a
    )


def test_round_trip_in_place_and_aligned(tmp_path: Path) -> None:
    path = tmp_path / "a.npz"
    write_npz(path, ARRAYS)
    got = read_npz(path)
    assert same(got, ARRAYS)
    with np.load(path) as z:  # still an ordinary .npz
        assert same({k: z[k] for k in z.files}, ARRAYS)
    # Views of the file's bytes (no copy), each starting 64-byte aligned within the file.
    for name, arr in got.items():
        assert not arr.flags.owndata and isinstance(arr.base, bytes), name
        start = arr.__array_interface__["data"][0] - np.frombuffer(arr.base, np.uint8).ctypes.data
        assert start % 64 == 0 and arr.base[start : start + arr.nbytes] == arr.tobytes(), name


def test_same_arrays_give_the_same_bytes(tmp_path: Path) -> None:
    write_npz(tmp_path / "a.npz", ARRAYS)
    write_npz(tmp_path / "b.npz", dict(ARRAYS))
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_other_npz_files_are_read_by_numpy(tmp_path: Path, save) -> None:
    path = tmp_path / "np.npz"
    save(path, **ARRAYS, matrix=np.eye(3))
    got = read_npz(path)
    assert same(got, {**ARRAYS, "matrix": np.eye(3)})


def test_not_an_npz_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip at all")
    with pytest.raises((OSError, ValueError)):
        read_npz(bad)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError):
        read_npz(empty)
    with pytest.raises(OSError):
        read_npz(tmp_path / "missing.npz")
