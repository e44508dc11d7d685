"""The web page end to end in headless Chromium (Debian's chromium + chromium-driver, Selenium).

No browser is downloaded: the system's /usr/bin/chromium and /usr/bin/chromedriver are used. If
they are missing the tests fail (CI installs them); NEWSUM_SKIP_BROWSER=1 skips them instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from chromium import SKIPPED, launch
from serving import Server

FIXTURES = Path(__file__).parent / "fixtures"
STORY = (Path(__file__).parents[1] / "newsum" / "server" / "static" / "sample.txt").read_text(
    encoding="utf-8"
)


if SKIPPED:
    pytest.skip("browser tests skipped (NEWSUM_SKIP_BROWSER=1)", allow_module_level=True)

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover - reported by the browser fixture
    pass


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv.url
    srv.stop()


def _summarize_on_page(driver, url: str, method: str, sentences: int) -> list:
    driver.get(url + "/")
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#method option")) > 1)
    Select(driver.find_element(By.ID, "method")).select_by_value(method)
    length = driver.find_element(By.ID, "length")
    length.clear()
    length.send_keys(str(sentences))
    return wait


def test_pasted_story_highlights_are_the_api_summary(server, browser):
    wait = _summarize_on_page(browser, server, "textrank", 3)
    box = browser.find_element(By.ID, "story")
    box.send_keys(STORY)  # typed in, as a paste would put it
    assert box.get_attribute("value") == STORY
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#story-view mark.hl"))

    api = httpx.post(
        server + "/v1/summarize", json={"text": STORY, "method": "textrank", "sentences": 3}
    ).json()
    expected = [_norm(s["text"]) for s in api["sentences"]]
    assert len(expected) == 3

    marks = browser.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")
    assert [_norm(m.get_attribute("textContent")) for m in marks] == expected
    assert [int(m.get_attribute("data-index")) for m in marks] == [
        s["index"] for s in api["sentences"]
    ]
    items = browser.find_elements(By.CSS_SELECTOR, "#highlights li")
    assert [_norm(li.text.split("\n")[0]) for li in items] == expected
    # The whole story is shown, the highlights inside it.
    story_view = browser.find_element(By.ID, "story-view").get_attribute("textContent")
    assert story_view == STORY

    # Clicking a summary sentence brings its highlight into view and flashes it.
    browser.execute_script("window.scrollTo(0, 0)")
    items[-1].click()
    target = marks[-1]
    wait.until(lambda d: "flash" in target.get_attribute("class"))
    wait.until(
        lambda d: d.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight;",
            target,
        )
    )

    # Everything the page loaded came from the newsum server itself.
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    assert {urlparse(h).netloc for h in hosts} == {urlparse(server).netloc}
    assert browser.find_element(By.ID, "error").get_attribute("hidden") is not None


def test_html_file_is_extracted_and_highlighted(server, browser):
    wait = _summarize_on_page(browser, server, "lead", 2)
    page = FIXTURES / "news_flood_barrier.html"
    browser.find_element(By.ID, "file").send_keys(str(page))
    card = browser.find_element(By.ID, "file-card")
    wait.until(lambda d: card.is_displayed())  # a page is shown as a card, not as markup
    assert "web page" in browser.find_element(By.ID, "file-info").text
    assert browser.find_element(By.ID, "file-card-title").text.startswith("Riverside flood")
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#story-view mark.hl"))

    api = httpx.post(
        server + "/v1/summarize",
        json={"html": page.read_text(encoding="utf-8"), "method": "lead", "sentences": 2},
    ).json()
    marks = browser.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")
    assert [_norm(m.get_attribute("textContent")) for m in marks] == [
        _norm(s["text"]) for s in api["sentences"]
    ]
    assert browser.find_element(By.ID, "headline").text == api["title"]
    shown = browser.find_element(By.ID, "story-view").get_attribute("textContent")
    assert shown == api["text"]
    assert "Accept cookies" not in shown and "RiversideRob" not in shown


def test_bad_request_shows_the_error(server, browser):
    wait = _summarize_on_page(browser, server, "lead", 3)
    browser.find_element(By.ID, "story").send_keys("!!! ??? ...")
    browser.find_element(By.ID, "submit").click()
    error = browser.find_element(By.ID, "error")
    wait.until(lambda d: error.is_displayed())
    assert "no sentences" in error.text


def test_phone_sized_screen(server, tmp_path):
    driver = launch(375, 740, tmp_path / "chromium", mobile=True)
    try:
        wait = _summarize_on_page(driver, server, "lexrank", 3)
        driver.execute_script(
            "const box = document.getElementById('story');"
            "box.value = arguments[0]; box.dispatchEvent(new Event('input'));",
            STORY,
        )
        driver.find_element(By.ID, "submit").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")) == 3)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= driver.execute_script("return window.innerWidth")  # no sideways scroll
        button = driver.find_element(By.ID, "submit")
        assert button.size["width"] >= 300  # a full-width, thumb-sized button
    finally:
        driver.quit()


def test_download_and_copy_buttons(server, browser, tmp_path):
    wait = _summarize_on_page(browser, server, "centroid", 2)
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.find_element(By.ID, "sample-button").click()
    wait.until(lambda d: d.find_element(By.ID, "story").get_attribute("value"))
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#story-view mark.hl"))
    api = httpx.post(
        server + "/v1/summarize", json={"text": STORY, "method": "centroid", "sentences": 2}
    ).json()

    browser.find_element(By.ID, "txt-button").click()
    browser.find_element(By.ID, "json-button").click()
    wait.until(
        lambda d: (
            {p.name for p in tmp_path.iterdir()} == {"sample-summary.txt", "sample-summary.json"}
        )
    )
    txt = (tmp_path / "sample-summary.txt").read_text(encoding="utf-8")
    assert txt.splitlines() == [s["text"] for s in api["sentences"]]
    saved = json.loads((tmp_path / "sample-summary.json").read_text(encoding="utf-8"))
    assert saved["sentences"] == api["sentences"] and saved["text"] == STORY

    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    browser.find_element(By.ID, "copy-button").click()
    toast = browser.find_element(By.ID, "toast")
    wait.until(lambda d: toast.is_displayed())
    assert toast.text == "Summary copied"
    copied = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERR ' + e))"
    )
    assert copied == txt


ASTRAL_STORY = (
    "😀😀😀😀😀 Storm hits the coast on Monday. 🌊🌊🌊🌊🌊🌊 Thousands of homes lost power on "
    "Monday night after the storm brought down lines across the county. 𝔗𝔥𝔢 mayor said crews "
    "would work through the week to restore supplies to every street. 👩‍👩‍👧 Schools will stay "
    "closed until Thursday while engineers check the buildings for damage. 🇬🇧 Officials asked "
    "residents to avoid the flooded roads near the river. 𝄞 The national weather service "
    "expects more rain on Wednesday."
)


def test_highlights_are_right_after_emoji_and_astral_characters(server, browser):
    """The page slices with UTF-16 offsets: no shift, no split character after an emoji."""
    wait = _summarize_on_page(browser, server, "textrank", 3)
    # ChromeDriver cannot type characters outside the BMP: set the box as a paste would.
    browser.execute_script(
        "const box = document.getElementById('story');"
        "box.value = arguments[0]; box.dispatchEvent(new Event('input'));",
        ASTRAL_STORY,
    )
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")) == 3)
    api = httpx.post(
        server + "/v1/summarize",
        json={"text": ASTRAL_STORY, "method": "textrank", "sentences": 3},
    ).json()
    marks = browser.find_elements(By.CSS_SELECTOR, "#story-view mark.hl")
    shown = [m.get_attribute("textContent") for m in marks]
    assert shown == [ASTRAL_STORY[s["start"] : s["end"]] for s in api["sentences"]]
    assert all("\ufffd" not in text for text in shown)
    assert any(s["start16"] != s["start"] for s in api["sentences"])
    view = browser.find_element(By.ID, "story-view").get_attribute("textContent")
    assert view == ASTRAL_STORY


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_load_nothing_from_another_host(server, browser, path):
    browser.get(server + path)
    wait = WebDriverWait(browser, 30)
    selector = ".swagger-ui .info" if path == "/docs" else ".menu-content"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    assert {urlparse(h).netloc for h in hosts if not h.startswith(("data:", "blob:"))} == {
        urlparse(server).netloc
    }
    images = browser.execute_script("return [...document.images].map(i => i.src)")
    assert all(src.startswith((server, "data:")) for src in images), images
