"""POST /v1/check: the library's check over HTTP, under the service's limits and error shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_check import FAITHFUL, STORY

import newsum
from newsum.server.app import create_app

SUMMARY = "Locke replaced Steve Clarke in February. He won seven of his 12 games."


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(max_body=64 * 1024)) as c:
        yield c


def error_of(resp, status: int) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["status"] == status and body["error"]
    assert "Traceback" not in resp.text
    return body["error"]


def test_check_is_the_library_check(client):
    resp = client.post("/v1/check", json={"story": STORY, "summary": SUMMARY})
    assert resp.status_code == 200
    body = resp.json()
    expected = newsum.check(STORY, SUMMARY).to_dict(story=True)
    for key in ("score", "supported", "sentences", "story_sentences"):
        assert body[key] == expected[key]
    assert body["sentences"][0]["unsupported"][0]["text"] == "Steve Clarke"
    # offsets of the cited story sentences index the returned text
    for s in body["story_sentences"]:
        assert body["text"][s["start"] : s["end"]].split() == s["text"].split()
    assert body["elapsed_ms"] >= 0


def test_summary_as_a_list_and_html_story(client):
    page = (
        "<html><body><article>"
        + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")[1:])
        + "</article></body></html>"
    )
    resp = client.post("/v1/check", json={"html": page, "summary": FAITHFUL})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [s["text"] for s in body["sentences"]] == FAITHFUL
    assert body["supported"] is True
    assert "Gary Locke" in body["text"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"summary": "x"}, "exactly one of 'story' or 'html'"),
        ({"story": STORY, "html": "<p>x</p>", "summary": "x"}, "exactly one"),
        ({"story": STORY}, "summary"),
        ({"story": STORY, "summary": ""}, "summary is empty"),
        ({"story": STORY, "summary": []}, "summary is empty"),
        ({"story": STORY, "summary": 5}, "summary"),
        ({"story": "", "summary": "A fact."}, "story is empty"),
        ({"story": STORY, "summary": "x", "extra": 1}, "extra"),
        ({"story": STORY, "summary": "x", "format": "pdf"}, "format"),
    ],
)
def test_bad_requests_are_422(client, payload, words):
    assert words.lower() in error_of(client.post("/v1/check", json=payload), 422).lower()


def test_malformed_json_is_422(client):
    resp = client.post(
        "/v1/check", content=b'{"story": "x", ', headers={"content-type": "application/json"}
    )
    assert "malformed JSON" in error_of(resp, 422)


def test_body_over_the_limit_is_413(client):
    resp = client.post("/v1/check", json={"story": "word " * 20_000, "summary": "word"})
    assert "limit" in error_of(resp, 413)


def test_time_limit_is_504():
    big = (STORY + "\n\n") * (1_000_000 // (len(STORY) + 2))  # reading alone takes > 10 ms
    with TestClient(create_app(timeout=0.01)) as c:
        resp = c.post("/v1/check", json={"story": big, "summary": SUMMARY})
        assert "0.01 s limit" in error_of(resp, 504)


def test_route_is_in_the_api_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/v1/check"]
