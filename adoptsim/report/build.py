"""Build the page: read each folder, render every section that has something to show, fill the
template, write one self-contained HTML file (plotly.js, styles and every figure inline)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from adoptsim.errors import AdoptsimError
from adoptsim.report.blocks import Chart, Section
from adoptsim.report.results import Results
from adoptsim.report.sections import SECTIONS
from adoptsim.results.store import prepare_folder, write_atomic, write_text

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
PDF_TIMEOUT = 120


def sections_of(results: Results, prefix: str) -> list[Section]:
    """Every section with something to show for one folder."""
    found = []
    for module in SECTIONS:
        blocks = module.render(results)
        if blocks:
            name = module.__name__.rsplit(".", 1)[-1]
            found.append(Section(id=f"{prefix}{name}", title=module.TITLE, blocks=blocks))
    return found


def render_html(folders: list[Path]) -> str:
    """The report's HTML for one or more output folders."""
    from plotly.offline import get_plotlyjs

    parts = []
    for i, folder in enumerate(folders):
        results = Results.open(folder)
        parts.append({"folder": folder, "kind": results.kind, "sections": sections_of(results, f"p{i}-")})
    charts = [b for part in parts for s in part["sections"] for b in s.blocks if isinstance(b, Chart)]
    for number, block in enumerate(charts):
        block.id = f"chart-{number}"
    environment = Environment(loader=PackageLoader("adoptsim.report"), autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    title = "adoptsim report: " + ", ".join(folder.name for folder in folders)
    needs_plotly = any(c.plotly for c in charts)
    return template.render(
        title=title,
        parts=parts,
        plotly_js=get_plotlyjs() if needs_plotly else "",
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=version("adoptsim"),
    )


def write_report(folders: list[Path], out: Path | None = None, pdf: bool = False) -> list[Path]:
    """Write the report (default: report.html in the first folder), and its PDF if asked."""
    out = out or folders[0] / "report.html"
    page = render_html(folders)
    written = [write_text(out, page)]
    if pdf:
        written.append(print_pdf(out, out.with_suffix(".pdf")))
    return written


def chromium() -> str:
    """The path of a Chromium (or Chrome) executable, or a one-line error."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise AdoptsimError("--pdf: needs Chromium (apt-get install chromium); none found on PATH")


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print the page with headless Chromium (the print styles show the static figures)."""
    command = [
        chromium(),
        "--headless=new",
        "--disable-gpu",
        "--no-pdf-header-footer",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        *(["--no-sandbox"] if os.geteuid() == 0 else []),
    ]
    with tempfile.TemporaryDirectory(prefix="adoptsim-chromium-") as profile:

        def printed(tmp: Path) -> None:
            try:
                done = subprocess.run(
                    [*command, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", page.resolve().as_uri()],
                    capture_output=True,
                    text=True,
                    timeout=PDF_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                raise AdoptsimError(f"--pdf: Chromium did not finish printing {page} in {PDF_TIMEOUT} s") from None
            if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise AdoptsimError(f"--pdf: Chromium could not print {page}: {last.strip()}")

        return write_atomic(pdf, printed)


def run_report(folders: list[str], out: str | None = None, pdf: bool = False, force: bool = False) -> int:
    """The `adoptsim report` command (and `--report` on other commands): write, then say what.

    Checked before any work: the file can be written, and is no one else's (an existing file
    that is not an adoptsim report needs --force). A report written into a command's output
    folder is written under that folder's lock and recorded in its marker."""
    from adoptsim.results.folders import MARKER, FolderLock, add_files

    for folder in folders:
        Results.open(Path(folder))
    target = Path(out) if out else Path(folders[0]) / "report.html"
    if target.is_dir():
        raise AdoptsimError(f"--out {target}: is a folder; give a file name such as {target / 'report.html'}")
    for path in (target, target.with_suffix(".pdf")) if pdf else (target,):
        if path.exists() and not force and not is_report(path):
            raise AdoptsimError(
                f"--out {path}: exists and is not an adoptsim report; choose another --out, or add --force"
            )
    home = target.parent if str(target.parent) else Path(".")
    prepare_folder(home)
    with contextlib.ExitStack() as stack:
        if (home / MARKER).exists():
            stack.enter_context(FolderLock(home, "report"))
        written = write_report([Path(folder) for folder in folders], target, pdf)
        if (home / MARKER).exists():
            add_files(home, written)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0


def is_report(path: Path) -> bool:
    """Whether `path` is a page (or PDF) this command wrote before, which it may replace."""
    if path.suffix == ".pdf":
        return is_report(path.with_suffix(".html"))
    try:
        with open(path, encoding="utf-8", errors="replace") as page:
            return "<title>adoptsim report: " in page.read(4096)
    except OSError:
        return False
