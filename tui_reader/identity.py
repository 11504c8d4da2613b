"""A story's identity: the id its reader state is kept under, from where the story lives online.

Textual-free. The same work read from an AO3 HTML download, the EPUB the archive makes of it,
or FanFicFare's TXT, HTML or EPUB of it carries the same source address (AO3's work URL,
FanFicFare's ``Story URL``, an EPUB's ``dc:source``), so the id made from that address
(:func:`source_id`) is the same whatever the file's format, name or place. A story without a
source is known by its title and author (:func:`title_id`), again without the format.

Addresses are normalised so that the forms one work is linked by agree:

- AO3 and its mirrors (``archiveofourown.org``/``.com``/``.net``/…, ``ao3.org``): any path
  naming ``/works/N`` (a chapter, a collection's copy, a download link ``/downloads/N/…``) is
  ``ao3:work:N``;
- fanfiction.net and fictionpress.com: ``/s/N/…`` is ``ffnet:s:N`` and ``fictionpress:s:N``;
- FanFicFare's offline test adapters (``http://test1.com?sid=N``): ``test1.com:sid:N``;
- Royal Road ``/fiction/N/…``, Wattpad ``/story/N-…`` and XenForo forum threads
  (``/threads/title.N/…``) by their number;
- any other address: lower-case host without ``www.`` or ``m.``, path without a trailing slash
  or a trailing chapter part, the query's parameters sorted, the scheme, port 80/443, user and
  fragment left out (``example.org/fic/a-story?id=3``).

An address that names no one story — a site's front page, an AO3 user, tag or collection page
— is no source: many stories may carry it, and they must not become one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tui_reader.digests import sha256
from tui_reader.text import collapse_whitespace


class _Pattern:
    """A regular expression compiled on its first use: an id made without a source address
    (the stories a start usually opens) compiles none of these."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        """Keep ``pattern`` and ``flags`` for :meth:`compiled`."""
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The compiled expression (compiled now the first time)."""
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        """``re.Pattern.search``."""
        return self.compiled().search(text)

    def match(self, text: str) -> re.Match[str] | None:
        """``re.Pattern.match``."""
        return self.compiled().match(text)

    def sub(self, replacement: str, text: str) -> str:
        """``re.Pattern.sub``."""
        return self.compiled().sub(replacement, text)


MAX_ID_LENGTH = 200
"""The longest id kept as it is; a longer canonical address is cut and given a hash suffix."""

_AO3_HOST = _Pattern(r"(?:^|\.)(?:archiveofourown\.[a-z]+|ao3\.org)$")
"""AO3 and its mirrors (archiveofourown.org/.com/.net/.gay, ao3.org, download. and insecure.)."""

_AO3_WORK = _Pattern(r"/(?:works|downloads)/(\d+)(?:/|$)")
"""A work's number in an AO3 path: ``/works/N``, ``/works/N/chapters/M``, ``/downloads/N/…``."""

_AO3_SERIES = _Pattern(r"/series/(\d+)(?:/|$)")
"""A series' number in an AO3 path."""

_FFNET_HOSTS = {"fanfiction.net": "ffnet", "fictionpress.com": "fictionpress"}
"""FanFiction.Net's family of sites (``/s/N/chapter/slug``), by their short name."""

_FFNET_STORY = _Pattern(r"^/s/(\d+)(?:/|$)")
"""A story's number in a FanFiction.Net path."""

_TEST_HOST = _Pattern(r"^test\d+\.com$")
"""FanFicFare's offline test adapters (``test1.com`` …)."""

_ROYALROAD_HOST = _Pattern(r"(?:^|\.)royalroad\.com$|(?:^|\.)royalroadl\.com$")
"""Royal Road."""

_ROYALROAD_FICTION = _Pattern(r"^/fiction/(\d+)(?:/|$)")
"""A fiction's number in a Royal Road path (``/fiction/N/slug/chapter/M/slug``)."""

_WATTPAD_HOST = _Pattern(r"(?:^|\.)wattpad\.com$")
"""Wattpad."""

_WATTPAD_STORY = _Pattern(r"^/story/(\d+)(?:[-/]|$)")
"""A story's number in a Wattpad path (``/story/N-slug``)."""

_XENFORO_THREAD = _Pattern(r"^/(?:community/|forums?/)?threads/(?:[^/]*\.)?(\d+)(?:/|$)")
"""A XenForo thread's number (SpaceBattles, Sufficient Velocity, Questionable Questing …)."""

