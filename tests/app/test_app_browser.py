"""`adoptsim app` in a real browser: the server on 127.0.0.1, headless Chromium through Selenium.

The page loads with no console errors; play, pause and reset work; a slider change followed by steps changes the plotted
curve; the saved scenario validates and `adoptsim run --reps 1` repeats the page's KPIs exactly.
The full-page screenshot is kept in results/app-browser/; with ADOPTSIM_DOCS_SCREENSHOT=1 it
also replaces docs/app.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pandas as pd
import pytest

from tests.conftest import HEADLESS_CHROMIUM, ROOT

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.slow

SCENARIO = ROOT / "scenarios" / "referral.yaml"
SETTINGS = ["population.size=3000", "steps=40"]
CHROME_FLAGS = [*HEADLESS_CHROMIUM, "--window-size=1600,1000"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app serving the referral scenario (3,000 consumers, 40 weeks); stopped at the end."""
    folder = tmp_path_factory.mktemp("app")
    port = free_port()
    log = (folder / "server.log").open("w")
    argv = [sys.executable, "-m", "adoptsim.cli", "app", str(SCENARIO), "--port", str(port)]
    for setting in SETTINGS:
        argv += ["--set", setting]
    server = subprocess.Popen(argv, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"the app stopped: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the app did not answer within 180 s")
            time.sleep(0.5)
        yield url, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="adoptsim-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except WebDriverException as err:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"Chromium cannot start: {err.msg}")
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def button(driver, label: str):
    return next(b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip().lower() == label.lower())


def summary(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".adoptsim-summary")
    return found[0].text if found else ""


def wait_for(driver, condition, seconds: float = 60):
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))


def steps(driver, count: int) -> None:
    for week in range(1, count + 1):
        button(driver, "Step").click()
        wait_for(driver, lambda d, w=week: summary(d).startswith(f"Week {w} of"))


def settled_slider_value(driver, label: str) -> float:
    """The value a slider's label shows once it has stopped moving for a second."""
    pattern = re.compile(rf"{re.escape(label)}: ([0-9.]+)")
    seen: list[str] = []

    def settled(d) -> bool:
        match = pattern.search(d.find_element(By.TAG_NAME, "body").text)
        seen.append(match.group(1) if match else "")
        time.sleep(0.5)
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3] != ""

    wait_for(driver, settled)
    return float(seen[-1])


def chart_pixels(driver) -> bytes:
    return driver.find_element(By.CSS_SELECTOR, ".adoptsim-charts").screenshot_as_png


def test_slider_changes_the_curve_and_saved_yaml_repeats_the_run(app_url, browser, tmp_path):
    url, _ = app_url
    browser.get(url)
    wait_for(
        browser, lambda d: "Week 0 of 40" in summary(d) and d.find_elements(By.CSS_SELECTOR, ".adoptsim-charts"), 120
    )

    button(browser, "Play").click()
    wait_for(browser, lambda d: int(summary(d).split()[1]) >= 3)
    button(browser, "Pause").click()
    button(browser, "Reset").click()
    wait_for(browser, lambda d: summary(d).startswith("Week 0 of"))

    steps(browser, 30)
    assert "difference +0.00 points" in summary(browser)  # no change yet: the unchanged scenario
    before = chart_pixels(browser)

    thumb = browser.find_element(By.CSS_SELECTOR, ".adoptsim-behaviour-q_wom .v-slider-thumb")
    thumb.click()
    for _ in range(10):
        thumb.send_keys(Keys.ARROW_RIGHT)
    wanted = settled_slider_value(browser, "Word of mouth: weekly chance per active friend")
    assert wanted > 0.02
    wait_for(browser, lambda d: f"behaviour.q_wom = {wanted:g}" in d.find_element(By.TAG_NAME, "body").text)
    wait_for(browser, lambda d: summary(d).startswith("Week 0 of"))
    steps(browser, 30)
    text = summary(browser)
    after = chart_pixels(browser)
    assert after != before
    assert "difference +0.00 points" not in text
    difference = float(text.split("difference ")[1].split(" points")[0])
    assert difference > 0  # more word of mouth, more active users by week 30

    button(browser, "Run to end").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".adoptsim-kpis"))
    page_kpis = {}
    for row in browser.find_elements(By.CSS_SELECTOR, ".adoptsim-kpis tr")[1:]:
        name, value = (cell.text for cell in row.find_elements(By.TAG_NAME, "td"))
        page_kpis[name] = float(value)

    saved = tmp_path / "saved.yaml"
    field = browser.find_element(By.CSS_SELECTOR, ".adoptsim-save-path input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(str(saved))
    button(browser, "Save scenario").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".adoptsim-saved"))
    assert saved.is_file()

    shots = ROOT / "results" / "app-browser"
    shots.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(shots / "page.png"))
    if os.environ.get("ADOPTSIM_DOCS_SCREENSHOT") == "1":
        shutil.copy(shots / "page.png", ROOT / "docs" / "app.png")

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []

    adoptsim = [sys.executable, "-m", "adoptsim.cli"]
    validated = subprocess.run([*adoptsim, "validate", str(saved)], capture_output=True, text=True, check=False)
    assert validated.returncode == 0, validated.stderr
    out = tmp_path / "run"
    ran = subprocess.run(
        [*adoptsim, "run", str(saved), "--reps", "1", "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    run_kpis = pd.read_csv(out / "kpis.csv").iloc[0]
    for name, value in page_kpis.items():
        assert run_kpis[name] == pytest.approx(value, rel=1e-12, abs=0, nan_ok=True), name
