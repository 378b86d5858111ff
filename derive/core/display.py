"""Display methods for records, answered by the rendering layer.

Records (a :class:`~derive.core.proof.Proof`, an answer's ``Verdict``) are plain frozen data; how
they look in a terminal, a notebook or a PDF is the rendering layer's business, and rendering never
recomputes mathematics. :class:`Displayable` gives a record its display methods by asking the
:class:`Renderer` registered for the record's ``display_kind``. :mod:`derive.render` registers its
renderers when it is imported, and the mixin imports it by name on first use: the one place where a
lower layer reaches a higher one, as a plugin hook (by name, so no import points up and none closes
a cycle).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, ClassVar, Protocol

#: the package whose import registers the default renderers
RENDER_PACKAGE = "derive.render"


class Renderer(Protocol):
    """How one kind of record is shown."""

    def text(self, record: Any, *, color: bool = False) -> str: ...

    def markdown(self, record: Any) -> str: ...

    def html(self, record: Any) -> str: ...

    def latex(self, record: Any) -> str: ...

    def inline_latex(self, record: Any) -> str: ...

    def pdf(self, record: Any, path: Path) -> Path: ...


_RENDERERS: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    """Make ``renderer`` show the records whose ``display_kind`` is ``kind`` (replacing any other)."""
    _RENDERERS[kind] = renderer


def renderer(kind: str) -> Renderer:
    """The renderer registered for ``kind`` (importing :data:`RENDER_PACKAGE` on first use)."""
    if kind not in _RENDERERS:
        importlib.import_module(RENDER_PACKAGE)
    try:
        return _RENDERERS[kind]
    except KeyError:
        raise LookupError(f"no renderer for {kind!r} records; registered: {sorted(_RENDERERS)}") from None


class Displayable:
    """Display methods of a record, each delegated to its kind's :class:`Renderer`."""

    display_kind: ClassVar[str]

    def text(self, color: bool = False) -> str:
        """Plain text for a terminal (ANSI colours if ``color``)."""
        return renderer(self.display_kind).text(self, color=color)

    def latex(self) -> str:
        """LaTeX source: a standalone document for a proof, a formula for a verdict."""
        return renderer(self.display_kind).latex(self)

    def to_pdf(self, path: str | Path) -> Path:
        """Compile to a PDF at ``path`` (with latexmk); returns the path."""
        return renderer(self.display_kind).pdf(self, Path(path))

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return renderer(self.display_kind).html(self)

    def _repr_markdown_(self) -> str:
        return renderer(self.display_kind).markdown(self)

    def _repr_latex_(self) -> str:
        return renderer(self.display_kind).inline_latex(self)
