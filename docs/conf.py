"""Sphinx configuration of the mtfs_model documentation.

Build (from the repository root, after ``pip install -e ".[dev,docs]"``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Pages that are generated, never typed, are written into ``docs/_generated/`` when the
build starts (``_ext/generate.py``): the shipped notebooks (copied from ``notebooks/`` so
they are executed here, not duplicated in git), a reference page for each public name of
``mtfs_model`` and for each edition, scenario and evidence file (from the JSON Schemas the
library itself produces).  Notebooks and ``{code-cell}`` pages are executed at build time;
a failing cell fails the build.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import generate  # noqa: E402  (docs/_ext, on the path just above)

import mtfs_model  # noqa: E402

generate.write_all(DOCS)

project = "mtfs_model"
author = "mtfs_model contributors"
copyright = "2026, mtfs_model contributors"
release = mtfs_model.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinxarg.ext",
    "sphinx_copybutton",
    "sphinx_design",
]

exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "README.md"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}

# MyST: $ is money in these pages, never maths
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Notebooks: executed on every build from a fresh cache folder inside _build (a local
# rebuild re-runs only what changed); a cell that raises fails the build.
# The cache is keyed by each notebook's code; the folder is keyed by the library's source,
# so any change to mtfs_model re-executes every page (a cached output never hides a break).
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache" / generate.source_digest())
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# Markdown a cell prints (a table of the engine's tables) is MyST, so its tables render.
nb_render_markdown_format = "myst"
# Widgets would need require.js and the widget manager from a CDN: the site stays offline,
# so a slider shows its text form here (the sliders live in JupyterLab).
nb_ipywidgets_js = {}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# Type hints name pandas, numpy and pydantic classes this offline site does not document.
nitpicky = False
suppress_warnings = ["myst.header"]

doctest_global_setup = "import mtfs_model"

html_theme = "pydata_sphinx_theme"
html_title = f"mtfs_model {release}"
html_static_path = ["_static"]
html_css_files = ["mtfs.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
    # nothing fetched from elsewhere: no analytics, no icon links, no version switcher
    "icon_links": [],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
