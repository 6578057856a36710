"""Check a built documentation site: it works opened from disk with no network, and its
internal links resolve.

    python docs/check_site.py docs/_build/html [--chromium]

* **Offline**: no page or stylesheet names a resource on another host -- a script, a
  stylesheet, a font, an image, a frame (``src``/``href`` of ``script``, ``link``, ``img``,
  ``iframe``, ``source``, ``embed``, ``object``; ``url(...)`` and ``@import`` in CSS).  Links a
  reader clicks (``<a href="https://...">``) are allowed: they fetch nothing by themselves.
* **Links**: every ``<a href>`` to a page of the site names a file that exists, and its
  ``#fragment`` an ``id`` on that page.
* ``--chromium``: also load every page in headless Chromium with every host name
  unresolvable and a network log, and fail on any request that is not for a local file.

Prints one line per problem and exits 1 if there is any; 0 and a count otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def is_remote(url: str) -> bool:
    """A URL that would be fetched from another host (``https:``, ``http:``, ``//host``)."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https", "ftp", "ws", "wss") or url.strip().startswith("//")


class _Page(HTMLParser):
    """The resources, links and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.resources: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._in_style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for attr in RESOURCE_ATTRS.get(tag, ()):
            if values.get(attr):
                for url in values[attr].split(",") if attr == "srcset" else [values[attr]]:
                    self.resources.append((tag, url.strip().split(" ")[0]))
        if "style" in values:
            self.styles.append(values["style"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def css_problems(site: Path) -> list[str]:
    """Remote ``url(...)`` or ``@import`` in the site's stylesheets."""
    found = []
    for css in sorted(site.rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # a licence comment may name a site
        for match in CSS_URL.finditer(text):
            url = match.group(1) or match.group(2)
            if is_remote(url):
                found.append(f"{css.relative_to(site)}: fetches {url}")
    return found


def check(site: Path) -> tuple[list[str], int]:
    """Every problem of the built site at ``site``, and the number of pages read."""
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    problems: list[str] = []
    for path, page in parsed.items():
        where = path.relative_to(site)
        for tag, url in page.resources:
            if is_remote(url):
                problems.append(f"{where}: <{tag}> fetches {url}")
        for style in page.styles:
            for match in CSS_URL.finditer(style):
                url = match.group(1) or match.group(2)
                if is_remote(url):
                    problems.append(f"{where}: inline style fetches {url}")
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue  # a link a reader may follow, or mailto:
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{where}: link to a missing page {href}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if fragment not in ids:
                    problems.append(f"{where}: link to a missing anchor {href}")
    problems.extend(css_problems(site))
    return problems, len(pages)


def _net_log(text: str) -> dict[str, Any]:
    """Chromium's net log; a log cut short at exit is closed so it still parses."""
    for tail in ("", "]}", "}]}"):
        try:
            return cast(dict[str, Any], json.loads(text.rstrip().rstrip(",") + tail))
        except ValueError:
            continue
    return {"constants": {"logEventTypes": {}}, "events": []}


def chromium_requests(page: Path, browser: str) -> list[str]:
    """URLs other than ``file:`` and ``data:`` that ``page`` made Chromium ask for.

    The page loads with every host name unresolvable and a net log; requests the browser
    makes for itself (updates, sign-in, dictionaries: initiator "not an origin") are not
    the page's and are left out.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "net.json"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--log-net-log={log}",
                f"--user-data-dir={tmp}/profile",
                "--virtual-time-budget=2000",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        data = _net_log(log.read_text(encoding="utf-8", errors="replace") if log.exists() else "")
    start_job = data["constants"]["logEventTypes"].get("URL_REQUEST_START_JOB")
    urls = set()
    for event in data["events"]:
        params = event.get("params", {})
        if event.get("type") == start_job and params.get("initiator") != "not an origin" and "url" in params:
            urls.add(params["url"])
    return sorted(u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:")))


def main(argv: list[str] | None = None) -> int:
    """Check the site; print one line per problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site, e.g. docs/_build/html")
    parser.add_argument("--chromium", action="store_true", help="also load every page in headless Chromium")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"error: {args.site}: no index.html (build the site first)")
        return 1
    problems, count = check(args.site)
    if args.chromium:
        browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if browser is None:
            print("error: --chromium: no chromium on PATH")
            return 1
        pages = sorted(args.site.rglob("*.html"))
        with ThreadPoolExecutor(max_workers=4) as pool:  # each page is its own browser process
            for page, urls in zip(pages, pool.map(lambda p: chromium_requests(p, browser), pages), strict=True):
                problems.extend(f"{page.relative_to(args.site)}: Chromium requested {url}" for url in urls)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{count} pages: nothing fetched from the network, every internal link resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
