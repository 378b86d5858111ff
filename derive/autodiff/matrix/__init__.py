"""Matrix calculus at symbolic sizes: :func:`gradient` of a scalar matrix expression, every step verified.

:mod:`.parse` reads the expression (an allow-list, no ``eval``); :mod:`.index` writes it in index
notation; :mod:`.back` proposes the matrix form by reverse-mode rules; :mod:`.canonical` and
:mod:`.ladder` verify index forms; :mod:`.numeric` checks by finite differences; :mod:`.api` builds
the proof.
"""

from __future__ import annotations

from .api import Gradient, gradient
from .nodes import MatrixExpressionError, Node
from .parse import parse

__all__ = ["Gradient", "MatrixExpressionError", "Node", "gradient", "parse"]
