"""The footer of every screen: Textual's :class:`~textual.widgets.Footer`, cheaper to mount.

It looks exactly like Textual's footer (same widgets, classes and styles); what differs is the
work behind it, which was the largest part of a session's first screen:

- Textual's footer binds every key's ``compact`` to its own (``data_bind``): each key is
  restyled twice as it mounts (its default ``compact=True`` adds the ``-compact`` class, the
  binding to the footer's ``False`` removes it again). Here each key is made with its final
  ``compact`` value and class, so mounting it restyles nothing.
- Textual's footer recomposes (removes every key and mounts new ones) each time the screen's
  bindings are refreshed, several times while a screen mounts (focus moves, the screen is
  pushed, the keymap is set), whether or not the keys shown changed. Here recomposes asked for
  while one is pending are one, and a recompose that would show the same keys does nothing.

:meth:`KeysFooter.compose` follows ``textual.widgets._footer.Footer.compose`` (Textual 8).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.screen import Screen


class FixedFooterKey(FooterKey):
    """A footer key whose ``compact`` style is fixed when it is made (nothing to restyle)."""

    def __init__(self, *args: Any, compact: bool, **kwargs: Any) -> None:
        """A :class:`FooterKey` (same arguments), compact or not from the start."""
        super().__init__(*args, **kwargs)
        self.set_reactive(FooterKey.compact, compact)
        self.set_class(compact, "-compact", update=False)


class KeysFooter(Footer):
    """Textual's footer, composed only when the keys it shows change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As :class:`~textual.widgets.Footer`."""
        super().__init__(*args, **kwargs)
        self._recompose_pending = False
        self._shown: tuple[object, ...] | None = None
        """What the keys on show were composed from (None before the first keys)."""

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything :meth:`compose` draws from: the keys shown and how each looks."""
        shown: list[object] = [self.compact, self.show_command_palette]
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            shown.append((binding, enabled, tooltip, self.app.get_key_display(binding)))
        return tuple(shown)

    def watch_compact(self) -> None:
        """The footer's style changed: its keys follow (Textual's are bound to it)."""
        if self.is_attached and self._bindings_ready:
            self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """The screen's bindings were refreshed: recompose once, after the refresh."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        """Remount the keys, unless they would be the ones already shown."""
        self._recompose_pending = False
        if not self.is_attached or not self._bindings_ready:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        """The keys, as Textual's footer composes them (but each with its style fixed)."""
        if not self._bindings_ready:
            return
        self._shown = self._keys_shown()
        active_bindings = self.screen.active_bindings
        bindings = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active_bindings.values()
            if binding.show
        ]
        action_to_bindings: defaultdict[str, list[tuple[Binding, bool, str]]]
        action_to_bindings = defaultdict(list)
        for binding, enabled, tooltip in bindings:
            action_to_bindings[binding.action].append((binding, enabled, tooltip))
        self.styles.grid_size_columns = len(action_to_bindings)
        compact = self.compact
        for group, multi_bindings_iterable in groupby(
            action_to_bindings.values(),
            lambda multi_bindings_: multi_bindings_[0][0].group,
        ):
            multi_bindings = list(multi_bindings_iterable)
            if group is not None and len(multi_bindings) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for grouped in multi_bindings:
                        binding, enabled, tooltip = grouped[0]
                        yield FixedFooterKey(
                            binding.key,
                            self.app.get_key_display(binding),
                            "",
                            binding.action,
                            disabled=not enabled,
                            tooltip=tooltip or binding.description,
                            classes="-grouped",
                            compact=compact,
                        )
                yield FooterLabel(group.description)
            else:
                for single in multi_bindings:
                    binding, enabled, tooltip = single[0]
                    yield FixedFooterKey(
                        binding.key,
                        self.app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        disabled=not enabled,
                        tooltip=tooltip,
                        compact=compact,
                    )
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active_bindings[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                pass
            else:
                yield FixedFooterKey(  # not bound to the footer's compact: Textual's is compact
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                    compact=True,
                )
