"""Build the page: read each folder, render every section that has something to show, fill the
template, write one self-contained HTML file (styles, figures and CSV downloads inline)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
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
            found.append(
                Section(
                    id=f"{prefix}{name}",
                    title=module.TITLE,
                    blocks=blocks,
                    open=getattr(module, "OPEN", False),
                    printed=getattr(module, "PRINTED", False),
                )
            )
    return found


def collect(folders: list[Path], shown: list[Path] | None = None) -> list[dict]:
    """Each folder's sections, drawn once (for the page and its print alike)."""
    parts = []
    for i, (folder, name) in enumerate(zip(folders, shown or folders, strict=True)):
        progress(f"report: reading and drawing {name}")
        results = Results.open(folder)
        parts.append({"folder": name, "kind": results.kind, "sections": sections_of(results, f"p{i}-")})
    charts = [b for part in parts for s in part["sections"] for b in s.blocks if isinstance(b, Chart)]
    for number, block in enumerate(charts):
        block.id = f"chart-{number}"
    return parts


def fill(parts: list[dict], printing: bool = False) -> str:
    """The page from drawn sections; `printing` opens the sections marked for print (the PDF)."""
    environment = Environment(loader=PackageLoader("adoptsim.report"), autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    return template.render(
        title="adoptsim report: " + ", ".join(part["folder"].name for part in parts),
        parts=parts,
        printing=printing,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=version("adoptsim"),
    )


def render_html(folders: list[Path], shown: list[Path] | None = None, printing: bool = False) -> str:
    """The report's HTML for one or more output folders. `shown`: the paths to name them by (a
    command writes its report in a staging folder that becomes `shown` once it succeeds)."""
    return fill(collect(folders, shown), printing)


def progress(message: str) -> None:
    """One line on stderr per phase of a report (reading, drawing, printing): a long one is never silent."""
    print(message, file=sys.stderr, flush=True)


def write_report(
    folders: list[Path], out: Path | None = None, pdf: bool = False, shown: list[Path] | None = None
) -> list[Path]:
    """Write the report (default: report.html in the first folder), and its PDF if asked."""
    out = out or folders[0] / "report.html"
    parts = collect(folders, shown)
    written = [write_text(out, fill(parts))]
    if pdf:
        progress("report: printing the PDF with headless Chromium")
        with tempfile.TemporaryDirectory(prefix="adoptsim-print-") as tmp:
            printable = write_text(Path(tmp) / out.name, fill(parts, printing=True))
            written.append(print_pdf(printable, out.with_suffix(".pdf")))
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
