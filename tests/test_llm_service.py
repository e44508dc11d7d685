"""The `llm` method in the service and on the page: offered only when `newsum serve` is given an
LLM server; each highlight comes with its sources, which the page marks in the story.

The LLM server here is the local stub (tests/llm_stub.py): these tests are about the service and
the page, not a model (tests/test_llm_server.py runs a real one).
"""

from __future__ import annotations

import httpx
import pytest
from llm_stub import highlights, stub_server
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from serving import Server

import newsum

STORY = (
    "😀😀 Storm hits the coast of Devon on Monday. Thousands of homes lost power overnight, "
    "the electricity board said. 🌊🌊🌊 Schools in Exeter will stay closed until Wednesday. "
    "Repairs to the sea wall will cost £4 million, the council said."
)
ANSWER = highlights(
    ("A storm hit the Devon coast on Monday, cutting power to thousands of homes.", [1, 2]),
    ("Repairs will cost £9 million.", [4]),
)


@pytest.fixture(scope="module")
def llm_url():
    with stub_server(lambda body: (200, ANSWER, 0)) as (url, _):
        yield url


@pytest.fixture(scope="module")
def server(llm_url):
    srv = Server("--llm-url", llm_url, "--llm-model", "stub", "--llm-timeout", "20")
    yield srv.url
    srv.stop()


def test_llm_is_offered_only_when_configured(server):
    plain = Server()
    try:
        names = [m["name"] for m in httpx.get(plain.url + "/v1/methods").json()["methods"]]
        assert "llm" not in names
        resp = httpx.post(plain.url + "/v1/summarize", json={"text": STORY, "method": "llm"})
        assert resp.status_code == 400
    finally:
        plain.stop()
    listed = httpx.get(server + "/v1/methods").json()["methods"]
    llm = next(m for m in listed if m["name"] == "llm")
    assert llm["abstractive"] is True and llm["params"]["model"] == "stub"
    assert "api_key" not in llm["params"]


def test_llm_answer_points_to_story_sentences(server):
    resp = httpx.post(server + "/v1/summarize", json={"text": STORY, "method": "llm"}, timeout=60)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    first, second = body["sentences"]
    assert first["index"] is None and first["start16"] is None
    assert first["supported"] is True and first["sources"]
    assert second["supported"] is False
    assert any(u["text"] == "£9 million" or "9" in u["text"] for u in second["unsupported"])
    text = body["text"]
    doc = newsum.read_document(STORY)
    by_index = {s["index"]: s for s in body["story_sentences"]}
    assert set(by_index) == {i for s in body["sentences"] for i in s["sources"]}
    for i, s in by_index.items():
        assert text[s["start"] : s["end"]] == doc.sentences[i].source
        # UTF-16 offsets: the emoji before each sentence count twice.
        assert text.encode("utf-16-le")[2 * s["start16"] : 2 * s["end16"]].decode("utf-16-le") == (
            doc.sentences[i].source
        )
    assert body["settings"]["llm"]["model"] == "stub"


def test_llm_is_refused_in_a_batch_request(server):
    batch = {"stories": [{"text": STORY}], "method": "llm"}
    resp = httpx.post(server + "/v1/summarize/batch", json=batch, timeout=60)
    assert resp.status_code == 400
    assert "one story a request" in resp.json()["error"]
    assert "POST /v1/summarize" in resp.json()["error"]


def test_page_shows_abstractive_highlights_with_their_sources(server, browser):
    api = httpx.post(server + "/v1/summarize", json={"text": STORY, "method": "llm"}, timeout=60)
    api = api.json()
    browser.get(server + "/")
    wait = WebDriverWait(browser, 30)
    # The menu is filled from /v1/methods (and may be refilled): read it in one script call.
    options = "return Array.from(document.querySelectorAll('#method option'), o => o.value)"
    wait.until(lambda d: "llm" in d.execute_script(options))
    Select(browser.find_element(By.ID, "method")).select_by_value("llm")
    fill = "arguments[0].value = arguments[1];"  # ChromeDriver cannot type emoji
    browser.execute_script(fill, browser.find_element(By.ID, "story"), STORY)
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#highlights li.abstractive"))
    items = browser.find_elements(By.CSS_SELECTOR, "#highlights li.abstractive")
    assert len(items) == 2
    assert "unsupported" in items[1].get_attribute("class").split()
    marked = [m.text for m in items[1].find_elements(By.CSS_SELECTOR, "mark.unsup")]
    assert marked == [u["text"] for u in api["sentences"][1]["unsupported"]]
    for item, sent in zip(items, api["sentences"], strict=True):  # one button a source
        links = [b.text for b in item.find_elements(By.CSS_SELECTOR, "button.source-link")]
        assert sent["sources"] and links == [f"sentence {j + 1}" for j in sent["sources"]]
    # Each source sentence is marked in the story exactly (UTF-16 offsets after the emoji).
    marks = browser.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")
    assert [m.text for m in marks] == [s["text"] for s in api["story_sentences"]]
    assert any("Storm hits the coast" in m.text for m in marks)
