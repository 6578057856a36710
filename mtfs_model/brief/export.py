"""Exporting an executed brief notebook as one self-contained HTML page (nbconvert).

The style sheet (A4 print rules) is :data:`mtfs_model.brief.css.CSS`.

Code, prompts and markdown hidden; charts embedded as base64 PNG; no script and no
external resource of any kind (:func:`check_self_contained`), so the page renders offline
and can be emailed safely.
"""

from __future__ import annotations

import re
from typing import Any

from mtfs_model.brief.css import CSS


class BriefError(RuntimeError):
    """A notebook failed to execute, or the exported HTML is not self-contained."""


TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    '{%- block header -%}<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
    "<title>{{ nb.metadata.get('title', '') | e }}</title>\n<style>{{ resources.brief_css }}</style>\n</head>"
    "{%- endblock header -%}\n"
    "{%- block body_header -%}<body>\n<main>{%- endblock body_header -%}\n"
    "{%- block body_footer -%}</main>\n</body>{%- endblock body_footer -%}\n"
    "{%- block footer -%}</html>\n{%- endblock footer -%}\n"
    "{%- block data_javascript scoped -%}{%- endblock data_javascript -%}\n"
    "{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}\n"
)
"""nbconvert template: the lab template's cell markup with our own head (one inline
style sheet) and none of its scripts (require.js, MathJax, mermaid, widgets: all from a
CDN) or javascript outputs."""


def export_html(nb: Any, title: str) -> str:
    """The executed notebook as one self-contained HTML page: inputs, prompts and
    markdown hidden; outputs only; checked by :func:`check_self_contained`."""
    import copy

    import jinja2
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    # cells with nothing to show (the parameters, and papermill's injected cell with its
    # random id) are dropped, so the same inputs give the same page byte for byte
    nb.cells = [c for c in nb.cells if c.get("cell_type") != "code" or c.get("outputs")]
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"mtfs_brief.html.j2": TEMPLATE})],
        template_file="mtfs_brief.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"brief_css": CSS})
    check_self_contained(body)
    return str(body)


def external_resources(page: str) -> list[str]:
    """Every script tag and every non-``data:`` URL a page would load by itself (src,
    link href, CSS url() or @import); anchors (``<a href>``) are links, not resources."""
    found = [m.group(0)[:80] for m in re.finditer(r"<script\b[^>]*>", page, re.IGNORECASE)]
    for m in re.finditer(r"<(?!a\b)[a-z]+\b[^>]*\b(?:src|href|srcset|data)\s*=\s*[\"']?([^\"'\s>]+)", page, re.I):
        if not m.group(1).startswith(("data:", "#")):
            found.append(m.group(0)[:80])
    for m in re.finditer(r"url\(\s*[\"']?([^\"')\s]+)|@import\s+[\"']?([^\"';\s]+)", page, re.IGNORECASE):
        target = m.group(1) or m.group(2) or ""
        if not target.startswith(("data:", "#")):
            found.append(m.group(0)[:80])
    return found


def check_self_contained(page: str) -> None:
    """Raise :class:`BriefError` if the page carries script or loads anything external."""
    bad = external_resources(page)
    if bad:
        raise BriefError("the brief is not self-contained: " + "; ".join(bad[:5]))
