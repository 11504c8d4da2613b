"""Textual bindings built from the binding table (:mod:`tui_reader.keys`), one id per binding."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tui_reader.keys import KeySpec, by_id, screen_specs


def to_binding(spec: KeySpec, action: str | None = None) -> Binding:
    """The Textual binding for ``spec`` (``action`` replaces its action, for a widget's own)."""
    return Binding(
        spec.keys,
        action or spec.action,
        spec.description,
        show=spec.show,
        id=spec.id,
        tooltip=spec.help,
    )


def bindings(screen: str) -> list[BindingType]:
    """Every binding of ``screen`` ("reader", "library", ...), ids and all."""
    return [to_binding(spec) for spec in screen_specs(screen)]


def binding(binding_id: str, action: str | None = None) -> Binding:
    """One binding by id (``action`` replaces its action: a widget's way to the same thing)."""
    spec = by_id(binding_id)
    if spec is None:
        raise KeyError(binding_id)
    return to_binding(spec, action)
