"""Value classes that cost almost nothing to define.

``@dataclass`` writes each class's methods as source text and compiles it when the module is
imported: 0.2 to 0.6 ms a class, some 25 ms of the reader's start-up before its first frame
(model, reader state, config, importers). The classes on that path are written out instead,
their ``__init__`` by hand and their equality, repr and hash here, once:

- :class:`Value`: equality and repr by the fields the class names in ``__init_subclass__``
  (``compared``, default every field; ``hidden``, fields left out of the repr); instances are
  unhashable, as a dataclass's with ``eq=True``.
- :class:`FrozenValue`: the same, hashable by its compared fields, and any assignment after
  ``__init__`` raises :class:`dataclasses.FrozenInstanceError`, as a frozen dataclass's does.

They behave as the dataclasses they replace did: same constructor, attributes, equality
(only between instances of the same class), repr (``Block(kind='paragraph', text='…',
attribution=None)``) and hash.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # (type checkers treat the classes as dataclasses: frozen fields checked)
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        """At run time: nothing (the decorator only informs type checkers)."""
        return lambda cls: cls


class _Fields:
    """Equality and repr by named fields, as ``@dataclass`` gives them (the base of both kinds)."""

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = ()
    """Every field, in constructor order."""
    _shown: ClassVar[tuple[str, ...]] = ()
    """The fields in the repr."""
    _key: ClassVar[Any]
    """The compared fields' values of an instance, as a tuple."""

    def __init_subclass__(
        cls,
        fields: tuple[str, ...] = (),
        hidden: tuple[str, ...] = (),
        uncompared: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        """Record the fields: every one, those left out of the repr, those not compared."""
        super().__init_subclass__(**kwargs)
        if not fields:
            return
        cls._fields = fields
        cls._shown = tuple(f for f in fields if f not in hidden)
        compared = tuple(f for f in fields if f not in uncompared)
        getter = attrgetter(*compared)
        cls._key = staticmethod(getter if len(compared) > 1 else lambda v: (getter(v),))

    def __eq__(self, other: object) -> bool:
        """Equal to an instance of the same class whose compared fields are equal."""
        if other.__class__ is self.__class__:
            return bool(self._key(self) == self._key(other))
        return NotImplemented

    def __repr__(self) -> str:
        """``Name(field=value, …)`` over the shown fields."""
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"


@dataclass_transform(eq_default=True)
class Value(_Fields):
    """A value class whose fields may change: equal by its fields, unhashable (as a dataclass
    with ``eq=True``)."""

    __slots__ = ()

    __hash__ = None  # type: ignore[assignment]


@dataclass_transform(eq_default=True, frozen_default=True)
class FrozenValue(_Fields):
    """A value class that cannot change after ``__init__`` and hashes by its compared fields.

    ``__init__`` sets its fields with ``object.__setattr__``.
    """

    __slots__ = ()

    def __hash__(self) -> int:
        """The hash of the compared fields' values."""
        return hash(self._key(self))

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse: the value is frozen."""
        from dataclasses import FrozenInstanceError  # (not at import: it brings inspect)

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        """Refuse: the value is frozen."""
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Copy and pickle through the constructor (setting fields one by one is refused)."""
        return self.__class__, tuple(getattr(self, name) for name in self._fields)
