"""A well-formedness and offline check of generated HTML (``report.html``), on the standard library.

:func:`html_problems` parses with :class:`html.parser.HTMLParser` and reports, each as one line:
an end tag that closes nothing or closes the wrong element, elements left open at the end, a
missing ``<!DOCTYPE html>`` / ``<title>``, duplicate ``id`` values, unescaped ``<`` in text (which
the parser sees as a bogus tag), and any reference that would load something at view time (an
``src`` / ``href`` / ``xlink:href`` / CSS ``url(...)`` / ``@import`` that is not a ``data:`` URI or
an in-page ``#anchor``). No problem: an empty list.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["VOID_ELEMENTS", "html_problems"]

VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
"""Elements without an end tag (HTML5)."""
_REF_ATTRS = {"src", "href", "xlink:href", "srcset", "poster", "data", "action"}
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:|#)([^'\")]+)|@import", re.IGNORECASE)


def _external(value: str) -> bool:
    value = value.strip().lower()
    return bool(value) and not (value.startswith("data:") or value.startswith("#"))


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.doctype = False
        self.title = False
        self.in_style = False

    def _where(self) -> str:
        line, col = self.getpos()
        return f"line {line}, column {col + 1}"

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower().strip() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)
        if tag == "title":
            self.title = True
        self.in_style = tag == "style"
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)  # <rect .../> in SVG, <br/>: nothing stays open

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _REF_ATTRS and value is not None and _external(value):
                self.problems.append(
                    f"{self._where()}: <{tag} {name}={value!r}> loads a resource at view time"
                )
            if name == "style" and value and _CSS_URL.search(value):
                self.problems.append(f"{self._where()}: <{tag}> style refers to an external resource")
            if name == "id" and value is not None:
                if value in self.ids:
                    self.problems.append(f"{self._where()}: duplicate id {value!r}")
                self.ids.add(value)

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if tag in VOID_ELEMENTS:
            return
        if all(t != tag for t, _ in self.stack):
            self.problems.append(f"{self._where()}: </{tag}> closes nothing")
        elif self.stack[-1][0] != tag:
            open_tag, line = self.stack[-1]
            self.problems.append(f"{self._where()}: </{tag}> closes <{open_tag}> opened on line {line}")
            while self.stack and self.stack.pop()[0] != tag:
                pass
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_style and _CSS_URL.search(data):
            self.problems.append(f"{self._where()}: <style> refers to an external resource")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"{self._where()}: unknown declaration {data[:40]!r}")


def html_problems(text: str) -> list[str]:
    """Every problem of the HTML document ``text`` (see the module docstring); ``[]`` when clean."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    raw = checker.rawdata if hasattr(checker, "rawdata") else ""
    if raw.strip():
        problems.append(f"unparsed text at the end: {raw[:40]!r}")
    problems += [f"<{tag}> opened on line {line} is never closed" for tag, line in checker.stack]
    if not checker.doctype:
        problems.append("no <!DOCTYPE html>")
    if not checker.title:
        problems.append("no <title>")
    return problems
