"""HTML input: pull a news page's title and story text out of its markup, and fetch pages by URL.

Extraction is trafilatura's (boilerplate, navigation, ads, comments and scripts removed); the story
text it gives is then read like any other text, so sentence offsets refer to the extracted text.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

from .document import Document
from .errors import InputError, missing_module

FETCH_TIMEOUT = 15.0  # seconds for connecting and for each read when fetching a URL
FETCH_MAX_BYTES = 10 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")

# Label lines that extraction sometimes keeps inside a story body ("Advertisement",
# "READ MORE: <headline>"); they are never story sentences.
_LABEL_LINE = re.compile(
    r"(?i)^(?:advertisement|advert|sponsored(?: content)?|story continues below(?: advertisement)?"
    r"|(?:read more|related|see also|also read|read also|recommended)\s*:.*)$"
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_MIN_PARAGRAPH_WORDS = 8  # a page whose longest paragraph is shorter has no story to summarize


# lxml parses a tag in time quadratic in its number of attributes (25k attributes: 18 s), so a
# start tag with more than MAX_ATTRIBUTES is cut to its bare name before parsing. Only tags
# longer than 2 * MAX_ATTRIBUTES characters can have that many; the pattern matches no others.
MAX_ATTRIBUTES = 100
_LONG_START_TAG = re.compile(r"<([A-Za-z][^\s/>]*+)([^>]{" + str(2 * MAX_ATTRIBUTES) + r",}+)>")


def _cut_attributes(m: re.Match[str]) -> str:
    if len(m.group(2).split()) <= MAX_ATTRIBUTES:
        return m.group()
    return f"<{m.group(1)}>"


def cap_attributes(html: str) -> str:
    """`html` with every start tag of more than MAX_ATTRIBUTES attributes stripped of them all.

    Linear time: the scan ends at the last ">", so no unclosed "<" is scanned to the end."""
    last = html.rfind(">")
    if last < 0:
        return html
    return _LONG_START_TAG.sub(_cut_attributes, html[: last + 1]) + html[last + 1 :]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def extract(html: str, url: str | None = None) -> dict[str, Any]:
    """Title, story paragraphs and page metadata of a news page (trafilatura, imported lazily)."""
    try:
        import trafilatura
    except ImportError as exc:  # names the module really missing, maybe one of trafilatura's
        raise missing_module(exc, "HTML input") from None

    if not html or not html.strip():
        raise InputError("HTML page is empty")
    html = cap_attributes(html)
    try:
        found = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_formatting=False,
        )
    except (ValueError, TypeError) as exc:  # markup lxml cannot parse at all
        raise InputError(f"cannot parse the HTML page ({exc})") from None
    if found is None:
        raise InputError("no story text found in the HTML page")
    data = found.as_dict() if hasattr(found, "as_dict") else dict(found)
    title = (data.get("title") or "").strip() or None
    paragraphs = [p.strip() for p in (data.get("text") or "").splitlines() if p.strip()]
    # The headline usually opens the extracted body too; it is the Document's title instead.
    while paragraphs and title and _norm(paragraphs[0]) == _norm(title):
        paragraphs.pop(0)
    paragraphs = [p for p in paragraphs if not _LABEL_LINE.match(p)]
    # Lines above the first sentence with no closing punctuation are a standfirst or kicker:
    # kept as metadata, since as "sentences" they would crowd out the story's real lead.
    standfirst = []
    while (
        len(paragraphs) > 1
        and len(standfirst) < 2
        and len(paragraphs[0].split()) <= 40
        and not _SENTENCE_END.search(paragraphs[0])
    ):
        standfirst.append(paragraphs.pop(0))
    if not any(len(p.split()) >= _MIN_PARAGRAPH_WORDS for p in paragraphs):
        raise InputError(
            "no story text found in the HTML page (only navigation, forms or short labels)"
        )
    meta = {
        k: str(data[k])
        for k in ("author", "date", "sitename", "description")
        if data.get(k) and str(data[k]).strip()
    }
    if standfirst:
        meta["standfirst"] = " ".join(standfirst)
    return {"title": title, "paragraphs": paragraphs, "meta": meta}


def read_html(html: str, url: str | None = None) -> Document:
    """A Document of the story in a news web page; its text is the extracted story.

    Paragraphs are separated by blank lines, so no sentence crosses a paragraph. The page's
    headline becomes `Document.title`; author, date and site name (when found) go in `meta`.
    """
    from .readers import read_document

    page = extract(html, url)
    meta: dict[str, Any] = {"source": "html", **page["meta"]}
    if url:
        meta["url"] = url
    return read_document("\n\n".join(page["paragraphs"]), "text", title=page["title"], meta=meta)


def _charset(headers: Any, data: bytes) -> str:
    charset = headers.get_content_charset()
    if not charset:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii") if m else "utf-8"
    return charset


def fetch_url(url: str, timeout: float = FETCH_TIMEOUT, max_bytes: int = FETCH_MAX_BYTES) -> str:
    """The HTML of the page at an http(s) URL, decoded; any failure is an InputError saying why."""
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: only http:// and https:// URLs can be fetched")
    from . import __version__

    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"newsum/{__version__} (+offline news summarizer)",
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ctype = response.headers.get_content_type()
            if response.headers.get("Content-Type") and ctype not in HTML_TYPES:
                raise InputError(f"{url}: not an HTML page (content type {ctype})")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InputError(f"{url}: page is larger than {max_bytes // (1024 * 1024)} MB")
            charset = _charset(response.headers, data)
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP error {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise InputError(f"{url}: no answer within {timeout:g} s") from None
        why = getattr(reason, "strerror", None) or str(reason)
        raise InputError(
            f"{url}: cannot fetch the page ({why}; is the network reachable?)"
        ) from None
    except TimeoutError:
        raise InputError(f"{url}: no answer within {timeout:g} s") from None
    except (ValueError, OSError) as exc:  # malformed URL, connection reset, ...
        raise InputError(f"{url}: cannot fetch the page ({exc})") from None
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")
