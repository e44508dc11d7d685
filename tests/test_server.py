"""The HTTP service: a real `newsum serve` process on 127.0.0.1, plus in-process checks."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from serving import Server, code_points, extractive_methods

import newsum
from newsum.server import app as app_module

FIXTURES = Path(__file__).parent / "fixtures"
STATIC = Path(app_module.__file__).parent / "static"
STORY = (STATIC / "sample.txt").read_text(encoding="utf-8")
TOKENIZED = (
    "the mayor of northbridge said on monday that the bridge would reopen in may .\n"
    "engineers found cracks in two of the supports last winter .\n"
    "' we will not take any risks , ' she told reporters .\n"
    "the repairs have cost the city more than # 2 million .\n"
)
LIMIT = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    log = srv.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def raw_request(port: int, data: bytes, read_timeout: float = 10) -> bytes:
    """Send raw bytes on a fresh connection and return all the server sends back."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
        return b"".join(chunks)


def _complete(reply: bytes) -> bool:
    head, _, body = reply.partition(b"\r\n\r\n")
    m = re.search(rb"content-length: *(\d+)", head, re.I)
    return bool(m) and len(body) >= int(m.group(1))


def parse_raw(reply: bytes) -> tuple[int, dict]:
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def assert_json_error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    return body


# ----------------------------------------------------------------------------- endpoints


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["status"], body["version"]) == ("ok", newsum.__version__)
    assert body["workers"] >= 2 and body["queue_limit"] >= 1
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_methods(client):
    body = client.get("/v1/methods").json()
    assert [m["name"] for m in body["methods"]] == extractive_methods()
    assert body["default"] == newsum.default_method()
    assert [m["name"] for m in body["methods"] if m["default"]] == [newsum.default_method()]
    assert all(m["description"] for m in body["methods"])


def test_summarize_text_is_the_library_summary(client):
    resp = client.post("/v1/summarize", json={"text": STORY})
    assert resp.status_code == 200
    body = resp.json()
    expected = newsum.summarize(STORY).to_dict()
    assert code_points(body["sentences"]) == expected["sentences"]
    assert body["method"] == expected["method"] == newsum.default_method()
    assert body["title"] is None
    assert isinstance(body["elapsed_ms"], float) and body["elapsed_ms"] >= 0
    assert body["document"]["sentences"] == len(newsum.read_document(STORY))
    assert "text" not in body or body["text"] is None


@pytest.mark.parametrize(
    "options",
    [
        {"method": "textrank", "sentences": 2},
        {"method": "lexrank", "words": 60},
        {"method": "centroid", "ratio": 0.3},
        {"method": "lead", "sentences": 4, "order": "score", "redundancy": False},
    ],
)
def test_summarize_options_match_the_library(client, options):
    body = client.post("/v1/summarize", json={"text": STORY, **options}).json()
    lib = newsum.summarize(STORY, **options).to_dict()
    assert code_points(body["sentences"]) == lib["sentences"]
    assert body["method"] == options["method"]
    assert body["settings"] == lib["settings"]


def test_summarize_offsets_index_the_returned_text(client):
    body = client.post(
        "/v1/summarize", json={"text": STORY, "method": "textrank", "include_text": True}
    ).json()
    assert body["text"] == STORY
    for s in body["sentences"]:
        assert STORY[s["start"] : s["end"]].split() == s["text"].split()


def test_summarize_tokenized_text(client):
    req = {"text": TOKENIZED, "sentences": 2, "format": "tokenized", "include_text": True}
    body = client.post("/v1/summarize", json=req).json()
    assert body["document"]["kind"] == "tokenized"
    lib = newsum.summarize(TOKENIZED, sentences=2, format="tokenized").to_dict()
    assert code_points(body["sentences"]) == lib["sentences"]
    first = body["sentences"][0]
    # display form: detokenized and truecased
    assert first["text"].startswith("The mayor of Northbridge said on Monday")
    assert body["text"][first["start"] : first["end"]].startswith("the mayor of")  # source span


