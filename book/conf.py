"""Sphinx configuration of the rendered book (`make book`): theory, notebooks with stored outputs, report.

The source directory is the repository root, so links between docs/, notebooks/ and report/ resolve the
same way on GitHub and in the book; only the files listed in ``include_patterns`` are read.
"""
import shutil
from pathlib import Path

import mathjax  # the PyPI package django-static-mathjax: MathJax 3.2.2's files, nothing of Django

project = "twolayer-recovery"
author = "the twolayer-recovery developers"
root_doc = "book/index"
extensions = ["myst_nb"]
include_patterns = ["book/index.md", "docs/theory.md", "notebooks/*.ipynb", "report/report.md",
                    "report/figures/*.png"]
exclude_patterns = ["build", ".venv", "notebooks/*.md"]
nb_execution_mode = "off"          # the stored outputs are the ones nbval checks; never re-run here
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 2
html_theme = "alabaster"
html_title = "twolayer-recovery"
suppress_warnings = ["myst.header"]

# Markdown printed by a notebook (the paper map, evidence tables) rendered with GitHub's tables
nb_render_markdown_format = "gfm"

# MathJax ships with the book, so formulas are typeset offline: the SVG build has its glyphs inside
# (no font files to fetch) and every TeX extension (nothing loaded on demand). No page refers to a CDN.
MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax"
mathjax_path = "mathjax/tex-svg-full.js"


def _ship_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        folder = Path(app.outdir) / "_static" / "mathjax"
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("es5/tex-svg-full.js", "LICENSE"):
            shutil.copy2(MATHJAX / name, folder / Path(name).name)


def setup(app):
    app.connect("build-finished", _ship_mathjax)
    # MathJax on every page: a notebook title with a formula is shown in every page's sidebar
    app.set_html_assets_policy("always")

# wide enough for the paper map's five columns beside the sidebar
html_theme_options = {"page_width": "1240px", "sidebar_width": "240px"}
