"""Verified parts: on resume a part that was damaged is recomputed, never joined."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_batch import CHUNK, _cli_length, _interrupted_run, big, reference, stories  # noqa: F401

from newsum.batch import run_batch
from newsum.batch.output import check_part


def _truncate(part: Path) -> None:
    os.truncate(part, part.stat().st_size - 100)


def _header_only(part: Path) -> None:
    part.write_bytes(part.read_bytes().split(b"\n", 1)[0] + b"\n")


def _duplicate_a_line(part: Path) -> None:
    lines = part.read_bytes().splitlines(keepends=True)
    part.write_bytes(b"".join([*lines[:3], lines[2], *lines[3:]]))


def _edit_a_line(part: Path) -> None:
    lines = part.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[2][2:])
    record["summary"][0] = "Something the story never said."
    lines[2] = b"R " + json.dumps(record, ensure_ascii=False).encode() + b"\n"
    part.write_bytes(b"".join(lines))


def _damage_header(part: Path) -> None:
    lines = part.read_bytes().splitlines(keepends=True)
    part.write_bytes(b"H {not json at all\n" + b"".join(lines[1:]))


def _no_header(part: Path) -> None:
    part.write_bytes(b"".join(part.read_bytes().splitlines(keepends=True)[1:]))


def _directory(part: Path) -> None:
    part.unlink()
    part.mkdir()
    (part / "inside.txt").write_text("a folder where a part should be")


def _another_chunks_part(part: Path) -> None:
    shutil.copyfile(part.with_name("part-00000000.jsonl"), part)


def _binary_garbage(part: Path) -> None:
    part.write_bytes(b"\xff\xfe\x00garbage" * 50)


DAMAGE = {
    "truncated": _truncate,
    "header only": _header_only,
    "duplicated line": _duplicate_a_line,
    "edited line": _edit_a_line,
    "damaged header": _damage_header,
    "no header": _no_header,
    "directory": _directory,
    "another chunk's part": _another_chunks_part,
    "binary garbage": _binary_garbage,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_part_that_does_not_verify_is_recomputed(tmp_path, big, reference, damage):  # noqa: F811
    _interrupted_run(tmp_path, big, n=3)
    parts = tmp_path / "out.jsonl.parts"
    assert check_part(str(parts), 1)[0] is not None  # a whole part verifies
    DAMAGE[damage](parts / "part-00000001.jsonl")
    assert check_part(str(parts), 1)[0] is None
    messages: list[str] = []
    result = run_batch(
        str(big),
        str(tmp_path / "out.jsonl"),
        method="lead",
        chunk_size=int(CHUNK),
        length=_cli_length(),
        log=messages.append,
    )
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]
    assert any("part 1 of" in m and "does not verify" in m for m in messages), messages
    assert result.resumed_chunks == 2  # parts 0 and 2 were kept, part 1 recomputed
    assert not parts.exists()


def test_a_part_changed_after_its_check_stops_the_join(tmp_path, big, reference):  # noqa: F811
    from newsum.batch import output
    from newsum.errors import InputError

    _interrupted_run(tmp_path, big, n=3)
    parts = tmp_path / "out.jsonl.parts"
    real_assemble = output.assemble

    def tamper_then_assemble(parts_dir, n, out):
        _edit_a_line(Path(parts_dir) / "part-00000002.jsonl")
        return real_assemble(parts_dir, n, out)

    import newsum.batch.run as run_module

    run_module.assemble = tamper_then_assemble
    try:
        with pytest.raises(InputError, match="part 2 .* changed during the run"):
            run_batch(
                str(big),
                str(tmp_path / "out.jsonl"),
                method="lead",
                chunk_size=int(CHUNK),
                length=_cli_length(),
            )
    finally:
        run_module.assemble = real_assemble
    assert not (tmp_path / "out.jsonl").exists()
    assert not (parts / "part-00000002.jsonl").exists()  # discarded: the rerun recomputes it
    run_batch(
        str(big),
        str(tmp_path / "out.jsonl"),
        method="lead",
        chunk_size=int(CHUNK),
        length=_cli_length(),
    )
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