def test_summarize_html(client):
    page = (FIXTURES / "news_flood_barrier.html").read_text(encoding="utf-8")
    body = client.post("/v1/summarize", json={"html": page}).json()
    assert body["title"] == "Riverside flood barrier approved after decade of delays"
    assert body["document"]["input"] == "html"
    assert body["document"]["meta"]["author"] == "Helen Okafor"
    lib = newsum.summarize(page, format="html").to_dict()
    assert code_points(body["sentences"]) == lib["sentences"]
    text = body["text"]
    assert "Accept cookies" not in text and "RiversideRob" not in text
    for s in body["sentences"]:
        assert text[s["start"] : s["end"]].split() == s["text"].split()


def test_batch_answers_each_story_as_the_single_endpoint_does(client):
    page = (FIXTURES / "news_flood_barrier.html").read_text(encoding="utf-8")
    stories = [{"text": STORY, "id": "first"}, {"text": TOKENIZED}, {"html": page, "id": 3}]
    settings = {"sentences": 2, "include_text": True}
    resp = client.post("/v1/summarize/batch", json={"stories": stories, **settings})
    assert resp.status_code == 200
    body = resp.json()
    assert isinstance(body["elapsed_ms"], float) and body["elapsed_ms"] >= 0
    assert [r.get("id") for r in body["results"]] == ["first", None, 3]
    for story, result in zip(stories, body["results"], strict=True):
        single = client.post("/v1/summarize", json={**story, "id": None} | settings)
        assert single.status_code == 422  # `id` belongs to batch stories only
        alone = {k: v for k, v in story.items() if k != "id"}
        expected = client.post("/v1/summarize", json={**alone, **settings}).json()
        del expected["elapsed_ms"]
        assert {k: v for k, v in result.items() if k != "id"} == expected
    # and the library's summarize_many on the same stories
    lib = newsum.summarize_many([STORY, TOKENIZED], sentences=2)
    for result, summary in zip(body["results"], lib, strict=False):
        assert code_points(result["sentences"]) == summary.to_dict()["sentences"]


def test_batch_story_that_cannot_be_read_is_an_error_in_its_place(client):
    no_story = (FIXTURES / "no_story.html").read_text(encoding="utf-8")
    stories = [{"text": "   ", "id": "blank"}, {"text": STORY}, {"html": no_story}]
    body = client.post("/v1/summarize/batch", json={"stories": stories}).json()
    blank, good, page = body["results"]
    assert blank == {"id": "blank", "error": "story is empty", "status": 422}
    assert code_points(good["sentences"]) == newsum.summarize(STORY).to_dict()["sentences"]
    assert page["status"] == 422 and "no story text found" in page["error"]


@pytest.mark.parametrize(
    "request_body, status, why",
    [
        ({"stories": []}, 422, "stories"),
        ({"stories": [{"text": "a"}] * 1001}, 422, "stories"),
        ({"stories": [{"text": "a", "html": "<p>b</p>"}]}, 422, "exactly one of"),
        ({"stories": [{"text": "a", "id": 1.5}]}, 422, "id"),
        ({"stories": [{"text": "a"}], "colour": "red"}, 422, "colour"),
        ({"text": STORY}, 422, "stories"),
        ({"stories": [{"text": STORY}], "method": "gpt"}, 400, "unknown method 'gpt'"),
        ({"stories": [{"text": STORY}], "sentences": 0}, 400, "sentences"),
    ],
)
def test_batch_bad_requests(client, request_body, status, why):
    body = assert_json_error(client.post("/v1/summarize/batch", json=request_body), status)
    assert why in body["error"]


