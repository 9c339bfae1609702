"""qmdrender: render Quarto documents (.qmd) to one self-contained HTML file and a PDF, offline.

`render(doc, {"html": out_html, "pdf": out_pdf})` runs the document's Python cells in one Jupyter
kernel and writes the formats asked for; a `quarto` binary on PATH is used instead when the engine
is "auto" or "quarto". `python -m qmdrender render doc.qmd --to html,pdf --output-dir DIR` does the
same from the command line.
"""

from qmdrender.engine import ENGINES, FORMATS, RenderError, choose_engine, parse_formats, render

__all__ = ["ENGINES", "FORMATS", "RenderError", "choose_engine", "parse_formats", "render"]
