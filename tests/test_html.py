"""HTML input: story extraction from news pages, HTML detection, URL fetching (127.0.0.1 only)."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import newsum
from newsum.cli import main
from newsum.errors import InputError
from newsum.html import fetch_url, read_html
from newsum.readers import iter_items, read_document

FIXTURES = Path(__file__).parent / "fixtures"
FLOOD = FIXTURES / "news_flood_barrier.html"
ROVER = FIXTURES / "news_rover_divs.html"
NO_STORY = FIXTURES / "no_story.html"

FLOOD_BOILERPLATE = [
    "We use cookies",  # cookie banner
    "Accept cookies",
    "Subscribe from",  # navigation
    "Sport",
    "Search the Courier",
    "Huge savings on conservatories",  # ads
    "Hot tubs at half price",
    "Advertisement",
    "Related stories",  # related links
    "Five years on",
    "Insurance premiums in Riverside triple",
    "More from Local",
    "Bus station reopens",
    "Comments (3)",  # comments
    "RiversideRob",
    "scandalous waste",
    "fishing pegs",
    "Join the discussion",
    "Most read",  # sidebar
    "Jewellery shop",
    "Water filled Mill Lane",  # photo caption
    "Courier archive",
    "Sign up to our newsletter",  # newsletter box
    "morning briefing",
    "Share on Facebook",  # share tools
    "Helen Okafor",  # byline
    "All rights reserved",  # footer
    "Privacy policy",
    "dataLayer",  # scripts and styles
    "TRACKING PIXEL",
    "analytics ready",
    "adConfig",
    "NewsArticle",
    "min-height",
    "Topics:",
]
FLOOD_STORY = [
    "Northbridge councillors have approved a £48 million flood barrier for the Riverside "
    "district, ending more than a decade of delays over how to protect homes along the River Wend.",
    "The scheme, passed by 41 votes to six on Wednesday night, will build a two-kilometre wall",
    '"Tonight we have given them an answer."',
    "The Environment Agency will pay £31 million of the cost",
    "said Councillor Tom Hadley.",
    "a public exhibition of the final designs would be held at the Riverside community centre",
]
ROVER_BOILERPLATE = [
    "Log in",
    "Create account",
    "Obituaries",
    "Classifieds",
    "READ MORE",
    "School board restores robotics club funding",
    "Advertisement",
    "googletag",
    "__PRELOADED_STATE__",
    "Watch Burrow map a tunnel",
    "adjusts the rover's lidar sensor",  # caption
    "Photo courtesy",
    "Share this",
    "Sponsored content",
    "one weird trick",
    "solar deal",
    "24 comments",
    "proud_parent88",
    "whole town should be celebrating",
    "closed in 1971",
    "Trending now",
    "Route 9",
    "partly cloudy",
    "100 Harbor Street",
    "comments.example",
]
ROVER_STORY = [
    "has won first prize at the International Youth Robotics Challenge in Montréal",
    "“We broke it about thirty times,” said team captain Ana Lucero, who is seventeen.",
    "Rescue officials have asked the students whether a version of the rover could be used",
    "The team plans to publish the rover's design and code online",
]


def _sentences_cover_text(doc: newsum.Document) -> None:
    for s in doc.sentences:
        assert doc.text[s.start : s.end] == s.source


# ----------------------------------------------------------------------------- extraction


def test_flood_page_story_and_title_extracted_without_boilerplate():
    doc = read_html(FLOOD.read_text(encoding="utf-8"))
    assert doc.title == "Riverside flood barrier approved after decade of delays"
    for phrase in FLOOD_STORY:
        assert phrase in doc.text, phrase
    for phrase in FLOOD_BOILERPLATE:
        assert phrase not in doc.text, f"boilerplate left in the story: {phrase!r}"
    # The headline is the title, not the first sentence; the standfirst is metadata.
    assert not doc.text.startswith("Riverside flood barrier")
    assert doc.sentences[0].text.startswith("Northbridge councillors have approved")
    assert doc.meta["standfirst"].startswith("Councillors back £48m scheme")
    assert doc.meta["author"] == "Helen Okafor"
    assert doc.meta["date"] == "2024-03-14"
    assert doc.meta["source"] == "html"
    assert len(doc) >= 12
    _sentences_cover_text(doc)


def test_div_soup_page_story_extracted_without_boilerplate():
    doc = read_html(ROVER.read_text(encoding="utf-8"), url="https://lakeshore.example/rover")
    assert doc.title == "Student-built rover wins international robotics prize"
    for phrase in ROVER_STORY:
        assert phrase in doc.text, phrase
    for phrase in ROVER_BOILERPLATE:
        assert phrase not in doc.text, f"boilerplate left in the story: {phrase!r}"
    assert doc.meta["url"] == "https://lakeshore.example/rover"
    _sentences_cover_text(doc)


def test_paragraphs_are_separate_blocks():
    doc = read_html(FLOOD.read_text(encoding="utf-8"))
    assert "\n\n" in doc.text
    for s in doc.sentences:
        assert "\n" not in s.source.strip()


def test_page_without_a_story_is_an_input_error():
    with pytest.raises(InputError, match="no story text found"):
        read_html(NO_STORY.read_text(encoding="utf-8"))


@pytest.mark.parametrize("html", ["", "   \n", "<html><body></body></html>"])
def test_empty_pages_are_input_errors(html):
    with pytest.raises(InputError):
        read_html(html)


def test_summarize_with_html_format():
    summary = newsum.summarize(FLOOD.read_text(encoding="utf-8"), format="html")
    assert summary.document.title.startswith("Riverside flood barrier")
    assert summary.to_dict()["title"] == summary.document.title
    assert summary.sentences[0].text.startswith("Northbridge councillors have approved")
    for s in summary.sentences:
        assert summary.document.text[s.start : s.end].split() == s.text.split()


def test_read_document_html_format_keeps_given_title_and_meta():
    doc = read_document(ROVER.read_text(encoding="utf-8"), "html", title="T", meta={"id": "7"})
    assert doc.title == "T"
    assert doc.meta["id"] == "7"
    assert doc.meta["author"] == "Marcus Bell"


# ----------------------------------------------------------------------------- detection


def test_iter_items_detects_html_by_extension_and_by_content(tmp_path):
    sniffed = tmp_path / "page.txt"
    sniffed.write_text(FLOOD.read_text(encoding="utf-8"), encoding="utf-8")
    items = list(iter_items([str(FLOOD), str(sniffed)]))
    assert [i.error for i in items] == [None, None]
    for item in items:
        assert item.document.title.startswith("Riverside flood barrier")
        assert "Accept cookies" not in item.document.text
    assert items[1].document.meta["path"] == str(sniffed)


def test_iter_items_plain_text_is_not_taken_for_html(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("The mayor said the <html> tag is old. Nobody disagreed.\n", encoding="utf-8")
    (item,) = iter_items([str(story)])
    assert item.error is None and item.document.meta.get("source") != "html"
    assert len(item.document) == 2


def test_iter_items_forced_html_format(tmp_path):
    page = tmp_path / "page.dat"
    page.write_text(ROVER.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    (item,) = iter_items([str(page)], format="html")
    assert item.error is None
    assert "Montréal" in item.document.text


def test_iter_items_reports_a_page_without_story_as_an_item_error():
    (item,) = iter_items([str(NO_STORY)])
    assert item.document is None
    assert item.error.startswith(str(NO_STORY) + ": no story text found")


# ----------------------------------------------------------------------------- CLI


def test_cli_summarize_html_file(capsys):
    assert main(["summarize", str(FLOOD)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Northbridge councillors have approved")
    assert 2 <= len(out.splitlines()) <= 3  # the default model may stop at 2 (docs/model.md)
    for phrase in ("Accept cookies", "RiversideRob", "dataLayer", "Most read"):
        assert phrase not in out


def test_cli_summarize_html_file_json(capsys):
    assert main(["summarize", "--json", "-n", "2", str(ROVER)]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["title"] == "Student-built rover wins international robotics prize"
    assert len(obj["sentences"]) == 2


def test_cli_page_without_story_exits_2_with_one_line(capsys):
    assert main(["summarize", str(NO_STORY)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("newsum: error: ")
    assert "no story text found" in err


# ----------------------------------------------------------------------------- URLs


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(FIXTURES), **kwargs)

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/latin1":
            page = (
                "<html><head><title>Caf\u00e9 story</title></head><body><article><h1>Caf\u00e9 "
                "story</h1><p>The caf\u00e9 on the corner reopened on Monday after a year of "
                "repairs, the owner said.</p><p>Regulars queued from seven in the morning to "
                "get a table by the window.</p></article></body></html>"
            ).encode("latin-1")
            self._send(200, "text/html; charset=iso-8859-1", page)
        elif self.path == "/data.json":
            self._send(200, "application/json", b'{"a": 1}')
        elif self.path == "/broken":
            self._send(500, "text/html", b"<html><body>oops</body></html>")
        else:
            super().do_GET()

    def _send(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fetch_url_gets_the_page(site):
    html = fetch_url(f"{site}/news_flood_barrier.html")
    assert "Riverside flood barrier approved" in html


def test_fetch_url_uses_the_declared_charset(site):
    doc = read_html(fetch_url(f"{site}/latin1"))
    assert doc.title == "Café story"
    assert "The café on the corner reopened" in doc.text


def test_fetch_url_http_error(site):
    with pytest.raises(InputError, match="HTTP error 404"):
        fetch_url(f"{site}/missing.html")
    with pytest.raises(InputError, match="HTTP error 500"):
        fetch_url(f"{site}/broken")


def test_fetch_url_refuses_non_html(site):
    with pytest.raises(InputError, match="not an HTML page"):
        fetch_url(f"{site}/data.json")


def test_fetch_url_refuses_oversized_pages(site):
    with pytest.raises(InputError, match="larger than"):
        fetch_url(f"{site}/news_flood_barrier.html", max_bytes=1024)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:x"])
def test_fetch_url_only_http(url):
    with pytest.raises(InputError, match="only http"):
        fetch_url(url)


def test_fetch_url_unreachable():
    port = _closed_port()
    with pytest.raises(InputError, match="cannot fetch the page"):
        fetch_url(f"http://127.0.0.1:{port}/", timeout=5)


def test_fetch_url_times_out():
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with pytest.raises(InputError, match="no answer within 0.3 s"):
            fetch_url(f"http://127.0.0.1:{port}/", timeout=0.3)


def test_cli_summarize_url(site, capsys):
    assert main(["summarize", "--json", f"{site}/news_rover_divs.html"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["title"] == "Student-built rover wins international robotics prize"
    assert obj["sentences"][0]["text"].startswith("A cave-mapping rover")


def test_cli_unreachable_url_is_one_line_exit_2():
    url = f"http://127.0.0.1:{_closed_port()}/"
    proc = subprocess.run(
        [sys.executable, "-m", "newsum.cli", "summarize", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"newsum: error: {url}: cannot fetch the page")
    assert "Traceback" not in proc.stderr
