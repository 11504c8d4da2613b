"""Parsed CSS shared by every app in a process: the warm host parses it once for all sessions.

Textual parses the app's CSS files and every widget's ``DEFAULT_CSS`` for each new app, and
again in full whenever the theme is set (``Stylesheet.reparse`` starts from an empty cache).
:class:`SharedStylesheet` keeps what it parsed in a process-wide cache, keyed by the CSS text,
where it came from and the theme's variables, so the same CSS with the same variables is parsed
once per process. The ssh warm host fills that cache before it forks
(:func:`tui_reader.ssh.warm.preload`), so a forked session reuses the parsed rules (shared
copy-on-write) instead of parsing them again.

:func:`read_css_files` also keeps the text of the app's ``.tcss`` files, so opening a screen
whose CSS was read before does no disk I/O on the event loop.

Parsed rules (``RuleSet``) are only read once made: Textual itself shares them between every
parse of one stylesheet (its own cache), and here between stylesheets.

Between runs the parsed rules are kept in the data dir (:func:`load_parsed`,
:func:`save_parsed`): ``<data dir>/cache/css-<fingerprint>.bin``, the fingerprint naming this
program's and Python's versions and Textual's CSS modules (a file of another version is never
read). Parsing the reading screen's CSS took ~21 M instructions of a reopen's first frame
(~4 ms, a fifth of everything from ``App.run`` to the first frame); reading them back ~5 M.
The file holds the pickled rules behind a SHA-256 of them: a damaged file is ignored (and
written again), and unpickling builds nothing but Textual's own CSS objects
(:class:`_RulesUnpickler`).
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any

import textual.css.model
import textual.css.styles
from textual.css.model import RuleSet
from textual.css.stylesheet import CssSource, Stylesheet
from textual.css.tokenize import VARIABLE_REF, tokenize_value
from textual.css.tokenizer import Token
from textual.css.types import CSSLocation

import tui_reader
from tui_reader.digests import sha256

UI_FOLDER = Path(__file__).resolve().parent
"""Where the app's ``.tcss`` files live."""

PARSED_LIMIT = 512
"""Most parsed CSS sources kept (a few themes' worth of every widget's and screen's CSS)."""

_parsed: OrderedDict[tuple[object, ...], list[RuleSet]] = OrderedDict()
"""Parsed rules by (CSS, where from, default CSS?, tie breaker, scope, the variables)."""

_flat: OrderedDict[tuple[object, ...], list[RuleSet]] = OrderedDict()
"""Parsed rules without nested rules (each rule's tie breaker is its source's), by the key of
:data:`_parsed` less the tie breaker: the same CSS added again with another tie breaker (a
widget's base class's ``DEFAULT_CSS``, seen first from a shallower subclass) is not parsed
again, its rules are copied with the new tie breaker."""

_files: dict[str, str] = {}
"""Text of the ``.tcss`` files read so far, by absolute path."""

_value_tokens: dict[tuple[str, str], list[Token]] = {}
"""A CSS variable's value as tokens, by (name, value): as Textual's ``tokenize_values`` makes
them, once per process (a few themes' worth of variables; every theme has the same names)."""

_REFERENCE = re.compile(VARIABLE_REF)
"""A variable reference in CSS (``$name``), as Textual's tokenizer finds it."""


CACHE_FORMAT = 1
"""The layout of the parsed-CSS file (part of its fingerprint)."""

_MAGIC = b"tui-reader parsed css\n"
"""The parsed-CSS file's first bytes."""

_saved: set[tuple[object, ...]] = set()
"""Keys of :data:`_parsed` read from or written to the data dir's parsed-CSS file."""


def _remember(
    cache: OrderedDict[tuple[object, ...], list[RuleSet]],
    key: tuple[object, ...],
    rules: list[RuleSet],
) -> None:
    """Keep ``rules`` in ``cache`` under ``key``, the oldest dropped past :data:`PARSED_LIMIT`."""
    cache[key] = rules
    while len(cache) > PARSED_LIMIT:
        cache.popitem(last=False)


def _tokens_of(name: str, value: str) -> list[Token]:
    """The tokens of variable ``name``'s ``value`` (tokenized once per process)."""
    key = (name, value)
    tokens = _value_tokens.get(key)
    if tokens is None:
        tokens = list(tokenize_value(value, ("__name__", "")))
        _value_tokens[key] = tokens
    return tokens


def parsed_count() -> int:
    """How many parsed CSS sources the process keeps."""
    return len(_parsed)


