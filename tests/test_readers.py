"""One reader for every front end: summarize, batch, eval, train and the service read a record,
a file or a page into the same Document (`newsum.readers.load_document`)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import SHIPPED_EXAMPLE
from fastapi.testclient import TestClient

import newsum
from newsum.batch import run_batch
from newsum.cli import main
from newsum.evaluate import load_stories
from newsum.readers import decode_page, iter_items, load_document
from newsum.server.app import create_app
from newsum.train import load_examples

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = (FIXTURES / "news_flood_barrier.html").read_text(encoding="utf-8")
STORY = SHIPPED_EXAMPLE.read_text(encoding="utf-8")
HIGHLIGHTS = "\n\n@highlight\n\nNOT A STORY SENTENCE AT ALL\n\n@highlight\n\nNOR THIS ONE\n"

# The files every front end must read alike: name -> bytes.
FILES = {
    # A legacy page: Windows-1252 bytes, declared in its <meta charset>.
    "legacy.html": PAGE.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252"),
    # A legacy page that declares nothing: Windows-1252 is assumed.
    "nometa.htm": PAGE.replace('<meta charset="utf-8">', "").encode("cp1252"),
    # A CNN/DailyMail .story file: the article, then @highlight blocks.
    "cnn.story": (STORY + HIGHLIGHTS).encode(),
    # gzip-compressed without a .gz name: recognized by its magic bytes.
    "zipped.txt": gzip.compress(STORY.encode()),
}


def _sentences(doc: newsum.Document) -> list[str]:
    return [s.text for s in doc.sentences]


def test_load_document_by_hand() -> None:
    utf8 = load_document(PAGE.encode(), "page.html")
    assert "£" in utf8.text  # the page has a price in pounds: it must survive every encoding
    for name in ("legacy.html", "nometa.htm"):
        doc = load_document(FILES[name], name)
        assert doc.text == utf8.text and doc.title == utf8.title
    story = load_document(FILES["cnn.story"], "cnn.story")
    assert _sentences(story) == _sentences(newsum.read_document(STORY))
    assert "NOT A STORY" not in story.text
    assert _sentences(load_document(FILES["zipped.txt"], "zipped.txt")) == _sentences(story)
    # gzip by magic bytes, not by name: a plain file called .gz is read as it is.
    assert _sentences(load_document(STORY.encode(), "plain.txt.gz")) == _sentences(story)


def test_decode_page_charsets() -> None:
    assert decode_page("<p>café</p>".encode()) == "<p>café</p>"
    latin = '<meta charset="iso-8859-1"><p>café ÿ</p>'
    assert decode_page(latin.encode("latin-1")) == latin
    assert decode_page("<p>£5 – ok</p>".encode("cp1252")) == "<p>£5 – ok</p>"
    unknown = '<meta charset="x-no-such"><p>£5</p>'
    assert decode_page(unknown.encode("cp1252")) == unknown


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("files")
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize("name", sorted(FILES))
def test_summarize_reads_files_like_load_document(folder: Path, name: str, capsys) -> None:
    expect = newsum.summarize_document(load_document(FILES[name], name))
    assert main(["summarize", str(folder / name), "--json"]) == 0, capsys.readouterr().err
    got = json.loads(capsys.readouterr().out)
    assert [s["text"] for s in got["sentences"]] == [s.text for s in expect.sentences]
    [item] = iter_items([str(folder / name)])
    assert _sentences(item.document) == _sentences(load_document(FILES[name], name))


def test_batch_reads_files_like_load_document(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_batch(str(folder), str(out))
    assert result.errors == 0
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(records) == sorted(FILES)
    for name, data in FILES.items():
        expect = newsum.summarize_document(load_document(data, name))
        assert records[name]["summary"] == [s.text for s in expect.sentences], name


RECORDS = [
    {"id": "a", "article": STORY, "highlights": "the ferry stays ."},
    {"id": "b", "title": "Ferry vote", "article": STORY, "highlights": "voters kept it ."},
]


@pytest.fixture(scope="module")
def records_file(tmp_path_factory) -> Path:
    # A gzipped JSONL file named without .gz: every front end must sniff it.
    path = tmp_path_factory.mktemp("records") / "records.jsonl"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in RECORDS).encode()))
    return path


def test_records_read_alike_everywhere(records_file: Path, tmp_path: Path) -> None:
    expect = [load_document(r) for r in RECORDS]
    assert expect[1].title == "Ferry vote" and expect[0].meta["id"] == "a"
    items = list(iter_items([str(records_file)]))
    assert [_sentences(i.document) for i in items] == [_sentences(d) for d in expect]
    stories, _ = load_stories(str(records_file), warn=lambda m: None)
    assert [_sentences(s.document) for s in stories] == [_sentences(d) for d in expect]
    examples = load_examples(str(records_file), workers=1)
    assert [_sentences(e.document) for e in examples] == [_sentences(d) for d in expect]
    out = tmp_path / "out.jsonl"
    run_batch(str(records_file), str(out))
    summaries = [json.loads(line)["summary"] for line in out.read_text().splitlines()]
    assert summaries == [[s.text for s in newsum.summarize_document(d).sentences] for d in expect]


def test_service_reads_text_and_pages_like_load_document() -> None:
    with TestClient(create_app()) as client:
        page = client.post("/v1/summarize", json={"html": PAGE})
        text = client.post("/v1/summarize", json={"text": STORY})
    assert page.status_code == text.status_code == 200
    for resp, doc in ((page, load_document(PAGE, format="html")), (text, load_document(STORY))):
        expect = newsum.summarize_document(doc)
        assert [s["text"] for s in resp.json()["sentences"]] == [s.text for s in expect.sentences]
