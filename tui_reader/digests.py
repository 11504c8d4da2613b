"""SHA-256 and BLAKE2b for naming things (story ids, record ids, cache entries), without OpenSSL.

``hashlib`` imports ``_hashlib`` first, which sets up OpenSSL's digests: about 5 M instructions
(``hashlib`` and ``_hashlib`` together) before a reader's first frame, for hashing a few short
keys. CPython also builds its own SHA-256 and BLAKE2 (the modules ``hashlib`` itself falls back
to when OpenSSL lacks an algorithm): :data:`sha256` and :data:`blake2b` are those when the
interpreter has them (``_sha256`` in 3.11, ``_sha2`` from 3.12; ``_blake2``), else ``hashlib``'s.
The digests are the same either way (the algorithms are standard; tests compare them with
``hashlib``'s).

Nothing here is used for secrecy: the names only have to be stable and not collide by accident.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Protocol


class Hash(Protocol):
    """What is read from a hash object here (as ``hashlib``'s have it)."""

    def digest(self) -> bytes:
        """The digest as bytes."""

    def hexdigest(self) -> str:
        """The digest as lowercase hex digits."""


Digest = Callable[..., Hash]
"""A hash constructor as ``hashlib`` has them: ``sha256(data)``, ``blake2b(data, digest_size=)``."""


def _first(names: tuple[str, ...], attribute: str) -> Digest:
    """``attribute`` of the first of the modules ``names`` that imports (``hashlib`` last)."""
    for name in names:
        try:
            module: ModuleType = importlib.import_module(name)
        except ImportError:
            continue
        found = getattr(module, attribute, None)
        if found is not None:
            return found  # type: ignore[no-any-return]
    raise ImportError(f"no {attribute} in {', '.join(names)}")


sha256: Digest = _first(("_sha256", "_sha2", "hashlib"), "sha256")
"""SHA-256: ``sha256(data).hexdigest()`` as ``hashlib.sha256``."""

blake2b: Digest = _first(("_blake2", "hashlib"), "blake2b")
"""BLAKE2b: ``blake2b(data, digest_size=n)`` as ``hashlib.blake2b``."""
