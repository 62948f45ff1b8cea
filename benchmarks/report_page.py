"""What a planner sees first of the README's strategist report, measured as the browser test does.

    python -m benchmarks.report_page --out DIR    writes DIR/page.json (and the compare's folder in DIR)

Runs the README's compare (`README_COMPARE`, with --report), prints its page to PDF
(`adoptsim report DIR --pdf`), opens the page in headless Chromium at 1280 x 900 with its sections
closed and reads where the brief ends and how tall the page is, then counts the PDF's pages:
the calls of `tests/report/test_report.py::test_readme_compare_of_six_scenarios_gives_a_short_page_and_pdf`
on the full-size run (the test runs a smaller one). docs/report.md's block is rendered from
page.json by `python -m benchmarks.docs report_page`.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from benchmarks.docs.readme import COMMAND

ROOT = Path(__file__).resolve().parents[1]
README_COMPARE = COMMAND.removeprefix("adoptsim ")  # the README's own, as its block runs it
WIDTH, HEIGHT = 1280, 900


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its /Type /Page objects (not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def seen(page: Path) -> tuple[float, float]:
    """Where the brief ends and how tall the page is, in CSS px, at WIDTH x HEIGHT."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from adoptsim.report.build import chromium
    from tests.conftest import HEADLESS_CHROMIUM

    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for argument in (*HEADLESS_CHROMIUM, f"--user-data-dir={tempfile.mkdtemp(prefix='adoptsim-page-')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    try:
        return first_screen(driver, page)
    finally:
        driver.quit()


def first_screen(driver, page: Path) -> tuple[float, float]:
    """Where the brief ends and how tall the page is (CSS px), in a browser of WIDTH x HEIGHT that has
    loaded the page and its fonts (the browser test reads the same)."""
    driver.set_window_size(WIDTH, 1000)
    driver.get(page.resolve().as_uri())
    driver.execute_script("return document.fonts.ready")
    driver.set_window_size(WIDTH, HEIGHT)
    return tuple(
        driver.execute_script(
            "return [document.querySelector('section.open').getBoundingClientRect().bottom + scrollY,"
            " document.documentElement.scrollHeight]"
        )
    )


def main(argv: list[str] | None = None) -> None:
    from adoptsim.cli.main import main as adoptsim

    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_page", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the compare's files and page.json")
    args = parser.parse_args(argv)
    words = [
        w
        for word in shlex.split(README_COMPARE)
        for w in [str(ROOT / m) for m in sorted(glob.glob(word, root_dir=ROOT))] or [word]
    ]
    folder = args.out / "strat"
    if adoptsim([*words, "--out", str(folder), "--report", "--force"]) != 0:
        raise SystemExit("the README's compare failed")
    if adoptsim(["report", str(folder), "--pdf"]) != 0:
        raise SystemExit("the report's PDF failed")
    brief, height = seen(folder / "report.html")
    numbers = {
        "compare": f"adoptsim {README_COMPARE}",
        "brief_bottom_px": round(brief),
        "page_height_px": round(height),
        "pdf_pages": pdf_pages((folder / "report.pdf").read_bytes()),
        "window": f"{WIDTH} x {HEIGHT}",
    }
    (args.out / "page.json").write_text(json.dumps(numbers, indent=1) + "\n")
    print(json.dumps(numbers))


if __name__ == "__main__":
    main()
