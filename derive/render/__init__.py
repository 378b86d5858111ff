"""Rendering: LaTeX sheets, the book, terminal text and notebook displays of records.

- :mod:`.tex`: the one printer (SymPy to LaTeX, LaTeX-ish prose to plain text, escaping);
- :mod:`.templates`: the Jinja environment of the templates in the top-level ``templates/``;
- :mod:`.sheet`, :mod:`.figures`, :mod:`.book`: one proof's sheet, its figure, the whole book;
- :mod:`.text`: terminal and Markdown views; :mod:`.pdf`: latexmk;
- :mod:`.renderers`: the renderers behind ``Proof.text()``, ``Proof.latex()``... registered here.

Rendering never recomputes mathematics: it prints what a proof recorded.
"""

from __future__ import annotations

from ..core import display
from .renderers import ProofRenderer, VerdictRenderer

display.register("proof", ProofRenderer())
display.register("verdict", VerdictRenderer())
