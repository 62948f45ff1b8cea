"""`adoptsim report`: sections from what commands wrote, one self-contained file, and the page as
a real browser shows it (Debian Chromium driven by Selenium, one session for the module)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.report.sections import NAMES
from benchmarks.report_page import first_screen, pdf_pages
from tests.conftest import BASELINE, HEADLESS_CHROMIUM, one_pixel_files

SMALL = ["--set", "population.size=1500", "--set", "steps=40", "--reps", "2"]
SWEEP_ONLY = ("sweep", "sensitivity")
COMPARE_SECTIONS = tuple(name for name in NAMES if name not in (*SWEEP_ONLY, "other_files"))
"""A comparison's sections: the registry's, in its order, less a sweep's and the rest-of-the-files one
(a comparison's files are all shown by a section of their own)."""
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def referral_scenario(folder: Path) -> Path:
    """A referral whose small budget runs out mid-window."""
    path = folder / "short_referral.yaml"
    path.write_text(
        f"name: short_referral\ndescription: Referral rewards until 1,000 is spent.\nextends: {BASELINE}\n"
        "interventions:\n  - {type: referral, name: refer_a_friend, start: 0, duration: 30,\n"
        "     reward: 20, referrer_reward: 20, budget: 1000}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory) -> Path:
    """A comparison written with --report. The command's PNG files are 1-pixel stand-ins; the
    report's charts (drawn into the page) are real: the browser test measures them."""
    root = tmp_path_factory.mktemp("compare")
    out = root / "out"
    scenarios = [str(BASELINE), str(BASELINE.parent / "seniors_training.yaml"), str(referral_scenario(root))]
    with pytest.MonkeyPatch.context() as patch:
        one_pixel_files(patch)
        assert main(["compare", *scenarios, *SMALL, "--out", str(out), "--report"]) == 0
    return out


def section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="p0-(\w+)"', page)


@pytest.mark.slow
def test_compare_report_has_every_section_and_nothing_outside_the_file(compare_folder):
    page = (compare_folder / "report.html").read_text(encoding="utf-8")
    assert section_ids(page) == list(COMPARE_SECTIONS)
    assert "Plotly" not in page and page.count('class="static"') >= 7
    assert ".partial" not in page and "adoptsim report: out</title>" in page, "titled after the final folder"
    text = re.sub(r'<script.*?</script>|src="data:[^"]*"', "", page, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "a resource outside the file"
    assert "<script src" not in page and "<link" not in page
    assert "short_referral: 10 % active in week" in text or "short_referral: 10 % active never" in text
    assert re.search(r"refer_a_friend</th><td>referral</td><td>0 to 29</td><td>0 to \d+</td>", text)
    assert "after week" in text, "the referral's money ran out and the report says when"
    assert not re.search(r"\de[+-]\d", text), "a number in scientific notation"


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_sections_plug_in_when_their_files_appear_and_unknown_files_are_still_shown(compare_folder, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(compare_folder, folder)
    differences = pd.DataFrame(
        {
            "scenario": ["seniors_training", "short_referral"],
            "kpi": ["steps_to_30pct_active", "steps_to_30pct_active"],
            "difference": [-4.0, -9.5],
            "lower": [-6.0, -11.0],
            "upper": [-2.0, -8.0],
        }
    )
    differences.to_csv(folder / "differences.csv", index=False)
    pd.DataFrame({"trial": [0, 1], "objective": [0.31, 0.35]}).to_csv(folder / "trials.csv", index=False)
    assert main(["report", str(folder), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert section_ids(page) == [*COMPARE_SECTIONS[:-1], "other_files", "assumptions"]
    assert "-9.5 weeks (-11.0 to -8.0)" in page and "trials.csv" in page


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_run_and_sweep_folders_report_their_own_sections(tmp_path):
    run = tmp_path / "run"
    assert main(["run", str(BASELINE), *SMALL, "--out", str(run)]) == 0
    experiment = tmp_path / "grid.yaml"
    experiment.write_text(
        f"name: grid\nscenario: {BASELINE.parent / 'referral.yaml'}\nseed: 3\nreplications: 2\n"
        "fixed: {population.size: 800, steps: 20}\n"
        "parameters:\n  interventions[refer_a_friend].reward: {values: [0.2, 0.8]}\n"
        "  behaviour.q_wom: {values: [0.02, 0.08]}\ndesign: {type: grid}\nmetrics: [final_active_share, total_spend]\n",
        encoding="utf-8",
    )
    sweep = tmp_path / "sweep"
    assert main(["sweep", str(experiment), "--workers", "1", "--out", str(sweep), "--report"]) == 0
    assert main(["report", str(run), str(sweep), "--out", str(tmp_path / "both.html")]) == 0
    page = (tmp_path / "both.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section id="p1-(\w+)"', page)
    assert sections == ["brief", "question", "sweep", "other_files", "assumptions"]
    assert "p0-funnel" in page and "p0-cost_effectiveness" not in page
    assert "refer_a_friend: reward (EUR)" in page and "heatmap: total spend" in page
    run_page = page.split('id="p1-brief"')[0]
    assert "Net value and return on spend count every user&#39;s value" in run_page  # a run has no baseline


@pytest.mark.slow
def test_report_mistakes_are_one_line_and_exit_2(compare_folder, tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'missing'}: no such folder"
    assert main(["report", str(BASELINE.parent)]) == 2
    assert "not an adoptsim output folder" in capsys.readouterr().err
    assert main(["report", str(compare_folder), "--out", str(tmp_path)]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("is a folder; give a file name such as " + str(tmp_path / "report.html"))
    )
    assert not (tmp_path / "report.html").exists()


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module, logging console messages and network events."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            f"Chromium cannot start: {CHROMIUM} or {CHROMEDRIVER} missing (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*HEADLESS_CHROMIUM, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    except WebDriverException as err:
        pytest.skip(f"Chromium cannot start: {err.msg.splitlines()[0] if err.msg else err}")
    yield driver
    driver.quit()


def open_page(driver, page: Path, width: int) -> None:
    driver.set_window_size(width, 1000)
    driver.get(page.as_uri())
    driver.execute_script("return document.fonts.ready")


def requests_leaving(driver) -> list[str]:
    """URLs the page asked for other than itself and inline data (from the DevTools network log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]


@pytest.mark.slow
def test_report_opens_offline_with_no_errors_and_every_figure_drawn(browser, compare_folder, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    page = compare_folder / "report.html"
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get_log("browser")
    open_page(browser, page, 1280)
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert requests_leaving(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    titles = browser.execute_script("return [...document.querySelectorAll('h2')].map(h => h.textContent)")
    assert len(titles) == len(COMPARE_SECTIONS)
    sizes = browser.execute_script(
        """return [...document.querySelectorAll('figure.chart')].map(f => {
             const shown = f.querySelector('img');
             const box = shown ? shown.getBoundingClientRect() : {width: 0, height: 0};
             return [f.querySelector('h3').textContent, box.width, box.height];
           })"""
    )
    assert len(sizes) >= 7
    assert [s for s in sizes if s[1] < 100 or s[2] < 100] == []
    text = browser.find_element("tag name", "body").text
    assert re.search(r"short_referral: .*\d+\.\d % \(\d+\.\d to \d+\.\d %\) active at the end", text)
    assert "extra adopters at" in text
    for width in (1280, 390):
        open_page(browser, page, width)
        scroll, client = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"horizontal scroll at {width} px"
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(height, 12000))
        assert browser.save_screenshot(str(shots / f"report-{width}.png"))


@pytest.mark.slow
def test_in_print_the_brief_fits_one_a4_page(browser, compare_folder):
    # A4 less 12 mm margins is 186 x 273 mm, 703 x 1032 CSS px: the brief at that width fits that height
    # with the page's title above it.
    open_page(browser, compare_folder / "report.html", 703)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        bottom = browser.execute_script("return document.querySelector('section.open').getBoundingClientRect().bottom")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert bottom <= 1032


@pytest.fixture(scope="module")
def levers_folder(browser, tmp_path_factory) -> Path:
    """The README's strategist command (smaller population), its report printed to PDF: what the
    PDF test and the README test read (one report drawn and printed for both). The command's own
    PNG files are 1-pixel stand-ins: the report draws every chart it shows."""
    levers = sorted(str(p) for p in BASELINE.parent.glob("lever_*.yaml"))
    out = tmp_path_factory.mktemp("readme") / "levers"
    small = ["--set", "population.size=800", "--set", "steps=60", "--reps", "2"]
    arguments = ["--targets", "0.3", "--rank-by", "steps_to_30pct_active", "--horizon", "52", "--out", str(out)]
    with pytest.MonkeyPatch.context() as patch:
        one_pixel_files(patch)
        assert main(["compare", str(BASELINE), *levers, *small, *arguments]) == 0
    assert main(["report", str(out), "--pdf"]) == 0
    return out


@pytest.mark.slow
def test_pdf_is_printed_by_headless_chromium(levers_folder):
    pdf = (levers_folder / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    assert 2 <= pdf_pages(pdf) <= 6


@pytest.mark.slow
def test_readme_compare_of_six_scenarios_gives_a_short_page_and_pdf(browser, levers_folder):
    """The README's strategist command (smaller population): the brief fits two 1280 x 900 screens,
    the page with its sections closed 15,000 px, the PDF 6 pages; ranking.csv holds the ranking."""
    out = levers_folder
    ranking = pd.read_csv(out / "ranking.csv")
    assert {"rank", "tie_group", "scenario", "mean", "ci_low", "ci_high"} <= set(ranking.columns)
    assert list(ranking["rank"]) == list(range(1, 7)) and ranking["tie_group"].is_monotonic_increasing
    page = out / "report.html"
    assert 1 <= pdf_pages(page.with_suffix(".pdf").read_bytes()) <= 6
    brief_bottom, height = first_screen(browser, page)  # the measure docs/report.md reports, on a smaller run
    assert brief_bottom <= 1800 and height <= 15_000
    text = browser.find_element("tag name", "body").text
    assert "Question: Which scenario reaches 30 % active soonest" in text and "Answer: " in text
