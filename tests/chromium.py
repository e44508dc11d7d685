"""Headless Chromium for the page tests: Debian's chromium + chromium-driver through Selenium.

No browser is downloaded: the system's /usr/bin/chromium and /usr/bin/chromedriver are used. If
they are missing the tests fail (CI installs them); NEWSUM_SKIP_BROWSER=1 skips them instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SKIPPED = os.environ.get("NEWSUM_SKIP_BROWSER") == "1"


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (name if os.path.exists(name) else None)
        if found:
            return found
    return None


CHROMIUM = _find("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER = _find("/usr/bin/chromedriver", "chromedriver")


def launch(width: int, height: int, profile: Path, mobile: bool = False):
    """A headless Chromium window of `width` x `height` with its profile in `profile`."""
    if SKIPPED:
        pytest.skip("browser tests skipped (NEWSUM_SKIP_BROWSER=1)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    missing = [
        what for what, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not path
    ]
    if webdriver is None:
        missing.append("the selenium package")
    if missing:
        pytest.fail(
            f"browser test needs {' and '.join(missing)}: apt-get install chromium "
            "chromium-driver (and pip install selenium), or set NEWSUM_SKIP_BROWSER=1 to skip"
        )
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",  # a pytest temp dir, removed with the others
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    if mobile:
        options.add_experimental_option(
            "mobileEmulation",
            {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}},
        )
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
