"""The EPUB's XML files (container.xml, the OPF, the NCX) read safely into a small tree.

Built straight on the expat parser the standard library ships (:mod:`pyexpat`), without
:mod:`xml.etree.ElementTree` and defusedxml (about 0.6 MiB resident between them, for three
small files a book): the same protections as defusedxml's defaults — an entity declaration
(the "billion laughs" bomb) or an external entity reference is refused, a document type
declaration without them (an NCX's ``<!DOCTYPE ncx PUBLIC …>``) is fine — and the same names:
an element's tag is ``{namespace}local`` as ElementTree writes it, so callers read
:attr:`Node.tag`, :meth:`Node.get`, :meth:`Node.iter` and :meth:`Node.itertext` as they would an
``Element``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pyexpat import ExpatError, ParserCreate


class UnsafeXml(ValueError):
    """The document declares entities or refers to external ones."""


class Node:
    """One element: its tag, attributes, and content (text and child elements in order)."""

    __slots__ = ("attrib", "content", "tag")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        """An element with no content yet."""
        self.tag = tag
        """``{namespace}local``, or ``local`` outside any namespace."""
        self.attrib = attrib
        """Attributes by name (``{namespace}local`` for a prefixed one)."""
        self.content: list[str | Node] = []
        """Text and child elements in document order."""

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute's value, or ``default``."""
        return self.attrib.get(name, default)

    def iter(self) -> Iterator[Node]:
        """This element and every element inside it, in document order (no recursion: a
        deeply nested file is walked like any other)."""
        for item in self._walk():
            if isinstance(item, Node):
                yield item

    def itertext(self) -> Iterator[str]:
        """Every piece of text inside this element, in document order."""
        for item in self._walk():
            if isinstance(item, str):
                yield item

    def _walk(self) -> Iterator[str | Node]:
        """This element, then its content depth first, in document order."""
        pending: list[str | Node] = [self]
        while pending:
            item = pending.pop()
            yield item
            if isinstance(item, Node):
                pending.extend(reversed(item.content))


def _name(raw: str) -> str:
    """expat's ``namespace}local`` as ElementTree's ``{namespace}local``."""
    return "{" + raw if "}" in raw else raw


def parse(data: bytes) -> Node:
    """The document's root element.

    Raises :class:`UnsafeXml` for entity declarations or external entity references, and
    :class:`pyexpat.ExpatError` (a malformed document) with expat's one-line message.
    """
    parser = ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    stack: list[Node] = []
    roots: list[Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = Node(_name(tag), {_name(k): v for k, v in attrs.items()})
        if stack:
            stack[-1].content.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].content.append(data)

    def refuse(*_args: object) -> int:
        raise UnsafeXml("entities")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.Parse(data, True)
    if not roots:
        raise ExpatError("no element found")
    return roots[0]
