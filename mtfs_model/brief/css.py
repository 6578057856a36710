"""The brief's one inline style sheet: a readable screen page, and A4 print.

Print: ``@page`` A4 with margins and a page number; headings never stranded at the
bottom of a page (``break-after: avoid``); table rows, figures and notes never split
(``break-inside: avoid``); the line under a table that says what is the same in every
scenario stays with its table (``break-before: avoid``); wide tables fit the width (a smaller font, wrapping headers,
``table-layout`` that shrinks); charts never wider than the page.  Nothing is fetched:
no web font, no ``url()``.
"""

from __future__ import annotations

CSS = """
:root{--ink:#111;--rule:#999}
body{font-family:Georgia,'Times New Roman',serif;color:var(--ink);background:#fff;max-width:50rem;
margin:1.5rem auto;padding:0 1rem;line-height:1.35;font-size:11pt}
h1{font-size:1.45rem;margin:.1rem 0 .2rem}h2{font-size:1.15rem;border-bottom:1px solid #444;margin:1.4rem 0 .5rem}
h3{font-size:1rem;margin:.8rem 0 .2rem}.meta{color:#333;font-size:.85rem;margin:.2rem 0}
p{margin:.35rem 0}
.question{font-size:1.05rem;font-style:italic;margin:.6rem 0}
ol.answer{padding-left:1.2rem;margin:.4rem 0}ol.answer li{margin:.25rem 0}
p.one-line{margin:.3rem 0}
table.figures{border-collapse:collapse;margin:.5rem 0;font-size:8.5pt;font-family:Arial,Helvetica,sans-serif;
width:auto;max-width:100%}
table.figures caption{text-align:left;font-weight:bold;padding:.2rem 0;font-size:9pt}
table.figures th,table.figures td{border:1px solid var(--rule);padding:.12rem .35rem;vertical-align:top}
table.figures thead th{background:#e6e6e6;vertical-align:bottom;font-weight:bold}
table.figures th.group{background:#f3f3f3;text-align:left}
table.figures td.num,table.figures th.num{text-align:right;font-variant-numeric:tabular-nums}
table.figures td.num{white-space:nowrap}
table.figures th[scope=row]{text-align:left;font-weight:normal}
table.figures td.text{max-width:22rem}
table.answer{font-size:9.5pt}
table.scenarios{width:100%;table-layout:fixed}table.scenarios th:first-child{width:14%}
table.scenarios ul.changes{margin:0;padding-left:1rem;font-size:inherit}
table.wide{font-size:7.5pt}
table.findings td.text:nth-child(2){min-width:10rem}table.findings td.text:last-child{min-width:12rem}
p.same{font-size:.85rem;color:#222;margin:.1rem 0 .5rem}
div.table{max-width:100%;overflow-x:auto}
figure.chart{margin:.6rem 0}
figure.chart img{max-width:100%;height:auto;border:1px solid #ccc;display:block;box-sizing:border-box}
figcaption{font-size:.8rem;color:#333}.headline{font-size:1rem}
ul.notes,ol.notes{font-size:.85rem;margin:.3rem 0;padding-left:1.2rem}ul.notes li,ol.notes li{margin:.15rem 0}
sup.mark{font-size:.7em;font-weight:bold}
footer.run{margin-top:1.2rem;border-top:1px solid #444;font-size:.75rem;color:#333}
ol.sources{font-size:.8rem}
section.first-page{break-after:page}
@page{size:A4;margin:14mm 13mm 15mm 13mm;@bottom-right{content:counter(page) " / " counter(pages)}}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
h1,h2,h3,caption{break-after:avoid;page-break-after:avoid}
h2,h3{break-inside:avoid}
tr,figure.chart,ul.notes li,ol.answer li,p.same,.headline{break-inside:avoid;page-break-inside:avoid}
div.table+p.same{break-before:avoid;page-break-before:avoid}
thead{display:table-header-group}
table.figures{font-size:7.5pt;max-width:100%}table.answer{font-size:9pt}table.wide{font-size:6.5pt}
table.figures td.text{max-width:16rem}
div.table{overflow:visible}
figure.chart img{width:100%;max-width:100%;height:auto}
a{color:inherit;text-decoration:none}
section{break-inside:auto}
}
"""
"""The style sheet, inlined in the page's ``<style>``."""