def read_css_files(paths: Iterable[str | PurePath] | None = None) -> int:
    """Read ``paths`` (default: every ``.tcss`` of the app) into the file cache; how many."""
    if paths is None:
        paths = sorted(UI_FOLDER.rglob("*.tcss"))
    count = 0
    for path in paths:
        name = os.path.abspath(os.path.expanduser(path))
        try:
            with open(name, encoding="utf-8") as handle:
                _files[name] = handle.read()
        except OSError:
            continue
        count += 1
    return count


def _fingerprint() -> str:
    """What a parsed-CSS file is valid for: its layout, this program's and Python's versions,
    and the modules whose objects it holds (Textual's CSS model and styles, and this one),
    known by their sizes and modification times."""
    parts = [str(CACHE_FORMAT), tui_reader.__version__, sys.version]
    for module in (textual.css.model, textual.css.styles, sys.modules[__name__]):
        try:
            st = os.stat(module.__file__ or "")
        except OSError:
            parts.append("?")
            continue
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    return sha256("|".join(parts).encode()).hexdigest()[:16]


def css_cache_path(data_dir: Path) -> Path:
    """The data dir's parsed-CSS file for this program, Python and Textual."""
    return Path(data_dir) / "cache" / f"css-{_fingerprint()}.bin"


_DICT_METHODS = frozenset({"get", "__contains__", "__getitem__", "keys", "values", "items"})
"""A dict's methods parsed rules hold (Textual's ``Styles`` keeps its dict's ``get`` and
``__contains__``)."""


def _safe_getattr(obj: object, name: str) -> object:
    """``getattr`` as the pickle of parsed rules uses it: one of a dict's
    :data:`_DICT_METHODS`, or a public attribute of one of Textual's objects; nothing else."""
    owner = obj if isinstance(obj, type) else type(obj)
    if isinstance(obj, dict) and name in _DICT_METHODS:
        return getattr(obj, name)
    if name.startswith("_") or owner.__module__.partition(".")[0] != "textual":
        raise pickle.UnpicklingError(f"attribute {name!r} is not part of parsed CSS")
    return getattr(obj, name)


class _RulesUnpickler(pickle.Unpickler):
    """Unpickles parsed rules only: Textual's classes and functions (each from the module that
    defines it), ``functools.partial`` and :func:`_safe_getattr`; any other name is refused."""

    def find_class(self, module: str, name: str) -> Any:
        """The object pickled as ``module.name``, when it may be in parsed rules."""
        if (module, name) == ("functools", "partial"):
            return super().find_class(module, name)
        if (module, name) == ("builtins", "getattr"):
            return _safe_getattr
        if module.partition(".")[0] == "textual" and "." not in name:
            found = super().find_class(module, name)
            if getattr(found, "__module__", None) == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of parsed CSS")


def load_parsed(data_dir: Path) -> int:
    """Read the data dir's parsed-CSS file into the process's cache; how many sources it held
    (0 when there is none, or it is of no use: damaged, another layout, unreadable)."""
    try:
        with open(css_cache_path(data_dir), "rb") as handle:
            data = handle.read()
    except OSError:
        return 0
    head, digest = len(_MAGIC), len(_MAGIC) + 32
    payload = data[digest:]
    if data[:head] != _MAGIC or sha256(payload).digest() != data[head:digest]:
        return 0
    try:
        parsed, flat = _RulesUnpickler(io.BytesIO(payload)).load()
        entries, flat_entries = _entries(parsed), _entries(flat)
    except Exception:  # (any damage the digest missed: no cache)
        return 0
    for key, rules in entries:
        _parsed.setdefault(key, rules)
        _saved.add(key)
    for key, rules in flat_entries:
        _flat.setdefault(key, rules)
    return len(entries)


def _entries(cache: dict[object, object]) -> list[tuple[tuple[object, ...], list[RuleSet]]]:
    """The (key, rules) pairs of an unpickled cache of the shape :data:`_parsed` has (a key
    a tuple, rules a list of rule sets); any other pair is left out."""
    return [
        (key, rules)
        for key, rules in cache.items()
        if isinstance(key, tuple)
        and isinstance(rules, list)
        and all(isinstance(rule, RuleSet) for rule in rules)
    ]


ParsedRules = dict[tuple[object, ...], list[RuleSet]]
"""Parsed rules by their cache key (as :data:`_parsed` and :data:`_flat` hold them)."""

ParsedSnapshot = tuple[ParsedRules, ParsedRules]
"""The process's parsed CSS at one moment: (:data:`_parsed`, :data:`_flat`) copied."""