def test_page_and_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'id="story"' in page.text and 'id="submit"' in page.text
    assert client.head("/").status_code == 200
    for name, ctype in (
        ("app.js", "javascript"),
        ("style.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
        ("sample.txt", "text/plain"),
    ):
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200 and ctype in resp.headers["content-type"], name
    # Nothing on the page is loaded from another host.
    for name in ("index.html", "app.js", "style.css"):
        source = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", source, re.I), name
        assert "@import" not in source and "url(http" not in source


def test_openapi_and_docs(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/summarize", "/v1/methods", "/healthz"} <= set(schema["paths"])
    post = schema["paths"]["/v1/summarize"]["post"]
    assert {"200", "400", "413", "422", "504"} <= set(post["responses"])
    for path in ("/docs", "/redoc"):
        docs = client.get(path)
        assert docs.status_code == 200
        assert "cdn." not in docs.text and "fonts.googleapis" not in docs.text
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200


# ----------------------------------------------------------------------------- limits


def test_body_over_2mb_is_413(client):
    resp = client.post("/v1/summarize", json={"text": "word " * (LIMIT // 5 + 10)})
    body = assert_json_error(resp, 413)
    assert "2 MB" in body["error"]


def test_declared_length_over_limit_is_413_before_the_body_is_sent(server):
    head = (
        "POST /v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * LIMIT}\r\n\r\n"
    ).encode()
    status, body = parse_raw(raw_request(server.port, head + b'{"text": "'))
    assert status == 413 and "limit" in body["error"]


def test_chunked_body_over_limit_is_413(server):
    def chunks():
        yield b'{"text": "'
        for _ in range(40):
            yield b"x" * 100_000
        yield b'"}'

    with httpx.Client(base_url=server.url, timeout=30) as c:
        try:
            resp = c.post(
                "/v1/summarize", content=chunks(), headers={"content-type": "application/json"}
            )
        except httpx.HTTPError:  # the server may close before the upload ends
            assert server.alive()
            return
    assert "content-length" not in resp.request.headers
    assert_json_error(resp, 413)


def test_body_just_under_limit_is_accepted(client):
    text = (STORY + "\n\n") * ((LIMIT - 100_000) // (len(STORY.encode()) + 2))
    resp = client.post("/v1/summarize", json={"text": text, "sentences": 2})
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["sentences"]) == 2


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"text": "unterminated', "malformed JSON"),
        (b"not json at all", "malformed JSON"),
        (b"[1, 2]", "invalid request"),
        (b"{}", "exactly one of 'text' or 'html'"),
        (b'{"method": "lead"}', "exactly one of 'text' or 'html'"),
        (b'{"text": "a", "html": "<p>b</p>"}', "exactly one of 'text' or 'html'"),
        (b'{"text": 42}', "text"),
        (b'{"text": "Story.", "sentences": "many"}', "sentences"),
        (b'{"text": "Story.", "colour": "red"}', "colour"),
        (b'{"text": "   "}', "story is empty"),
        (b'{"text": "!!! ??? ..."}', "no sentences"),
    ],
)
def test_bad_requests_are_422(client, content, why):
    resp = client.post(
        "/v1/summarize", content=content, headers={"content-type": "application/json"}
    )
    body = assert_json_error(resp, 422)
    assert why in body["error"]


def test_html_without_story_is_422(client):
    page = (FIXTURES / "no_story.html").read_text(encoding="utf-8")
    body = assert_json_error(client.post("/v1/summarize", json={"html": page}), 422)
    assert "no story text found" in body["error"]


def test_unknown_method_is_400_naming_the_valid_ones(client):
    body = assert_json_error(
        client.post("/v1/summarize", json={"text": STORY, "method": "gpt"}), 400
    )
    assert "gpt" in body["error"]
    for name in extractive_methods():
        assert name in body["error"]
    assert body["methods"] == extractive_methods()


@pytest.mark.parametrize("options", [{"sentences": 0}, {"words": -5}, {"ratio": 1.5}])
def test_bad_lengths_are_400(client, options):
    assert_json_error(client.post("/v1/summarize", json={"text": STORY, **options}), 400)


def test_unknown_paths_and_methods_are_json(client):
    assert_json_error(client.get("/v2/nothing"), 404)
    assert_json_error(client.get("/v1/summarize"), 405)
    assert_json_error(client.delete("/healthz"), 405)


def test_server_keeps_serving_after_bad_requests(server, client):
    for data in (
        b"GARBAGE\r\n\r\n",
        b"POST /v1/summarize HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"\x00\xff" * 100,
        b"GET / HTTP/9.9\r\n\r\n",
    ):
        raw_request(server.port, data, read_timeout=5)
    for content in (b"{", b"\xff\xfe", b'{"text": null}'):
        client.post("/v1/summarize", content=content, headers={"content-type": "application/json"})
    assert server.alive()
    resp = client.post("/v1/summarize", json={"text": STORY})
    assert resp.status_code == 200
    assert code_points(resp.json()["sentences"]) == newsum.summarize(STORY).to_dict()["sentences"]


def test_fifty_parallel_requests_are_all_answered(server):
    methods = extractive_methods()
    jobs = [
        {"text": STORY, "method": methods[i % len(methods)], "sentences": 1 + i % 4}
        for i in range(50)
    ]
    expected = {
        (m, n): newsum.summarize(STORY, m, n).to_dict()["sentences"]
        for m in methods
        for n in range(1, 5)
    }
    with httpx.Client(
        base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=50)
    ) as c:
        with ThreadPoolExecutor(max_workers=50) as pool:
            responses = list(pool.map(lambda job: c.post("/v1/summarize", json=job), jobs))
    assert [r.status_code for r in responses] == [200] * 50
    for job, resp in zip(jobs, responses, strict=True):
        assert code_points(resp.json()["sentences"]) == expected[(job["method"], job["sentences"])]
    assert server.alive()


# ----------------------------------------------------------------------------- time limit


def test_request_over_the_time_limit_is_504_and_the_server_goes_on():
    srv = Server("--timeout", "0.01")
    try:
        # About 1.5 MB (under the body limit): splitting alone takes far more than 10 ms.
        big = (STORY + "\n\n") * (1_500_000 // (len(STORY) + 2))
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            body = assert_json_error(
                c.post("/v1/summarize", json={"text": big, "method": "lexrank"}), 504
            )
            assert "0.01 s" in body["error"]
            assert c.get("/healthz").status_code == 200
            batch = {"stories": [{"text": big}], "method": "lexrank"}
            body = assert_json_error(c.post("/v1/summarize/batch", json=batch), 504)
            assert "send fewer or shorter stories" in body["error"]
            small = c.post("/v1/summarize", json={"text": "One short story. It ends here."})
            assert small.status_code in (200, 504)
        assert srv.alive()
    finally:
        log = srv.stop()
    assert "Traceback" not in log, log


# ----------------------------------------------------------------------------- CLI


def test_serve_on_a_busy_port_is_one_line_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "newsum.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsum: error: cannot listen on 127.0.0.1:")
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [["--port", "70000"], ["--workers", "0"], ["--timeout", "0"]])
def test_serve_rejects_bad_settings(args):
    proc = subprocess.run(
        [sys.executable, "-m", "newsum.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


# ----------------------------------------------------------------------------- in-process


@pytest.fixture()
def local():
    import warnings

    with warnings.catch_warnings():  # Starlette 1.x suggests httpx2; httpx works the same here
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(app_module.create_app(), raise_server_exceptions=False) as c:
        yield c


def test_in_process_summarize(local):
    resp = local.post("/v1/summarize", json={"text": STORY, "include_text": True})
    assert resp.status_code == 200
    assert resp.json()["text"] == STORY


def boom(req, method):
    """Stands in for summarize_request in a worker process (found there by module name)."""
    raise RuntimeError("secret internals /etc/passwd")


def test_unexpected_error_is_500_without_traceback():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(app_module.create_app(work=boom), raise_server_exceptions=False) as local:
        body = assert_json_error(local.post("/v1/summarize", json={"text": STORY}), 500)
        assert "secret" not in body["error"]
        assert local.get("/healthz").status_code == 200


def test_settings_come_from_arguments_or_environment(monkeypatch):
    monkeypatch.setenv("NEWSUM_MAX_BODY", "1000")
    monkeypatch.setenv("NEWSUM_TIMEOUT", "3.5")
    app = app_module.create_app()
    assert (app.state.max_body, app.state.timeout) == (1000, 3.5)
    assert app_module.create_app(timeout=1, max_body=5).state.max_body == 5
