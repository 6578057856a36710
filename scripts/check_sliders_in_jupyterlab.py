"""Open a copy of notebooks/what_if.ipynb in a real JupyterLab in headless Chromium (1,280 x 900,
the file browser open), run all cells, measure every slider's label and track width, drag
the first slider, and save screenshots: the check behind the README's "every slider
draggable".  Not part of the test suite (it needs Playwright's Python package and a system
Chromium: ``pip install playwright; apt-get install chromium``)::

    python scripts/check_sliders_in_jupyterlab.py . .venv/bin/python sliders.png
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

PORT = "8899"
SLIDERS = """() => Array.from(document.querySelectorAll('.widget-slider')).map(el => {
  const w = (x) => x ? x.getBoundingClientRect().width : -1;
  const label = el.querySelector('.widget-label');
  const track = el.querySelector('.slider-container') || el.querySelector('.noUi-target');
  return {label: label ? label.textContent : '', tooltip: label ? label.title : '',
          box: w(el), label_width: w(label), track: w(track), readout: w(el.querySelector('.widget-readout'))};
})"""
IMAGES = """() => Array.from(document.querySelectorAll('.widget-html svg'))
  .map(i => [i.getBoundingClientRect().width, i.width.baseVal.value])"""
CAPTION = """() => { const c = document.querySelector('.widget-html caption'); return c ? c.textContent : ''; }"""


def main(repo: Path, python: str, out: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="mtfs-lab-"))
    shutil.copy(repo / "notebooks" / "what_if.ipynb", work / "what_if.ipynb")
    command = [
        python, "-m", "jupyter", "lab", "--no-browser", f"--port={PORT}", "--ServerApp.token=",
        "--ServerApp.password=", f"--ServerApp.root_dir={work}", "--expose-app-in-browser",
        "--ServerApp.ip=127.0.0.1", "--allow-root",
    ]  # fmt: skip
    with (work / "server.log").open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/lab", timeout=2)
                    break
                except OSError:
                    time.sleep(1)
            report = drive(out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(report, indent=1))


def drive(out: Path) -> dict[str, object]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or None, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{PORT}/lab/tree/what_if.ipynb")
        page.wait_for_function("window.jupyterapp !== undefined", timeout=120_000)
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        time.sleep(8)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".widget-slider", timeout=300_000)
        time.sleep(6)
        sliders = page.evaluate(SLIDERS)
        images = page.evaluate(IMAGES)
        page.query_selector_all(".widget-slider")[0].scroll_into_view_if_needed()
        time.sleep(1)
        page.screenshot(path=str(out))
        handle = page.query_selector_all(".widget-slider .noUi-handle")[0]
        box = handle.bounding_box()
        assert box is not None
        readout = page.query_selector_all(".widget-slider .widget-readout")[0]
        before = readout.inner_text()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(box["x"] - 120, y, steps=8)
        page.mouse.up()
        time.sleep(4)
        after = page.query_selector_all(".widget-slider .widget-readout")[0].inner_text()
        caption = page.evaluate(CAPTION)
        page.screenshot(path=str(out.with_name(out.stem + "_moved.png")))
        chart = page.query_selector(".widget-html svg")
        if chart is not None:  # the chart after the move, as the reader sees it
            chart.scroll_into_view_if_needed()
            time.sleep(1)
            page.screenshot(path=str(out.with_name(out.stem + "_chart.png")))
        browser.close()
    return {"sliders": sliders, "images": images, "drag": [before, after], "caption_after": caption}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).resolve()), indent=1))
