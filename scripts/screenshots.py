"""Screenshots of the main pages as a visitor sees them, for docs/screenshots/.

    make screenshots

Loads the demo data (manage.py seed_demo) into a throwaway SQLite database,
serves it with runserver on a free loopback port and has Chromium
(/usr/bin/chromium, or CHROME_PATH) take a full-page PNG of each page at
1280 px and 390 px wide: docs/screenshots/<page>-<width>.png, saved with a
256-colour palette to keep them small.
"""

# Fixed local commands and loopback URLs only.
# ruff: noqa: S603, S310

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
OUT = ROOT / "docs" / "screenshots"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
WIDTHS = {1280: 900, 390: 844}

# (name, path); a path of None is looked up in the demo data (LOOKUPS): what a
# visitor reaches from the home page.
PAGES = [("home", "/"), ("organization", None), ("forum", None), ("research", None)]
LOOKUPS = {
    "organization": "from circle.models import Organization; "
    "p = Organization.objects.filter(status='active').order_by('name').first()",
    "forum": "from circle.viewers import ANONYMOUS; from forums.models import Forum; "
    "p = Forum.objects.visible_to(ANONYMOUS).upcoming().filter(audience='public').first()",
    "research": "from circle.viewers import ANONYMOUS; from research.models import Resource; "
    "p = Resource.objects.visible_to(ANONYMOUS).exclude(file='').order_by('-published_on')"
    ".first()",
}


def log(message: str) -> None:
    print(f"screenshots: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(PY), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return out.stdout


def lookup(env: dict[str, str], query: str) -> str:
    out = manage(env, "shell", "-c", f"{query}; print(p.get_absolute_url() if p else '')")
    # The shell may print other lines (its automatic imports).
    path = next((line for line in out.splitlines() if line.startswith("/")), "")
    if not path:
        raise SystemExit(f"screenshots: the demo data has nothing for {query!r}")
    return path


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"screenshots: runserver exited early ({server.returncode})")
        try:
            with urllib.request.urlopen(base + "/livez", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("screenshots: runserver did not answer /livez within 60 s")


def shrink(png: Path) -> None:
    """A 256-colour palette: a page of flat colours and text looks the same
    at about a third of the size, and the repository stays small."""
    from PIL import Image

    with Image.open(png) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.save(png, optimize=True)


def shoot(base: str, paths: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROME, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    extra_http_headers={"Accept-Language": "en"},
                    reduced_motion="reduce",
                )
                page = context.new_page()
                for name, path in paths.items():
                    response = page.goto(base + path, wait_until="networkidle")
                    if response is None or response.status != 200:
                        raise SystemExit(
                            f"screenshots: {path} answered {response and response.status}"
                        )
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    shrink(target)
                    log(f"{target.relative_to(ROOT)} ({path})")
                context.close()
        finally:
            browser.close()


def main() -> int:
    if not Path(CHROME).exists():
        raise SystemExit(f"screenshots: no Chromium at {CHROME} (set CHROME_PATH)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="justop-screenshots-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "REDIS_CACHE_URL", "EMAIL_HOST", "DJANGO_ENV")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        SITE_URL=base,
        LOG_LEVEL="WARNING",
    )
    log("migrate and seed_demo (throwaway SQLite database)")
    manage(env, "migrate", "--no-input")
    manage(env, "seed_demo")
    paths = {name: path or lookup(env, LOOKUPS[name]) for name, path in PAGES}
    server = subprocess.Popen(
        [str(PY), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        shoot(base, paths)
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
