"""User text (names, notes, file names) made safe for widgets that render Markdown.

Streamlit renders Markdown in st.header, st.success, st.caption, tab labels and more: a name
like `![t](http://host/pixel.png)` would make every viewer's browser fetch that image, and
`:red[...]` or a link would restyle the page. `plain` escapes every ASCII punctuation mark
(CommonMark lets any of them be escaped), so the text shows exactly as typed.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str, limit: int = 200) -> str:
    """`text` on one line, at most `limit` characters, with Markdown and HTML defused."""
    one_line = " ".join(str(text).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return _PUNCTUATION.sub(r"\\\1", one_line)
