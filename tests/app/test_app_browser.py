"""`adoptsim app` in a real browser: the server on 127.0.0.1, headless Chromium through Selenium.

The page loads with no console errors and fetches nothing from elsewhere; play, pause and reset
work; a slider change and an intervention's reward change the plotted curve; an intervention is
added and removed; the KPI table is formatted; save refuses a path and never overwrites silently;
CSV and PNG download; the saved scenario validates and `adoptsim run --reps 1` repeats the page's
KPIs; a WebSocket handshake from another origin is refused (403), one from the page's accepted.
The full-page screenshot is kept in results/app-browser/; with ADOPTSIM_DOCS_SCREENSHOT=1 it
also replaces docs/app.png.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from adoptsim.app.tables import cell
from adoptsim.cli.main import main
from adoptsim.figures.formatting import kpi_label
from adoptsim.results.metrics import headline_kpis
from adoptsim.scenario.loading import load_scenario
from tests.conftest import HEADLESS_CHROMIUM, ROOT, one_pixel_files

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.slow

SCENARIO = ROOT / "scenarios" / "referral.yaml"
SETTINGS = ["population.size=2000", "steps=40"]
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
            time.sleep(0.1)
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
def downloads(tmp_path_factory) -> Path:
    """Where Chromium saves the page's downloads (pytest's temporary folders, cleaned up by it)."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="adoptsim-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
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
    """The button with this text (one XPath query: reading every button's text takes seconds)."""
    return driver.find_element(By.XPATH, f"//button[normalize-space(.)='{label}']")


def summary(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".adoptsim-summary")
    return found[0].text if found else ""


