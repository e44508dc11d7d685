"""What an install must bring: declared dependencies, exact names for missing modules, and
install hints that name extras which exist."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

from newsum.errors import UsageError, missing_module
from newsum.html import extract

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# `pip install 'newsum[x]'`, `".[x,y]"`, `-e '.[x]'`, `newsum[x]==1.2` ...
HINT = re.compile(r"pip install[^\n`]*?(?:newsum|\.)\[([A-Za-z0-9_,\s-]+)\]")


def _texts() -> list[tuple[str, str]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    files += sorted((ROOT / "newsum").rglob("*.py"))
    files += sorted((ROOT / ".ci").glob("*"))
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]


def test_every_install_hint_names_an_existing_extra() -> None:
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    found = []
    for name, text in _texts():
        for m in HINT.finditer(text):
            for extra in m.group(1).split(","):
                found.append((name, extra.strip()))
    assert found, "the hint pattern found nothing: it is broken"
    assert ("README.md", "train") in found
    bad = [(name, extra) for name, extra in found if extra not in extras]
    assert not bad, f"hints naming extras pyproject.toml does not define: {bad}"


def test_the_hint_pattern_sees_a_wrong_extra() -> None:
    assert HINT.search("needs pyarrow: pip install 'newsum[parquet]'").group(1) == "parquet"
    assert HINT.search('pip install -e ".[train,test]"').group(1) == "train,test"


def test_html_dependencies_are_declared_for_old_pips() -> None:
    # pip 23 does not resolve lxml 6's `html_clean` extra: the module's project is named itself.
    deps = [
        re.split(r"[<>=\[;\s]", d, maxsplit=1)[0].lower().replace("-", "_")
        for d in PYPROJECT["project"]["dependencies"]
    ]
    assert "trafilatura" in deps and "lxml_html_clean" in deps


def test_missing_module_names_the_module_really_missing(monkeypatch, tmp_path: Path) -> None:
    # trafilatura installed, one of its own imports missing: that module is named.
    (tmp_path / "trafilatura.py").write_text("import lxml_html_clean_not_here\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "trafilatura", raising=False)
    with pytest.raises(UsageError, match="'lxml_html_clean_not_here'") as info:
        extract("<html><body><p>Some words here.</p></body></html>")
    assert "trafilatura" not in str(info.value)


def test_missing_top_module_is_named(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(UsageError, match="HTML input needs the Python module 'trafilatura'"):
        extract("<html><body><p>Some words here.</p></body></html>")


def test_a_missing_module_behind_a_plain_import_error_is_named(monkeypatch, tmp_path: Path):
    # lxml.html.clean does this when lxml_html_clean is missing (the failure).
    (tmp_path / "trafilatura.py").write_text(
        "try:\n    import lxml_html_clean_not_here\n"
        "except ImportError:\n    raise ImportError('now a separate project')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "trafilatura", raising=False)
    with pytest.raises(UsageError, match="'lxml_html_clean_not_here'"):
        extract("<html><body><p>Some words here.</p></body></html>")


def test_other_import_errors_are_not_disguised(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "trafilatura.py").write_text("raise ImportError('broken install')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "trafilatura", raising=False)
    with pytest.raises(ImportError, match="broken install"):
        extract("<html><body><p>Some words here.</p></body></html>")
    with pytest.raises(ImportError):
        raise missing_module(ImportError("cannot import name 'x'"), "something")
