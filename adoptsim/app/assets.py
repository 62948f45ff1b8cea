"""The page's browser scripts and styles, kept next to the server so the app works offline.

Solara's page loads its JavaScript app, fonts and RequireJS from a CDN through the server's
`_solara/cdn/` proxy, which serves files from a local cache first. The packages are published
on the npm registry, so the first start fills that cache with `npm pack` (the versions are read
from Solara's own page template, so they follow Solara upgrades); later starts are offline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from adoptsim.errors import AdoptsimError

PACKAGE = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/")


def page_packages() -> list[str]:
    """npm `name@version` of every package Solara's page template loads from the CDN (for the
    Vue version installed: the template names the app for Vue 2 and for Vue 3)."""
    import solara.server.settings as settings
    from solara.server import server

    template = (Path(server.__file__).parent / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    other_vue = "@widgetti/solara-vuetify-app@" if server.vue3 else "@widgetti/solara-vuetify3-app@"
    found = {spec for spec in PACKAGE.findall(template) if not spec.startswith(other_vue)}
    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]
    return sorted(found | {fontawesome})


def cache_folder() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def ensure_page_assets() -> list[str]:
    """Fetch the packages missing from Solara's CDN cache; the ones fetched."""
    cache = cache_folder()
    missing = [spec for spec in page_packages() if not (cache / spec).is_dir()]
    if missing and shutil.which("npm") is None:
        raise AdoptsimError(f"adoptsim app: npm is needed once to fetch {', '.join(missing)} for the page")
    for spec in missing:
        with tempfile.TemporaryDirectory() as folder:
            done = subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", folder],
                capture_output=True,
                text=True,
                check=False,
            )
            tarballs = list(Path(folder).glob("*.tgz"))
            if done.returncode != 0 or not tarballs:
                problem = (done.stderr.strip().splitlines() or ["no package"])[-1]
                raise AdoptsimError(f"adoptsim app: could not fetch {spec} from the npm registry: {problem}")
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(folder, filter="data")
            unpacked = Path(folder) / "package"
            for source_map in unpacked.rglob("*.map"):  # for debugging only; a third of the size
                source_map.unlink()
            target = cache / spec
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".adoptsim-"))
            shutil.rmtree(staging)
            shutil.move(str(unpacked), staging)
            staging.rename(target)
    return missing
