"""Preferences and Settings are written out for speed at start (tui_reader/values.py): their
``__init__`` repeats each field's default. The two copies must never drift apart."""

from __future__ import annotations

import inspect
from dataclasses import MISSING, fields

import pytest

from tui_reader.config import Preferences, Settings


@pytest.mark.parametrize("cls", [Preferences, Settings])
def test_init_takes_every_field_with_the_fields_default(cls: type) -> None:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in fields(cls)]
    made = cls()
    for field in fields(cls):
        if field.default is not MISSING:
            assert getattr(made, field.name) == field.default, field.name
        else:  # (a factory: a new value each time, equal to the factory's)
            assert getattr(made, field.name) == field.default_factory(), field.name  # type: ignore[misc]