_CHAPTER_TAIL = _Pattern(r"/(?:chapters?|chap|ch)[/_-]?\d+(?:/[^/]*)?$", re.IGNORECASE)
"""A trailing chapter part of an otherwise unknown address (``/chapters/3``, ``/chapter-3``)."""

_DROPPED_QUERY = frozenset(
    {"chapter", "chapter_id", "chapterid", "ch", "view_adult", "view_full_work", "fbclid", "ref"}
)
"""Query parameters that pick a chapter or a view, not a story (``utm_*`` are dropped too)."""

_SCHEMELESS = _Pattern(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]|$)", re.I)
"""An address written without its scheme (``archiveofourown.org/works/1``)."""


def source_id(url: str | None) -> str | None:
    """The normalised id of a story's source address, or None when ``url`` is not a web address.

    >>> source_id("https://archiveofourown.org/works/123/chapters/456?view_adult=true")
    'ao3:work:123'
    >>> source_id("http://test1.com?sid=12")
    'test1.com:sid:12'
    """
    if url is None:
        return None
    text = url.strip()
    if not text or any(c.isspace() for c in text):
        return None
    if text.startswith("//"):
        text = "http:" + text
    elif "://" not in text and _SCHEMELESS.match(text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return None
    host = _bare_host(host)
    path = _clean_path(parts.path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    known = _known_site(host, path, query)
    if known is not None:
        return known
    if _AO3_HOST.search(host):
        return None  # a user, tag or collection page names no one story
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    path = _CHAPTER_TAIL.sub("", path) if path.count("/") > 1 else path
    kept = sorted(
        (k, v) for k, v in query if k.lower() not in _DROPPED_QUERY and not k.startswith("utm_")
    )
    if not path and not kept:
        return None  # a site's front page is where many stories live, not one story
    canonical = host + path + (f"?{urlencode(kept)}" if kept else "")
    if len(canonical) > MAX_ID_LENGTH:
        digest = sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        canonical = f"{canonical[: MAX_ID_LENGTH - 17]}#{digest}"
    return canonical


def title_id(title: str, author: str | None) -> str:
    """The id of a story without a source: a hash of its title and author (case and spacing
    folded), the same for every format of the story."""
    key = "\n".join(
        ("by-title", collapse_whitespace(title).strip().casefold(), _folded(author or ""))
    )
    return sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def story_id(title: str, author: str | None, source_url: str | None) -> str:
    """A story's id: its source's :func:`source_id` when it has one, else :func:`title_id`."""
    return source_id(source_url) or title_id(title, author)


def legacy_story_id(fmt: str, title: str, author: str | None) -> str:
    """The id reader state was kept under before identity by source: a hash of the format, the
    title and the author (kept to find that state and move it, see ``StateStore.adopt_ids``)."""
    key = f"{fmt}\n{title.casefold()}\n{(author or '').casefold()}"
    return sha256(key.encode("utf-8")).hexdigest()[:16]


def _folded(text: str) -> str:
    """``text`` with case and runs of whitespace folded."""
    return collapse_whitespace(text).strip().casefold()


def _bare_host(host: str) -> str:
    """The host without the ``www.``/``m.`` a site also answers on."""
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def _clean_path(path: str) -> str:
    """The path with escapes in one form, no repeated or trailing slashes ("" for the root)."""
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~")
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
    return path


def _query_value(query: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name`` in a parsed query."""
    return next((v for k, v in query if k.lower() == name), None)


def _known_site(host: str, path: str, query: list[tuple[str, str]]) -> str | None:
    """The id of an address on a site whose story numbers are known, else None."""
    if _AO3_HOST.search(host):
        if match := _AO3_WORK.search(path):
            return f"ao3:work:{int(match.group(1))}"
        if match := _AO3_SERIES.search(path):
            return f"ao3:series:{int(match.group(1))}"
        return None
    short = _FFNET_HOSTS.get(host)
    if short is not None and (match := _FFNET_STORY.match(path)):
        return f"{short}:s:{int(match.group(1))}"
    if _TEST_HOST.match(host):
        sid = _query_value(query, "sid")
        if sid is not None and sid.strip().isdigit():
            return f"{host}:sid:{int(sid)}"
    if _ROYALROAD_HOST.search(host) and (match := _ROYALROAD_FICTION.match(path)):
        return f"royalroad:fiction:{int(match.group(1))}"
    if _WATTPAD_HOST.search(host) and (match := _WATTPAD_STORY.match(path)):
        return f"wattpad:story:{int(match.group(1))}"
    if match := _XENFORO_THREAD.match(path):
        return f"{host}:threads:{int(match.group(1))}"
    return None
