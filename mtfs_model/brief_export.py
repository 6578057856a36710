"""Exporting an executed brief notebook as one self-contained HTML page (nbconvert).

Code, prompts and markdown hidden; charts embedded as base64 PNG; no script and no
external resource of any kind (:func:`check_self_contained`), so the page renders offline
and can be emailed safely.
"""

from __future__ import annotations

import re
from typing import Any


class BriefError(RuntimeError):
    """A notebook failed to execute, or the exported HTML is not self-contained."""


CSS = """
body{font-family:Georgia,'Times New Roman',serif;color:#111;background:#fff;max-width:62rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:1px solid #444;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.2rem}.meta{color:#333}
table.figures{border-collapse:collapse;margin:1rem 0;font-size:.85rem;font-family:Arial,Helvetica,sans-serif}
table.figures caption{text-align:left;font-weight:bold;padding:.3rem 0}
table.figures th,table.figures td{border:1px solid #999;padding:.2rem .45rem;vertical-align:top}
table.figures thead th{background:#e6e6e6}table.figures th.group{background:#f3f3f3;text-align:left}
table.figures td.num,table.figures th.num{text-align:right;font-variant-numeric:tabular-nums}
table.figures td.num{white-space:nowrap}table.figures thead th{vertical-align:bottom}
div.table{max-width:100%;overflow-x:auto}
table.figures th[scope=row]{text-align:left;font-weight:normal}
figure.chart{margin:1.2rem 0}figure.chart img{max-width:100%;height:auto;border:1px solid #ccc}
figcaption{font-size:.85rem;color:#333}.headline{font-size:1.05rem}
footer.run{margin-top:2rem;border-top:1px solid #444;font-size:.8rem;color:#333}
ol.sources,ul.notes{font-size:.85rem}
@media print{body{max-width:none;margin:0}section{break-inside:auto}figure.chart{break-inside:avoid}}
"""

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
