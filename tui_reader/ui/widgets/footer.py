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
  while one is pending are one; when the keys would look the same (the same keys, names and
  states, in the same places) the keys on show take the new bindings' actions and tooltips in
  place, and nothing is remounted.

:meth:`KeysFooter._plan` follows ``textual.widgets._footer.Footer.compose`` (Textual 8).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import TYPE_CHECKING, Any, NamedTuple

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


class KeyPlan(NamedTuple):
    """One key of the footer: what it shows and what it does (a named tuple: cheaper to define
    at start-up than a dataclass)."""

    key: str
    """The key pressed when it is clicked."""
    key_display: str
    """The key as shown."""
    description: str
    """Its description ("" in a group)."""
    action: str
    """The binding's action."""
    disabled: bool
    """True when the action cannot run now (shown dim)."""
    tooltip: str
    """Its tooltip."""
    classes: str
    """Its classes ("-grouped", "-command-palette")."""
    compact: bool
    """Its compact style."""

    def look(self) -> tuple[object, ...]:
        """What a reader sees of it (the tooltip only on hover: not part of its look)."""
        return (self.key_display, self.description, self.disabled, self.classes, self.compact)

    def make(self) -> FixedFooterKey:
        """The widget."""
        return FixedFooterKey(
            self.key,
            self.key_display,
            self.description,
            self.action,
            disabled=self.disabled,
            tooltip=self.tooltip,
            classes=self.classes,
            compact=self.compact,
        )


class GroupPlan(NamedTuple):
    """Keys shown together under one description."""

    compact: bool
    """The group's compact style."""
    description: str
    """The group's description."""
    keys: tuple[KeyPlan, ...]
    """Its keys."""


def _look(plan: list[KeyPlan | GroupPlan]) -> list[object]:
    """What a reader sees of a footer's plan."""
    return [
        (p.compact, p.description, [k.look() for k in p.keys])
        if isinstance(p, GroupPlan)
        else p.look()
        for p in plan
    ]


def _keys(plan: list[KeyPlan | GroupPlan]) -> list[KeyPlan]:
    """Every key of a plan, in order."""
    found: list[KeyPlan] = []
    for part in plan:
        found += part.keys if isinstance(part, GroupPlan) else [part]
    return found


class KeysFooter(Footer):
    """Textual's footer, composed only when the keys it shows change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As :class:`~textual.widgets.Footer`."""
        super().__init__(*args, **kwargs)
        self._recompose_pending = False
        self._plan: list[KeyPlan | GroupPlan] = []
        """The keys on show."""
        self._made: list[FixedFooterKey] = []
        """Their widgets, in the plan's order."""

    def _make_plan(self) -> list[KeyPlan | GroupPlan]:
        """The keys to show now, grouped as Textual's footer groups them."""
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
        compact = self.compact
        display = self.app.get_key_display
        plan: list[KeyPlan | GroupPlan] = []
        for group, multi_bindings_iterable in groupby(
            action_to_bindings.values(),
            lambda multi_bindings_: multi_bindings_[0][0].group,
        ):
            multi_bindings = list(multi_bindings_iterable)
            if group is not None and len(multi_bindings) > 1:
                keys = []
                for grouped in multi_bindings:
                    binding, enabled, tooltip = grouped[0]
                    keys.append(
                        KeyPlan(
                            binding.key,
                            display(binding),
                            "",
                            binding.action,
                            not enabled,
                            tooltip or binding.description,
                            "-grouped",
                            compact,
                        )
                    )
                plan.append(GroupPlan(group.compact, group.description, tuple(keys)))
            else:
                for single in multi_bindings:
                    binding, enabled, tooltip = single[0]
                    plan.append(
                        KeyPlan(
                            binding.key,
                            display(binding),
                            binding.description,
                            binding.action,
                            not enabled,
                            tooltip,
                            "",
                            compact,
                        )
                    )
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active_bindings[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                pass
            else:
                plan.append(  # not bound to the footer's compact: Textual's is compact
                    KeyPlan(
                        binding.key,
                        display(binding),
                        binding.description,
                        binding.action,
                        not enabled,
                        binding.tooltip or binding.description,
                        "-command-palette",
                        True,
                    )
                )
        return plan

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
        """Remount the keys, unless they would look as the ones on show (then update those)."""
        self._recompose_pending = False
        if not self.is_attached or not self._bindings_ready:
            return
        plan = self._make_plan()
        if _look(plan) == _look(self._plan) and len(self._made) == len(_keys(plan)):
            for widget, key in zip(self._made, _keys(plan), strict=True):
                widget.key, widget.action = key.key, key.action
                widget.tooltip = key.tooltip or None
            self._plan = plan
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        """The keys, as Textual's footer composes them (but each with its style fixed).

        As Textual's, none until the screen's bindings are first refreshed (the keys in force
        are known once the screen has mounted and its focus has settled).
        """
        self._made = []
        if not self._bindings_ready:
            self._plan = []
            return
        self._plan = plan = self._make_plan()
        self.styles.grid_size_columns = len({key.action for key in _keys(plan)})
        for part in plan:
            if isinstance(part, GroupPlan):
                with KeyGroup(classes="-compact" if part.compact else ""):
                    for key in part.keys:
                        self._made.append(key.make())
                        yield self._made[-1]
                yield FooterLabel(part.description)
            else:
                self._made.append(part.make())
                yield self._made[-1]