def unsaved_parsed() -> ParsedSnapshot | None:
    """A copy of the process's parsed CSS when it holds sources the data dir's file does not
    (None when it holds none): taken where CSS is parsed (the event loop), written anywhere
    (:func:`save_parsed`); the rules themselves are never changed once made."""
    if set(_parsed) <= _saved:
        return None
    return dict(_parsed), dict(_flat)


def save_parsed(data_dir: Path, snapshot: ParsedSnapshot) -> bool:
    """Write ``snapshot`` (:func:`unsaved_parsed`) to the data dir's parsed-CSS file; True when
    written. Atomic; a failed write leaves no file behind and is no error (the CSS is parsed
    again next time)."""
    path = css_cache_path(data_dir)
    try:
        payload = pickle.dumps(snapshot, pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".css-", delete=False) as temp:
            temp.write(_MAGIC + sha256(payload).digest() + payload)
        try:
            os.replace(temp.name, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp.name)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    _saved.update(snapshot[0])
    return True


class SharedStylesheet(Stylesheet):
    """A Textual stylesheet whose parsed rules are shared by every app in the process."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        """As :class:`~textual.css.stylesheet.Stylesheet`."""
        super().__init__(variables=variables)
        self._variables_key: tuple[int, tuple[tuple[str, str], ...]] | None = None
        """(id of the variables dict, its items in order): the variables' part of a cache key."""
        self._wanted_tokens: dict[str, list[Token]] | None = None
        """While a source is parsed: the tokens of only the variables it refers to."""

    @property
    def _variable_tokens(self) -> dict[str, list[Token]]:
        """The variables' tokens Textual substitutes: while a source is parsed, those of the
        variables it refers to (a theme has ~170 variables, tokenizing them all costs more than
        parsing the app's CSS); otherwise all of them (as Textual, for markup styles)."""
        wanted = self._wanted_tokens
        if wanted is not None:
            return wanted
        return super()._variable_tokens

    def _referenced_tokens(self, css: str) -> dict[str, list[Token]] | None:
        """The tokens of the variables ``css`` refers to; None when it refers to one that is not
        a variable of this stylesheet (one it defines itself, or a mistake: Textual's own
        substitution with every variable then handles it, its error message included)."""
        variables = self._variables
        wanted: dict[str, list[Token]] = {}
        for reference in _REFERENCE.findall(css):
            name = reference[1:]
            if name in wanted:
                continue
            value = variables.get(name)
            if value is None:
                return None
            wanted[name] = _tokens_of(name, value)
        return wanted

    def _key_of_variables(self) -> tuple[tuple[str, str], ...]:
        """The current variables as a hashable key (computed once per variables dict)."""
        variables = self._variables
        known = self._variables_key
        if known is None or known[0] != id(variables):
            known = (id(variables), tuple(sorted(variables.items())))
            self._variables_key = known
        return known[1]

    def _parse_rules(
        self,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        """Textual's parse, through the process-wide cache."""
        variables = self._key_of_variables()
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = _parsed.get(key)
        if rules is not None:
            _parsed.move_to_end(key)
            return rules
        flat_key = (css, read_from, is_default_rules, scope, variables)
        flat = _flat.get(flat_key)
        if flat is not None:
            _flat.move_to_end(flat_key)
            rules = [replace(rule, tie_breaker=tie_breaker) for rule in flat]
            _remember(_parsed, key, rules)
            return rules
        self._wanted_tokens = self._referenced_tokens(css)
        try:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
        finally:
            self._wanted_tokens = None
        if not any(rule.errors for rule in rules):
            _remember(_parsed, key, rules)
            if all(rule.tie_breaker == tie_breaker for rule in rules):
                _remember(_flat, flat_key, rules)
        return rules

    def read(self, filename: str | PurePath) -> None:
        """Read a CSS file (from the file cache when it was read before)."""
        path = os.path.abspath(os.path.expanduser(filename))
        css = _files.get(path)
        if css is None:
            super().read(filename)
            return
        self.source[(path, "")] = CssSource(css, False, 0)
        self._require_parse = True

    def reparse(self) -> None:
        """Parse every source again with the current variables (through the shared cache).

        As Textual's ``Stylesheet.reparse``, but the fresh stylesheet it parses into is a
        :class:`SharedStylesheet`, so rules parsed before with these variables are reused.
        """
        stylesheet = SharedStylesheet(variables=self._variables)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            stylesheet.add_source(
                css,
                read_from=read_from,
                is_default_css=is_defaults,
                tie_breaker=tie_breaker,
                scope=scope,
            )
        try:
            stylesheet.parse()
        except Exception:
            self._invalid_css.update(stylesheet._invalid_css)
            raise
        self._rules = stylesheet.rules
        self._rules_map = None
        self.source = stylesheet.source
        self._require_parse = False
