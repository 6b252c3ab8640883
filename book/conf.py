"""Sphinx configuration of the rendered book (`make book`): theory, notebooks with stored outputs, report.

The source directory is the repository root, so links between docs/, notebooks/ and report/ resolve the
same way on GitHub and in the book; only the files listed in ``include_patterns`` are read.
"""
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
