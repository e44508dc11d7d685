"""The service under hostile input: stoppable work, bounded queue, strict schema, headers."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from pathlib import Path

import httpx
import pytest
from serving import Server, code_points

import newsum
from newsum.server import app as app_module
from newsum.server.pool import JobError, Saturated, WorkerCrashed, WorkerPool
from newsum.server.work import utf16_offsets

STORY = (Path(app_module.__file__).parent / "static" / "sample.txt").read_text(encoding="utf-8")
# Thousands of one-word sentences on one line: the slowest input for the splitter there was.
WORST = " ".join(f"Word{i}." for i in range(12000))


# ----------------------------------------------------------------------------- the pool


def _run(coro):
    return asyncio.run(coro)


def test_a_job_past_its_deadline_is_killed_and_its_worker_replaced():
    async def scenario():
        pool = WorkerPool(1)
        pool.start()
        try:
            (pid,) = pool.stats().pids
            with pytest.raises(TimeoutError):
                await pool.run(time.sleep, 60, deadline=time.monotonic() + 0.5)
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)  # the process doing the work is gone: the work stopped
            stats = pool.stats()
            assert stats.replaced == 1 and stats.pids != [pid] and stats.busy == 0
            assert await pool.run(divmod, 7, 2, deadline=time.monotonic() + 30) == (3, 1)
        finally:
            pool.close()

    _run(scenario())


def test_a_job_error_comes_back_as_data():
    async def scenario():
        pool = WorkerPool(1)
        pool.start()
        try:
            with pytest.raises(JobError) as err:
                await pool.run(int, "x", deadline=time.monotonic() + 30)
            assert err.value.kind == "ValueError" and "invalid literal" in err.value.message
        finally:
            pool.close()

    _run(scenario())


def test_a_worker_that_dies_is_replaced():
    async def scenario():
        pool = WorkerPool(1)
        pool.start()
        try:
            with pytest.raises(WorkerCrashed):
                await pool.run(os._exit, 3, deadline=time.monotonic() + 30)
            assert pool.stats().replaced == 1
            assert await pool.run(divmod, 7, 2, deadline=time.monotonic() + 30) == (3, 1)
        finally:
            pool.close()

    _run(scenario())


def test_a_full_queue_is_refused_not_piled_up():
    async def scenario():
        pool = WorkerPool(1, queue=1)
        pool.start()
        try:
            deadline = time.monotonic() + 3
            running = asyncio.ensure_future(pool.run(time.sleep, 30, deadline=deadline))
            queued = asyncio.ensure_future(pool.run(time.sleep, 30, deadline=deadline))
            await asyncio.sleep(0.2)
            assert pool.saturated and pool.stats().queued == 1
            with pytest.raises(Saturated):
                await pool.run(divmod, 1, 1, deadline=deadline)
            for job in (running, queued):
                with pytest.raises(TimeoutError):
                    await job
        finally:
            pool.close()

    _run(scenario())


def test_large_jobs_leave_a_worker_for_small_ones():
    async def scenario():
        pool = WorkerPool(2)
        pool.start()
        try:
            deadline = time.monotonic() + 20
            large = [
                asyncio.ensure_future(pool.run(time.sleep, 60, deadline=deadline, large=True))
                for _ in range(3)
            ]
            await asyncio.sleep(0.2)
            assert pool.stats().large == 1  # one large job runs, two wait: a worker is kept
            small = await pool.run(divmod, 9, 4, deadline=time.monotonic() + 10)
            assert small == (2, 1)
            assert pool.stats().large == 1 and not any(job.done() for job in large)
            for job in large:
                job.cancel()
            await asyncio.gather(*large, return_exceptions=True)
        finally:
            pool.close()

    _run(scenario())


# ----------------------------------------------------------------------------- the service


def test_worst_case_requests_do_not_stall_a_normal_one():
    """Several worst-case requests at once; a normal request still gets its answer in time."""
    srv = Server("--timeout", "8", "--threads", "2")
    try:
        slow_status: list[int] = []

        def slow() -> None:
            with httpx.Client(base_url=srv.url, timeout=60) as c:
                slow_status.append(c.post("/v1/summarize", json={"text": WORST}).status_code)

        # More worst-case requests than the server has workers (or had threads before).
        threads = [threading.Thread(target=slow) for _ in range(8)]
        for t in threads:
            t.start()
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            for _ in range(50):  # until the slow ones are in (busy or queued), at most ~5 s
                health = c.get("/healthz").json()
                if health.get("busy", 0) + health.get("queued", 0) >= 8:
                    break
                time.sleep(0.1)
            started = time.monotonic()
            resp = c.post("/v1/summarize", json={"text": STORY})
            waited = time.monotonic() - started
            assert resp.status_code == 200, resp.text
            assert (
                code_points(resp.json()["sentences"])
                == newsum.summarize(STORY).to_dict()["sentences"]
            )
            assert waited < 8  # the configured limit, not a benchmark figure
        for t in threads:
            t.join(60)
        assert set(slow_status) <= {200, 503, 504}
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            health = c.get("/healthz").json()
            assert health["busy"] == 0 and health["workers"] == 2
    finally:
        log = srv.stop()
    assert "Traceback" not in log, log


def test_504_stops_the_work_and_readyz_shows_saturation():
    srv = Server("--timeout", "1", "--threads", "2", "--queue", "1")
    try:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            body = {"text": WORST, "method": "lexrank"}
            big = json.dumps({"text": (STORY + "\n\n") * 300, "method": "textrank"})
            results: list[httpx.Response] = []

            def post(content: str) -> None:
                with httpx.Client(base_url=srv.url, timeout=60) as cc:
                    results.append(
                        cc.post(
                            "/v1/summarize",
                            content=content,
                            headers={"content-type": "application/json"},
                        )
                    )

            threads = [threading.Thread(target=post, args=(big,)) for _ in range(2)]
            threads += [threading.Thread(target=post, args=(json.dumps(body),)) for _ in range(3)]
            for t in threads:
                t.start()
            saw_saturated = False
            for _ in range(40):
                ready = c.get("/readyz")
                if ready.status_code == 503:
                    assert ready.json()["status"] == "saturated"
                    saw_saturated = True
                    break
                time.sleep(0.05)
            for t in threads:
                t.join(60)
            codes = sorted(r.status_code for r in results)
            assert set(codes) <= {200, 503, 504}, codes
            if 504 in codes:  # a request past its limit: its worker was killed and replaced
                assert c.get("/healthz").json()["replaced"] >= 1
            assert saw_saturated or 503 in codes or codes.count(504) >= 1
            for r in results:
                if r.status_code == 503:
                    assert r.headers["retry-after"] == "1" and r.json()["status"] == 503
            assert c.get("/readyz").status_code == 200
            assert c.post("/v1/summarize", json={"text": STORY}).status_code == 200
    finally:
        log = srv.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def local():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(app_module.create_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    "options",
    [
        {"sentences": True},
        {"sentences": "3"},
        {"sentences": 2.0},
        {"words": False},
        {"ratio": True},
        {"redundancy": 1},
        {"include_text": "yes"},
    ],
)
def test_numbers_and_switches_are_strict(local, options):
    resp = local.post("/v1/summarize", json={"text": STORY, **options})
    assert resp.status_code == 422, resp.text
    assert resp.json()["status"] == 422


def test_ratio_may_be_an_integer(local):
    assert local.post("/v1/summarize", json={"text": STORY, "ratio": 1}).status_code == 200


def test_deeply_nested_json_is_422(local):
    body = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    resp = local.post("/v1/summarize", content=body, headers={"content-type": "application/json"})
    assert resp.status_code == 422 and resp.json()["status"] == 422
    assert "nested" in resp.json()["error"]


def test_lone_surrogates_and_nuls_become_replacement_characters(local):
    raw = (
        '{"text": "Storm hits the coast\\ud800 today. Thousands of homes lost power\\u0000 on '
        'Monday night. The mayor said crews \\udfffwould work all week.", "sentences": 3, '
        '"include_text": true}'
    )
    resp = local.post("/v1/summarize", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    text = body["text"]
    assert "\ufffd" in text and "\x00" not in text
    assert len(text) == len(json.loads(raw)["text"])  # one for one: offsets unchanged
    assert any("\ufffd" in s["text"] for s in body["sentences"])


def test_lone_surrogates_in_html_are_not_a_500(local):
    page = (Path(__file__).parent / "fixtures" / "news_flood_barrier.html").read_text()
    raw = json.dumps({"html": page}).replace("Riverside", "River\\ud800side", 2)
    resp = local.post("/v1/summarize", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert "\ufffd" in resp.json()["text"] + (resp.json()["title"] or "")


def test_every_response_has_security_headers(local):
    for resp in (
        local.get("/"),
        local.get("/healthz"),
        local.get("/static/app.js"),
        local.get("/docs"),
        local.get("/nothing-here"),
        local.post("/v1/summarize", json={"text": ""}),
        local.post("/v1/summarize", json={"text": STORY}),
    ):
        assert resp.headers["x-content-type-options"] == "nosniff", resp.url
        assert resp.headers["x-frame-options"] == "DENY"
        assert resp.headers["referrer-policy"] == "no-referrer"
        csp = resp.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "http" not in csp  # no other host is ever allowed


def test_security_headers_on_413_and_on_a_crash():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    app = app_module.create_app(max_body=1000)

    @app.get("/crash")
    async def crash():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        for resp in (c.post("/v1/summarize", json={"text": "x" * 2000}), c.get("/crash")):
            assert resp.status_code in (413, 500)
            assert resp.headers["x-content-type-options"] == "nosniff"
            assert "default-src 'none'" in resp.headers["content-security-policy"]
            assert "Traceback" not in resp.text


def test_redoc_and_docs_load_nothing_from_another_host(local):
    for path in ("/docs", "/redoc"):
        html = local.get(path).text
        for url in __import__("re").findall(r"""(?:src|href)=["']([^"']+)""", html):
            assert url.startswith("/"), (path, url)
    js = local.get("/docs-local/redoc.standalone.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "cdn.redoc.ly" not in js.text
    assert "validatorUrl" in local.get("/docs").text


def test_utf16_offsets_count_astral_characters_twice():
    text = "😀😀 Storm hits. 𝔘 Power lost. é done."
    starts = [text.index("Storm"), text.index("Power"), text.index("é"), len(text)]
    units = utf16_offsets(text, starts)
    for cp, u16 in zip(starts, units, strict=True):
        assert len(text[:cp].encode("utf-16-le")) // 2 == u16


def test_api_gives_both_offset_units(local):
    story = "😀😀😀😀😀 " + STORY.replace(". ", ". 🌊 ", 3)
    body = local.post("/v1/summarize", json={"text": story, "include_text": True}).json()
    units16 = story.encode("utf-16-le")
    for s in body["sentences"]:
        assert story[s["start"] : s["end"]].split() == s["text"].split()
        piece = units16[2 * s["start16"] : 2 * s["end16"]].decode("utf-16-le")
        assert piece == story[s["start"] : s["end"]]
    assert any(s["start16"] > s["start"] for s in body["sentences"])
