"""``docs/check_site.py`` finds what would fetch from the network and links that do not
resolve (checked on small sites made here, so each rule is seen to fail)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.paths import REPO

sys.path.insert(0, str(REPO / "docs"))
import check_site


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return tmp_path


def test_a_clean_site_passes(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": '<link rel="stylesheet" href="_static/a.css"><a href="sub/p.html#x">p</a>'
            '<a href="https://example.org/">a page a reader may follow</a><img src="data:image/png;base64,AA==">',
            "sub/p.html": '<h1 id="x">p</h1><a href="../index.html">home</a>',
            "_static/a.css": "/* https://licence.example */ body { background: url(img.png); }",
        },
    )
    assert check_site.check(site) == ([], 2)
    assert check_site.main([str(site)]) == 0


def test_remote_resources_are_found(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
            'href="//fonts.example/css"><img src="http://img.example/a.png"><div style="background: '
            'url(https://img.example/b.png)"></div>',
            "_static/theme.css": '@import "https://fonts.example/font.css";'
            " p { src: url(https://fonts.example/f.woff2) }",
        },
    )
    problems, _ = check_site.check(site)
    assert len(problems) == 6
    assert any("cdn.example/x.js" in p for p in problems)
    assert any("theme.css" in p and "f.woff2" in p for p in problems)
    assert check_site.main([str(site)]) == 1


def test_broken_internal_links_are_found(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {"index.html": '<a href="missing.html">x</a><a href="p.html#nowhere">y</a><a href="#here">z</a>', "p.html": ""},
    )
    problems, _ = check_site.check(site)
    assert problems == [
        "index.html: link to a missing page missing.html",
        "index.html: link to a missing anchor p.html#nowhere",
        "index.html: link to a missing anchor #here",
    ]
