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
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePath

from textual.css.model import RuleSet
from textual.css.stylesheet import CssSource, Stylesheet
from textual.css.tokenize import VARIABLE_REF, tokenize_value
from textual.css.tokenizer import Token
from textual.css.types import CSSLocation

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
