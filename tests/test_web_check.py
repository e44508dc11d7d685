"""The page's "Check a summary" mode end to end in headless Chromium (tests/chromium.py).
NEWSUM_SKIP_BROWSER=1 skips it."""

from __future__ import annotations

import httpx
import pytest
from chromium import SKIPPED
from serving import Server

if SKIPPED:
    pytest.skip("browser tests skipped (NEWSUM_SKIP_BROWSER=1)", allow_module_level=True)

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - reported by the browser fixture
    pass

STORY = (
    "Gary Locke will be confirmed as manager of Kilmarnock on Friday, the club said. "
    "The Scottish club played 12 games under him and won seven of them.\n\n"
    "Locke, 39, replaced Allan Johnston in February. Supporters 🎉 welcomed the decision. "
    "Chairman Jim Mann said the board had been impressed by his work with young players."
)
SUMMARY = (
    "Gary Locke will be confirmed as manager of Kilmarnock on Friday.\n"
    "The club 🏆 won nine of 12 games under Pedro Rodriguez."
)


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv.url
    srv.stop()


def test_check_mode_marks_unsupported_spans_and_sources(server, browser):
    # Emoji before the spans: the server counts code points, JavaScript strings UTF-16 units.
    api = httpx.post(server + "/v1/check", json={"story": STORY, "summary": SUMMARY}).json()
    browser.get(server + "/")
    wait = WebDriverWait(browser, 20)
    summary_box = browser.find_element(By.ID, "summary-input")
    assert not summary_box.is_displayed()  # summarize mode first
    browser.find_element(By.ID, "mode-check").click()
    assert summary_box.is_displayed()
    assert not browser.find_element(By.ID, "submit").is_displayed()
    # typed in would be better, but ChromeDriver cannot type characters outside the BMP
    fill = "arguments[0].value = arguments[1];"
    browser.execute_script(fill, browser.find_element(By.ID, "story"), STORY)
    browser.execute_script(fill, summary_box, SUMMARY)
    browser.find_element(By.ID, "check-submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#checked li"))

    items = browser.find_elements(By.CSS_SELECTOR, "#checked li")
    assert len(items) == 2
    assert "unsupported" not in items[0].get_attribute("class").split()
    assert "unsupported" in items[1].get_attribute("class").split()
    # The invented name and the wrong number are marked in the second sentence only.
    marked = [m.text for m in items[1].find_elements(By.CSS_SELECTOR, "mark.unsup")]
    assert "Pedro Rodriguez" in marked
    assert "nine" in marked
    assert not items[0].find_elements(By.CSS_SELECTOR, "mark.unsup")
    for item, sent in zip(items, api["sentences"], strict=True):  # one button a source
        links = [b.text for b in item.find_elements(By.CSS_SELECTOR, "button.source-link")]
        assert links == [f"sentence {j + 1}" for j in sent["sources"]]
    # The page shows what the API says, and highlights each cited story sentence.
    api_marked = [u["text"] for u in api["sentences"][1]["unsupported"]]
    assert marked == api_marked
    cited = browser.find_elements(By.CSS_SELECTOR, "#check-story-view mark.src")
    assert [m.text for m in cited] == [s["text"] for s in api["story_sentences"]]
    assert any("Locke will be confirmed" in m.text for m in cited)
    score = browser.find_element(By.ID, "check-score").text
    assert f"{api['score']:.2f}" in score and "1 of 2 supported" in score

    # Back to summarizing: the check panels go away, the summarize button comes back.
    browser.find_element(By.ID, "mode-summarize").click()
    assert not browser.find_element(By.ID, "check-panel").is_displayed()
    assert browser.find_element(By.ID, "submit").is_displayed()


def test_check_mode_reports_a_missing_summary(server, browser):
    browser.get(server + "/")
    browser.find_element(By.ID, "mode-check").click()
    browser.find_element(By.ID, "story").send_keys(STORY.replace("🎉 ", ""))
    browser.find_element(By.ID, "check-submit").click()
    error = browser.find_element(By.ID, "error")
    WebDriverWait(browser, 10).until(lambda d: error.is_displayed())
    assert "summary" in error.text.lower()