def wait_for(driver, condition, seconds: float = 60):
    """Poll until `condition` holds; an element replaced while it was read (the page changed
    meanwhile) is read again at the next poll."""
    wait = WebDriverWait(driver, seconds, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(lambda d: condition(d))


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


def text_of(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def spent(driver) -> float:
    return float(summary(driver).split("spent ")[1].split(" ")[0].replace(",", ""))


def type_into(driver, css: str, text: str) -> None:
    """Replace the text of the input inside `css` at once, as a paste does (number boxes apply it
    once typing rests). Typed key by key, only the first key's change reaches the server at once:
    the page holds the others until the server has answered it, and a click sent meanwhile (Save)
    can reach the server first and save the first letter."""
    field = driver.find_element(By.CSS_SELECTOR, f"{css} input")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
        field,
        text,
    )


def replications_ready(driver) -> bool:
    found = driver.find_elements(By.CSS_SELECTOR, ".adoptsim-reps-status")
    return bool(found) and "ready" in found[0].text


def run_to_end(driver) -> None:
    button(driver, "Run to end").click()
    wait_for(
        driver, lambda d: summary(d).startswith("Week 40 of 40") and d.find_elements(By.CSS_SELECTOR, ".adoptsim-kpis")
    )


KPI_ROWS = (
    "return [...document.querySelectorAll('.adoptsim-kpis tr')].slice(1).map(r => [...r.cells].map(c => c.innerText))"
)


def kpi_cells(driver) -> dict[str, tuple[str, str]]:
    """Label -> (this run, replications), once the replications' column is filled."""
    rows: dict[str, tuple[str, str]] = {}

    def filled(d) -> bool:
        rows.clear()
        # the table read at once, in the page: the replications may replace it while it is read
        for label, value, spread in d.execute_script(KPI_ROWS):
            rows[label] = (value, spread)
        return bool(rows) and all(spread != "running..." for _, spread in rows.values())

    wait_for(driver, filled, 120)
    return dict(rows)


def test_inputs_change_the_curve_and_saved_yaml_repeats_the_run(app_url, browser, downloads, tmp_path, monkeypatch):
    url, folder = app_url
    browser.get(url)
    wait_for(
        browser, lambda d: "Week 0 of 40" in summary(d) and d.find_elements(By.CSS_SELECTOR, ".adoptsim-charts"), 120
    )

    wait_for(browser, replications_ready, 120)  # else they take the CPU from play, and weeks pass unseen
    button(browser, "Play").click()
    wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[normalize-space(.)='Pause']"))
    wait_for(browser, lambda d: not summary(d).startswith("Week 0 of"))  # a week played (a loaded host is slow)
    button(browser, "Pause").click()
    wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[normalize-space(.)='Play']"))
    time.sleep(1.0)
    paused_at = summary(browser).split(" · ")[0]
    time.sleep(1.5)
    assert summary(browser).split(" · ")[0] == paused_at != "Week 0 of 40"  # it played, then stopped
    button(browser, "Reset").click()
    wait_for(browser, lambda d: summary(d).startswith("Week 0 of"))

    steps(browser, 3)
    assert "difference +0.00 percentage points" in summary(browser)  # no change yet: the unchanged scenario
    run_to_end(browser)
    assert "difference +0.00 percentage points" in summary(browser)
    before = chart_pixels(browser)

    thumb = browser.find_element(By.CSS_SELECTOR, ".adoptsim-behaviour-q_wom .v-slider-thumb")
    thumb.click()
    for _ in range(10):
        thumb.send_keys(Keys.ARROW_RIGHT)
    wanted = settled_slider_value(browser, "Word of mouth: weekly chance per active friend")
    assert wanted > 0.02
    wait_for(browser, lambda d: f"behaviour.q_wom = {wanted:g}" in text_of(d))
    wait_for(browser, lambda d: summary(d).startswith("Week 0 of"))
    run_to_end(browser)
    text = summary(browser)
    assert chart_pixels(browser) != before
    assert "difference +0.00 percentage points" not in text
    difference = float(text.split("difference ")[1].split(" percentage points")[0])
    assert difference > 0  # more word of mouth, more active users by week 40

    # the referral's reward (an intervention's main intensity): a larger reward spends more
    spent_at_10, chart_at_10 = spent(browser), chart_pixels(browser)
    type_into(browser, ".adoptsim-interventions-refer_a_friend--reward", "40")
    wait_for(browser, lambda d: "interventions[refer_a_friend].reward = 40" in text_of(d))
    run_to_end(browser)
    assert spent(browser) > 2 * spent_at_10 > 0
    assert chart_pixels(browser) != chart_at_10

    # adding and removing an intervention
    button(browser, "Add").click()
    wait_for(browser, lambda d: "signup_bonus_1 (signup bonus)" in text_of(d))
    wait_for(browser, lambda d: "interventions[signup_bonus_1] = added (signup_bonus)" in text_of(d))
    button(browser, "Remove signup_bonus_1").click()
    wait_for(browser, lambda d: "signup_bonus_1" not in text_of(d))

    # the KPI table: worded and formatted as in the report, with the replications' spread
    run_to_end(browser)
    page_kpis = kpi_cells(browser)
    assert "mean of 3 replications (lowest to highest)" in text_of(browser)
    assert page_kpis["total spend"][0].endswith(" EUR")
    assert not any(re.search(r"\d\.\d{4,}", v + s) for v, s in page_kpis.values()), page_kpis

    # save: a path is refused with a message; the default name goes under results/app/; no silent overwrite
    type_into(browser, ".adoptsim-save-path", "../../escape")
    button(browser, "Save scenario").click()
    wait_for(browser, lambda d: "Not saved: '../../escape' is a path" in text_of(d))
    assert not list(folder.parent.parent.glob("escape*"))
    default = f"referral_q_wom_{wanted:g}_refer_a_friend_reward_40"
    type_into(browser, ".adoptsim-save-path", default)
    button(browser, "Save scenario").click()
    saved = folder / "results" / "app" / f"{default}.yaml"
    wait_for(browser, lambda d: f"Saved results/app/{default}.yaml" in text_of(d))
    assert saved.is_file()
    first_bytes = saved.read_bytes()
    name_field = browser.find_element(By.CSS_SELECTOR, ".adoptsim-save-path input")
    wait_for(browser, lambda d: name_field.get_attribute("value") == f"{default}_2")  # the next free name
    type_into(browser, ".adoptsim-save-path", default)
    button(browser, "Save scenario").click()
    wait_for(browser, lambda d: "exists: press 'Overwrite'" in text_of(d))
    assert saved.read_bytes() == first_bytes and button(browser, "Overwrite")

    # downloads
    for label, suffix in (("Time series (CSV)", "_timeseries.csv"), ("Charts (PNG)", "_charts.png")):
        button(browser, label).click()
        wait_for(browser, lambda d, s=suffix: [p for p in downloads.glob(f"*{s}") if p.stat().st_size > 0], 30)
    series = pd.read_csv(next(downloads.glob("*_timeseries.csv")))
    assert sorted(set(series["replication"])) == [0, 1, 2] and len(series) == 3 * 41
    assert next(downloads.glob("*_charts.png")).read_bytes().startswith(b"\x89PNG")

    shots = ROOT / "results" / "app-browser"
    shots.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(shots / "page.png"))
    if os.environ.get("ADOPTSIM_DOCS_SCREENSHOT") == "1":
        shutil.copy(shots / "page.png", ROOT / "docs" / "app.png")

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    outside = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith(location.origin) && !n.startsWith('blob:') && !n.startsWith('data:'))"
    )
    assert outside == []

    # the commands in this process: the same code as the console script, without a second interpreter's imports
    assert main(["validate", str(saved)]) == 0
    out = tmp_path / "run"
    # its KPIs are what is compared: the run's PNG files are 1-pixel stand-ins (drawing them, checked
    # by tests/cli/test_cli.py, was a third of this test's command time)
    one_pixel_files(monkeypatch)
    assert main(["run", str(saved), "--reps", "1", "--out", str(out)]) == 0
    run_kpis = pd.read_csv(out / "kpis.csv").iloc[0]
    scenario = load_scenario(saved)
    assert scenario.name == default
    for name in headline_kpis(scenario):
        shown = cell(name, float(run_kpis[name]), scenario.economics.currency)
        assert page_kpis[kpi_label(name)][0] == shown, name


def handshake(port: int, origin: str | None) -> str:
    """The status line answering a raw WebSocket opening on the page's kernel channel."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /jupyter/api/kernels/probe/channels?session_id=probe HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ] + ([f"Origin: {origin}"] if origin else [])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return connection.recv(200).split(b"\r\n")[0].decode()


def test_websocket_refuses_other_origins(app_url):
    url, _ = app_url
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    assert handshake(port, "http://evil.example") == "HTTP/1.1 403 Forbidden"
    assert handshake(port, f"http://evil.example:{port}") == "HTTP/1.1 403 Forbidden"  # a rebound name
    assert handshake(port, None) == "HTTP/1.1 403 Forbidden"
    assert handshake(port, f"http://127.0.0.1:{port}") == "HTTP/1.1 101 Switching Protocols"
