"""The grammar (``grammar.lark``, beside this module) and the LALR parser built from it once.

:func:`parse_tree` reads normalised text into a Lark tree and turns Lark's errors into
:class:`~derive.errors.AnswerSyntaxError` messages a student can act on.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import AnswerSyntaxError

#: the grammar file, shipped inside the package (the wheel includes every file under derive/)
GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")


@lru_cache(maxsize=1)
def lark_parser() -> Any:
    """The LALR parser of :data:`GRAMMAR_FILE` (linear time), built on first use."""
    from lark import Lark

    grammar = GRAMMAR_FILE.read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=False, propagate_positions=False)


def parse_tree(src: str) -> Any:
    """The parse tree of normalised text ``src``."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        return lark_parser().parse(src)
    except UnexpectedCharacters as exc:
        ch = src[exc.pos_in_stream] if exc.pos_in_stream < len(src) else ""
        raise AnswerSyntaxError(f"unexpected character {ch!r} at position {exc.column}") from None
    except UnexpectedEOF:
        raise AnswerSyntaxError("the answer ends too early (an operator or bracket is not completed)") from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise AnswerSyntaxError("the answer ends too early (an operator or bracket is not completed)") from None
        tok = str(exc.token)
        tok = tok if len(tok) <= 40 else tok[:37] + "..."
        raise AnswerSyntaxError(f"unexpected {tok!r} at position {exc.column}") from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise AnswerSyntaxError(f"could not read the answer ({type(exc).__name__})") from None
